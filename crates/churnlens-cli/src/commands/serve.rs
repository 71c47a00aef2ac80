//! `churnlens serve`: the dashboard server (`churnlens_server`) on a socket,
//! loopback by default, refusing to start before an admin account exists.

use std::path::Path;

use anyhow::Result;
use churnlens_core::Lang;
use churnlens_metrics::calendar::Calendar;
use churnlens_server::{AppState, ServerError, ServerOptions, messages};

use crate::args::ServeArgs;
use crate::commands::UserError;

/// The server's errors the user can fix as [`UserError`] (exit code 1), our bugs as they are.
pub fn server_error(error: ServerError, lang: Lang) -> anyhow::Error {
    if error.status().is_server_error() && !matches!(error, ServerError::NoAdmin | ServerError::NoWorkspace(_)) {
        error.into()
    } else {
        UserError(error.message(lang)).into()
    }
}

pub fn run(workspace: &Path, args: &ServeArgs, lang: Lang) -> Result<()> {
    let tz = churnlens_ingest::parse_tz(&args.tz).map_err(|e| UserError(e.to_string()))?;
    let options = ServerOptions { secure_cookies: args.secure_cookies, calendar: Calendar::in_zone(tz) };
    let state = AppState::open(workspace, options).map_err(|e| server_error(e, lang))?;
    if !args.addr.ip().is_loopback() {
        eprintln!("{}", messages::not_loopback(lang, &args.addr.to_string()));
    }
    churnlens_server::log::StderrLog::install(tracing::Level::INFO);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.map_err(|e| UserError(format!("{}: {e}", args.addr)))?;
        println!("{}", messages::listening(lang, &format!("http://{}/", listener.local_addr()?)));
        // The process ends on Ctrl+C (SIGINT's default action); sessions live in memory only, so nothing is left to flush.
        churnlens_server::serve(listener, churnlens_server::router(state), std::future::pending()).await?;
        Ok(())
    })
}
