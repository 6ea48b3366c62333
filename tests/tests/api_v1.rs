//! The API for the school's systems (`/api/v1`) beyond accounts and rosters: timetable
//! sessions, homework, grades, announcements and library reminders, with a token's scopes. An
//! API change goes through the same document actors as the app's: a connected student's
//! device gets it live, and her phone gets the notification from the fake push service.

use std::time::Duration;

use cartable_shared::admin::CreatedApiToken;
use cartable_shared::announcements::{Announcements, Severity};
use cartable_shared::grades::Grades;
use cartable_shared::homework::{Assignment, Homework};
use cartable_shared::ids::DocId;
use cartable_shared::timetable::{Session, SessionStatus, Timetable};
use cartable_tests::fake_push::FakePush;
use cartable_tests::{Account, TestServer, demo, http};
use reqwest::{Method, StatusCode};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);

async fn token(admin: &Account, scopes: &[&str]) -> String {
    let resp = admin
        .request(Method::POST, "/api/admin/tokens")
        .json(&json!({"name": "SIS", "scopes": scopes}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json::<CreatedApiToken>().await.unwrap().secret
}

fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
) -> reqwest::RequestBuilder {
    let req = http().request(method, server.url(path));
    match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    }
}

/// `GET path` with `token`: 200 and its JSON.
async fn get<T: serde::de::DeserializeOwned>(server: &TestServer, path: &str, token: &str) -> T {
    let resp = call(server, Method::GET, path, Some(token)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.json().await.unwrap()
}

fn doc(s: &str) -> DocId {
    s.parse().unwrap()
}

/// The new routes, with the scope each needs and a valid body.
fn routes() -> Vec<(Method, String, &'static str, Option<serde_json::Value>)> {
    let g = demo::GROUP;
    let homework = json!({"subject": "Réseaux", "title": "TP 3", "due_ms": 1_900_000_000_000_i64});
    let announcement = json!({"title": "Grève", "body": "Cours assurés", "severity": "Warning"});
    vec![
        (Method::GET, format!("/api/v1/groups/{g}/sessions"), "timetable:read", None),
        (
            Method::POST,
            format!("/api/v1/groups/{g}/sessions/nope"),
            "timetable:write",
            Some(json!({"action": "cancel", "note": null})),
        ),
        (Method::GET, format!("/api/v1/groups/{g}/homework"), "homework:read", None),
        (Method::PUT, format!("/api/v1/groups/{g}/homework/hw1"), "homework:write", Some(homework)),
        (Method::DELETE, format!("/api/v1/groups/{g}/homework/hw1"), "homework:write", None),
        (Method::GET, "/api/v1/students/lea.martin/grades".into(), "grades:read", None),
        (
            Method::POST,
            format!(
                "/api/v1/groups/{g}/assessments/import?title=T&subject=Réseaux&date=2026-01-05"
            ),
            "grades:import",
            None,
        ),
        (Method::GET, format!("/api/v1/announcements/{g}"), "announcements:read", None),
        (
            Method::PUT,
            format!("/api/v1/announcements/{g}/a1"),
            "announcements:write",
            Some(announcement),
        ),
        (Method::DELETE, format!("/api/v1/announcements/{g}/a1"), "announcements:write", None),
        (
            Method::POST,
            "/api/v1/reminders".into(),
            "reminders:write",
            Some(json!({"group": g, "text": "Rendez vos livres"})),
        ),
    ]
}

#[tokio::test]
async fn missing_wrong_and_under_scoped_tokens_are_refused_and_nothing_changes() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let reader = token(&admin, &["accounts:read"]).await;
    let wrong = format!("{}x", &reader[..reader.len() - 1]);
    for (method, path, scope, body) in routes() {
        for (t, expected) in [
            (None, StatusCode::UNAUTHORIZED),
            (Some(wrong.as_str()), StatusCode::UNAUTHORIZED),
            (Some(reader.as_str()), StatusCode::FORBIDDEN),
        ] {
            let mut req = call(&server, method.clone(), &path, t);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), expected, "{method} {path} with {t:?}");
            if expected == StatusCode::FORBIDDEN {
                let text = resp.text().await.unwrap();
                assert!(text.contains(scope), "{method} {path}: {text}");
            }
        }
    }
    // Nothing was written by the refused calls.
    let all = token(&admin, &["homework:read", "announcements:read"]).await;
    let hw: Homework =
        get(&server, &format!("/api/v1/groups/{}/homework", demo::GROUP), &all).await;
    assert!(!hw.assignments.contains_key("hw1"));
    let an: Announcements =
        get(&server, &format!("/api/v1/announcements/{}", demo::GROUP), &all).await;
    assert!(!an.items.contains_key("a1"));
}

