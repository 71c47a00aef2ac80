//! The dashboard API end to end through the router (no socket): a small
//! deterministic demo workspace (1,500 customers, seed 7, Beijing time) with
//! an admin, an analyst and a viewer, made once per test binary.
//!
//! What is proved: every route of the OpenAPI document refuses a request
//! without a session (401) and the document lists exactly the router's
//! routes; login, cookie attributes, CSRF, rate limiting; viewers' masking in
//! the list, the timeline and the export; admin-only routes; the filtered
//! report equals the metrics crate's grouped computation for the same
//! customers; exports have the rows of their JSON tables; the audit log.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use churnlens_core::Table;
use churnlens_ingest::{ImportOptions, Workspace, import_file};
use churnlens_metrics::calendar::{Calendar, Period};
use churnlens_metrics::{Engine, Metrics, MetricsOptions};
use churnlens_server::{API_ROUTES, Accounts, AppState, Role, ServerOptions, api, mask, router};
use serde_json::Value;
use tower::ServiceExt;

/// Report figures computed along two paths (a filtered workspace vs a grouped one) agree to float summation order.
const SAME: f64 = 1e-9;

const ADMIN: (&str, &str) = ("admin", "admin password 1");
const ANALYST: (&str, &str) = ("ana", "analyst password 1");
const VIEWER: (&str, &str) = ("vic", "viewer password 1");

fn beijing() -> Calendar {
    Calendar::in_zone(churnlens_ingest::parse_tz("Asia/Shanghai").unwrap())
}

struct Demo {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    state: AppState,
    /// A customer with a saved churn risk, and one without.
    risky: String,
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    // Made on a thread of its own: the tests run inside a tokio runtime, where the import's own runtime could not start.
    DEMO.get_or_init(|| std::thread::spawn(make_demo).join().unwrap())
}

fn make_demo() -> Demo {
    {
        let dir = tempfile::tempdir().unwrap();
        let params = churnlens_demo::DemoParams { seed: 7, customers: 1500, ..churnlens_demo::DemoParams::default() };
        let demo = churnlens_demo::generate(&params, &dir.path().join("data"), &|_, _, _| {}).unwrap();
        let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
        for table in [Table::Customers, Table::Orders, Table::Events, Table::Feedback, Table::Subscriptions, Table::Surveys] {
            let file = demo.files.iter().find(|f| f.table == table).unwrap();
            let mut options = ImportOptions::new(table);
            options.tz = beijing().tz;
            options.read.sheet = file.sheet.clone();
            options.read.source_table = file.source_table.clone();
            import_file(&ws, &file.path, &options, &|_, _, _| {}).unwrap();
        }
        // A churn model's saved output (as `churnlens model score --save` writes it) for two customers.
        let ids = vec!["C000001".to_owned(), "C000002".to_owned()];
        let ids: Vec<String> = ids.into_iter().filter(|id| customer_exists(&ws, id)).collect();
        let risky = ids.first().cloned().unwrap_or_else(|| first_customer(&ws));
        let one = vec![risky.clone()];
        churnlens_ingest::derived::save_customer_attribute(&ws, "churn_risk", &one, &[Some("0.83".into())], "test").unwrap();
        churnlens_ingest::derived::save_customer_attribute(&ws, "churn_tier", &one, &[Some("high".into())], "test").unwrap();
        churnlens_ingest::derived::save_customer_attribute(&ws, "churn_reasons", &one, &[Some("no order for 120 days; 2 complaints".into())], "test").unwrap();
        let accounts = Accounts::open(ws.root()).unwrap();
        assert!(matches!(AppState::open(ws.root(), ServerOptions::default()), Err(churnlens_server::ServerError::NoAdmin)));
        accounts.add(ADMIN.0, Role::Admin, ADMIN.1).unwrap();
        accounts.add(ANALYST.0, Role::Analyst, ANALYST.1).unwrap();
        accounts.add(VIEWER.0, Role::Viewer, VIEWER.1).unwrap();
        let state = AppState::open(ws.root(), ServerOptions { secure_cookies: false, calendar: beijing() }).unwrap();
        Demo { root: ws.root().to_path_buf(), _dir: dir, state, risky }
    }
}

