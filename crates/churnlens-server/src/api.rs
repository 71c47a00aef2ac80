//! The JSON API behind the dashboard: one handler per route of
//! [`crate::API_ROUTES`], the session extractor every route but login goes
//! through, and the checks of role and CSRF token.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use churnlens_core::Lang;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::accounts::Role;
use crate::data::{self, DataSource, Filters};
use crate::error::{AppError, InLang, ServerError};
use crate::mask;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "churnlens_session";

/// The header writes must carry the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Rows of the customers list per page unless `limit` says otherwise, and the most one page may have.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 1000;

/// The request's language: `?lang=` first, then `Accept-Language`, else English.
pub fn request_lang(parts: &Parts) -> Lang {
    let query = parts.uri.query().unwrap_or_default();
    for pair in query.split('&') {
        match pair {
            "lang=zh" | "lang=zh-CN" | "lang=zh-cn" => return Lang::Zh,
            "lang=en" => return Lang::En,
            _ => {}
        }
    }
    let accept = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if accept.trim_start().to_ascii_lowercase().starts_with("zh") { Lang::Zh } else { Lang::En }
}

/// The client's address when the server was started with connect info (tests without a socket have none).
fn client_address(parts: &Parts) -> Option<String> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

/// The session id from the `Cookie` header.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
}

/// Compares two tokens in time independent of where they first differ.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who asks and in which language: every route has it, logged in or not.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The request's language.
    pub lang: Lang,
    /// The client's address, when known.
    pub client: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller { lang: request_lang(parts), client: client_address(parts) })
    }
}

/// A request with a live session; writes have also shown the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Authed {
    /// The account.
    pub user: String,
    /// Its role.
    pub role: Role,
    /// The session's CSRF token.
    pub csrf: String,
    /// The session id (to end it at logout).
    session_id: String,
    /// The language and address.
    pub caller: Caller,
}

impl Authed {
    /// Fails with 403 unless the role includes `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.role.includes(role) { Ok(()) } else { Err(AppError { error: ServerError::Forbidden, lang: self.caller.lang }) }
    }

    /// Whether personal data is masked for this user.
    pub fn masked(&self) -> bool {
        !self.role.includes(Role::Analyst)
    }

    fn audit(&self, state: &AppState, action: &str, detail: &str) {
        if let Err(e) = state.accounts.audit(Some(&self.user), action, detail, self.caller.client.as_deref()) {
            tracing::error!(error = %e, action, "audit log write failed");
        }
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Caller { lang: request_lang(parts), client: client_address(parts) };
        let lang = caller.lang;
        let id = session_cookie(&parts.headers).ok_or(AppError { error: ServerError::Unauthorized, lang })?.to_owned();
        let session = state.sessions.get(&id).ok_or(AppError { error: ServerError::Unauthorized, lang })?;
        let write = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if write {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !same_token(sent, &session.csrf) {
                return Err(AppError { error: ServerError::Csrf, lang });
            }
        }
        // The account as it is now: removed, disabled or given another role
        // since the login (by an admin here or by `churnlens user` in another process).
        let account = state.accounts.user(&session.user).map_err(|error| AppError { error, lang })?;
        let Some(account) = account.filter(|a| !a.disabled) else {
            state.sessions.remove_user(&session.user);
            return Err(AppError { error: ServerError::Unauthorized, lang });
        };
        Ok(Authed { user: session.user, role: account.role, csrf: session.csrf, session_id: id, caller })
    }
}

/// Runs blocking work (argon2, DataFusion, SQLite) off the async workers.
async fn blocking<T: Send + 'static>(lang: Lang, work: impl FnOnce() -> Result<T, ServerError> + Send + 'static) -> Result<T, AppError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.in_lang(lang),
        Err(e) => Err(AppError { error: ServerError::Internal(format!("task: {e}")), lang }),
    }
}

fn me_json(user: &str, role: Role, csrf: &str) -> Value {
    json!({"user": {"name": user, "role": role.as_str()}, "csrf": csrf})
}

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

/// `POST /api/login`.
pub async fn login(State(state): State<AppState>, caller: Caller, body: Bytes) -> Result<Response, AppError> {
    let lang = caller.lang;
    let body: LoginBody = serde_json::from_slice(&body).map_err(|_| ServerError::BadRequest("{\"username\", \"password\"}".into())).in_lang(lang)?;
    let client = caller.client.clone().unwrap_or_else(|| "unknown".into());
    if let Some(retry_after) = state.limiter.retry_after(&body.username, &client) {
        return Err(AppError { error: ServerError::RateLimited { retry_after }, lang });
    }
    let accounts = state.accounts.clone();
    let (name, password) = (body.username.clone(), body.password);
    let user = blocking(lang, move || accounts.authenticate(&name, &password)).await?;
    let Some(user) = user else {
        state.limiter.fail(&body.username, &client);
        if let Err(e) = state.accounts.audit(None, "login_failed", &body.username, caller.client.as_deref()) {
            tracing::error!(error = %e, "audit log write failed");
        }
        return Err(AppError { error: ServerError::BadCredentials, lang });
    };
    state.limiter.succeed(&user.name);
    let (id, session) = state.sessions.create(&user.name, user.role);
    state.accounts.audit(Some(&user.name), "login_ok", user.role.as_str(), caller.client.as_deref()).in_lang(lang)?;
    let secure = if state.options.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/{secure}");
    let mut response = Json(me_json(&user.name, user.role, &session.csrf)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ServerError::Internal(e.to_string())).in_lang(lang)?);
    Ok(response)
}

