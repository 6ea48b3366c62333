//! The router through `tower::ServiceExt::oneshot`, and `run` over a real loopback socket.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;
use cartable_shared::api::{ErrorBody, Me, SessionChange};
use cartable_shared::timetable::{Session, SessionStatus};
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use super::*;
use crate::services::ManualClock;

const HOST: &str = "127.0.0.1:8080";

fn config(dir: &Path, demo: bool) -> Config {
    Config {
        listen: HOST.parse().unwrap(),
        data_dir: dir.join("data"),
        dist_dir: dir.join("dist"),
        demo,
        public_url: None,
        push_allow: vec![],
        max_upload_bytes: crate::services::files::DEFAULT_MAX_UPLOAD,
        feed_allow: vec![],
        feed_refresh: std::time::Duration::ZERO,
    }
}

async fn demo_state(dir: &Path) -> AppState {
    AppState::open(config(dir, true)).await.unwrap()
}

fn write_dist(dir: &Path) {
    let dist = dir.join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>Cartable</title>").unwrap();
    std::fs::write(dist.join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap();
    std::fs::write(dist.join("manifest.webmanifest"), "{}").unwrap();
    std::fs::write(dist.join("assets/app-1234.js"), "console.log('raw');").unwrap();
    std::fs::write(dist.join("assets/app-1234.js.br"), b"brotli bytes").unwrap();
    std::fs::write(dist.join("admin.html"), "<!doctype html><title>Cartable admin</title>")
        .unwrap();
    std::fs::write(dist.join("admin.html.br"), b"admin brotli").unwrap();
}

struct Req {
    method: Method,
    uri: String,
    body: Option<String>,
    cookie: Option<String>,
    origin: Option<String>,
    extra: Vec<(header::HeaderName, String)>,
}

impl Req {
    fn get(uri: &str) -> Req {
        Req {
            method: Method::GET,
            uri: uri.into(),
            body: None,
            cookie: None,
            origin: None,
            extra: vec![],
        }
    }

    fn post(uri: &str, body: impl serde::Serialize) -> Req {
        Req {
            body: Some(serde_json::to_string(&body).unwrap()),
            method: Method::POST,
            ..Req::get(uri)
        }
    }

    fn cookie(mut self, c: &str) -> Req {
        self.cookie = Some(c.into());
        self
    }

    fn origin(mut self, o: &str) -> Req {
        self.origin = Some(o.into());
        self
    }

    fn header(mut self, name: header::HeaderName, value: &str) -> Req {
        self.extra.push((name, value.into()));
        self
    }

    fn build(self) -> Request<Body> {
        let mut b = Request::builder().method(self.method).uri(self.uri).header(header::HOST, HOST);
        if let Some(c) = self.cookie {
            b = b.header(header::COOKIE, c);
        }
        if let Some(o) = self.origin {
            b = b.header(header::ORIGIN, o);
        }
        for (name, value) in self.extra {
            b = b.header(name, value);
        }
        match self.body {
            Some(body) => {
                b.header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap()
            }
            None => b.body(Body::empty()).unwrap(),
        }
    }
}

async fn call(app: &Router, req: Req) -> Response {
    tokio::time::timeout(Duration::from_secs(30), app.clone().oneshot(req.build()))
        .await
        .expect("the router answers in time")
        .unwrap()
}

async fn body_bytes(res: Response) -> Vec<u8> {
    axum::body::to_bytes(res.into_body(), 16 << 20).await.unwrap().to_vec()
}

async fn json<T: DeserializeOwned>(res: Response) -> T {
    serde_json::from_slice(&body_bytes(res).await).unwrap()
}

fn header_str(res: &Response, name: header::HeaderName) -> &str {
    res.headers().get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

fn login_body(login: &str, password: &str) -> serde_json::Value {
    serde_json::json!({ "login": login, "password": password })
}

/// Signs in and returns the `name=value` of the session cookie.
async fn sign_in(app: &Router, login: &str, password: &str) -> String {
    let res = call(app, Req::post("/api/login", login_body(login, password))).await;
    assert_eq!(res.status(), StatusCode::OK, "login of {login}");
    header_str(&res, header::SET_COOKIE).split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn login_with_the_right_password_sets_a_strict_http_only_session_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(demo_state(dir.path()).await);
    let res = call(&app, Req::post("/api/login", login_body("lea.martin", "etudiant-demo"))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = header_str(&res, header::SET_COOKIE).to_owned();
    assert!(cookie.starts_with("cartable_session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http on loopback: no Secure ({cookie})");
    let token = cookie.split(';').next().unwrap().trim_start_matches("cartable_session=");
    assert_eq!(token.len(), 64);
    let me: Me = json(res).await;
    assert_eq!(me.user.as_str(), "lea.martin");
    assert_eq!(me.display_name, "Léa Martin");
    assert_eq!(me.groups, vec![demo::GROUP.parse().unwrap()]);
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_401() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(demo_state(dir.path()).await);
    let mut bodies = vec![];
    for (login, pw) in [("lea.martin", "nope"), ("personne", "etudiant-demo")] {
        let res = call(&app, Req::post("/api/login", login_body(login, pw))).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.headers().get(header::SET_COOKIE).is_none());
        let body: ErrorBody = json(res).await;
        assert_eq!(body.error, "invalid_credentials");
        bodies.push(body);
    }
    assert_eq!(bodies[0], bodies[1]);
}

#[tokio::test]
async fn a_malformed_login_body_is_a_json_error() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(demo_state(dir.path()).await);
    let res = call(&app, Req::post("/api/login", serde_json::json!({ "user": 1 }))).await;
    assert!(res.status().is_client_error());
    let body: ErrorBody = json(res).await;
    assert_eq!(body.error, "invalid_request");
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_with_429_until_the_window_passes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(1_764_000_000_000));
    let state = AppState::open_with_clock(config(dir.path(), true), clock.clone()).await.unwrap();
    let app = app(state);
    for _ in 0..5 {
        let res = call(&app, Req::post("/api/login", login_body("lea.martin", "bad"))).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        clock.advance(10_000);
    }
    let res = call(&app, Req::post("/api/login", login_body("lea.martin", "etudiant-demo"))).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = header_str(&res, header::RETRY_AFTER).parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
    let body: ErrorBody = json(res).await;
    assert_eq!(body.error, "too_many_attempts");
    // Another account is not affected.
    sign_in(&app, "paul.durand", "enseignant-demo").await;
    clock.advance(15 * 60 * 1000);
    sign_in(&app, "lea.martin", "etudiant-demo").await;
}

#[tokio::test]
async fn demo_passwords_are_refused_when_the_server_runs_without_demo() {
    let dir = tempfile::tempdir().unwrap();
    drop(demo_state(dir.path()).await);
    let strict = app(AppState::open(config(dir.path(), false)).await.unwrap());
    for a in demo::ACCOUNTS {
        let res = call(&strict, Req::post("/api/login", login_body(a.login, a.password))).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}", a.login);
    }
    // The same database in demo mode accepts them again, without seeding twice.
    let demo = app(AppState::open(config(dir.path(), true)).await.unwrap());
    sign_in(&demo, "admin", "admin-demo").await;
}

