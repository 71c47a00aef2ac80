//! The dashboard's single-page app, embedded in the binary from `web/dist/`
//! (built from `web/src/` by the project's own npm scripts), so the server is
//! one self-contained program. Every path that is not an API route or a known
//! asset gets the app shell, which routes on the client side.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// The app shell.
pub const DASHBOARD_HTML: &str = include_str!("../../../web/dist/dashboard.html");
/// The app's script.
pub const DASHBOARD_JS: &str = include_str!("../../../web/dist/dashboard.js");
/// The app's styles.
pub const DASHBOARD_CSS: &str = include_str!("../../../web/dist/dashboard.css");

/// What a non-API path is served: the file's content type and body, or `None` for a 404.
pub fn asset(path: &str) -> Option<(&'static str, &'static str)> {
    let file = path.rsplit('/').next().unwrap_or_default();
    match file {
        "dashboard.js" => Some(("text/javascript; charset=utf-8", DASHBOARD_JS)),
        "dashboard.css" => Some(("text/css; charset=utf-8", DASHBOARD_CSS)),
        // A missing asset is a broken build, not a client-side route: answer 404 rather than HTML the browser would run as script.
        _ if path.starts_with("/assets/") => None,
        _ => Some(("text/html; charset=utf-8", DASHBOARD_HTML)),
    }
}

/// Serves a non-API path.
pub async fn static_file(uri: Uri) -> Response {
    match asset(uri.path()) {
        Some((content_type, body)) => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_paths_get_the_shell_and_assets_their_type() {
        assert_eq!(asset("/"), Some(("text/html; charset=utf-8", DASHBOARD_HTML)));
        assert_eq!(asset("/customers/C001"), Some(("text/html; charset=utf-8", DASHBOARD_HTML)));
        assert_eq!(asset("/assets/dashboard.js").map(|a| a.0), Some("text/javascript; charset=utf-8"));
        assert_eq!(asset("/dashboard.css").map(|a| a.0), Some("text/css; charset=utf-8"));
        assert_eq!(asset("/assets/missing.js"), None);
    }
}
