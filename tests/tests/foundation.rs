//! End-to-end tests of the foundation against the real server on loopback: sign-in, the
//! `/sync` gate, the timetable reaching a device, live fan-out of a teacher's change, and
//! durability across a restart.

use cartable_shared::api::{ErrorBody, Me, SessionChange};
use cartable_shared::ids::DocId;
use cartable_shared::protocol::{ClientFrame, ErrorCode, ServerFrame};
use cartable_shared::roles::Role;
use cartable_shared::timetable::{SessionStatus, Timetable};
use cartable_tests::{Account, SyncClient, TestServer, demo, http, login_raw};
use reqwest::{Method, StatusCode};
use tokio_tungstenite::tungstenite;

const STUDENT: &str = "lea.martin";
const TEACHER: &str = "paul.durand";

fn timetable() -> DocId {
    DocId::timetable(&demo::GROUP.parse().unwrap())
}

/// A student device connected and holding the synced timetable.
async fn synced_student(server: &TestServer) -> anyhow::Result<(Account, SyncClient, Timetable)> {
    let student = Account::demo(server, STUDENT).await?;
    let mut device = student.sync(server).await?;
    let t = device.until_doc::<Timetable>(&timetable(), |t| !t.sessions.is_empty()).await?;
    Ok((student, device, t))
}

