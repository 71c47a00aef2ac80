//! Login sessions and login rate limiting, in memory: a restart logs
//! everyone out, which is the safe direction.
//!
//! A session id is 256 random bits from the OS; the server keeps only its
//! BLAKE3 hash, so a memory dump does not hand out live sessions. Each
//! session has its own CSRF token, which writes must echo in `X-CSRF-Token`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::{OsRng, RngCore};

use crate::accounts::Role;

/// A session unused this long is gone.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(8 * 60 * 60);

/// Failed logins per user name or client address within [`FAILURE_WINDOW`] before logins are refused.
pub const MAX_FAILURES: usize = 5;

/// The window [`MAX_FAILURES`] counts in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// A logged-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The account.
    pub user: String,
    /// Its role at login.
    pub role: Role,
    /// The token writes must send.
    pub csrf: String,
    /// Last request, for the idle timeout.
    last_seen: Instant,
}

/// 256 random bits from the OS, as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest(id: &str) -> [u8; 32] {
    *blake3::hash(id.as_bytes()).as_bytes()
}

/// The live sessions, keyed by the hash of their id.
#[derive(Debug, Default)]
pub struct Sessions {
    by_hash: Mutex<HashMap<[u8; 32], Session>>,
}

impl Sessions {
    /// Starts a session; returns its id (for the cookie) and the session.
    pub fn create(&self, user: &str, role: Role) -> (String, Session) {
        let id = random_token();
        let session = Session { user: user.to_owned(), role, csrf: random_token(), last_seen: Instant::now() };
        let mut map = self.by_hash.lock().unwrap_or_else(|e| e.into_inner());
        // Expired sessions are dropped here so the map cannot grow without bound.
        map.retain(|_, s| s.last_seen.elapsed() < IDLE_TIMEOUT);
        map.insert(digest(&id), session.clone());
        (id, session)
    }

    /// The live session of `id`, touched; expired ones are removed.
    pub fn get(&self, id: &str) -> Option<Session> {
        self.get_at(id, Instant::now())
    }

    fn get_at(&self, id: &str, now: Instant) -> Option<Session> {
        let mut map = self.by_hash.lock().unwrap_or_else(|e| e.into_inner());
        let key = digest(id);
        let session = map.get_mut(&key)?;
        if now.saturating_duration_since(session.last_seen) >= IDLE_TIMEOUT {
            map.remove(&key);
            return None;
        }
        session.last_seen = now;
        Some(session.clone())
    }

    /// Ends a session.
    pub fn remove(&self, id: &str) {
        self.by_hash.lock().unwrap_or_else(|e| e.into_inner()).remove(&digest(id));
    }

    /// Ends every session of `user` (the account was removed or its password changed).
    pub fn remove_user(&self, user: &str) {
        self.by_hash.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, s| s.user != user);
    }
}

/// Failed logins per user name and per client address.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    fn keys(user: &str, client: &str) -> [String; 2] {
        [format!("user:{user}"), format!("client:{client}")]
    }

    /// Seconds to wait when `user` or `client` had [`MAX_FAILURES`] failures in the window, else `None`.
    pub fn retry_after(&self, user: &str, client: &str) -> Option<u64> {
        self.retry_after_at(user, client, Instant::now())
    }

    fn retry_after_at(&self, user: &str, client: &str, now: Instant) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = None;
        for key in Self::keys(user, client) {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.saturating_duration_since(*t) < FAILURE_WINDOW);
                if times.len() >= MAX_FAILURES {
                    // The oldest failure in the window leaving it frees one attempt.
                    let free_at = times[times.len() - MAX_FAILURES] + FAILURE_WINDOW;
                    let secs = free_at.saturating_duration_since(now).as_secs().max(1);
                    wait = Some(wait.map_or(secs, |w: u64| w.max(secs)));
                }
            }
        }
        wait
    }

    /// Counts a failed login.
    pub fn fail(&self, user: &str, client: &str) {
        self.fail_at(user, client, Instant::now());
    }

    fn fail_at(&self, user: &str, client: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in Self::keys(user, client) {
            map.entry(key).or_default().push(now);
        }
    }

    /// Forgets the user name's failures after a successful login (the address keeps its count).
    pub fn succeed(&self, user: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(&format!("user:{user}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_and_only_their_hash_is_kept() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        let sessions = Sessions::default();
        let (id, session) = sessions.create("alice", Role::Viewer);
        assert_eq!(sessions.get(&id).map(|s| s.csrf), Some(session.csrf.clone()));
        let map = sessions.by_hash.lock().unwrap();
        assert!(map.contains_key(&digest(&id)));
        assert!(map.keys().all(|k| k.iter().map(|b| format!("{b:02x}")).collect::<String>() != id));
    }

    #[test]
    fn sessions_expire_after_the_idle_timeout_and_on_logout() {
        let sessions = Sessions::default();
        let (id, _) = sessions.create("alice", Role::Admin);
        let start = Instant::now();
        assert!(sessions.get_at(&id, start + IDLE_TIMEOUT - Duration::from_secs(1)).is_some());
        // The request above touched it: eight hours from then it is gone.
        assert!(sessions.get_at(&id, start + IDLE_TIMEOUT * 2).is_none());
        assert!(sessions.get(&id).is_none());
        let (id, _) = sessions.create("bob", Role::Viewer);
        sessions.remove(&id);
        assert!(sessions.get(&id).is_none());
    }

    #[test]
    fn five_failures_in_fifteen_minutes_block_the_name_and_the_address() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..4 {
            limiter.fail_at("alice", "10.0.0.1", t0 + Duration::from_secs(i * 60));
        }
        assert_eq!(limiter.retry_after_at("alice", "10.0.0.2", t0 + Duration::from_secs(300)), None);
        limiter.fail_at("alice", "10.0.0.1", t0 + Duration::from_secs(240));
        // By hand: the first failure was at t0, so the name is free again at t0 + 900 s; asked at t0 + 300 s → 600 s.
        assert_eq!(limiter.retry_after_at("alice", "10.0.0.2", t0 + Duration::from_secs(300)), Some(600));
        // Another name from the same address is blocked too, for the same time.
        assert_eq!(limiter.retry_after_at("bob", "10.0.0.1", t0 + Duration::from_secs(300)), Some(600));
        // After the window the failures have aged out.
        assert_eq!(limiter.retry_after_at("alice", "10.0.0.1", t0 + Duration::from_secs(1200)), None);
    }
}