/// `POST /api/logout`.
pub async fn logout(State(state): State<AppState>, auth: Authed) -> Response {
    state.sessions.remove(&auth.session_id);
    auth.audit(&state, "logout", "");
    let mut response = StatusCode::NO_CONTENT.into_response();
    let secure = if state.options.secure_cookies { "; Secure" } else { "" };
    let expired = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}");
    if let Ok(value) = HeaderValue::from_str(&expired) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `GET /api/me`.
pub async fn me(auth: Authed) -> Json<Value> {
    Json(me_json(&auth.user, auth.role, &auth.csrf))
}

/// `GET /api/filters`.
pub async fn filters(State(state): State<AppState>, auth: Authed) -> Result<Json<Value>, AppError> {
    let (data, lang) = (Arc::clone(&state.data), auth.caller.lang);
    Ok(Json(blocking(lang, move || data.filters(lang)).await?))
}

fn filters_of(query: &HashMap<String, String>) -> Filters {
    let get = |k: &str| query.get(k).filter(|v| !v.is_empty()).cloned();
    Filters { period: get("period"), segment: get("segment"), attr: get("attr"), value: get("value") }
}

/// `GET /api/report`.
pub async fn report(State(state): State<AppState>, auth: Authed, Query(query): Query<HashMap<String, String>>) -> Result<Json<Value>, AppError> {
    let (data, lang, filters) = (Arc::clone(&state.data), auth.caller.lang, filters_of(&query));
    let report = blocking(lang, move || data.report(&filters, lang)).await?;
    Ok(Json(serde_json::to_value(&*report).map_err(|e| ServerError::Internal(e.to_string())).in_lang(lang)?))
}

/// The customers list of a query: total and the requested page, masked for viewers.
fn customer_page(
    data: &DataSource,
    query: &HashMap<String, String>,
    masked: bool,
    lang: Lang,
    paged: bool,
) -> Result<(usize, Vec<serde_json::Map<String, Value>>), ServerError> {
    let customers = data.customers()?;
    let mut rows: Vec<serde_json::Map<String, Value>> = customers.matching(&filters_of(query))?.into_iter().map(|i| customers.json_row(i, lang)).collect();
    if let Some(q) = query.get("q").map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty()) {
        // Viewers search only what they may see: a match on a hidden phone number would reveal it.
        let fields: &[&str] = if masked { &["customer_id"] } else { &["customer_id", "name", "phone", "email"] };
        rows.retain(|r| fields.iter().any(|f| r.get(*f).and_then(Value::as_str).is_some_and(|v| v.to_lowercase().contains(&q))));
    }
    if let Some(sort) = query.get("sort").filter(|s| !s.is_empty()) {
        let (key, descending) = match sort.strip_prefix('-') {
            Some(key) => (key, true),
            None => (sort.as_str(), false),
        };
        let number = |v: Option<&Value>| v.and_then(|v| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse::<f64>().ok())));
        rows.sort_by(|a, b| {
            let order = match (number(a.get(key)), number(b.get(key))) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                _ => a.get(key).and_then(Value::as_str).unwrap_or_default().cmp(b.get(key).and_then(Value::as_str).unwrap_or_default()),
            };
            if descending { order.reverse() } else { order }
        });
    }
    let total = rows.len();
    if paged {
        let parse = |k: &str, default: usize| query.get(k).map_or(Ok(default), |v| v.parse::<usize>().map_err(|_| ServerError::BadRequest(format!("{k}={v}"))));
        let limit = parse("limit", DEFAULT_LIMIT)?.min(MAX_LIMIT);
        let offset = parse("offset", 0)?;
        rows = rows.into_iter().skip(offset).take(limit).collect();
    }
    if masked {
        rows.iter_mut().for_each(mask::object);
    }
    Ok((total, rows))
}

/// `GET /api/customers`.
pub async fn customers(State(state): State<AppState>, auth: Authed, Query(query): Query<HashMap<String, String>>) -> Result<Json<Value>, AppError> {
    let (data, lang, masked) = (Arc::clone(&state.data), auth.caller.lang, auth.masked());
    let (total, rows) = blocking(lang, move || customer_page(&data, &query, masked, lang, true)).await?;
    Ok(Json(json!({"total": total, "rows": rows})))
}

