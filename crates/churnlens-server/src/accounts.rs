//! Local accounts and the audit log, kept in the workspace catalog
//! (`catalog.sqlite`) beside the table versions: the dashboard serves
//! nothing without a login, and every login, export, customer view and user
//! change leaves a row someone can read later.
//!
//! Passwords are stored only as argon2id PHC strings (`$argon2id$v=19$…`);
//! a login for an unknown user verifies a dummy hash so that it takes as
//! long as one for a known user with a wrong password.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::ServerError;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// The catalog tables of this module, created on first use.
const SCHEMA_SQL: &str = "
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    client TEXT
);
";

/// What an account may do; each role includes the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees the dashboard with phone, e-mail and name masked.
    Viewer,
    /// Sees everything unmasked.
    Analyst,
    /// Also manages accounts and reads the audit log.
    Admin,
}

impl Role {
    /// The name stored in the catalog and sent in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "viewer" => Some(Role::Viewer),
            "analyst" => Some(Role::Analyst),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether this role includes `other`.
    pub fn includes(self, other: Role) -> bool {
        self >= other
    }
}

/// One account as listed (never with its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When it was created (UTC, RFC 3339).
    pub created_at: String,
    /// A disabled account cannot log in.
    pub disabled: bool,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who (none for a failed login of an unknown name … the name typed is in `detail`).
    pub user: Option<String>,
    /// What: `login_ok`, `login_failed`, `logout`, `export`, `customer_view`, `user_add`, `user_remove`, `user_passwd`.
    pub action: String,
    /// Details of the action.
    pub detail: String,
    /// The client's address, when known.
    pub client: Option<String>,
}

/// The accounts and audit log of one workspace.
#[derive(Debug, Clone)]
pub struct Accounts {
    catalog: PathBuf,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The argon2id hasher with the crate's documented defaults (19 MiB, 2 passes, 1 lane: the OWASP minimum).
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Hashes `password` as an argon2id PHC string with a random salt.
pub fn hash_password(password: &str) -> Result<String, ServerError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| ServerError::Internal(format!("argon2: {e}")))
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok()).unwrap_or(false)
}

/// A hash no password is checked against successfully in practice, verified for unknown users so they cost the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("churnlens dummy password for unknown users").unwrap_or_default())
}

impl Accounts {
    /// The accounts of the workspace at `root` (its catalog must exist: open the workspace first).
    pub fn open(root: &Path) -> Result<Accounts, ServerError> {
        let accounts = Accounts { catalog: root.join("catalog.sqlite") };
        if !accounts.catalog.exists() {
            return Err(ServerError::NoWorkspace(root.display().to_string()));
        }
        accounts.connect()?.execute_batch(SCHEMA_SQL)?;
        Ok(accounts)
    }

    fn connect(&self) -> Result<Connection, ServerError> {
        let conn = Connection::open(&self.catalog)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        Ok(conn)
    }