async fn cancel(teacher: &Account, session: &str, note: &str) -> reqwest::Response {
    teacher
        .request(Method::POST, &format!("/api/timetable/{}/sessions/{session}", demo::GROUP))
        .json(&SessionChange::Cancel { note: Some(note.into()) })
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn login_succeeds_with_the_right_password_and_the_session_opens_me() {
    let server = TestServer::start().await.unwrap();
    let student = Account::demo(&server, STUDENT).await.unwrap();
    assert_eq!(student.me.user.as_str(), STUDENT);
    assert_eq!(student.me.role, Role::Student);
    assert!(student.me.groups.iter().any(|g| g.as_str() == demo::GROUP));

    let me: Me =
        student.request(Method::GET, "/api/me").send().await.unwrap().json().await.unwrap();
    assert_eq!(me, student.me);
    let anonymous = http().get(server.url("/api/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn login_fails_alike_for_a_wrong_password_and_an_unknown_account() {
    let server = TestServer::start().await.unwrap();
    let wrong = login_raw(&server, STUDENT, "not-the-password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(reqwest::header::SET_COOKIE).is_none());
    let wrong: ErrorBody = wrong.json().await.unwrap();
    let unknown: ErrorBody =
        login_raw(&server, "nobody.here", "whatever").await.json().await.unwrap();
    assert_eq!(wrong.error, "invalid_credentials");
    assert_eq!(wrong, unknown, "the answer must not reveal whether the account exists");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let server = TestServer::start().await.unwrap();
    let student = Account::demo(&server, STUDENT).await.unwrap();
    let out = student.request(Method::POST, "/api/logout").send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let me = student.request(Method::GET, "/api/me").send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let err = SyncClient::connect(&server, Some(&student.cookie), None).await.unwrap_err();
    assert_http_status(err, 401);
}

fn assert_http_status(err: anyhow::Error, status: u16) {
    match err.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Http(resp)) => assert_eq!(resp.status().as_u16(), status),
        _ => panic!("expected an HTTP {status} refusal of the upgrade, got {err:#}"),
    }
}

#[tokio::test]
async fn sync_upgrade_without_a_session_is_refused() {
    let server = TestServer::start().await.unwrap();
    let err = SyncClient::connect(&server, None, None).await.unwrap_err();
    assert_http_status(err, 401);
    let err = SyncClient::connect(&server, Some("forged-token"), None).await.unwrap_err();
    assert_http_status(err, 401);
}

#[tokio::test]
async fn sync_upgrade_from_a_foreign_origin_is_refused() {
    let server = TestServer::start().await.unwrap();
    let student = Account::demo(&server, STUDENT).await.unwrap();
    let err = SyncClient::connect(&server, Some(&student.cookie), Some("https://evil.example"))
        .await
        .unwrap_err();
    assert_http_status(err, 403);
    let own = server.url("");
    SyncClient::connect(&server, Some(&student.cookie), Some(&own)).await.unwrap();
}

#[tokio::test]
async fn student_receives_the_group_timetable_with_its_changes() {
    let server = TestServer::start().await.unwrap();
    let (_, device, t) = synced_student(&server).await.unwrap();
    assert!(device.welcome.as_ref().unwrap().contains(&timetable()));
    assert_eq!(t.group, demo::GROUP);
    assert!(t.sessions.len() >= 100, "a semester has many sessions, got {}", t.sessions.len());
    assert!(t.sessions.values().any(|s| s.status == SessionStatus::Cancelled));
    assert!(t.sessions.values().any(|s| s.room_changed()));
    assert!(
        device.welcome.unwrap().iter().all(|d| d.to_string() != "timetable:l2-info-b"),
        "no other group's timetable is offered"
    );
}

#[tokio::test]
async fn a_teachers_change_reaches_a_connected_student_at_once() {
    let server = TestServer::start().await.unwrap();
    let (_, mut device, t) = synced_student(&server).await.unwrap();
    let (id, _) = t
        .sessions
        .iter()
        .find(|(_, s)| s.status == SessionStatus::Scheduled)
        .expect("a scheduled session");
    let teacher = Account::demo(&server, TEACHER).await.unwrap();
    let resp = cancel(&teacher, id, "Grève des transports").await;
    assert_eq!(resp.status(), StatusCode::OK);

    let seen = device
        .until_doc::<Timetable>(&timetable(), |t| t.sessions[id].status == SessionStatus::Cancelled)
        .await
        .unwrap();
    assert_eq!(seen.sessions[id].note.as_deref(), Some("Grève des transports"));
}

#[tokio::test]
async fn a_student_may_not_change_the_timetable_through_the_api() {
    let server = TestServer::start().await.unwrap();
    let (student, _, t) = synced_student(&server).await.unwrap();
    let id = t.sessions.keys().next().unwrap();
    let resp = cancel(&student, id, "Je reste au lit").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_students_pushed_change_is_refused_and_not_stored() {
    let server = TestServer::start().await.unwrap();
    let (_, mut device, t) = synced_student(&server).await.unwrap();
    let id = t.sessions.keys().next().unwrap().clone();
    device
        .edit(&timetable(), |doc| {
            let mut t: Timetable = cartable_shared::sync::read(doc).unwrap().unwrap();
            t.sessions.get_mut(&id).unwrap().status = SessionStatus::Cancelled;
            cartable_shared::sync::write(doc, &t).unwrap();
        })
        .await
        .unwrap();
    device.until("the server refuses the change", |c| !c.errors.is_empty()).await.unwrap();
    assert_eq!(device.errors[0].1, ErrorCode::Forbidden);
    assert_eq!(device.errors[0].0, Some(timetable()));

    // A fresh device sees the stored document untouched.
    let (_, _, fresh) = synced_student(&server).await.unwrap();
    assert_eq!(fresh.sessions[&id], t.sessions[&id]);
}

#[tokio::test]
async fn malformed_frames_get_an_error_and_unknown_documents_are_not_revealed() {
    let server = TestServer::start().await.unwrap();
    let (_, mut device, _) = synced_student(&server).await.unwrap();
    let secret = "grades:someone.else".parse::<DocId>().unwrap();
    device
        .send_raw(ClientFrame::Sync { doc: secret.clone(), data: vec![] }.encode())
        .await
        .unwrap();
    let missing = "timetable:no-such-group".parse::<DocId>().unwrap();
    device
        .send_raw(ClientFrame::Sync { doc: missing.clone(), data: vec![] }.encode())
        .await
        .unwrap();
    device.until("two refusals", |c| c.errors.len() >= 2).await.unwrap();
    assert_eq!(device.errors[0].0.as_ref(), Some(&secret));
    assert_eq!(device.errors[0].1, ErrorCode::NotFound);
    assert_eq!(device.errors[1].1, ErrorCode::NotFound, "existence must not leak");

    device.send_raw(vec![1, 0x7f, 0, 0]).await.unwrap();
    let mut malformed = false;
    for _ in 0..20 {
        match device.step().await {
            Ok(Some((ServerFrame::Error { code: ErrorCode::Malformed, .. }, _))) => {
                malformed = true
            }
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => break,
        }
    }
    assert!(malformed, "a malformed frame is answered with a Malformed error");
}

#[tokio::test]
async fn changes_survive_a_server_restart() {
    let server = TestServer::start().await.unwrap();
    let (_, _, t) = synced_student(&server).await.unwrap();
    let (id, _) = t.sessions.iter().find(|(_, s)| s.status == SessionStatus::Scheduled).unwrap();
    let teacher = Account::demo(&server, TEACHER).await.unwrap();
    assert_eq!(cancel(&teacher, id, "Salle inondée").await.status(), StatusCode::OK);

    let dir = server.data_dir().to_path_buf();
    let temp = server.stop().await.unwrap();
    let server = TestServer::start_in(&dir).await.unwrap();
    let (_, _, after) = synced_student(&server).await.unwrap();
    assert_eq!(after.sessions[id].status, SessionStatus::Cancelled);
    assert_eq!(after.sessions[id].note.as_deref(), Some("Salle inondée"));
    assert_eq!(after.sessions.len(), t.sessions.len(), "the restart reused the data, no reseed");
    drop(server);
    drop(temp);
}