/// `GET /api/customers/{id}`.
pub async fn customer(State(state): State<AppState>, auth: Authed, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    let (data, lang, masked) = (Arc::clone(&state.data), auth.caller.lang, auth.masked());
    let lookup = id.clone();
    let timeline = blocking(lang, move || {
        let customers = data.customers()?;
        let index = customers.position(&lookup).ok_or(ServerError::NotFound)?;
        let mut customer = customers.json_row(index, lang);
        let mut out = serde_json::Map::new();
        for table in data::TIMELINE_TABLES {
            let mut rows = data.customer_rows(table, &lookup)?;
            if masked {
                rows.iter_mut().for_each(mask::object);
            }
            out.insert(table.to_owned(), Value::Array(rows.into_iter().map(Value::Object).collect()));
        }
        if masked {
            mask::object(&mut customer);
        }
        out.insert("customer".into(), Value::Object(customer));
        out.insert("risk".into(), data::risk(&customers, &lookup).unwrap_or(Value::Null));
        Ok(Value::Object(out))
    })
    .await?;
    auth.audit(&state, "customer_view", &id);
    Ok(Json(timeline))
}

/// `GET /api/export/{table}.csv`.
pub async fn export(
    State(state): State<AppState>,
    auth: Authed,
    Path(file): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let lang = auth.caller.lang;
    let table = file.strip_suffix(".csv").ok_or(ServerError::NotFound).in_lang(lang)?.to_owned();
    if table != "customers" && !data::REPORT_TABLES.contains(&table.as_str()) {
        return Err(AppError { error: ServerError::NotFound, lang });
    }
    let (data, masked, name) = (Arc::clone(&state.data), auth.masked(), table.clone());
    let bytes = blocking(lang, move || {
        let table = if name == "customers" {
            let (_, rows) = customer_page(&data, &query, masked, lang, false)?;
            let customers = data.customers()?;
            let mut header = customers.columns.clone();
            for row in &rows {
                for key in row.keys() {
                    if !header.contains(key) {
                        header.push(key.clone());
                    }
                }
            }
            let text = |v: Option<&Value>| match v {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            data::Table { rows: rows.iter().map(|r| header.iter().map(|h| text(r.get(h))).collect()).collect(), header }
        } else {
            let report = data.report(&filters_of(&query), lang)?;
            data::report_table(&report, &name).ok_or(ServerError::NotFound)?
        };
        data::csv_bytes(&table)
    })
    .await?;
    auth.audit(&state, "export", &format!("{table}.csv"));
    let disposition = format!("attachment; filename=\"{table}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment"))),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct NewUser {
    username: String,
    password: String,
    role: String,
}

/// `GET /api/admin/users`.
pub async fn list_users(State(state): State<AppState>, auth: Authed) -> Result<Json<Value>, AppError> {
    auth.require(Role::Admin)?;
    let users = state.accounts.list().in_lang(auth.caller.lang)?;
    Ok(Json(serde_json::to_value(users).unwrap_or_default()))
}

/// `POST /api/admin/users`.
pub async fn add_user(State(state): State<AppState>, auth: Authed, body: Bytes) -> Result<Response, AppError> {
    auth.require(Role::Admin)?;
    let lang = auth.caller.lang;
    let body: NewUser = serde_json::from_slice(&body).map_err(|_| ServerError::BadRequest("{\"username\", \"password\", \"role\"}".into())).in_lang(lang)?;
    let role = Role::parse(&body.role).ok_or_else(|| ServerError::BadRequest(format!("role={}", body.role))).in_lang(lang)?;
    let accounts = state.accounts.clone();
    let user = blocking(lang, move || accounts.add(&body.username, role, &body.password)).await?;
    auth.audit(&state, "user_add", &format!("{} {}", user.name, user.role.as_str()));
    Ok((StatusCode::CREATED, Json(serde_json::to_value(user).unwrap_or_default())).into_response())
}

/// `DELETE /api/admin/users/{name}`.
pub async fn remove_user(State(state): State<AppState>, auth: Authed, Path(name): Path<String>) -> Result<StatusCode, AppError> {
    auth.require(Role::Admin)?;
    state.accounts.remove(&name).in_lang(auth.caller.lang)?;
    state.sessions.remove_user(&name);
    auth.audit(&state, "user_remove", &name);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/admin/audit`.
pub async fn audit(State(state): State<AppState>, auth: Authed, Query(query): Query<HashMap<String, String>>) -> Result<Json<Value>, AppError> {
    auth.require(Role::Admin)?;
    let lang = auth.caller.lang;
    let limit = match query.get("limit") {
        Some(v) => v.parse::<usize>().map_err(|_| ServerError::BadRequest(format!("limit={v}"))).in_lang(lang)?,
        None => 100,
    };
    let entries = state.accounts.audit_log(limit.min(10_000)).in_lang(lang)?;
    Ok(Json(serde_json::to_value(entries).unwrap_or_default()))
}

/// The OpenAPI document, embedded.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// `GET /api/openapi.json`.
pub async fn openapi(_auth: Authed) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Any other `/api/…` path: 401 without a session (so no route's existence leaks), else 404.
pub async fn unknown(auth: Result<Authed, AppError>) -> AppError {
    match auth {
        Ok(auth) => AppError { error: ServerError::NotFound, lang: auth.caller.lang },
        Err(e) => e,
    }
}