fn customer_exists(ws: &Workspace, id: &str) -> bool {
    first_customers(ws).iter().any(|c| c == id)
}

fn first_customer(ws: &Workspace) -> String {
    first_customers(ws).into_iter().next().unwrap()
}

fn first_customers(ws: &Workspace) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let engine = Engine::open(ws).await.unwrap();
        let batches = engine.sql("SELECT CAST(customer_id AS VARCHAR) FROM customers ORDER BY 1 LIMIT 5").await.unwrap();
        arrow_strings(&batches)
    })
}

fn arrow_strings(batches: &[arrow::record_batch::RecordBatch]) -> Vec<String> {
    use arrow::array::AsArray;
    batches
        .iter()
        .flat_map(|b| {
            let text = arrow::compute::cast(b.column(0), &arrow::datatypes::DataType::Utf8).unwrap();
            text.as_string::<i32>().iter().map(|v| v.unwrap_or_default().to_owned()).collect::<Vec<_>>()
        })
        .collect()
}

/// A state of its own (sessions, limiter, cache) over the demo workspace.
fn fresh_state(secure_cookies: bool) -> AppState {
    AppState::open(&demo().root, ServerOptions { secure_cookies, calendar: beijing() }).unwrap()
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

async fn send(state: &AppState, request: Request<Body>) -> Reply {
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
    Reply { status, headers, body }
}

/// A logged-in session: its cookie header and CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

fn login_request(user: &str, password: &str, client: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::json!({"username": user, "password": password}).to_string()))
        .unwrap();
    if let Some(ip) = client {
        let addr: SocketAddr = format!("{ip}:50000").parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(addr));
    }
    request
}

