//! The server crate's one error. As an HTTP response it becomes a status and
//! `{"error": "<plain message>"}` in the request's language; the details
//! (SQL errors, query failures) go to the server log and never to the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use churnlens_core::Lang;
use thiserror::Error;

use crate::messages;

/// Everything that can go wrong in the server and the account commands.
#[derive(Debug, Error)]
pub enum ServerError {
    /// No valid session.
    #[error("not logged in")]
    Unauthorized,
    /// Wrong user name or password (one message for both, so names cannot be probed).
    #[error("wrong user name or password")]
    BadCredentials,
    /// The role does not allow it.
    #[error("forbidden")]
    Forbidden,
    /// A write without the session's CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// Too many failed logins.
    #[error("too many failed logins; retry after {retry_after} s")]
    RateLimited {
        /// Seconds until the next login is accepted.
        retry_after: u64,
    },
    /// No such resource.
    #[error("not found")]
    NotFound,
    /// A request parameter or body the user can fix.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The password is shorter than [`crate::accounts::MIN_PASSWORD_CHARS`].
    #[error("password too short")]
    PasswordTooShort,
    /// An empty, over-long or control-character user name.
    #[error("bad user name")]
    BadUserName,
    /// The user name is taken.
    #[error("user {0} exists")]
    UserExists(String),
    /// No account of that name.
    #[error("no user {0}")]
    NoSuchUser(String),
    /// Removing the last admin would lock everyone out.
    #[error("the last admin cannot be removed")]
    LastAdmin,
    /// The folder is no workspace.
    #[error("no churnlens workspace at {0}")]
    NoWorkspace(String),
    /// The workspace has no admin account yet.
    #[error("no admin account")]
    NoAdmin,
    /// The catalog could not be read or written.
    #[error("catalog: {0}")]
    Catalog(#[from] rusqlite::Error),
    /// Reading the workspace failed.
    #[error("workspace: {0}")]
    Ingest(#[from] churnlens_ingest::IngestError),
    /// A query failed.
    #[error("query: {0}")]
    Metrics(#[from] churnlens_metrics::MetricsError),
    /// The report could not be computed.
    #[error("report: {0}")]
    Report(#[from] churnlens_report::ReportError),
    /// Our bug.
    #[error("internal: {0}")]
    Internal(String),
}

impl ServerError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::Unauthorized | ServerError::BadCredentials => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden | ServerError::Csrf => StatusCode::FORBIDDEN,
            ServerError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ServerError::NotFound | ServerError::NoSuchUser(_) => StatusCode::NOT_FOUND,
            ServerError::BadRequest(_) | ServerError::PasswordTooShort | ServerError::BadUserName | ServerError::LastAdmin => StatusCode::BAD_REQUEST,
            ServerError::UserExists(_) => StatusCode::CONFLICT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a person reads, in `lang`; internals are reduced to one plain sentence.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ServerError::Unauthorized => messages::not_logged_in(lang).into(),
            ServerError::BadCredentials => messages::bad_credentials(lang).into(),
            ServerError::Forbidden => messages::forbidden(lang).into(),
            ServerError::Csrf => messages::csrf(lang).into(),
            ServerError::RateLimited { retry_after } => messages::rate_limited(lang, *retry_after),
            ServerError::NotFound => messages::not_found(lang).into(),
            ServerError::BadRequest(what) => messages::bad_request(lang, what),
            ServerError::PasswordTooShort => messages::password_too_short(lang),
            ServerError::BadUserName => messages::bad_user_name(lang).into(),
            ServerError::UserExists(name) => messages::user_exists(lang, name),
            ServerError::NoSuchUser(name) => messages::no_such_user(lang, name),
            ServerError::LastAdmin => messages::last_admin(lang).into(),
            ServerError::NoWorkspace(path) => messages::no_workspace(lang, path),
            ServerError::NoAdmin => messages::no_admin(lang).into(),
            _ => messages::internal(lang).into(),
        }
    }

    /// The response in `lang`; server-side failures are logged with their detail first.
    pub fn into_response_in(self, lang: Lang) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (status, Json(serde_json::json!({ "error": self.message(lang) }))).into_response();
        if let ServerError::RateLimited { retry_after } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

/// A [`ServerError`] with the language its message is written in: what handlers return.
#[derive(Debug)]
pub struct AppError {
    /// What went wrong.
    pub error: ServerError,
    /// The request's language.
    pub lang: Lang,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.error.into_response_in(self.lang)
    }
}

/// Attaches the request's language to a result's error.
pub trait InLang<T> {
    /// The result with its error answerable in `lang`.
    fn in_lang(self, lang: Lang) -> Result<T, AppError>;
}

impl<T, E: Into<ServerError>> InLang<T> for Result<T, E> {
    fn in_lang(self, lang: Lang) -> Result<T, AppError> {
        self.map_err(|e| AppError { error: e.into(), lang })
    }
}
