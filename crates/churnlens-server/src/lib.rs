//! The churnlens dashboard server (#8): local accounts, sessions and roles, the JSON API
//! behind the dashboard, and the embedded single-page app.
//!
//! * [`accounts`]: users (argon2id hashes) and the audit log in the workspace catalog.
//! * [`sessions`]: session ids, CSRF tokens, idle timeout and login rate limiting.
//! * [`api`]: the JSON API, one handler per route of [`API_ROUTES`].
//! * [`data`]: the workspace as the API reads it (customers, filters, cached reports, exports).
//! * [`mask`]: masking of phone, e-mail and name for viewers.
//! * [`ui`]: the embedded app and the path rule for it.
//!
//! [`router`] builds the whole application so tests drive it with `tower::ServiceExt::oneshot`
//! and no socket; [`serve`] runs it on a bound listener until the shutdown future resolves.

pub mod accounts;
pub mod api;
pub mod data;
pub mod error;
pub mod log;
pub mod mask;
pub mod messages;
pub mod sessions;
pub mod ui;

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, delete, get, post};
use churnlens_metrics::calendar::Calendar;

pub use accounts::{Accounts, Role, User};
pub use error::{AppError, ServerError};

/// How the server runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerOptions {
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// The business calendar the reports are computed in.
    pub calendar: Calendar,
}

/// Everything the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The workspace's accounts and audit log.
    pub accounts: Accounts,
    /// Live sessions.
    pub sessions: Arc<sessions::Sessions>,
    /// Failed-login counts.
    pub limiter: Arc<sessions::LoginLimiter>,
    /// The workspace's data.
    pub data: Arc<data::DataSource>,
    /// How the server runs.
    pub options: ServerOptions,
}

impl AppState {
    /// The state for the workspace at `root`; fails when it is no workspace or has no admin yet.
    pub fn open(root: &Path, options: ServerOptions) -> Result<AppState, ServerError> {
        churnlens_ingest::Workspace::open(root).map_err(|_| ServerError::NoWorkspace(root.display().to_string()))?;
        let accounts = Accounts::open(root)?;
        if !accounts.has_admin()? {
            return Err(ServerError::NoAdmin);
        }
        Ok(AppState {
            accounts,
            sessions: Arc::default(),
            limiter: Arc::default(),
            data: Arc::new(data::DataSource::new(root.to_path_buf(), options.calendar)),
            options,
        })
    }
}

/// Every API route as (method, path as the OpenAPI document writes it). The router is built
/// from this list, and a test compares it with the OpenAPI document both ways.
pub const API_ROUTES: [(&str, &str); 13] = [
    ("post", "/api/login"),
    ("post", "/api/logout"),
    ("get", "/api/me"),
    ("get", "/api/filters"),
    ("get", "/api/report"),
    ("get", "/api/customers"),
    ("get", "/api/customers/{id}"),
    ("get", "/api/export/{table}.csv"),
    ("get", "/api/admin/users"),
    ("post", "/api/admin/users"),
    ("delete", "/api/admin/users/{name}"),
    ("get", "/api/admin/audit"),
    ("get", "/api/openapi.json"),
];

/// The handler of one entry of [`API_ROUTES`].
fn handler(method: &str, path: &str) -> MethodRouter<AppState> {
    match (method, path) {
        ("post", "/api/login") => post(api::login),
        ("post", "/api/logout") => post(api::logout),
        ("get", "/api/me") => get(api::me),
        ("get", "/api/filters") => get(api::filters),
        ("get", "/api/report") => get(api::report),
        ("get", "/api/customers") => get(api::customers),
        ("get", "/api/customers/{id}") => get(api::customer),
        ("get", "/api/export/{table}.csv") => get(api::export),
        ("get", "/api/admin/users") => get(api::list_users),
        ("post", "/api/admin/users") => post(api::add_user),
        ("delete", "/api/admin/users/{name}") => delete(api::remove_user),
        ("get", "/api/admin/audit") => get(api::audit),
        ("get", "/api/openapi.json") => get(api::openapi),
        _ => unreachable!("API_ROUTES and handler() list the same routes: {method} {path}"),
    }
}

/// The router's path of an OpenAPI path: the export's `.csv` suffix is part of the captured segment.
pub fn router_path(openapi_path: &str) -> &str {
    openapi_path.strip_suffix(".csv").unwrap_or(openapi_path)
}

/// Content-Security-Policy of every response: only the app's own files; inline styles because
/// ECharts positions its tooltips with style attributes.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if api {
        // Customer data must not linger in shared caches or the browser's disk cache.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Builds the application router.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new();
    for (method, path) in API_ROUTES {
        app = app.route(router_path(path), handler(method, path));
    }
    app.route("/api/{*rest}", axum::routing::any(api::unknown)).fallback(ui::static_file).layer(middleware::from_fn(security_headers)).with_state(state)
}

/// Serves `app` on `listener` until `shutdown` resolves; handlers see the client's address.
pub async fn serve(listener: tokio::net::TcpListener, app: Router, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await
}
