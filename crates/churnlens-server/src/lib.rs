//! The churnlens dashboard server (#8): local accounts, sessions and roles, the JSON API
//! behind the dashboard, and the embedded single-page app.
//!
//! [`router`] builds the whole application so tests drive it with `tower::ServiceExt::oneshot`
//! and no socket; [`serve`] runs it on a bound listener until the shutdown future resolves.

use std::future::Future;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;

/// Builds the application router.
pub fn router() -> Router {
    Router::new().route("/api/me", get(me))
}

/// Without accounts nothing is served: the skeleton answers every session question with 401.
async fn me() -> impl IntoResponse {
    (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({"error": "not logged in"})))
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(listener: tokio::net::TcpListener, app: Router, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