#[tokio::test]
async fn me_requires_a_session_and_logout_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(demo_state(dir.path()).await);
    let res = call(&app, Req::get("/api/me")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json::<ErrorBody>(res).await.error, "unauthorized");
    let res = call(&app, Req::get("/api/me").cookie("cartable_session=forged")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let cookie = sign_in(&app, "paul.durand", "enseignant-demo").await;
    let res = call(&app, Req::get("/api/me").cookie(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Me = json(res).await;
    assert_eq!(me.teaches, vec![demo::GROUP.parse().unwrap()]);

    let res = call(&app, Req::post("/api/logout", ()).cookie(&cookie)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(header_str(&res, header::SET_COOKIE).contains("Max-Age=0"));
    let res = call(&app, Req::get("/api/me").cookie(&cookie)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_cookie_is_secure_behind_an_https_public_url() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), true);
    cfg.public_url = Some("https://ent.example.fr/".into());
    let app = app(AppState::open(cfg).await.unwrap());
    let res = call(&app, Req::post("/api/login", login_body("lea.martin", "etudiant-demo"))).await;
    assert!(header_str(&res, header::SET_COOKIE).contains("; Secure"));
    // The public origin is this server's own origin, even if the Host header says otherwise.
    let res = call(
        &app,
        Req::post("/api/login", login_body("lea.martin", "etudiant-demo"))
            .origin("https://ent.example.fr"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn foreign_origins_are_refused_on_writes_and_on_the_sync_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(demo_state(dir.path()).await);
    let foreign = "https://evil.example";
    let res = call(
        &app,
        Req::post("/api/login", login_body("lea.martin", "etudiant-demo")).origin(foreign),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(json::<ErrorBody>(res).await.error, "forbidden_origin");

    let cookie = sign_in(&app, "lea.martin", "etudiant-demo").await;
    let res = call(&app, Req::get("/sync").cookie(&cookie).origin(foreign)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = call(&app, Req::post("/api/logout", ()).cookie(&cookie).origin(foreign)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The server's own origin passes, and so does a request without Origin (native clients).
    let own = format!("http://{HOST}");
    let res =
        call(&app, Req::post("/api/login", login_body("lea.martin", "etudiant-demo")).origin(&own))
            .await;
    assert_eq!(res.status(), StatusCode::OK);
    // A plain GET from elsewhere (a link) is not a write and is served.
    let res = call(&app, Req::get("/api/me").cookie(&cookie).origin(foreign)).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn sync_answers_401_before_the_upgrade_without_a_session() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(demo_state(dir.path()).await);
    let req = Req::get("/sync")
        .header(header::CONNECTION, "upgrade")
        .header(header::UPGRADE, "websocket")
        .header(header::SEC_WEBSOCKET_VERSION, "13")
        .header(header::SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==");
    let res = call(&app, req).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json::<ErrorBody>(res).await.error, "unauthorized");

    // Signed in but not a WebSocket request: a JSON error too.
    let cookie = sign_in(&app, "lea.martin", "etudiant-demo").await;
    let res = call(&app, Req::get("/sync").cookie(&cookie)).await;
    assert!(res.status().is_client_error());
    assert_eq!(json::<ErrorBody>(res).await.error, "upgrade_required");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let app = app(demo_state(dir.path()).await);
    for uri in ["/healthz", "/", "/assets/app-1234.js", "/api/nope", "/api/me", "/some/page"] {
        let res = call(&app, Req::get(uri)).await;
        assert_eq!(header_str(&res, header::CONTENT_SECURITY_POLICY), routes::web::CSP, "{uri}");
        assert!(
            header_str(&res, header::CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'")
        );
        assert_eq!(header_str(&res, header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{uri}");
        assert_eq!(header_str(&res, header::REFERRER_POLICY), "no-referrer", "{uri}");
    }
}

#[tokio::test]
async fn healthz_and_unknown_api_paths() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(demo_state(dir.path()).await);
    let res = call(&app, Req::get("/healthz")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_bytes(res).await, b"ok");
    for uri in ["/api/nope", "/api", "/api/timetable/x"] {
        let res = call(&app, Req::get(uri)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(json::<ErrorBody>(res).await.error, "not_found");
    }
}

#[tokio::test]
async fn static_files_have_their_cache_policy_and_unknown_pages_get_the_app() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let app = app(demo_state(dir.path()).await);

    let res = call(&app, Req::get("/assets/app-1234.js")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header_str(&res, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert_eq!(body_bytes(res).await, b"console.log('raw');");

    let res =
        call(&app, Req::get("/assets/app-1234.js").header(header::ACCEPT_ENCODING, "br")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header_str(&res, header::CONTENT_ENCODING), "br");
    assert_eq!(header_str(&res, header::VARY), "accept-encoding");
    assert_eq!(body_bytes(res).await, b"brotli bytes");

    for uri in ["/", "/index.html", "/sw.js", "/manifest.webmanifest"] {
        let res = call(&app, Req::get(uri)).await;
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        assert_eq!(header_str(&res, header::CACHE_CONTROL), "no-cache", "{uri}");
    }

    let res = call(&app, Req::get("/semaine/2025-11-24")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header_str(&res, header::CACHE_CONTROL), "no-cache");
    assert!(String::from_utf8(body_bytes(res).await).unwrap().contains("<title>Cartable"));

    let res = call(&app, Req::get("/assets/missing-9999.js")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_ne!(header_str(&res, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
}

#[tokio::test]
async fn the_admin_page_is_its_own_html_revalidated_and_precompressed() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let app = app(demo_state(dir.path()).await);
    let res = call(&app, Req::get("/admin")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header_str(&res, header::CACHE_CONTROL), "no-cache");
    assert!(header_str(&res, header::CONTENT_SECURITY_POLICY).contains("script-src 'self'"));
    let text = String::from_utf8(body_bytes(res).await).unwrap();
    assert!(text.contains("<title>Cartable admin"), "{text}");
    let res = call(&app, Req::get("/admin").header(header::ACCEPT_ENCODING, "br")).await;
    assert_eq!(header_str(&res, header::CONTENT_ENCODING), "br");
    assert_eq!(body_bytes(res).await, b"admin brotli");
}

#[tokio::test]
async fn without_a_built_app_the_pages_answer_503_and_the_api_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(demo_state(dir.path()).await);
    for uri in ["/", "/semaine", "/admin"] {
        let res = call(&app, Req::get(uri)).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        let text = String::from_utf8(body_bytes(res).await).unwrap();
        assert!(text.contains("not built"), "{text}");
    }
    assert_eq!(call(&app, Req::get("/healthz")).await.status(), StatusCode::OK);
    sign_in(&app, "lea.martin", "etudiant-demo").await;
}

fn this_weeks_room_change() -> (String, String) {
    let today = demo::paris_date(chrono::Utc::now().timestamp_millis());
    let changes = demo::planned_changes(today);
    let (cancelled, _) = &changes[0];
    let (room_changed, _) = &changes[1];
    (cancelled.clone(), room_changed.clone())
}

#[tokio::test]
async fn a_teacher_changes_a_session_and_others_may_not() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(demo_state(dir.path()).await);
    let (cancelled, _) = this_weeks_room_change();
    let uri = format!("/api/timetable/{}/sessions/{cancelled}", demo::GROUP);
    let change = SessionChange::ChangeRoom { rooms: vec!["Amphi C".into()], note: None };

    let res = call(&app, Req::post(&uri, &change)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let student = sign_in(&app, "lea.martin", "etudiant-demo").await;
    let res = call(&app, Req::post(&uri, &change).cookie(&student)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(json::<ErrorBody>(res).await.error, "forbidden");

    let prof = sign_in(&app, "paul.durand", "enseignant-demo").await;
    let res = call(&app, Req::post(&uri, &change).cookie(&prof)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let session: Session = json(res).await;
    assert_eq!(session.rooms, vec!["Amphi C".to_string()]);
    assert_eq!(session.status, SessionStatus::Cancelled, "still cancelled");
    assert_eq!(session.previous.unwrap().rooms, vec!["Amphi A".to_string()]);

    let missing = format!("/api/timetable/{}/sessions/no-such-session", demo::GROUP);
    let res = call(&app, Req::post(&missing, &change).cookie(&prof)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let other_group = "/api/timetable/l3-info/sessions/x";
    let res = call(&app, Req::post(other_group, &change).cookie(&prof)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let admin = sign_in(&app, "admin", "admin-demo").await;
    let cancel = SessionChange::Cancel { note: Some("Grève".into()) };
    let (_, room_changed) = this_weeks_room_change();
    let uri = format!("/api/timetable/{}/sessions/{room_changed}", demo::GROUP);
    let res = call(&app, Req::post(&uri, &cancel).cookie(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let session: Session = json(res).await;
    assert_eq!(session.status, SessionStatus::Cancelled);
    assert_eq!(session.note.as_deref(), Some("Grève"));
    assert_eq!(session.previous.unwrap().rooms, vec!["Salle TP 1".to_string()]);

    let bad = SessionChange::Move { start_ms: 10, end_ms: 5, note: None };
    let res = call(&app, Req::post(&uri, &bad).cookie(&admin)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

mod socket {
    //! `run` on a real loopback socket.

    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

    use super::*;
    use cartable_shared::protocol::{ClientFrame, ErrorCode, ServerFrame};

    async fn next_message(
        ws: &mut tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    ) -> Option<tungstenite::Message> {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .expect("a message in time")?;
            match msg {
                Ok(tungstenite::Message::Ping(_) | tungstenite::Message::Pong(_)) => continue,
                Ok(m) => return Some(m),
                Err(_) => return None,
            }
        }
    }

    #[tokio::test]
    async fn run_serves_sync_and_closes_open_websockets_on_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state =
            AppState::open(Config { listen: addr, ..config(dir.path(), true) }).await.unwrap();
        let cookie = sign_in(&app(state.clone()), "lea.martin", "etudiant-demo").await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(run(listener, state, async move {
            let _ = stopped.await;
        }));

        let mut req = format!("ws://{addr}/sync").into_client_request().unwrap();
        req.headers_mut().insert(header::COOKIE, cookie.parse().unwrap());
        let (mut ws, _) =
            tokio::time::timeout(Duration::from_secs(10), tokio_tungstenite::connect_async(req))
                .await
                .unwrap()
                .unwrap();

        let Some(tungstenite::Message::Binary(welcome)) = next_message(&mut ws).await else {
            panic!("a binary Welcome first")
        };
        let ServerFrame::Welcome { docs } = ServerFrame::decode(&welcome).unwrap() else {
            panic!("Welcome")
        };
        let expected: Vec<cartable_shared::ids::DocId> = [
            format!("timetable:{}", demo::GROUP),
            format!("homework:{}", demo::GROUP),
            "grades:lea.martin".into(),
            format!("library:{}", demo::GROUP),
            "announcements:everyone".into(),
            format!("announcements:{}", demo::GROUP),
            format!("thread:{}", demo::THREAD),
            "me:lea.martin".into(),
        ]
        .iter()
        .map(|d| d.parse().unwrap())
        .collect();
        assert_eq!(docs, expected);

        // A frame for a document she may not read: NotFound, and the connection stays open.
        let frame = ClientFrame::Sync { doc: "grades:tom".parse().unwrap(), data: vec![] };
        ws.send(tungstenite::Message::binary(frame.encode())).await.unwrap();
        let Some(tungstenite::Message::Binary(reply)) = next_message(&mut ws).await else {
            panic!("an answer")
        };
        assert!(matches!(
            ServerFrame::decode(&reply).unwrap(),
            ServerFrame::Error { code: ErrorCode::NotFound, .. }
        ));

        stop.send(()).unwrap();
        let closing = next_message(&mut ws).await;
        assert!(
            matches!(closing, Some(tungstenite::Message::Close(_)) | None),
            "the server closes the socket: {closing:?}"
        );
        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("run returns after shutdown")
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn a_frame_larger_than_the_limit_closes_the_connection() {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state =
            AppState::open(Config { listen: addr, ..config(dir.path(), true) }).await.unwrap();
        let cookie = sign_in(&app(state.clone()), "lea.martin", "etudiant-demo").await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(run(listener, state, async move {
            let _ = stopped.await;
        }));
        let mut req = format!("ws://{addr}/sync").into_client_request().unwrap();
        req.headers_mut().insert(header::COOKIE, cookie.parse().unwrap());
        let (mut ws, _) =
            tokio::time::timeout(Duration::from_secs(10), tokio_tungstenite::connect_async(req))
                .await
                .unwrap()
                .unwrap();
        let _welcome = next_message(&mut ws).await;
        let huge = vec![1u8; cartable_shared::protocol::MAX_FRAME_LEN + 1];
        // The server may close while the frame is still being written.
        let _ = ws.send(tungstenite::Message::binary(huge)).await;
        let closing = next_message(&mut ws).await;
        assert!(matches!(closing, Some(tungstenite::Message::Close(_)) | None), "{closing:?}");
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), server).await.unwrap().unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_text_frame_is_malformed_and_closes_the_connection() {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state =
            AppState::open(Config { listen: addr, ..config(dir.path(), true) }).await.unwrap();
        let cookie = sign_in(&app(state.clone()), "lea.martin", "etudiant-demo").await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(run(listener, state, async move {
            let _ = stopped.await;
        }));
        let mut req = format!("ws://{addr}/sync").into_client_request().unwrap();
        req.headers_mut().insert(header::COOKIE, cookie.parse().unwrap());
        let (mut ws, _) =
            tokio::time::timeout(Duration::from_secs(10), tokio_tungstenite::connect_async(req))
                .await
                .unwrap()
                .unwrap();
        let _welcome = next_message(&mut ws).await;
        ws.send(tungstenite::Message::text("bonjour")).await.unwrap();
        let Some(tungstenite::Message::Binary(err)) = next_message(&mut ws).await else {
            panic!("an error frame")
        };
        assert!(matches!(
            ServerFrame::decode(&err).unwrap(),
            ServerFrame::Error { code: ErrorCode::Malformed, .. }
        ));
        let closing = next_message(&mut ws).await;
        assert!(matches!(closing, Some(tungstenite::Message::Close(_)) | None), "{closing:?}");
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), server).await.unwrap().unwrap().unwrap();
    }
}

fn subscription(endpoint: &str) -> serde_json::Value {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let mut point = vec![4u8];
    point.extend([7u8; 64]);
    serde_json::json!({
        "endpoint": endpoint,
        "keys": { "p256dh": b64(&point), "auth": b64(&[9u8; 16]) },
        "label": "Téléphone",
    })
}

#[tokio::test]
async fn the_vapid_public_key_is_served_and_survives_a_restart() {
    use cartable_shared::api::PushKey;
    let dir = tempfile::tempdir().unwrap();
    let first: PushKey =
        json(call(&app(demo_state(dir.path()).await), Req::get("/api/push/key")).await).await;
    assert_eq!(first.public_key.len(), 87, "65 bytes in base64url");
    let again: PushKey =
        json(call(&app(demo_state(dir.path()).await), Req::get("/api/push/key")).await).await;
    assert_eq!(again, first);
}

#[tokio::test]
async fn a_user_registers_lists_and_deletes_only_their_own_push_subscriptions() {
    use cartable_shared::api::{PushSubscriptionCreated, PushSubscriptionList};
    let dir = tempfile::tempdir().unwrap();
    let app = app(demo_state(dir.path()).await);
    let lea = sign_in(&app, "lea.martin", "etudiant-demo").await;
    let paul = sign_in(&app, "paul.durand", "enseignant-demo").await;
    let origin = format!("http://{HOST}");
    let endpoint = "https://fcm.googleapis.com/fcm/send/secret-token";

    let res = call(&app, Req::post("/api/push/subscriptions", subscription(endpoint))).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "a session is needed");
    let foreign = Req::post("/api/push/subscriptions", subscription(endpoint))
        .cookie(&lea)
        .origin("https://evil.example");
    assert_eq!(call(&app, foreign).await.status(), StatusCode::FORBIDDEN);

    let req =
        Req::post("/api/push/subscriptions", subscription(endpoint)).cookie(&lea).origin(&origin);
    let res = call(&app, req).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: PushSubscriptionCreated = json(res).await;

    let list: PushSubscriptionList =
        json(call(&app, Req::get("/api/push/subscriptions").cookie(&lea)).await).await;
    assert_eq!(list.subscriptions.len(), 1);
    let device = &list.subscriptions[0];
    assert_eq!(device.id, created.id);
    assert_eq!(device.label, "Téléphone");
    assert_eq!(device.endpoint_host, "fcm.googleapis.com", "the secret path is never shown");
    let theirs: PushSubscriptionList =
        json(call(&app, Req::get("/api/push/subscriptions").cookie(&paul)).await).await;
    assert!(theirs.subscriptions.is_empty());

    let path = format!("/api/push/subscriptions/{}", created.id);
    let delete = |cookie: &str| Req {
        method: Method::DELETE,
        ..Req::get(&path).cookie(cookie).origin(&origin)
    };
    assert_eq!(call(&app, delete(&paul)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(call(&app, delete(&lea)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(call(&app, delete(&lea)).await.status(), StatusCode::NOT_FOUND);
    let list: PushSubscriptionList =
        json(call(&app, Req::get("/api/push/subscriptions").cookie(&lea)).await).await;
    assert!(list.subscriptions.is_empty());
}

#[tokio::test]
async fn endpoints_on_private_or_unknown_hosts_and_bad_keys_are_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), true);
    cfg.push_allow = vec!["http://127.0.0.1:43123".into()];
    let app = app(AppState::open(cfg).await.unwrap());
    let lea = sign_in(&app, "lea.martin", "etudiant-demo").await;
    let post = |body: serde_json::Value| Req::post("/api/push/subscriptions", body).cookie(&lea);
    for endpoint in [
        "http://127.0.0.1:43124/push",
        "https://192.168.1.10/push",
        "https://localhost/push",
        "https://push.example.com/push",
        "https://fcm.googleapis.com:8443/push",
        "https://me@fcm.googleapis.com/push",
    ] {
        let res = call(&app, post(subscription(endpoint))).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{endpoint}");
        let body: ErrorBody = json(res).await;
        assert_eq!(body.error, "push_endpoint_refused", "{endpoint}");
    }
    let res = call(&app, post(subscription("http://127.0.0.1:43123/push/1"))).await;
    assert_eq!(res.status(), StatusCode::CREATED, "the allowed origin is accepted");

    let mut short_auth = subscription("https://fcm.googleapis.com/x");
    short_auth["keys"]["auth"] = "AAAA".into();
    let res = call(&app, post(short_auth)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: ErrorBody = json(res).await;
    assert_eq!(body.error, "invalid_request");
}

#[tokio::test]
async fn a_malformed_push_allow_origin_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), true);
    cfg.push_allow = vec!["127.0.0.1:43123/path".into()];
    assert!(matches!(AppState::open(cfg).await, Err(StartError::PushAllow(_))));
}