#[tokio::test]
async fn bad_requests_get_clear_errors() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let t =
        token(&admin, &["timetable:write", "homework:write", "announcements:write", "grades:read"])
            .await;
    let put = |path: &str, body: serde_json::Value| {
        call(&server, Method::PUT, path, Some(&t)).json(&body).send()
    };
    let hw = json!({"subject": "Réseaux", "title": "TP", "due_ms": 1});
    let g = demo::GROUP;
    let resp = put("/api/v1/groups/nogroup/homework/hw1", hw.clone()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = put(&format!("/api/v1/groups/{g}/homework/a%20b"), hw.clone()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = put(
        &format!("/api/v1/groups/{g}/homework/hw1"),
        json!({"subject": " ", "title": "T", "due_ms": 1}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = put(&format!("/api/v1/groups/{g}/homework/hw1"), json!({"title": "no subject"}))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = put(
        &format!("/api/v1/announcements/{g}/a1"),
        json!({"title": "T", "body": "B", "severity": "Warning",
               "visible_from_ms": 10, "visible_until_ms": 5}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp =
        call(&server, Method::DELETE, &format!("/api/v1/groups/{g}/homework/none"), Some(&t))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = call(&server, Method::POST, &format!("/api/v1/groups/{g}/sessions/none"), Some(&t))
        .json(&json!({"action": "cancel", "note": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = call(&server, Method::GET, "/api/v1/students/nobody/grades", Some(&t))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_api_change_reaches_a_connected_students_device_and_raises_its_push() {
    let fake = FakePush::start().await.unwrap();
    let server = TestServer::start_with(vec![fake.origin.clone()]).await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let phone = fake.subscribe().await.unwrap();
    let resp = lea
        .request(Method::POST, "/api/push/subscriptions")
        .json(&json!({"endpoint": phone.endpoint, "keys": phone.keys, "label": "test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let mut device = lea.synced(&server).await.unwrap();
    let t = token(
        &admin,
        &[
            "timetable:read",
            "timetable:write",
            "homework:read",
            "homework:write",
            "grades:read",
            "announcements:write",
            "reminders:write",
        ],
    )
    .await;
    let g = demo::GROUP;

    // A session cancelled by the school's system: struck through on her device, pushed.
    let timetable: Timetable = get(&server, &format!("/api/v1/groups/{g}/sessions"), &t).await;
    let now = chrono::Utc::now().timestamp_millis();
    let (id, _) = timetable
        .sessions
        .iter()
        .filter(|(_, s)| s.status == SessionStatus::Scheduled && s.start_ms > now + 86_400_000)
        .min_by_key(|(_, s)| s.start_ms)
        .expect("a future session");
    let resp = call(&server, Method::POST, &format!("/api/v1/groups/{g}/sessions/{id}"), Some(&t))
        .json(&json!({"action": "cancel", "note": "Jury"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let changed: Session = resp.json().await.unwrap();
    assert_eq!(changed.status, SessionStatus::Cancelled);
    let tt = doc(&format!("timetable:{g}"));
    device
        .until_doc::<Timetable>(&tt, |t| t.sessions[id].status == SessionStatus::Cancelled)
        .await
        .unwrap();
    let got = fake.wait_messages(Some(&phone), WAIT, |m| !m.is_empty()).await.unwrap();
    assert_eq!(got[0]["payload"]["category"], "class_cancelled");
    assert_eq!(got[0]["payload"]["url"], format!("/?view=week&session={id}"));

    // Homework set, changed, then removed: her device follows.
    let path = format!("/api/v1/groups/{g}/homework/sis-hw-1");
    let body = json!({"subject": "Réseaux", "title": "TP 3", "text": "Lire le chapitre 3",
                      "due_ms": now + 3 * 86_400_000, "hand_in": true});
    let resp = call(&server, Method::PUT, &path, Some(&t)).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let set: Assignment = resp.json().await.unwrap();
    assert_eq!(set.author, "admin");
    let hw = doc(&format!("homework:{g}"));
    device.until_doc::<Homework>(&hw, |h| h.assignments.contains_key("sis-hw-1")).await.unwrap();
    let mut body2 = body.clone();
    body2["title"] = json!("TP 3 (corrigé)");
    let resp = call(&server, Method::PUT, &path, Some(&t)).json(&body2).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let again: Assignment = resp.json().await.unwrap();
    assert_eq!(again.set_on_ms, set.set_on_ms, "the day it was set is kept");
    device
        .until_doc::<Homework>(&hw, |h| {
            h.assignments.get("sis-hw-1").is_some_and(|a| a.title == "TP 3 (corrigé)")
        })
        .await
        .unwrap();
    let resp = call(&server, Method::DELETE, &path, Some(&t)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    device.until_doc::<Homework>(&hw, |h| !h.assignments.contains_key("sis-hw-1")).await.unwrap();

    // An alert for the group, and a library reminder: both pushed to her phone.
    let resp =
        call(&server, Method::PUT, &format!("/api/v1/announcements/{g}/sis-alert"), Some(&t))
            .json(&json!({"title": "Alerte", "body": "Évacuation à 10 h", "severity": "Alert"}))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let an = doc(&format!("announcements:{g}"));
    let alert = device
        .until_doc::<Announcements>(&an, |a| a.items.contains_key("sis-alert"))
        .await
        .unwrap();
    assert_eq!(alert.items["sis-alert"].severity, Severity::Alert);
    let resp = call(&server, Method::POST, "/api/v1/reminders", Some(&t))
        .json(&json!({"group": g, "text": "Rendez vos livres avant vendredi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let got = fake.wait_messages(Some(&phone), WAIT, |m| m.len() >= 3).await.unwrap();
    let mut categories: Vec<&str> =
        got.iter().map(|m| m["payload"]["category"].as_str().unwrap_or("?")).collect();
    categories.sort_unstable();
    assert_eq!(categories, ["announcement_alert", "class_cancelled", "library_reminder"]);

    // Her grades, as her device holds them.
    let grades: Grades = get(&server, "/api/v1/students/lea.martin/grades", &t).await;
    let held: Grades = device.read(&doc("grades:lea.martin")).unwrap();
    assert_eq!(grades, held);
}

#[tokio::test]
async fn an_api_update_of_a_teachers_entry_keeps_its_author() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let t = token(
        &admin,
        &["homework:read", "homework:write", "announcements:read", "announcements:write"],
    )
    .await;
    let g = demo::GROUP;
    let put = |path: String, body: serde_json::Value| {
        call(&server, Method::PUT, &path, Some(&t)).json(&body).send()
    };
    let hw: Homework = get(&server, &format!("/api/v1/groups/{g}/homework"), &t).await;
    let (id, before) = hw
        .assignments
        .iter()
        .find(|(_, a)| a.author == "paul.durand")
        .expect("a demo assignment by paul.durand");
    let resp = put(
        format!("/api/v1/groups/{g}/homework/{id}"),
        json!({"subject": before.subject, "title": "Corrigé par l'ENT", "due_ms": before.due_ms}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let after: Assignment = resp.json().await.unwrap();
    assert_eq!((after.title.as_str(), after.author.as_str()), ("Corrigé par l'ENT", "paul.durand"));
    // A new one is the token owner's.
    let resp = put(
        format!("/api/v1/groups/{g}/homework/from-sis"),
        json!({"subject": "Réseaux", "title": "TP", "due_ms": before.due_ms}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(resp.json::<Assignment>().await.unwrap().author, "admin");

    let an: Announcements = get(&server, &format!("/api/v1/announcements/{g}"), &t).await;
    let (id, before) =
        an.items.iter().find(|(_, a)| a.author != "admin").expect("a demo announcement by staff");
    let resp = put(
        format!("/api/v1/announcements/{g}/{id}"),
        json!({"title": "Précision", "body": before.body, "severity": "Warning"}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let after: cartable_shared::announcements::Announcement = resp.json().await.unwrap();
    assert_eq!(
        (after.title.as_str(), after.author.as_str()),
        ("Précision", before.author.as_str())
    );
}