async fn login(state: &AppState, (user, password): (&str, &str)) -> Session {
    let reply = send(state, login_request(user, password, None)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    let set_cookie = reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    Session { cookie, csrf: reply.json()["csrf"].as_str().unwrap().to_owned() }
}

async fn get(state: &AppState, session: &Session, uri: &str) -> Reply {
    send(state, Request::get(uri).header(header::COOKIE, &session.cookie).body(Body::empty()).unwrap()).await
}

fn enc(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn openapi() -> Value {
    serde_json::from_str(api::OPENAPI).unwrap()
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "C000001").replace("{table}", "customers").replace("{name}", "nobody")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_route_answers_401_without_a_session_and_the_document_lists_exactly_the_routes() {
    let state = &demo().state;
    let document = openapi();
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
            if (method.as_str(), path.as_str()) == ("post", "/api/login") {
                continue;
            }
            let request =
                Request::builder().method(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap()).uri(concrete(path)).body(Body::empty()).unwrap();
            let reply = send(state, request).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert!(reply.json()["error"].as_str().is_some_and(|e| !e.is_empty()), "{method} {path}");
            // A forged cookie is no session either.
            let request = Request::builder()
                .method(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap())
                .uri(concrete(path))
                .header(header::COOKIE, format!("{}={}", api::SESSION_COOKIE, "00".repeat(32)))
                .body(Body::empty())
                .unwrap();
            assert_eq!(send(state, request).await.status, StatusCode::UNAUTHORIZED, "{method} {path} with a forged cookie");
        }
    }
    let routed: BTreeSet<(String, String)> = API_ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    assert_eq!(documented, routed, "the OpenAPI document and the router differ");
    assert_eq!(document["openapi"], "3.1.0");
    // Each documented route is a real route of the router: with a session, none of them is the API's 404 for unknown paths.
    let admin = login(state, ADMIN).await;
    for (method, path) in &routed {
        if method != "get" {
            continue;
        }
        let reply = get(state, &admin, &concrete(path).replace("C000001", &demo().risky)).await;
        assert_ne!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(get(state, &admin, "/api/no-such-route").await.status, StatusCode::NOT_FOUND);
    // An unknown API path without a session is 401 too: a route's existence does not leak.
    let reply = send(state, Request::get("/api/no-such-route").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // The message follows ?lang= and Accept-Language.
    let zh = send(state, Request::get("/api/me?lang=zh").body(Body::empty()).unwrap()).await;
    assert_eq!(zh.json()["error"], "请先登录。");
    let zh = send(state, Request::get("/api/me").header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9").body(Body::empty()).unwrap()).await;
    assert_eq!(zh.json()["error"], "请先登录。");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sets_a_strict_http_only_cookie_and_me_returns_the_user() {
    let state = fresh_state(false);
    let reply = send(&state, login_request(ANALYST.0, ANALYST.1, None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let cookie = reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    let parts: Vec<&str> = cookie.split("; ").collect();
    let id = parts[0].strip_prefix("churnlens_session=").unwrap();
    assert_eq!(id.len(), 64, "256 bits as hex: {cookie}");
    assert_eq!(&parts[1..], ["HttpOnly", "SameSite=Strict", "Path=/"]);
    let body = reply.json();
    assert_eq!(body["user"], serde_json::json!({"name": "ana", "role": "analyst"}));
    let session = Session { cookie: parts[0].to_owned(), csrf: body["csrf"].as_str().unwrap().to_owned() };
    assert_eq!(session.csrf.len(), 64);
    let me = get(&state, &session, "/api/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json(), body);
    // Security headers on API and app responses.
    for reply in [me, send(&state, Request::get("/").body(Body::empty()).unwrap()).await] {
        let csp = reply.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(csp.starts_with("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(reply.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert_eq!(reply.headers.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
    }
    // --secure-cookies adds Secure.
    let secure = fresh_state(true);
    let reply = send(&secure, login_request(ANALYST.0, ANALYST.1, None)).await;
    assert!(reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().ends_with("; HttpOnly; SameSite=Strict; Path=/; Secure"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_an_unknown_user_get_the_same_401_and_five_failures_get_429() {
    let state = fresh_state(false);
    let wrong = send(&state, login_request(VIEWER.0, "not the password", Some("10.1.1.1"))).await;
    let unknown = send(&state, login_request("nobody", "not the password", Some("10.1.1.2"))).await;
    assert_eq!((wrong.status, unknown.status), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    // Four more failures for the viewer's name, each from another address: the name is blocked, even with the right password.
    for i in 0..4 {
        assert_eq!(send(&state, login_request(VIEWER.0, "still wrong", Some(&format!("10.2.0.{i}")))).await.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = send(&state, login_request(VIEWER.0, VIEWER.1, Some("10.3.0.1"))).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = blocked.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(blocked.json()["error"].as_str().unwrap().contains("min"));
    // Five failures from one address with five names block a sixth name from it, not from elsewhere.
    for i in 0..5 {
        send(&state, login_request(&format!("guess{i}"), "wrong wrong", Some("10.9.9.9"))).await;
    }
    assert_eq!(send(&state, login_request(ANALYST.0, ANALYST.1, Some("10.9.9.9"))).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(send(&state, login_request(ANALYST.0, ANALYST.1, Some("10.9.9.8"))).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_need_the_csrf_token_and_logout_ends_the_session() {
    let state = fresh_state(false);
    let session = login(&state, ADMIN).await;
    let post = |csrf: Option<&str>| {
        let mut builder = Request::post("/api/logout").header(header::COOKIE, &session.cookie);
        if let Some(token) = csrf {
            builder = builder.header("X-CSRF-Token", token);
        }
        builder.body(Body::empty()).unwrap()
    };
    assert_eq!(send(&state, post(None)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&state, post(Some(&"0".repeat(64)))).await.status, StatusCode::FORBIDDEN);
    let body = serde_json::json!({"username": "eve", "password": "eve password 1", "role": "viewer"}).to_string();
    let add = Request::post("/api/admin/users").header(header::COOKIE, &session.cookie).body(Body::from(body.clone())).unwrap();
    assert_eq!(send(&state, add).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&state, post(Some(&session.csrf))).await.status, StatusCode::NO_CONTENT);
    assert_eq!(get(&state, &session, "/api/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_users_and_others_get_403_on_admin_routes() {
    let state = fresh_state(false);
    let admin = login(&state, ADMIN).await;
    for who in [VIEWER, ANALYST] {
        let session = login(&state, who).await;
        for path in ["/api/admin/users", "/api/admin/audit"] {
            assert_eq!(get(&state, &session, path).await.status, StatusCode::FORBIDDEN, "{} {path}", who.0);
        }
        let delete =
            Request::delete("/api/admin/users/vic").header(header::COOKIE, &session.cookie).header("X-CSRF-Token", &session.csrf).body(Body::empty()).unwrap();
        assert_eq!(send(&state, delete).await.status, StatusCode::FORBIDDEN);
    }
    let write = |method: Method, uri: &str, body: String| {
        Request::builder().method(method).uri(uri).header(header::COOKIE, &admin.cookie).header("X-CSRF-Token", &admin.csrf).body(Body::from(body)).unwrap()
    };
    let short = serde_json::json!({"username": "temp", "password": "short", "role": "viewer"}).to_string();
    assert_eq!(send(&state, write(Method::POST, "/api/admin/users", short)).await.status, StatusCode::BAD_REQUEST);
    let body = serde_json::json!({"username": "temp", "password": "temp password 1", "role": "viewer"}).to_string();
    let created = send(&state, write(Method::POST, "/api/admin/users", body.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.json()["role"], "viewer");
    assert_eq!(send(&state, write(Method::POST, "/api/admin/users", body)).await.status, StatusCode::CONFLICT);
    let temp = login(&state, ("temp", "temp password 1")).await;
    let users = get(&state, &admin, "/api/admin/users").await.json();
    assert!(users.as_array().unwrap().iter().any(|u| u["name"] == "temp" && u.get("password_hash").is_none()));
    assert_eq!(send(&state, write(Method::DELETE, "/api/admin/users/temp", String::new())).await.status, StatusCode::NO_CONTENT);
    // Removing an account ends its sessions.
    assert_eq!(get(&state, &temp, "/api/me").await.status, StatusCode::UNAUTHORIZED);
    let audit = get(&state, &admin, "/api/admin/audit?limit=50").await.json();
    let actions: Vec<(&str, &str)> = audit.as_array().unwrap().iter().map(|e| (e["action"].as_str().unwrap(), e["detail"].as_str().unwrap())).collect();
    assert!(actions.contains(&("user_add", "temp viewer")) && actions.contains(&("user_remove", "temp")), "{actions:?}");
}

/// An account disabled outside the server (`churnlens user disable`, another
/// process) loses its open session at the next request and cannot log in;
/// enabled again, it logs in anew.
#[tokio::test]
async fn a_disabled_account_loses_its_session_at_the_next_request() {
    let state = fresh_state(false);
    let cli = Accounts::open(&demo().root).unwrap();
    cli.add("paused", Role::Analyst, "paused password 1").unwrap();
    let session = login(&state, ("paused", "paused password 1")).await;
    assert_eq!(get(&state, &session, "/api/me").await.status, StatusCode::OK);
    cli.set_disabled("paused", true).unwrap();
    assert_eq!(get(&state, &session, "/api/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&state, login_request("paused", "paused password 1", None)).await.status, StatusCode::UNAUTHORIZED);
    cli.set_disabled("paused", false).unwrap();
    // The old session is gone for good; a new login works.
    assert_eq!(get(&state, &session, "/api/me").await.status, StatusCode::UNAUTHORIZED);
    let again = login(&state, ("paused", "paused password 1")).await;
    assert_eq!(get(&state, &again, "/api/me").await.json()["user"]["role"], "analyst");
    cli.remove("paused").unwrap();
}

fn is_masked_phone(text: &str) -> bool {
    text.chars().count() >= 11 && text.contains("****") && !text.chars().skip(3).take(4).any(|c| c.is_ascii_digit())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_see_masked_personal_data_everywhere_and_analysts_see_it_plain() {
    let state = &demo().state;
    let (viewer, analyst) = (login(state, VIEWER).await, login(state, ANALYST).await);
    let uri = "/api/customers?limit=20&sort=customer_id";
    let plain = get(state, &analyst, uri).await.json();
    let masked = get(state, &viewer, uri).await.json();
    assert_eq!(plain["total"], masked["total"]);
    assert_eq!(plain["rows"].as_array().unwrap().len(), 20);
    let mut checked = 0;
    for (p, m) in plain["rows"].as_array().unwrap().iter().zip(masked["rows"].as_array().unwrap()) {
        assert_eq!(p["customer_id"], m["customer_id"]);
        for column in mask::PII_COLUMNS {
            if let Some(value) = p[column].as_str() {
                assert_eq!(m[column].as_str().unwrap(), mask::column(column, value).unwrap());
                assert_ne!(m[column].as_str().unwrap(), value, "{column}");
                checked += 1;
            }
        }
        if let Some(phone) = m["phone"].as_str() {
            assert!(is_masked_phone(phone), "{phone}");
        }
        // Everything else is the same.
        for (key, value) in p.as_object().unwrap() {
            if !mask::PII_COLUMNS.contains(&key.as_str()) {
                assert_eq!(&m[key], value, "{key}");
            }
        }
    }
    assert!(checked >= 20, "the demo customers have names, phones and e-mails: {checked}");
    // A viewer cannot find a customer by their hidden phone number.
    let phone = plain["rows"][0]["phone"].as_str().unwrap();
    assert_eq!(get(state, &analyst, &format!("/api/customers?q={}", enc(phone))).await.json()["total"], 1);
    assert_eq!(get(state, &viewer, &format!("/api/customers?q={}", enc(phone))).await.json()["total"], 0);
    // The timeline.
    let id = plain["rows"][0]["customer_id"].as_str().unwrap();
    let timeline = get(state, &viewer, &format!("/api/customers/{id}")).await.json();
    assert_eq!(timeline["customer"]["name"], masked["rows"][0]["name"]);
    assert_eq!(timeline["customer"]["phone"], masked["rows"][0]["phone"]);
    // The export.
    let csv = get(state, &viewer, "/api/export/customers.csv?sort=customer_id").await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = String::from_utf8(csv.body[3..].to_vec()).unwrap();
    assert!(!text.contains(phone), "the plain phone number is in the viewer's export");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let phone_column = header.iter().position(|h| h == "phone").unwrap();
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(first.get(phone_column).unwrap(), masked["rows"][0]["phone"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_has_the_customers_rows_and_the_saved_risk() {
    let demo = demo();
    let state = &demo.state;
    let analyst = login(state, ANALYST).await;
    let timeline = get(state, &analyst, &format!("/api/customers/{}?lang=zh", demo.risky)).await;
    assert_eq!(timeline.status, StatusCode::OK);
    let timeline = timeline.json();
    assert_eq!(timeline["customer"]["customer_id"], demo.risky.as_str());
    for table in ["orders", "events", "feedback", "subscriptions"] {
        let rows = timeline[table].as_array().unwrap();
        assert!(rows.iter().all(|r| r["customer_id"] == demo.risky.as_str()), "{table}");
    }
    // Independent count: the orders rows of this customer by SQL.
    let ws = Workspace::open(&demo.root).unwrap();
    let expected = tokio::task::spawn_blocking({
        let risky = demo.risky.clone();
        move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let engine = Engine::open(&ws).await.unwrap();
                let batches = engine.sql(&format!("SELECT CAST(COUNT(*) AS VARCHAR) FROM orders WHERE customer_id = '{risky}'")).await.unwrap();
                arrow_strings(&batches)[0].parse::<usize>().unwrap()
            })
        }
    })
    .await
    .unwrap();
    assert!(expected > 0);
    assert_eq!(timeline["orders"].as_array().unwrap().len(), expected);
    assert_eq!(timeline["risk"], serde_json::json!({"probability": 0.83, "tier": "high", "reasons": ["no order for 120 days", "2 complaints"]}));
    assert_eq!(timeline["customer"]["churn_risk"], 0.83);
    assert_eq!(timeline["customer"]["churn_tier"], "high");
    // A customer without saved risk has risk null; an unknown one is 404.
    let list = get(state, &analyst, "/api/customers?limit=3&sort=-customer_id").await.json();
    let other = list["rows"][0]["customer_id"].as_str().unwrap();
    assert_eq!(get(state, &analyst, &format!("/api/customers/{other}")).await.json()["risk"], Value::Null);
    let missing = get(state, &analyst, "/api/customers/NO-SUCH-CUSTOMER").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.json()["error"].is_string());
}

/// A running server reads the workspace again once it has changed: an
/// attribute saved after the first requests (a `--save` while the
/// dashboard is open) shows at the next request, in the customer, the
/// filters and the report filtered by it — no restart.
#[tokio::test]
async fn a_change_to_the_workspace_shows_at_the_next_request() {
    let demo = demo();
    let state = fresh_state(false);
    let analyst = login(&state, ANALYST).await;
    let customer = format!("/api/customers/{}", demo.risky);
    assert_eq!(get(&state, &analyst, &customer).await.json()["customer"].get("campaign"), None);
    assert!(get(&state, &analyst, "/api/filters").await.json()["attributes"].get("campaign").is_none());
    let whole = get(&state, &analyst, "/api/report").await.json();
    let ws = Workspace::open(&demo.root).unwrap();
    let risky = demo.risky.clone();
    tokio::task::spawn_blocking(move || {
        churnlens_ingest::derived::save_customer_attribute(&ws, "campaign", &[risky], &[Some("spring".into())], "test").unwrap();
    })
    .await
    .unwrap();
    assert_eq!(get(&state, &analyst, &customer).await.json()["customer"]["campaign"], "spring");
    let filters = get(&state, &analyst, "/api/filters").await.json();
    assert_eq!(filters["attributes"]["campaign"], serde_json::json!(["spring"]));
    // The one-customer report differs from the whole's; the whole's is
    // computed again (the cache went with the change) and is the same, up
    // to the order of DataFusion's parallel sums.
    let one = get(&state, &analyst, "/api/report?attr=campaign&value=spring").await.json();
    assert_ne!(kpi(&one, "active_customers"), kpi(&whole, "active_customers"));
    let again = get(&state, &analyst, "/api/report").await.json();
    for card in whole["kpis"].as_array().unwrap() {
        let key = card["key"].as_str().unwrap();
        let (before, after) = (kpi(&whole, key).unwrap(), kpi(&again, key).unwrap());
        assert!((before - after).abs() <= 1e-9 * before.abs().max(1.0), "{key}: {before} vs {after}");
    }
}

fn kpi(report: &Value, key: &str) -> Option<f64> {
    report["kpis"].as_array().unwrap().iter().find(|k| k["key"] == key).and_then(|k| k["value"].as_f64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_filtered_to_a_region_equals_the_metrics_grouped_by_region() {
    let demo = demo();
    let state = &demo.state;
    let analyst = login(state, ANALYST).await;
    let filters = get(state, &analyst, "/api/filters?lang=zh").await.json();
    assert!(filters["attributes"]["region"].as_array().unwrap().iter().any(|v| v == "华东"), "{filters}");
    assert!(filters["attributes"].get("phone").is_none() && filters["attributes"].get("customer_id").is_none());
    assert!(filters["attributes"]["churn_tier"].as_array().unwrap().contains(&Value::from("high")));
    assert_eq!(filters["segments"].as_array().unwrap().len(), 8);
    assert_eq!(filters["segments"][0], serde_json::json!({"key": "important_value", "label": "重要价值客户"}));
    let periods: Vec<&str> = filters["periods"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();

    let all = get(state, &analyst, "/api/report?lang=en").await.json();
    let east = get(state, &analyst, &format!("/api/report?lang=en&attr=region&value={}", enc("华东"))).await.json();
    assert_eq!(all["period"], east["period"]);
    assert_eq!(all["period"].as_str(), periods.last().copied());

    // Independent path: the whole workspace grouped by region (Grouping of the metrics crate), not narrowed.
    let ws = Workspace::open(&demo.root).unwrap();
    let rows = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let engine = Engine::open(&ws).await.unwrap();
            let options = MetricsOptions { calendar: beijing(), period: Period::Month, by: Some("region".into()), ..MetricsOptions::default() };
            Metrics::load(&engine, options).await.unwrap().period_rows()
        })
    })
    .await
    .unwrap();
    let last = all["period"].as_str().unwrap();
    let row = rows.iter().find(|r| r.group == "华东" && r.span.label == last).unwrap();
    let expected = row.churned as f64 / row.active_start as f64 * 100.0;
    let got = kpi(&east, "churn_rate").unwrap();
    println!(
        "{last}: churn rate 华东 {got} % (filtered report) vs {expected} % (grouped metrics, {}/{}); all customers {:?} %",
        row.churned,
        row.active_start,
        kpi(&all, "churn_rate")
    );
    assert!((got - expected).abs() < SAME, "filtered report {got} vs grouped metrics {expected}");
    assert!((kpi(&east, "active_customers").unwrap() - row.active_end as f64).abs() < SAME);
    // The filter changed the numbers.
    assert!((kpi(&all, "active_customers").unwrap() - kpi(&east, "active_customers").unwrap()).abs() >= 1.0);
    let trend = &east["trend"];
    let i = trend["periods"].as_array().unwrap().iter().position(|p| p == last).unwrap();
    assert_eq!(trend["churned"][i].as_u64().unwrap(), row.churned);

    // A period filter moves the current period back.
    let earlier = periods[periods.len() - 3];
    let back = get(state, &analyst, &format!("/api/report?period={earlier}")).await.json();
    assert_eq!(back["period"], earlier);
    assert_eq!(back["trend"]["periods"].as_array().unwrap().last().unwrap(), earlier);
    let all_rows = &all["trend"];
    let j = all_rows["periods"].as_array().unwrap().iter().position(|p| p == earlier).unwrap();
    assert_eq!(back["trend"]["churn_rate"].as_array().unwrap().last().unwrap(), &all_rows["churn_rate"][j]);

    // A segment filter: the report's customers are exactly that segment's customers in the list.
    let listed = get(state, &analyst, "/api/customers?segment=important_value&limit=1").await.json()["total"].as_u64().unwrap();
    assert!(listed > 0);
    let segment = get(state, &analyst, "/api/report?segment=important_value").await.json();
    let in_report: u64 = segment["segments"]["segments"].as_array().unwrap().iter().map(|s| s["customers"].as_u64().unwrap()).sum();
    assert_eq!(in_report, listed);
    assert_eq!(get(state, &analyst, "/api/report?segment=nonsense").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(get(state, &analyst, "/api/report?period=1999-01").await.status, StatusCode::BAD_REQUEST);
}

fn parse_csv(reply: &Reply) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers.get(header::CONTENT_TYPE).unwrap(), "text/csv; charset=utf-8");
    assert!(reply.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().starts_with("attachment"));
    assert_eq!(&reply.body[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let mut reader = csv::Reader::from_reader(&reply.body[3..]);
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    (header, reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_have_the_rows_of_their_json_tables_and_are_audited() {
    let state = fresh_state(false);
    let admin = login(&state, ADMIN).await;
    let filter = format!("attr=region&value={}&sort=customer_id", enc("华东"));
    let json = get(&state, &admin, &format!("/api/customers?{filter}&limit=1000")).await.json();
    let (header, rows) = parse_csv(&get(&state, &admin, &format!("/api/export/customers.csv?{filter}")).await);
    assert_eq!(rows.len() as u64, json["total"].as_u64().unwrap());
    let json_rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), json_rows.len());
    for (csv_row, json_row) in rows.iter().zip(json_rows) {
        for (column, cell) in header.iter().zip(csv_row) {
            let expected = match &json_row[column] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            assert_eq!(cell, &expected, "{column}");
        }
        assert_eq!(csv_row[header.iter().position(|h| h == "region").unwrap()], "华东");
    }
    let report = get(&state, &admin, "/api/report").await.json();
    let (header, rows) = parse_csv(&get(&state, &admin, "/api/export/trend.csv").await);
    assert_eq!(header, ["period", "churn_rate", "retention_rate", "active", "new", "churned"]);
    let periods = report["trend"]["periods"].as_array().unwrap();
    assert_eq!(rows.len(), periods.len());
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0], periods[i].as_str().unwrap());
        match report["trend"]["churn_rate"][i].as_f64() {
            Some(rate) => assert!((row[1].parse::<f64>().unwrap() - rate).abs() < SAME),
            None => assert_eq!(row[1], ""),
        }
        assert_eq!(row[3], report["trend"]["active"][i].to_string());
    }
    let (_, segments) = parse_csv(&get(&state, &admin, "/api/export/segments.csv?lang=zh").await);
    assert!(segments.iter().any(|r| r[0] == "重要价值客户"));
    for table in churnlens_server::data::REPORT_TABLES {
        assert_eq!(get(&state, &admin, &format!("/api/export/{table}.csv")).await.status, StatusCode::OK, "{table}");
    }
    assert_eq!(get(&state, &admin, "/api/export/passwords.csv").await.status, StatusCode::NOT_FOUND);
    send(&state, login_request(ADMIN.0, "wrong password", None)).await;
    let audit = get(&state, &admin, "/api/admin/audit").await.json();
    let entries = audit.as_array().unwrap();
    let has = |action: &str, detail: &str| entries.iter().any(|e| e["action"] == action && e["detail"] == detail);
    assert!(has("export", "customers.csv") && has("export", "trend.csv"), "{audit}");
    assert!(entries.iter().any(|e| e["action"] == "login_ok" && e["user"] == "admin"));
    assert!(has("login_failed", "admin"));
    assert!(entries.iter().all(|e| e["at"].as_str().unwrap().ends_with('Z')));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_shell_is_served_without_login_for_every_non_api_path() {
    let state = &demo().state;
    for path in ["/", "/customers/C000001", "/segments?x=1"] {
        let reply = send(state, Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.headers.get(header::CONTENT_TYPE).unwrap(), "text/html; charset=utf-8");
        assert_eq!(reply.body, churnlens_server::ui::DASHBOARD_HTML.as_bytes());
    }
    let js = send(state, Request::get("/assets/dashboard.js").body(Body::empty()).unwrap()).await;
    assert_eq!(js.headers.get(header::CONTENT_TYPE).unwrap(), "text/javascript; charset=utf-8");
    assert_eq!(send(state, Request::get("/assets/nope.js").body(Body::empty()).unwrap()).await.status, StatusCode::NOT_FOUND);
}

#[test]
fn stored_passwords_are_argon2id_phc_strings() {
    let accounts = Accounts::open(&demo().root).unwrap();
    for (user, password) in [ADMIN, ANALYST, VIEWER] {
        let hash = accounts.password_hash(user).unwrap().unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert_eq!(hash.split('$').count(), 6, "PHC: $argon2id$v=19$params$salt$hash: {hash}");
        assert!(!hash.contains(password));
    }
}
