//! The `churnlens` command-line program.
//!
//! A thin layer over the library crates: parse flags ([`args`]), run one
//! command ([`commands`]), print its result in the asked format
//! ([`output`]). Exit codes: 0 success, 1 a problem the user can fix (the
//! message says how), 2 an internal error. A closed pipe (`| head`) is
//! success.

mod args;
mod commands;
mod messages;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version are successes; a bad flag is the user's to fix (1).
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
    };
    let lang = cli.lang.unwrap_or_else(churnlens_core::Lang::from_env);
    match commands::run(cli, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let user = is_user_error(&err);
            eprintln!("{}: {err:#}", messages::error_prefix(lang, user));
            if !user {
                eprintln!("{}", messages::report_bug(lang));
            }
            ExitCode::from(if user { 1 } else { 2 })
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// Errors the user can act on: bad input, bad flags, a missing workspace.
fn is_user_error(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<churnlens_ingest::IngestError>().is_some_and(|e| e.is_user_error())
            || cause.downcast_ref::<churnlens_metrics::MetricsError>().is_some_and(|e| e.is_user_error())
            || cause.downcast_ref::<commands::UserError>().is_some()
    })
}
