//! The administration of a school year against the real server: the block period, guest
//! accounts that expire, the year rollover with its archives, and the data rights of the GDPR
//! (a user's export, an account's deletion reaching every device).

use std::sync::Arc;

use cartable_shared::admin::{
    AccountDeleted, AccountList, Archive, ArchiveList, BlockNotice, CreatedAccount, DELETED_AUTHOR,
    GroupList, RolloverReport, UserExport,
};
use cartable_shared::api::{ErrorBody, Me};
use cartable_shared::gradebook::{Gradebook, Score};
use cartable_shared::grades::Grades;
use cartable_shared::homework::Homework;
use cartable_shared::ids::DocId;
use cartable_shared::library::Library;
use cartable_shared::protocol::{ErrorCode, ServerFrame};
use cartable_shared::thread::Thread;
use cartable_sync_server::services::{Clock, ManualClock};
use cartable_sync_server::store::Store;
use cartable_tests::{Account, SyncClient, TestServer, demo, http, login_raw};
use reqwest::{Method, StatusCode};
use serde_json::json;

const HOUR_MS: i64 = 3_600_000;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A server on a manual clock the test moves.
async fn server_at(clock: &Arc<ManualClock>, push_allow: Vec<String>) -> TestServer {
    TestServer::start_with_clock(push_allow, clock.clone()).await.unwrap()
}

async fn me(account: &Account) -> reqwest::Response {
    account.request(Method::GET, "/api/me").send().await.unwrap()
}

