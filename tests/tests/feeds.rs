//! Calendar feeds against the real server: iCalendar import from a feed served on loopback
//! (`--feed-allow`) that changes between fetches, the address rules, admin-only management,
//! and the personal export feed checked with an independent parser (Python `icalendar`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartable_shared::api::ErrorBody;
use cartable_shared::calendar::{
    CalendarTokenCreated, CalendarTokenInfo, FeedInfo, FeedList, ImportSummary, RefreshOutcome,
};
use cartable_shared::ids::DocId;
use cartable_shared::me::{MyLayer, PersonalEvent};
use cartable_shared::timetable::{Session, SessionStatus, Timetable};
use cartable_tests::{Account, TestServer, bounded, demo, http};
use reqwest::Method;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ics/", $name))
    };
}

/// What the fake feed server answers: status, body, validators.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    body: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// A feed server on loopback (the far side of the network: an institution's ADE export).
#[derive(Debug, Clone)]
struct FakeFeed {
    /// The current answer; replaced by the test between fetches.
    answer: Arc<Mutex<Answer>>,
    addr: SocketAddr,
}

async fn feed_handler(State(answer): State<Arc<Mutex<Answer>>>, headers: HeaderMap) -> Response {
    let a = answer.lock().unwrap().clone();
    let matches = a.etag.as_deref().is_some_and(|e| {
        headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(e)
    });
    let unmodified = a.last_modified.as_deref().is_some_and(|m| {
        headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()) == Some(m)
    });
    if matches || unmodified {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut res = (StatusCode::from_u16(a.status).unwrap(), a.body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, "text/calendar; charset=utf-8".parse().unwrap());
    if let Some(e) = a.etag {
        res.headers_mut().insert(header::ETAG, e.parse().unwrap());
    }
    if let Some(m) = a.last_modified {
        res.headers_mut().insert(header::LAST_MODIFIED, m.parse().unwrap());
    }
    res
}