    /// Creates an account; the name must be new and the password long enough.
    pub fn add(&self, name: &str, role: Role, password: &str) -> Result<User, ServerError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(ServerError::BadUserName);
        }
        check_password(password)?;
        let hash = hash_password(password)?;
        let created_at = now();
        let inserted = self.connect()?.execute(
            "INSERT OR IGNORE INTO users (name, role, password_hash, created_at, disabled) VALUES (?1, ?2, ?3, ?4, 0)",
            params![name, role.as_str(), hash, created_at],
        )?;
        if inserted == 0 {
            return Err(ServerError::UserExists(name.to_owned()));
        }
        Ok(User { name: name.to_owned(), role, created_at, disabled: false })
    }

    /// Every account, by name.
    pub fn list(&self) -> Result<Vec<User>, ServerError> {
        let conn = self.connect()?;
        let mut stmt = conn.prepare("SELECT name, role, created_at, disabled FROM users ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, bool>(3)?)))?;
        let mut users = Vec::new();
        for row in rows {
            let (name, role, created_at, disabled) = row?;
            let role = Role::parse(&role).ok_or_else(|| ServerError::Internal(format!("user {name} has the unknown role {role}")))?;
            users.push(User { name, role, created_at, disabled });
        }
        Ok(users)
    }

    /// Deletes an account; refuses to delete the last enabled admin.
    pub fn remove(&self, name: &str) -> Result<(), ServerError> {
        let users = self.list()?;
        let user = users.iter().find(|u| u.name == name).ok_or_else(|| ServerError::NoSuchUser(name.to_owned()))?;
        if user.role == Role::Admin && !user.disabled && users.iter().filter(|u| u.role == Role::Admin && !u.disabled).count() == 1 {
            return Err(ServerError::LastAdmin);
        }
        self.connect()?.execute("DELETE FROM users WHERE name = ?1", params![name])?;
        Ok(())
    }

    /// Disables an account (it can no longer log in, and its sessions end
    /// at their next request) or enables it again; refuses to disable the
    /// last enabled admin.
    pub fn set_disabled(&self, name: &str, disabled: bool) -> Result<(), ServerError> {
        let users = self.list()?;
        let user = users.iter().find(|u| u.name == name).ok_or_else(|| ServerError::NoSuchUser(name.to_owned()))?;
        if disabled && user.role == Role::Admin && !user.disabled && users.iter().filter(|u| u.role == Role::Admin && !u.disabled).count() == 1 {
            return Err(ServerError::LastAdmin);
        }
        self.connect()?.execute("UPDATE users SET disabled = ?1 WHERE name = ?2", params![disabled, name])?;
        Ok(())
    }

    /// The account `name` as it is stored now, if it exists.
    pub fn user(&self, name: &str) -> Result<Option<User>, ServerError> {
        let row: Option<(String, String, bool)> = self
            .connect()?
            .query_row("SELECT role, created_at, disabled FROM users WHERE name = ?1", params![name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        row.map(|(role, created_at, disabled)| {
            let role = Role::parse(&role).ok_or_else(|| ServerError::Internal(format!("user {name} has the unknown role {role}")))?;
            Ok(User { name: name.to_owned(), role, created_at, disabled })
        })
        .transpose()
    }

    /// Sets a new password.
    pub fn set_password(&self, name: &str, password: &str) -> Result<(), ServerError> {
        check_password(password)?;
        let hash = hash_password(password)?;
        let changed = self.connect()?.execute("UPDATE users SET password_hash = ?1 WHERE name = ?2", params![hash, name])?;
        if changed == 0 {
            return Err(ServerError::NoSuchUser(name.to_owned()));
        }
        Ok(())
    }

    /// Whether an enabled admin exists (the server refuses to start without one).
    pub fn has_admin(&self) -> Result<bool, ServerError> {
        Ok(self.list()?.iter().any(|u| u.role == Role::Admin && !u.disabled))
    }

    /// The stored PHC hash of `name` (tests and audits read it; it never leaves the server).
    pub fn password_hash(&self, name: &str) -> Result<Option<String>, ServerError> {
        Ok(self.connect()?.query_row("SELECT password_hash FROM users WHERE name = ?1", params![name], |r| r.get(0)).optional()?)
    }

    /// The account `name` logs in as when `password` is right and it is enabled. Takes one
    /// argon2 verification whether or not the name exists.
    pub fn authenticate(&self, name: &str, password: &str) -> Result<Option<User>, ServerError> {
        let row: Option<(String, String, String, bool)> = self
            .connect()?
            .query_row("SELECT role, password_hash, created_at, disabled FROM users WHERE name = ?1", params![name], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((role, hash, created_at, disabled)) = row else {
            verify_password(password, dummy_hash());
            return Ok(None);
        };
        if !verify_password(password, &hash) || disabled {
            return Ok(None);
        }
        let role = Role::parse(&role).ok_or_else(|| ServerError::Internal(format!("user {name} has the unknown role {role}")))?;
        Ok(Some(User { name: name.to_owned(), role, created_at, disabled }))
    }

    /// Appends a row to the audit log.
    pub fn audit(&self, user: Option<&str>, action: &str, detail: &str, client: Option<&str>) -> Result<(), ServerError> {
        self.connect()?
            .execute("INSERT INTO audit_log (at, user, action, detail, client) VALUES (?1, ?2, ?3, ?4, ?5)", params![now(), user, action, detail, client])?;
        Ok(())
    }

    /// The newest `limit` audit rows, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, ServerError> {
        let conn = self.connect()?;
        let mut stmt = conn.prepare("SELECT at, user, action, detail, client FROM audit_log ORDER BY id DESC LIMIT ?1")?;
        let rows = stmt
            .query_map(params![limit as i64], |r| Ok(AuditEntry { at: r.get(0)?, user: r.get(1)?, action: r.get(2)?, detail: r.get(3)?, client: r.get(4)? }))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// Refuses passwords shorter than [`MIN_PASSWORD_CHARS`] characters.
pub fn check_password(password: &str) -> Result<(), ServerError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServerError::PasswordTooShort);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts() -> (tempfile::TempDir, Accounts) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("catalog.sqlite"), b"").unwrap();
        let accounts = Accounts::open(dir.path()).unwrap();
        (dir, accounts)
    }

    #[test]
    fn roles_nest_admin_over_analyst_over_viewer() {
        assert!(Role::Admin.includes(Role::Analyst) && Role::Admin.includes(Role::Viewer) && Role::Analyst.includes(Role::Viewer));
        assert!(!Role::Viewer.includes(Role::Analyst) && !Role::Analyst.includes(Role::Admin));
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn passwords_are_argon2id_phc_strings_that_verify() {
        let (_dir, accounts) = accounts();
        accounts.add("alice", Role::Admin, "correct horse battery").unwrap();
        let hash = accounts.password_hash("alice").unwrap().unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert_eq!(accounts.authenticate("alice", "correct horse battery").unwrap().map(|u| u.role), Some(Role::Admin));
        assert_eq!(accounts.authenticate("alice", "wrong password!").unwrap(), None);
        assert_eq!(accounts.authenticate("nobody", "correct horse battery").unwrap(), None);
    }

    #[test]
    fn short_passwords_duplicates_and_the_last_admin_are_refused() {
        let (_dir, accounts) = accounts();
        assert!(matches!(accounts.add("bob", Role::Viewer, "123456789"), Err(ServerError::PasswordTooShort)));
        accounts.add("bob", Role::Admin, "1234567890").unwrap();
        assert!(matches!(accounts.add("bob", Role::Viewer, "1234567890"), Err(ServerError::UserExists(_))));
        assert!(matches!(accounts.remove("bob"), Err(ServerError::LastAdmin)));
        accounts.add("carol", Role::Viewer, "abcdefghij").unwrap();
        accounts.remove("carol").unwrap();
        assert_eq!(accounts.list().unwrap().iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["bob"]);
        accounts.set_password("bob", "new password 1").unwrap();
        assert!(accounts.authenticate("bob", "new password 1").unwrap().is_some());
        assert!(accounts.authenticate("bob", "1234567890").unwrap().is_none());
        // Disabled: no login, the last admin cannot be disabled, enabled again logs in.
        assert!(matches!(accounts.set_disabled("bob", true), Err(ServerError::LastAdmin)));
        accounts.add("dave", Role::Analyst, "abcdefghij").unwrap();
        accounts.set_disabled("dave", true).unwrap();
        assert!(accounts.user("dave").unwrap().unwrap().disabled);
        assert_eq!(accounts.authenticate("dave", "abcdefghij").unwrap(), None);
        accounts.set_disabled("dave", false).unwrap();
        assert!(accounts.authenticate("dave", "abcdefghij").unwrap().is_some());
        assert!(matches!(accounts.set_disabled("nobody", true), Err(ServerError::NoSuchUser(_))));
        assert_eq!(accounts.user("nobody").unwrap(), None);
    }
}