async fn me_of(account: &Account) -> Me {
    let resp = me(account).await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// `GET path` as `who`: 200 and its JSON.
async fn get<T: serde::de::DeserializeOwned>(who: &Account, path: &str) -> T {
    let resp = who.request(Method::GET, path).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.json().await.unwrap()
}

async fn error_of(resp: reqwest::Response) -> ErrorBody {
    resp.json().await.expect("an error body")
}

fn group_doc(kind: &str) -> DocId {
    format!("{kind}:{}", demo::GROUP).parse().unwrap()
}

/// Connects a device of `account` and returns the errors it got before the server closed it,
/// or `None` if it was welcomed instead.
async fn refused_sync(server: &TestServer, account: &Account) -> Option<Vec<(ErrorCode, String)>> {
    let mut device = SyncClient::connect(server, Some(&account.cookie), None).await.unwrap();
    assert!(device.closed_by_server().await, "the server closes a blocked device");
    if device.frames.iter().any(|f| matches!(f, ServerFrame::Welcome { .. })) {
        return None;
    }
    Some(device.errors.iter().map(|(_, c, m)| (*c, m.clone())).collect())
}

#[tokio::test]
async fn a_block_period_keeps_students_and_guardians_out_until_it_ends() {
    let clock = Arc::new(ManualClock::new(now_ms()));
    let server = server_at(&clock, Vec::new()).await;
    let admin = Account::demo(&server, "admin").await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let parent = Account::demo(&server, "parent.martin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut lea_device = lea.synced(&server).await.unwrap();
    let put = |who: &Account, body: serde_json::Value| {
        who.request(Method::PUT, "/api/admin/block").json(&body).send()
    };
    // Only administrators, and only a sensible notice.
    let resp = put(&lea, json!({"message": "x"})).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let until = clock.now_ms() + 2 * HOUR_MS;
    for (body, reason) in [
        (json!({"message": "  "}), "empty"),
        (json!({"message": "x", "until_ms": clock.now_ms() - 1}), "past"),
        (json!({"message": "x".repeat(2001)}), "longer"),
    ] {
        let resp = put(&admin, body.clone()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(error_of(resp).await.message.contains(reason), "{body}");
    }
    let none: Option<BlockNotice> = get(&admin, "/api/admin/block").await;
    assert_eq!(none, None);
    assert_eq!(me_of(&lea).await.blocked, None);

    let message = "Rentrée le 1er septembre : l'ENT ouvre à 8 h.";
    let resp = put(&admin, json!({"message": message, "until_ms": until})).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let notice = BlockNotice { message: message.into(), until_ms: Some(until) };
    // Léa's open device is told and closed at once.
    assert!(lea_device.closed_by_server().await);
    assert!(
        lea_device
            .errors
            .iter()
            .any(|(d, c, m)| d.is_none() && *c == ErrorCode::Blocked && m == message),
        "{:?}",
        lea_device.errors
    );
    // Students and guardians see the message instead of the content; teachers do not.
    assert_eq!(me_of(&lea).await.blocked, Some(notice.clone()));
    assert_eq!(me_of(&parent).await.blocked, Some(notice.clone()));
    assert_eq!(me_of(&paul).await.blocked, None);
    assert_eq!(me_of(&admin).await.blocked, None);
    let got: Option<BlockNotice> = get(&admin, "/api/admin/block").await;
    assert_eq!(got, Some(notice.clone()));
    let blocked = refused_sync(&server, &lea).await.expect("no welcome for a blocked student");
    assert_eq!(blocked, vec![(ErrorCode::Blocked, message.to_owned())]);
    assert!(refused_sync(&server, &parent).await.is_some());
    paul.synced(&server).await.expect("a teacher syncs during the block period");
    // Signing in works (the app needs to know who it is to show the message).
    let login: Me =
        login_raw(&server, "lea.martin", demo::ACCOUNTS[0].password).await.json().await.unwrap();
    assert_eq!(login.blocked, Some(notice.clone()));

    // It ends on its own.
    clock.advance(2 * HOUR_MS);
    assert_eq!(me_of(&lea).await.blocked, None);
    lea.synced(&server).await.expect("the block period is over");

    // One without an end lasts until an administrator lifts it.
    let resp = put(&admin, json!({"message": message})).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    clock.advance(24 * HOUR_MS);
    assert!(me_of(&parent).await.blocked.is_some());
    let lift = || admin.request(Method::DELETE, "/api/admin/block").send();
    assert_eq!(lift().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(lift().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(me_of(&parent).await.blocked, None);
    let resp = lea.request(Method::DELETE, "/api/admin/block").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_guest_account_expires_on_its_own_with_its_sessions_and_push_subscriptions() {
    let push = "http://127.0.0.1:9";
    let clock = Arc::new(ManualClock::new(now_ms()));
    let server = server_at(&clock, vec![push.into()]).await;
    let admin = Account::demo(&server, "admin").await.unwrap();
    let create = |body: serde_json::Value| {
        admin.request(Method::POST, "/api/admin/accounts").json(&body).send()
    };
    let expires = clock.now_ms() + HOUR_MS;
    let past = create(json!({"login": "jury", "display_name": "Jury", "role": "staff",
                             "expires_at_ms": clock.now_ms() - 1}))
    .await
    .unwrap();
    assert_eq!(past.status(), StatusCode::BAD_REQUEST);
    let resp = create(json!({"login": "jury", "display_name": "Examinateur", "role": "staff",
                             "password": "mot de passe du jury", "expires_at_ms": expires}))
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: CreatedAccount = resp.json().await.unwrap();
    assert_eq!((created.account.expires_at_ms, created.account.expired), (Some(expires), false));

    let jury = Account::login(&server, "jury", "mot de passe du jury").await.unwrap();
    assert_eq!(jury.me.expires_at_ms, Some(expires));
    let sub = json!({"endpoint": format!("{push}/push/jury"),
                     "keys": {"p256dh": format!("BA{}", "c".repeat(85)), "auth": "CQkJCQkJCQkJCQkJCQkJCQ"},
                     "label": "Tablette"});
    let resp = jury.request(Method::POST, "/api/push/subscriptions").json(&sub).send().await;
    assert_eq!(resp.unwrap().status(), StatusCode::CREATED);
    let mut device = jury.synced(&server).await.unwrap();

    clock.advance(HOUR_MS);
    // The session stops at once; the login is refused with a clear reason.
    assert_eq!(me(&jury).await.status(), StatusCode::UNAUTHORIZED);
    let refused = login_raw(&server, "jury", "mot de passe du jury").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body = error_of(refused).await;
    assert_eq!(body.error, "account_expired");
    assert!(body.message.contains("expired"), "{body:?}");
    // A wrong password is still just a wrong password (no hint that the account exists).
    assert_eq!(login_raw(&server, "jury", "wrong password!").await.status(), 401);
    // The clean-up job closes the device and deletes the sessions and push subscriptions.
    assert!(device.closed_by_server().await);
    let store = Store::open(&server.data_dir().join(cartable_sync_server::DATABASE_FILE)).unwrap();
    let user = "jury".parse().unwrap();
    let left = store
        .read_blocking(|dao| {
            Ok::<_, cartable_sync_server::store::StoreError>((
                dao.sessions_of(&user)?.len(),
                dao.push_subscriptions_of(&user)?.len(),
            ))
        })
        .unwrap();
    assert_eq!(left, (0, 0));
    // Listed as expired.
    let list: AccountList = get(&admin, "/api/admin/accounts").await;
    let jury = list.accounts.iter().find(|a| a.login.as_str() == "jury").unwrap();
    assert_eq!((jury.expires_at_ms, jury.expired), (Some(expires), true));
    let lea = list.accounts.iter().find(|a| a.login.as_str() == "lea.martin").unwrap();
    assert_eq!((lea.expires_at_ms, lea.expired), (None, false));
}

#[tokio::test]
async fn the_year_rollover_archives_class_documents_once_per_label() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut lea_device = lea.synced(&server).await.unwrap();
    let mut paul_device = paul.synced(&server).await.unwrap();
    let (library_id, homework_id) = (group_doc("library"), group_doc("homework"));
    let library: Library = lea_device.read(&library_id).unwrap();
    let homework: Homework = lea_device.read(&homework_id).unwrap();
    assert!(!library.items.is_empty() && !homework.assignments.is_empty());
    let rollover = |who: &Account, label: &str| {
        who.request(Method::POST, "/api/admin/rollover").json(&json!({"label": label})).send()
    };
    assert_eq!(rollover(&lea, "2025-2026").await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(rollover(&admin, "../x").await.unwrap().status(), StatusCode::BAD_REQUEST);

    let resp = rollover(&admin, "2025-2026").await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let report: RolloverReport = resp.json().await.unwrap();
    let group = report.groups.iter().find(|g| g.group.as_str() == demo::GROUP).unwrap();
    assert_eq!(group.library_items as usize, library.items.len());
    assert_eq!(group.assignments as usize, homework.assignments.len());
    assert!(group.students_removed.iter().any(|s| s.as_str() == "lea.martin"));
    // The teacher's device sees the documents emptied live; Léa's loses them.
    paul_device.until_doc::<Library>(&library_id, |l| l.items.is_empty()).await.unwrap();
    paul_device.until_doc::<Homework>(&homework_id, |h| h.assignments.is_empty()).await.unwrap();
    lea_device
        .until("the group's documents are revoked", |c| {
            [&library_id, &homework_id].iter().all(|d| {
                c.frames.iter().any(|f| matches!(f, ServerFrame::Revoked { doc } if doc == *d))
            })
        })
        .await
        .unwrap();
    assert!(me_of(&lea).await.groups.is_empty());
    assert_eq!(me_of(&paul).await.teaches.len(), 1, "teachers stay");
    // Same label again: refused, nothing changes.
    let again = rollover(&admin, "2025-2026").await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // The archive keeps everything, for administrators only.
    let list: ArchiveList = get(&admin, "/api/admin/archives").await;
    assert_eq!(list.archives.len(), 1);
    assert_eq!(list.archives[0].label, "2025-2026");
    let archive: Archive = get(&admin, "/api/admin/archives/2025-2026").await;
    let kept = archive.groups.iter().find(|g| g.group.as_str() == demo::GROUP).unwrap();
    assert_eq!((&kept.library, &kept.homework), (&library, &homework));
    assert!(kept.students.iter().any(|s| s.as_str() == "lea.martin"));
    let missing = admin.request(Method::GET, "/api/admin/archives/1999").send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let as_teacher = paul.request(Method::GET, "/api/admin/archives/2025-2026").send().await;
    assert_eq!(as_teacher.unwrap().status(), StatusCode::FORBIDDEN);
    // The archived files stay downloadable by an administrator, no longer by the student.
    let sha = &library.items.values().next().unwrap().sha256;
    let file = format!("/files/{sha}");
    assert_eq!(admin.request(Method::GET, &file).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(lea.request(Method::GET, &file).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn a_user_downloads_everything_held_about_them() {
    let server = TestServer::start().await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let resp = lea.request(Method::GET, "/api/me/export").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment;") && disposition.contains(".json"));
    let text = resp.text().await.unwrap();
    assert!(!text.contains("argon2") && !text.contains(&lea.cookie), "no secret in the export");
    let export: UserExport = serde_json::from_str(&text).unwrap();
    assert_eq!(export.account.login.as_str(), "lea.martin");
    assert_eq!(export.groups.iter().map(|g| g.as_str()).collect::<Vec<_>>(), [demo::GROUP]);
    assert_eq!(export.guardians.iter().map(|g| g.as_str()).collect::<Vec<_>>(), ["parent.martin"]);
    assert!(!export.connections.is_empty(), "the sign-in just made");
    let grades: Grades = serde_json::from_value(export.grades.clone().unwrap()).unwrap();
    assert_eq!(grades.student, "lea.martin");
    assert!(!grades.assessments.is_empty());
    assert!(export.me.is_some());
    let thread: Thread = serde_json::from_value(export.threads[0].clone()).unwrap();
    assert!(thread.participants.iter().any(|p| p == "lea.martin"));

    let ics = lea.request(Method::GET, "/api/me/export.ics").send().await.unwrap();
    assert_eq!(ics.status(), StatusCode::OK);
    assert!(ics.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    assert!(ics.headers()["content-disposition"].to_str().unwrap().contains(".ics"));
    let body = ics.text().await.unwrap();
    assert!(body.starts_with("BEGIN:VCALENDAR") && body.contains("BEGIN:VEVENT"));

    for path in ["/api/me/export", "/api/me/export.ics"] {
        let anonymous = http().get(server.url(path)).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[tokio::test]
async fn deleting_an_account_reaches_every_device_and_keeps_the_others_conversations() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let parent = Account::demo(&server, "parent.martin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut lea_device = lea.synced(&server).await.unwrap();
    let mut parent_device = parent.synced(&server).await.unwrap();
    let mut paul_device = paul.synced(&server).await.unwrap();
    let thread_id: DocId = format!("thread:{}", demo::THREAD).parse().unwrap();
    let grades_id: DocId = "grades:lea.martin".parse().unwrap();
    assert!(parent_device.read::<Grades>(&grades_id).is_some());
    let before: Thread = paul_device.read(&thread_id).unwrap();
    // Her teacher grades her in his gradebook (a draft) first.
    let book_id: DocId = format!("gradebook:{}", demo::GROUP).parse().unwrap();
    let mut book: Gradebook = paul_device.read(&book_id).unwrap();
    let assessment = book.assessments.values_mut().next().expect("a demo assessment");
    let score = Score { score: Some(15.0), comment: String::new() };
    assessment.scores.insert("lea.martin".into(), score);
    paul_device.edit(&book_id, |d| cartable_shared::sync::write(d, &book).unwrap()).await.unwrap();
    paul_device
        .until("the score is stored", |c| c.session.unacked(&book_id).is_empty())
        .await
        .unwrap();
    assert!(paul_device.errors.is_empty(), "{:?}", paul_device.errors);
    let delete = |who: &Account, user: &str| {
        who.request(Method::DELETE, &format!("/api/admin/accounts/{user}")).send()
    };
    assert_eq!(delete(&paul, "lea.martin").await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(delete(&admin, "admin").await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(delete(&admin, "nobody").await.unwrap().status(), StatusCode::NOT_FOUND);

    let resp = delete(&admin, "lea.martin").await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let deleted: AccountDeleted = resp.json().await.unwrap();
    assert_eq!((deleted.documents, deleted.connections, deleted.threads), (2, 1, 1));
    // Her device is closed and her session is gone (the app signs out and wipes on 401).
    assert!(lea_device.closed_by_server().await);
    assert_eq!(me(&lea).await.status(), StatusCode::UNAUTHORIZED);
    let login = login_raw(&server, "lea.martin", demo::ACCOUNTS[0].password).await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    // Her guardian's device drops her grades.
    parent_device
        .until("grades revoked", |c| {
            c.frames.iter().any(|f| matches!(f, ServerFrame::Revoked { doc } if *doc == grades_id))
        })
        .await
        .unwrap();
    // The teacher keeps the conversation, her messages shown as a deleted account's.
    let after = paul_device
        .until_doc::<Thread>(&thread_id, |t| t.participants.iter().any(|p| p == DELETED_AUTHOR))
        .await
        .unwrap();
    assert_eq!(after.messages.len(), before.messages.len());
    assert!(!after.participants.iter().any(|p| p == "lea.martin"));
    assert!(after.messages.iter().all(|m| m.author != "lea.martin"));
    for (b, a) in before.messages.iter().zip(&after.messages) {
        assert_eq!(b.body, a.body);
        let expected = if b.author == "lea.martin" { DELETED_AUTHOR } else { b.author.as_str() };
        assert_eq!(a.author, expected);
    }
    // Her roster entry and scores leave the teacher's gradebook.
    let gradebook = paul_device
        .until_doc::<Gradebook>(&book_id, |b| !b.roster.contains_key("lea.martin"))
        .await
        .unwrap();
    assert!(gradebook.assessments.values().all(|a| !a.scores.contains_key("lea.martin")));
    assert!(!gradebook.roster.is_empty(), "the other students stay");
    // Gone from the administration, and for good (a restart recreates nothing).
    let groups: GroupList = get(&admin, "/api/admin/groups").await;
    assert!(groups.groups.iter().all(|g| g.members.iter().all(|m| m.as_str() != "lea.martin")));
    let dir = server.data_dir().to_path_buf();
    let temp = server.stop().await.unwrap();
    let server = TestServer::start_in(&dir).await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let list: AccountList = get(&admin, "/api/admin/accounts").await;
    assert!(list.accounts.iter().all(|a| a.login.as_str() != "lea.martin"));
    let store = Store::open(&dir.join(cartable_sync_server::DATABASE_FILE)).unwrap();
    let docs = store.read_blocking(|dao| dao.document_ids()).unwrap();
    assert!(!docs.contains(&grades_id) && !docs.iter().any(|d| d.to_string() == "me:lea.martin"));
    drop(temp);
}