async fn redirect_handler(Path(target): Path<String>) -> Response {
    let location = format!("http://{target}/feed.ics");
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

impl FakeFeed {
    async fn start(body: &str) -> FakeFeed {
        let answer = Arc::new(Mutex::new(Answer {
            status: 200,
            body: body.to_owned(),
            etag: None,
            last_modified: None,
        }));
        let app = axum::Router::new()
            .route("/feed.ics", axum::routing::get(feed_handler))
            .route("/to/{target}", axum::routing::get(redirect_handler))
            .with_state(answer.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // The fake feed server; aborted when the test's runtime ends.
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeFeed { answer, addr }
    }

    fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn url(&self) -> String {
        format!("http://{}/feed.ics", self.addr)
    }

    fn serve(&self, status: u16, body: &str, etag: Option<&str>) {
        *self.answer.lock().unwrap() = Answer {
            status,
            body: body.to_owned(),
            etag: etag.map(String::from),
            last_modified: None,
        };
    }

    fn serve_last_modified(&self, body: &str, last_modified: &str) {
        *self.answer.lock().unwrap() = Answer {
            status: 200,
            body: body.to_owned(),
            etag: None,
            last_modified: Some(last_modified.to_owned()),
        };
    }
}

async fn send(req: reqwest::RequestBuilder) -> reqwest::Response {
    bounded("request", req.send()).await.unwrap().unwrap()
}

async fn register(admin: &Account, url: &str) -> reqwest::Response {
    let body = serde_json::json!({ "group": demo::GROUP, "url": url });
    send(admin.request(Method::POST, "/api/admin/feeds").json(&body)).await
}

async fn registered(admin: &Account, url: &str) -> FeedInfo {
    let resp = register(admin, url).await;
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

async fn refresh(admin: &Account, feed: &FeedInfo) -> RefreshOutcome {
    let path = format!("/api/admin/feeds/{}/refresh", feed.id);
    let resp = send(admin.request(Method::POST, &path)).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

fn timetable() -> DocId {
    format!("timetable:{}", demo::GROUP).parse().unwrap()
}

/// The sessions of `feed` in the group's timetable, as a student's device receives them.
async fn feed_sessions(server: &TestServer, feed: &FeedInfo) -> Vec<Session> {
    let lea = Account::demo(server, "lea.martin").await.unwrap();
    let device = lea.synced(server).await.unwrap();
    let t: Timetable = device.read(&timetable()).unwrap();
    device.close().await.unwrap();
    let mut out: Vec<Session> =
        t.sessions.into_values().filter(|s| s.source == feed.id.as_str()).collect();
    out.sort_by_key(|s| s.start_ms);
    out
}

/// The heads of the group's timetable, as a fresh device receives it.
async fn timetable_heads(server: &TestServer) -> Vec<automerge::ChangeHash> {
    let lea = Account::demo(server, "lea.martin").await.unwrap();
    let device = lea.synced(server).await.unwrap();
    let session = device.disconnect().await.unwrap();
    session.document(&timetable()).unwrap().get_heads()
}

fn ms(rfc3339: &str) -> i64 {
    chrono_ms(rfc3339)
}

/// `YYYY-MM-DDTHH:MM:SSZ` to UTC milliseconds (no date crate needed for these fixed instants).
fn chrono_ms(s: &str) -> i64 {
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + n(11, 13)) * 60 + n(14, 16)) * 60_000 + n(17, 19) * 1000
}

/// A server over a fresh directory (kept as long as the returned guard) configured by `adjust`.
async fn server_with(
    adjust: impl FnOnce(&mut cartable_sync_server::Config),
) -> (TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_configured(dir.path(), adjust).await.unwrap();
    (server, dir)
}

async fn feed_server() -> (FakeFeed, TestServer, tempfile::TempDir) {
    let feed = FakeFeed::start(fixture!("feed_v1.ics")).await;
    let origin = feed.origin();
    let (server, dir) = server_with(|c| c.feed_allow = vec![origin]).await;
    (feed, server, dir)
}

#[tokio::test]
async fn a_changing_feed_gives_exactly_the_expected_cancellations_moves_and_room_changes() {
    let (feed, server, _dir) = feed_server().await;
    let admin = Account::demo(&server, "admin").await.unwrap();
    let info = registered(&admin, &feed.url()).await;
    assert_eq!(info.last_success_ms, None);

    let first = refresh(&admin, &info).await;
    let added = ImportSummary { added: 3, ..Default::default() };
    assert_eq!(first.changes, Some(added));
    assert_eq!(first.feed.sessions, 3);
    assert!(first.feed.last_success_ms.is_some() && first.feed.last_error.is_none());
    let v1 = feed_sessions(&server, &info).await;
    assert_eq!(v1.len(), 3);
    assert_eq!(v1[0].start_ms, ms("2036-12-01T07:15:00Z"));
    assert_eq!(v1[0].subject, "Algorithmique");
    assert_eq!(
        v1[1].note.as_deref(),
        Some("L2 INFO A1\nLEFEVRE Julien\nApporter le compte rendu du TP précédent")
    );
    assert!(v1.iter().all(|s| s.status == SessionStatus::Scheduled));

    // Only the export stamps moved (DTSTAMP, LAST-MODIFIED, SEQUENCE, "Exporté le", the order
    // of events, where a line is folded): nothing changes, not even the document's heads.
    let heads = timetable_heads(&server).await;
    feed.serve(200, fixture!("feed_v2_stamp_only.ics"), None);
    let second = refresh(&admin, &info).await;
    assert_eq!(second.changes, Some(ImportSummary::default()));
    assert_eq!(timetable_heads(&server).await, heads, "no change was written");
    assert_eq!(feed_sessions(&server, &info).await, v1);

    // One session gone, one moved, one room changed, one new.
    feed.serve(200, fixture!("feed_v3_changes.ics"), Some("\"v3\""));
    let third = refresh(&admin, &info).await;
    let expected =
        ImportSummary { added: 1, cancelled: 1, moved: 1, room_changed: 1, ..Default::default() };
    assert_eq!(third.changes, Some(expected));
    let v3 = feed_sessions(&server, &info).await;
    assert_eq!(v3.len(), 4, "the session gone from the feed is kept, cancelled");
    let algo = &v3[0];
    assert_eq!(algo.status, SessionStatus::Cancelled, "gone from the feed: probably cancelled");
    let bdd = v3.iter().find(|s| s.subject == "Bases de données").unwrap();
    assert_eq!(bdd.status, SessionStatus::Scheduled);
    assert_eq!(bdd.rooms, ["Amphi B"]);
    assert_eq!(bdd.previous.as_ref().unwrap().rooms, ["C204"]);
    let reseaux = v3.iter().find(|s| s.subject == "Réseaux").unwrap();
    assert_eq!(reseaux.status, SessionStatus::Moved);
    assert_eq!(reseaux.start_ms, ms("2036-12-04T13:00:00Z"));
    assert_eq!(reseaux.previous.as_ref().unwrap().start_ms, ms("2036-12-02T13:00:00Z"));
    let english = v3.iter().find(|s| s.subject == "Anglais").unwrap();
    assert_eq!(english.status, SessionStatus::Scheduled);

    // The server sends the ETag back: a 304 imports nothing and counts as a success.
    let fourth = refresh(&admin, &info).await;
    assert_eq!(fourth.changes, Some(ImportSummary { not_modified: true, ..Default::default() }));
    assert_eq!(feed_sessions(&server, &info).await, v3);
}

#[tokio::test]
async fn last_modified_is_sent_back_and_a_304_imports_nothing() {
    let (feed, server, _dir) = feed_server().await;
    let admin = Account::demo(&server, "admin").await.unwrap();
    let info = registered(&admin, &feed.url()).await;
    feed.serve_last_modified(fixture!("feed_v1.ics"), "Tue, 24 Nov 2036 10:12:00 GMT");
    assert_eq!(refresh(&admin, &info).await.changes.map(|c| c.added), Some(3));
    let again = refresh(&admin, &info).await;
    assert_eq!(again.changes, Some(ImportSummary { not_modified: true, ..Default::default() }));
    assert_eq!(again.feed.sessions, 3);
    // A new export with a new date is fetched and imported.
    feed.serve_last_modified(fixture!("feed_v3_changes.ics"), "Wed, 26 Nov 2036 08:10:00 GMT");
    let changed = refresh(&admin, &info).await.changes.unwrap();
    assert_eq!((changed.added, changed.cancelled, changed.not_modified), (1, 1, false));
}

#[tokio::test]
async fn a_broken_feed_keeps_the_timetable_and_records_the_error() {
    let (feed, server, _dir) = feed_server().await;
    let admin = Account::demo(&server, "admin").await.unwrap();
    let info = registered(&admin, &feed.url()).await;
    refresh(&admin, &info).await;
    let good = feed_sessions(&server, &info).await;
    let heads = timetable_heads(&server).await;
    // Past the 8 MiB limit (a runaway export): cut off, nothing imported.
    let huge = format!("BEGIN:VCALENDAR\r\nX-PAD:{}\r\nEND:VCALENDAR\r\n", "x".repeat(9 << 20));

    for (status, body, error) in [
        (200, fixture!("broken.ics"), "not an iCalendar file"),
        (500, "Internal Server Error", "HTTP 500"),
        (200, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no sessions"),
        (200, huge.as_str(), "larger than"),
    ] {
        feed.serve(status, body, None);
        let out = refresh(&admin, &info).await;
        assert_eq!(out.changes, None, "{error}");
        let recorded = out.feed.last_error.as_deref().unwrap_or_default();
        assert!(recorded.contains(error), "{recorded:?} mentions {error:?}");
        assert!(out.feed.last_error_ms.is_some());
        assert_eq!(out.feed.sessions, 3, "the last good import is kept");
        assert_eq!(timetable_heads(&server).await, heads);
    }
    assert_eq!(feed_sessions(&server, &info).await, good);

    let list: FeedList =
        send(admin.request(Method::GET, "/api/admin/feeds")).await.json().await.unwrap();
    assert_eq!(list.feeds.len(), 1);
    assert!(list.feeds[0].last_error.is_some() && list.feeds[0].last_success_ms.is_some());

    // The feed works again: the error is cleared and nothing changed meanwhile.
    feed.serve(200, fixture!("feed_v2_stamp_only.ics"), None);
    let out = refresh(&admin, &info).await;
    assert_eq!(out.changes, Some(ImportSummary::default()));
    assert_eq!(out.feed.last_error, None);
}

#[tokio::test]
async fn a_feed_on_a_private_address_is_refused_unless_allowed() {
    let feed = FakeFeed::start(fixture!("feed_v1.ics")).await;
    let other = FakeFeed::start(fixture!("feed_v1.ics")).await;
    let (server, _dir) = server_with(|c| c.feed_allow = vec![feed.origin()]).await;
    let admin = Account::demo(&server, "admin").await.unwrap();

    for url in [
        other.url(),
        "http://localhost:9/feed.ics".to_owned(),
        "http://10.0.0.1/feed.ics".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://[::1]:9/feed.ics".to_owned(),
        "file:///etc/passwd".to_owned(),
        "https://user:secret@ade.example.org/feed.ics".to_owned(),
    ] {
        let resp = register(&admin, &url).await;
        assert_eq!(resp.status(), 400, "{url}");
        let body: ErrorBody = resp.json().await.unwrap();
        assert_eq!(body.error, "feed_url_refused", "{url}");
    }

    // An allowed feed that redirects to an address that is not allowed: the redirect is
    // checked like the first URL, and nothing is imported.
    let redirecting = registered(&admin, &format!("{}/to/{}", feed.origin(), other.addr)).await;
    let out = refresh(&admin, &redirecting).await;
    assert_eq!(out.changes, None);
    assert!(out.feed.last_error.unwrap().contains("address refused"));
    assert!(feed_sessions(&server, &redirecting).await.is_empty());
    // A redirect to the allowed origin itself is followed.
    let same = registered(&admin, &format!("{}/to/{}", feed.origin(), feed.addr)).await;
    assert_eq!(refresh(&admin, &same).await.changes.map(|c| c.added), Some(3));
}

#[tokio::test]
async fn only_administrators_manage_feeds() {
    let (feed, server, _dir) = feed_server().await;
    let admin = Account::demo(&server, "admin").await.unwrap();
    let info = registered(&admin, &feed.url()).await;
    for login in ["paul.durand", "lea.martin", "vie.scolaire"] {
        let user = Account::demo(&server, login).await.unwrap();
        assert_eq!(register(&user, &feed.url()).await.status(), 403, "{login} registers");
        let list = send(user.request(Method::GET, "/api/admin/feeds")).await;
        assert_eq!(list.status(), 403, "{login} lists");
        let path = format!("/api/admin/feeds/{}/refresh", info.id);
        assert_eq!(send(user.request(Method::POST, &path)).await.status(), 403, "{login}");
        let path = format!("/api/admin/feeds/{}", info.id);
        assert_eq!(send(user.request(Method::DELETE, &path)).await.status(), 403, "{login}");
    }
    let anonymous = send(http().get(server.url("/api/admin/feeds"))).await;
    assert_eq!(anonymous.status(), 401);
    // Nothing was fetched on their behalf, and the feed is still there.
    let list: FeedList =
        send(admin.request(Method::GET, "/api/admin/feeds")).await.json().await.unwrap();
    assert_eq!(list.feeds.len(), 1);
    assert_eq!(list.feeds[0].last_success_ms, None);

    // Unknown group, unknown feed, malformed body.
    let body = serde_json::json!({ "group": "no-such-group", "url": feed.url() });
    let resp = send(admin.request(Method::POST, "/api/admin/feeds").json(&body)).await;
    assert_eq!(resp.status(), 404);
    let resp = send(admin.request(Method::POST, "/api/admin/feeds/feed-0000/refresh")).await;
    assert_eq!(resp.status(), 404);
    let resp = send(admin.request(Method::POST, "/api/admin/feeds").body("{\"url\":1}")).await;
    assert!(resp.status().is_client_error());

    let path = format!("/api/admin/feeds/{}", info.id);
    assert_eq!(send(admin.request(Method::DELETE, &path)).await.status(), 204);
    assert_eq!(send(admin.request(Method::DELETE, &path)).await.status(), 404);
}

#[tokio::test]
async fn feeds_are_fetched_on_schedule() {
    let feed = FakeFeed::start(fixture!("feed_v1.ics")).await;
    let origin = feed.origin();
    let (server, _dir) = server_with(|c| {
        c.feed_allow = vec![origin];
        c.feed_refresh = Duration::from_millis(200);
    })
    .await;
    let admin = Account::demo(&server, "admin").await.unwrap();
    let info = registered(&admin, &feed.url()).await;
    let imported = bounded("scheduled import", async {
        loop {
            let list: FeedList =
                send(admin.request(Method::GET, "/api/admin/feeds")).await.json().await.unwrap();
            if list.feeds[0].sessions == 3 {
                return list.feeds[0].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap();
    assert!(imported.last_success_ms.is_some());
    assert_eq!(feed_sessions(&server, &info).await.len(), 3);
}

/// Runs the independent parser on an iCalendar text.
fn python_dump(ics: &str) -> serde_json::Value {
    use std::io::Write;
    // The interpreter of the Python test peers (the venv `cargo xtask test` installs from
    // tests/fake_push/requirements.txt, or $CARTABLE_FAKE_PUSH_PYTHON).
    let python = cartable_tests::fake_push::python();
    let python = python.display().to_string();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/ics_dump.py");
    let mut child = std::process::Command::new(&python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    child.stdin.take().unwrap().write_all(ics.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{python} {script} failed (the Python `icalendar` package comes from \
         tests/fake_push/requirements.txt, installed by `cargo xtask test`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn the_export_feed_round_trips_through_an_independent_parser_and_is_revocable() {
    let (feed, server, _dir) = feed_server().await;
    let admin = Account::demo(&server, "admin").await.unwrap();
    let info = registered(&admin, &feed.url()).await;
    refresh(&admin, &info).await;
    feed.serve(200, fixture!("feed_v3_changes.ics"), None);
    refresh(&admin, &info).await;

    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    // A personal event in Léa's own layer.
    let me: DocId = "me:lea.martin".parse().unwrap();
    let mut device = lea.synced(&server).await.unwrap();
    device
        .edit(&me, |doc| {
            let mut layer: MyLayer = cartable_shared::sync::read(doc).unwrap().unwrap();
            let event = PersonalEvent {
                title: "Dentiste".into(),
                start_ms: ms("2036-12-02T16:00:00Z"),
                end_ms: ms("2036-12-02T16:30:00Z"),
                zone: "Europe/Paris".into(),
                note: None,
            };
            layer.events.insert("dentiste".into(), event);
            cartable_shared::sync::write(doc, &layer).unwrap();
        })
        .await
        .unwrap();
    device.until("the event is stored", |c| c.session.unacked(&me).is_empty()).await.unwrap();
    device.close().await.unwrap();
    assert_eq!(send(lea.request(Method::GET, "/api/calendar/token")).await.status(), 404);
    let created = send(lea.request(Method::POST, "/api/calendar/token")).await;
    assert_eq!(created.status(), 201);
    let created: CalendarTokenCreated = created.json().await.unwrap();
    let path = created.url.strip_prefix(&server.url("")).expect("the URL is on this server");
    assert!(path.starts_with("/calendar/") && path.ends_with(".ics"));

    // A calendar application fetches it without any cookie.
    let resp = send(http().get(server.url(path))).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/calendar"));
    let ics = resp.text().await.unwrap();
    let dump = python_dump(&ics);
    assert_eq!(dump["refresh_interval"], "PT1H");
    assert_eq!(dump["published_ttl"], "PT1H");

    // Every session of Léa's timetable is there with its time, rooms and status, cancelled
    // ones included; homework due dates too.
    let device = lea.synced(&server).await.unwrap();
    let t: Timetable = device.read(&timetable()).unwrap();
    let homework: cartable_shared::homework::Homework =
        device.read(&format!("homework:{}", demo::GROUP).parse().unwrap()).unwrap();
    device.close().await.unwrap();
    let events = dump["events"].as_array().unwrap();
    let sessions: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["uid"].as_str().unwrap().starts_with("session.")).collect();
    assert_eq!(sessions.len(), t.sessions.len());
    let (mut cancelled, mut probably) = (0, 0);
    for (id, s) in &t.sessions {
        let uid = format!("session.{}.{id}@", demo::GROUP);
        let e = sessions.iter().find(|e| e["uid"].as_str().unwrap().starts_with(&uid)).unwrap();
        assert_eq!(e["start_ms"], s.start_ms, "{id}");
        assert_eq!(e["end_ms"], s.end_ms, "{id}");
        let rooms = s.rooms.join(", ");
        assert_eq!(e["location"].as_str().unwrap_or_default(), rooms, "{id}");
        // A session only gone from the feed is tentative and says so in its title.
        let (status, summary) = match s.status {
            _ if s.probably_cancelled() => {
                ("TENTATIVE", format!("{} (probablement annulé)", s.subject))
            }
            SessionStatus::Cancelled => ("CANCELLED", s.subject.clone()),
            _ => ("CONFIRMED", s.subject.clone()),
        };
        assert_eq!(e["summary"], summary.as_str(), "{id}");
        assert_eq!(e["status"], status, "{id}");
        cancelled += usize::from(s.status == SessionStatus::Cancelled && !s.probably);
        probably += usize::from(s.probably_cancelled());
    }
    assert!(cancelled >= 1, "the feed's cancelled session is in the export");
    assert!(probably >= 1, "the session gone from the feed is in the export, tentative");
    let due: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["uid"].as_str().unwrap().starts_with("homework.")).collect();
    assert_eq!(due.len(), homework.assignments.len());
    for (id, a) in &homework.assignments {
        let e =
            due.iter().find(|e| e["uid"].as_str().unwrap().contains(&format!(".{id}@"))).unwrap();
        assert_eq!(e["start_ms"], a.due_ms);
    }

    let personal: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["uid"].as_str().unwrap().starts_with("personal.")).collect();
    assert_eq!(personal.len(), 1);
    assert_eq!(personal[0]["summary"], "Dentiste");
    assert_eq!(personal[0]["start_ms"], ms("2036-12-02T16:00:00Z"));

    let info: CalendarTokenInfo =
        send(lea.request(Method::GET, "/api/calendar/token")).await.json().await.unwrap();
    assert!(info.last_used_ms.is_some());
    // Paul's feed is his own: a different URL, and none of Léa's personal events.
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let paul_url: CalendarTokenCreated =
        send(paul.request(Method::POST, "/api/calendar/token")).await.json().await.unwrap();
    assert_ne!(paul_url.url, created.url);
    let paul_path = paul_url.url.strip_prefix(&server.url("")).unwrap().to_owned();
    let paul_ics = send(http().get(server.url(&paul_path))).await.text().await.unwrap();
    assert!(paul_ics.contains("BEGIN:VEVENT") && !paul_ics.contains("Dentiste"));

    // Revoked: 404, and a new token replaces the old one.
    assert_eq!(send(lea.request(Method::DELETE, "/api/calendar/token")).await.status(), 204);
    assert_eq!(send(http().get(server.url(path))).await.status(), 404);
    assert_eq!(send(lea.request(Method::DELETE, "/api/calendar/token")).await.status(), 404);
    let again: CalendarTokenCreated =
        send(lea.request(Method::POST, "/api/calendar/token")).await.json().await.unwrap();
    let new_path = again.url.strip_prefix(&server.url("")).unwrap().to_owned();
    assert_eq!(send(http().get(server.url(&new_path))).await.status(), 200);
    let rotated: CalendarTokenCreated =
        send(lea.request(Method::POST, "/api/calendar/token")).await.json().await.unwrap();
    assert_ne!(rotated.url, again.url);
    assert_eq!(send(http().get(server.url(&new_path))).await.status(), 404, "replaced");
    for bad in [
        "/calendar/abc.ics",
        "/calendar/0000000000000000000000000000000000000000000000000000000000000000.ics",
    ] {
        assert_eq!(send(http().get(server.url(bad))).await.status(), 404, "{bad}");
    }
}

#[tokio::test]
async fn a_teachers_cancellation_of_an_imported_session_survives_later_imports() {
    let (feed, server, _dir) = feed_server().await;
    let admin = Account::demo(&server, "admin").await.unwrap();
    let info = registered(&admin, &feed.url()).await;
    refresh(&admin, &info).await;
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let device = lea.synced(&server).await.unwrap();
    let t: Timetable = device.read(&timetable()).unwrap();
    device.close().await.unwrap();
    let (bdd_id, _) = t
        .sessions
        .iter()
        .find(|(_, s)| s.source == info.id.as_str() && s.subject == "Bases de données")
        .unwrap();

    // The group's teacher cancels the imported lab session.
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let path = format!("/api/timetable/{}/sessions/{bdd_id}", demo::GROUP);
    let cancel = serde_json::json!({ "action": "cancel", "note": "Salle indisponible" });
    let resp = send(paul.request(Method::POST, &path).json(&cancel)).await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());

    // The feed then changes that session's room (and nothing else of it): the room follows the
    // feed, the teacher's cancellation and note stay.
    feed.serve(200, fixture!("feed_v3_changes.ics"), None);
    refresh(&admin, &info).await;
    let bdd = feed_sessions(&server, &info)
        .await
        .into_iter()
        .find(|s| s.subject == "Bases de données")
        .unwrap();
    assert_eq!(bdd.status, SessionStatus::Cancelled);
    assert_eq!(bdd.note.as_deref(), Some("Salle indisponible"));
    assert_eq!(bdd.rooms, ["Amphi B"]);
}

#[tokio::test]
async fn a_feed_change_notifies_the_groups_students_like_a_teachers_change() {
    let push = cartable_tests::fake_push::FakePush::start().await.unwrap();
    let feed = FakeFeed::start(fixture!("feed_v1.ics")).await;
    let (push_origin, feed_origin) = (push.origin.clone(), feed.origin());
    let (server, _dir) = server_with(|c| {
        c.push_allow = vec![push_origin];
        c.feed_allow = vec![feed_origin];
    })
    .await;
    let admin = Account::demo(&server, "admin").await.unwrap();
    let info = registered(&admin, &feed.url()).await;
    refresh(&admin, &info).await;

    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let phone = push.subscribe().await.unwrap();
    let body = serde_json::json!({"endpoint": phone.endpoint, "keys": phone.keys, "label": "test"});
    let resp = send(lea.request(Method::POST, "/api/push/subscriptions").json(&body)).await;
    assert_eq!(resp.status(), 201);

    // A stamp-only export notifies nobody; the changed one: one cancellation, one move, one
    // room change (the new session is not news).
    feed.serve(200, fixture!("feed_v2_stamp_only.ics"), None);
    refresh(&admin, &info).await;
    feed.serve(200, fixture!("feed_v3_changes.ics"), None);
    refresh(&admin, &info).await;
    let got =
        push.wait_messages(Some(&phone), Duration::from_secs(10), |m| m.len() >= 3).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got_all = push.messages(Some(&phone)).await.unwrap();
    assert_eq!(got_all.len(), got.len(), "nothing more: {got_all:#?}");
    let mut categories: Vec<&str> =
        got.iter().map(|m| m["payload"]["category"].as_str().unwrap_or("?")).collect();
    categories.sort_unstable();
    assert_eq!(categories, ["class_cancelled", "class_moved", "room_changed"]);
    assert!(got.iter().all(|m| m["decrypted"] == true));
}
