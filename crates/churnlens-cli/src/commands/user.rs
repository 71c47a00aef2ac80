//! `churnlens user add | list | remove | passwd`: the dashboard's accounts in
//! the workspace catalog. Passwords are read from the terminal without echo,
//! or from standard input with `--password-stdin` for scripts.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::Result;
use churnlens_core::Lang;
use churnlens_ingest::Workspace;
use churnlens_server::{Accounts, Role, messages};

use crate::args::{UserArgs, UserCommand};
use crate::commands::UserError;
use crate::commands::serve::server_error;

/// Echo of the terminal on or off, by `stty` (no terminal library needed for one flag).
fn echo(on: bool) {
    let flag = if on { "echo" } else { "-echo" };
    // Without stty (or a terminal) the password is merely visible; reading it still works.
    let _ = std::process::Command::new("stty").arg(flag).stdin(std::process::Stdio::inherit()).status();
}

fn read_line(stdin: &mut impl BufRead) -> Result<String> {
    let mut line = String::new();
    stdin.read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// The password: the first line of standard input, or typed twice on the terminal without echo.
fn read_password(from_stdin: bool, lang: Lang) -> Result<String> {
    let stdin = std::io::stdin();
    if from_stdin {
        return read_line(&mut stdin.lock());
    }
    if !stdin.is_terminal() {
        return Err(UserError(messages::password_needs_terminal(lang).into()).into());
    }
    let ask = |prompt: &str| -> Result<String> {
        eprint!("{prompt}");
        std::io::stderr().flush()?;
        echo(false);
        let line = read_line(&mut stdin.lock());
        echo(true);
        eprintln!();
        line
    };
    let first = ask(messages::password_prompt(lang))?;
    let second = ask(messages::password_again(lang))?;
    if first != second {
        return Err(UserError(messages::passwords_differ(lang).into()).into());
    }
    Ok(first)
}

pub fn run(workspace: &Path, args: &UserArgs, lang: Lang) -> Result<()> {
    let workspace = Workspace::open(workspace)?;
    let accounts = Accounts::open(workspace.root()).map_err(|e| server_error(e, lang))?;
    match &args.command {
        UserCommand::Add { name, role, password_stdin } => {
            let role = Role::parse(role).ok_or_else(|| UserError(format!("--role {role}")))?;
            let password = read_password(*password_stdin, lang)?;
            let user = accounts.add(name, role, &password).map_err(|e| server_error(e, lang))?;
            accounts.audit(None, "user_add", &format!("{} {} (cli)", user.name, user.role.as_str()), None).map_err(|e| server_error(e, lang))?;
            println!("{}", messages::user_added(lang, &user.name, user.role.as_str()));
        }
        UserCommand::List => {
            let mut table = comfy_table::Table::new();
            table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.set_header(messages::user_list_header(lang));
            for user in accounts.list().map_err(|e| server_error(e, lang))? {
                table.add_row(vec![user.name, user.role.as_str().to_owned(), user.created_at, if user.disabled { "✗".into() } else { String::new() }]);
            }
            println!("{table}");
        }
        UserCommand::Remove { name } => {
            accounts.remove(name).map_err(|e| server_error(e, lang))?;
            accounts.audit(None, "user_remove", &format!("{name} (cli)"), None).map_err(|e| server_error(e, lang))?;
            println!("{}", messages::user_removed(lang, name));
        }
        UserCommand::Disable { name } | UserCommand::Enable { name } => {
            let disabled = matches!(args.command, UserCommand::Disable { .. });
            accounts.set_disabled(name, disabled).map_err(|e| server_error(e, lang))?;
            let action = if disabled { "user_disable" } else { "user_enable" };
            accounts.audit(None, action, &format!("{name} (cli)"), None).map_err(|e| server_error(e, lang))?;
            println!("{}", messages::user_disabled(lang, name, disabled));
        }
        UserCommand::Passwd { name, password_stdin } => {
            let password = read_password(*password_stdin, lang)?;
            accounts.set_password(name, &password).map_err(|e| server_error(e, lang))?;
            accounts.audit(None, "user_passwd", &format!("{name} (cli)"), None).map_err(|e| server_error(e, lang))?;
            println!("{}", messages::password_changed(lang, name));
        }
    }
    Ok(())
}
