//! Crash test of the push outbox (issue 5): the real `cartable-server` binary is SIGKILLed
//! after a change was acknowledged but before its notification was delivered, restarted on the
//! same data directory, and must then deliver that notification exactly once.
//!
//! To land the kill deterministically between the change and the delivery, the fake push
//! service answers the first attempt `503` with `Retry-After: 2`: the test waits until the
//! server has recorded the retry in its database, kills it, restarts it, and watches the fake
//! service (which decrypts every message with the device's keys) receive the notification once.
//! A second, graceful restart sends nothing more. Every wait is bounded; the processes are
//! killed on drop.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use cartable_shared::api::{LoginRequest, SessionChange};
use cartable_shared::timetable::{SessionStatus, Timetable};
use cartable_sync_server::demo;
use cartable_tests::fake_push::FakePush;
use serde_json::json;
use support::ServerProcess;

const NET_TIMEOUT: Duration = Duration::from_secs(15);

fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(NET_TIMEOUT).build().unwrap()
}

/// Signs in; the session cookie.
async fn login(server: &ServerProcess, login: &str) -> String {
    let password = demo::ACCOUNTS.iter().find(|a| a.login == login).unwrap().password;
    let resp = http()
        .post(server.url("/api/login"))
        .json(&LoginRequest { login: login.into(), password: password.into() })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// The state and attempts of every push delivery, read from the database (read-only).
fn deliveries(data_dir: &Path) -> Vec<(String, i64)> {
    let path = data_dir.join(cartable_sync_server::DATABASE_FILE);
    let conn =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let mut stmt = conn.prepare("SELECT state, attempts FROM push_deliveries ORDER BY id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + NET_TIMEOUT;
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_between_a_change_and_its_push_delivers_it_once_after_restart() {
    let fake = FakePush::start().await.unwrap();
    let phone = fake.subscribe().await.unwrap();
    fake.script(&phone, json!([{"status": 503, "retry_after": 2}])).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let args = ["--push-allow", fake.origin.as_str()];
    let mut server = ServerProcess::start_with(data.path(), logs.path().join("first.log"), &args);

    // Léa's guardian: the cancellation reaches him too, and no "homework due tomorrow"
    // reminder (students only), which the demo's homework brings some afternoons and would
    // take this test's one scripted refusal.
    let guardian = login(&server, "parent.martin").await;
    let body = json!({"endpoint": phone.endpoint, "keys": phone.keys, "label": "téléphone"});
    let resp = http()
        .post(server.url("/api/push/subscriptions"))
        .header("cookie", &guardian)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    // A session of the demo timetable a few days ahead (the server seeded it for today).
    let today = demo::paris_date(chrono::Utc::now().timestamp_millis());
    let planned = demo::timetable_document(today).unwrap();
    let t: Timetable = cartable_shared::sync::read(&planned).unwrap().unwrap();
    let soon = chrono::Utc::now().timestamp_millis() + 3 * 86_400_000;
    let (session, _) = t
        .sessions
        .iter()
        .filter(|(_, s)| s.status == SessionStatus::Scheduled && s.start_ms > soon)
        .min_by_key(|(_, s)| s.start_ms)
        .unwrap();
    let paul = login(&server, "paul.durand").await;
    let resp = http()
        .post(server.url(&format!("/api/timetable/{}/sessions/{session}", demo::GROUP)))
        .header("cookie", &paul)
        .json(&SessionChange::Cancel { note: None })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "the change is acknowledged");

    // The first attempt got its 503 and the retry is on disk: kill now.
    wait_for("the retry to be recorded", async || {
        deliveries(data.path()) == [("pending".to_owned(), 1)]
    })
    .await;
    assert!(fake.messages(Some(&phone)).await.unwrap().is_empty(), "nothing delivered yet");
    server.kill();

    let mut server = ServerProcess::start_with(data.path(), logs.path().join("second.log"), &args);
    let got = fake
        .wait_messages(Some(&phone), NET_TIMEOUT, |m| !m.is_empty())
        .await
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", server.log_text()));
    assert_eq!(got[0]["decrypted"], true, "{:#}", got[0]);
    assert_eq!(got[0]["vapid"]["valid"], true, "{:#}", got[0]);
    assert_eq!(got[0]["payload"]["category"], "class_cancelled");
    assert_eq!(got[0]["payload"]["url"], format!("/?view=week&session={session}"));
    wait_for("the delivery to be marked sent", async || {
        deliveries(data.path()) == [("sent".to_owned(), 2)]
    })
    .await;

    // A graceful restart (and its start-up round) sends nothing again.
    assert!(server.terminate(), "graceful stop");
    let server = ServerProcess::start_with(data.path(), logs.path().join("third.log"), &args);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let statuses: Vec<i64> = fake
        .attempts(Some(&phone))
        .await
        .unwrap()
        .iter()
        .map(|a| a["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [503, 201], "one refused attempt, one delivery, nothing more");
    assert_eq!(fake.messages(Some(&phone)).await.unwrap().len(), 1);
    drop(server);
}
