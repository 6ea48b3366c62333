//! The teacher's gradebook and its publication at a set time, on the real server: the
//! `gradebook:<group>` document never reaches a student; an assessment scheduled for later is
//! not in the students' `grades:<student>` before its time and is there after (the server's
//! manual clock is moved), with exactly one `grade_published` push per student device (fake
//! push service); a restart in the middle of a publication notifies nobody twice.
//!
//! Demo accounts: `lea.martin` (student of `l2-info-a`), `parent.martin` (her guardian),
//! `paul.durand` (teacher of the group: Algorithmique, Programmation fonctionnelle), `admin`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use automerge::Automerge;
use automerge::sync::SyncDoc;
use cartable_shared::gradebook::{Gradebook, GradebookAssessment, Score, grade_key};
use cartable_shared::grades::Grades;
use cartable_shared::ids::DocId;
use cartable_shared::protocol::{ClientFrame, ErrorCode, ServerFrame};
use cartable_sync_server::services::{Clock, ManualClock};
use cartable_tests::fake_push::{FakePush, FakeSubscription};
use cartable_tests::{Account, SyncClient, TestServer, bounded};
use reqwest::Method;
use serde_json::{Value, json};

const GROUP: &str = "l2-info-a";
const WAIT: Duration = Duration::from_secs(10);
/// After the expected messages arrived: how long to keep watching for unexpected ones.
const SETTLE: Duration = Duration::from_millis(2500);
/// Longer than the publisher's poll of the clock (one second), to show that nothing happens.
const NOT_YET: Duration = Duration::from_millis(2500);
const HOUR: i64 = 3_600_000;

fn doc(s: &str) -> DocId {
    s.parse().unwrap()
}

fn book_id() -> DocId {
    doc(&format!("gradebook:{GROUP}"))
}

fn wall_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A device of `account` registered at the fake push service.
async fn device(server: &TestServer, fake: &FakePush, account: &Account) -> FakeSubscription {
    let sub = fake.subscribe().await.unwrap();
    let body = json!({"endpoint": sub.endpoint, "keys": sub.keys, "label": "test"});
    let resp = bounded(
        "register device",
        account.request(Method::POST, "/api/push/subscriptions").json(&body).send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        resp.status(),
        201,
        "{} ({})",
        resp.text().await.unwrap_or_default(),
        server.url("")
    );
    sub
}

fn grade_messages(messages: &[Value]) -> Vec<&Value> {
    messages.iter().filter(|m| m["payload"]["category"] == "grade_published").collect()
}

/// An assessment of Paul's with Léa's and Lucas's scores.
fn assessment(publish_at_ms: Option<i64>) -> GradebookAssessment {
    GradebookAssessment {
        subject: "Algorithmique".into(),
        title: "Contrôle 3 — graphes".into(),
        date_ms: wall_ms(),
        out_of: 20.0,
        coefficient: 2.0,
        author: "paul.durand".into(),
        publish_at_ms,
        published_ms: None,
        scores: BTreeMap::from([
            ("lea.martin".into(), Score { score: Some(15.5), comment: "Bon travail".into() }),
            ("lucas.petit".into(), Score { score: None, comment: "Absent".into() }),
        ]),
    }
}

/// Writes the gradebook over `/sync` and waits for the acknowledgement (or a refusal).
async fn write_book(client: &mut SyncClient, f: impl FnOnce(&mut Gradebook)) {
    let mut book: Gradebook = client.read(&book_id()).expect("the teacher holds the gradebook");
    f(&mut book);
    let id = book_id();
    client
        .edit(&id, |d: &mut Automerge| cartable_shared::sync::write(d, &book).unwrap())
        .await
        .unwrap();
    client
        .until("the gradebook change is acknowledged or refused", |c| {
            c.session.unacked(&id).is_empty() || !c.errors.is_empty()
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_students_device_never_receives_the_gradebook_and_the_roster_is_the_servers() {
    let server = TestServer::start().await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let parent = Account::demo(&server, "parent.martin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();

    let paul_device = paul.synced(&server).await.unwrap();
    assert!(paul_device.welcome.as_ref().unwrap().contains(&book_id()));
    let book: Gradebook = paul_device.read(&book_id()).unwrap();
    assert_eq!(book.roster.get("lea.martin").map(String::as_str), Some("Léa Martin"));
    assert_eq!(book.roster.len(), 30, "the demo group's students, no one else");
    assert!(!book.roster.contains_key("paul.durand"));

    for account in [&lea, &parent] {
        let mut device = account.synced(&server).await.unwrap();
        assert!(!device.welcome.as_ref().unwrap().contains(&book_id()));
        // Asking for it anyway: refused like a document that does not exist.
        let empty = Automerge::new();
        let msg = empty.generate_sync_message(&mut automerge::sync::State::new()).unwrap();
        let frame = ClientFrame::Sync { doc: book_id(), data: msg.encode() };
        device.send_raw(frame.encode()).await.unwrap();
        device.until("the request is refused", |c| !c.errors.is_empty()).await.unwrap();
        assert_eq!(device.errors[0].0, Some(book_id()));
        assert_eq!(device.errors[0].1, ErrorCode::NotFound);
        device.quiet(Duration::from_millis(300)).await.unwrap();
        assert!(device.session.document(&book_id()).is_none_or(|d| d.get_heads().is_empty()));
        let leaked = device
            .frames
            .iter()
            .any(|f| matches!(f, ServerFrame::Sync { doc, .. } if *doc == book_id()));
        assert!(!leaked, "no sync frame of the gradebook reaches {}", account.me.user);
    }

    // The teacher may not write the roster, nor a score of someone outside it.
    let mut paul_device = paul_device;
    write_book(&mut paul_device, |b| {
        b.roster.insert("intrus".into(), "Intrus".into());
    })
    .await;
    assert_eq!(paul_device.errors.len(), 1, "{:?}", paul_device.errors);
    assert_eq!(paul_device.errors[0].1, ErrorCode::Forbidden);
    let fresh = paul.synced(&server).await.unwrap();
    assert!(!fresh.read::<Gradebook>(&book_id()).unwrap().roster.contains_key("intrus"));
}

#[tokio::test]
async fn the_roster_follows_memberships_changed_by_an_administrator() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut device = paul.synced(&server).await.unwrap();
    let path = format!("/api/groups/{GROUP}/members/lucas.petit");
    let resp =
        bounded("remove", admin.request(Method::DELETE, &path).send()).await.unwrap().unwrap();
    assert_eq!(resp.status(), 204);
    device
        .until_doc(&book_id(), |b: &Gradebook| !b.roster.contains_key("lucas.petit"))
        .await
        .unwrap();
    let resp = bounded("add", admin.request(Method::PUT, &path).send()).await.unwrap().unwrap();
    assert_eq!(resp.status(), 204);
    let book = device
        .until_doc(&book_id(), |b: &Gradebook| b.roster.contains_key("lucas.petit"))
        .await
        .unwrap();
    assert_eq!(book.roster["lucas.petit"], "Lucas Petit");
}

#[tokio::test]
async fn a_deleted_accounts_scores_leave_the_gradebook_with_it() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut device = paul.synced(&server).await.unwrap();
    let book: Gradebook = device.read(&book_id()).unwrap();
    let draft = &book.assessments["algo-controle-3"];
    assert!(draft.scores.contains_key("adam.fournier"), "the demo draft scores him");
    let resp = bounded(
        "delete",
        admin.request(Method::DELETE, "/api/admin/accounts/adam.fournier").send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap_or_default());
    let book = device
        .until_doc(&book_id(), |b: &Gradebook| !b.roster.contains_key("adam.fournier"))
        .await
        .unwrap();
    assert!(!book.assessments["algo-controle-3"].scores.contains_key("adam.fournier"));
    assert_eq!(book.assessments["algo-controle-3"].scores.len(), draft.scores.len() - 1);
}

#[tokio::test]
async fn a_scheduled_assessment_is_published_at_its_time_with_one_push_per_student_device() {
    let clock = Arc::new(ManualClock::new(wall_ms()));
    let fake = FakePush::start().await.unwrap();
    let server =
        TestServer::start_with_clock(vec![fake.origin.clone()], clock.clone()).await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let parent = Account::demo(&server, "parent.martin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let lea_phone = device(&server, &fake, &lea).await;
    let lea_laptop = device(&server, &fake, &lea).await;
    let parent_phone = device(&server, &fake, &parent).await;
    let paul_phone = device(&server, &fake, &paul).await;

    let grades = doc("grades:lea.martin");
    let key = grade_key(GROUP, "ctrl-3");
    let mut lea_device = lea.synced(&server).await.unwrap();
    let mut paul_device = paul.synced(&server).await.unwrap();

    // Refused: a score above the maximum, another teacher's subject, a published_ms of our own.
    for bad in [
        {
            let mut a = assessment(None);
            a.scores.get_mut("lea.martin").unwrap().score = Some(21.0);
            a
        },
        GradebookAssessment { subject: "Réseaux".into(), ..assessment(None) },
        GradebookAssessment { published_ms: Some(wall_ms()), ..assessment(None) },
    ] {
        let mut device = paul.synced(&server).await.unwrap();
        write_book(&mut device, |b| {
            b.assessments.insert("bad".into(), bad);
        })
        .await;
        assert_eq!(device.errors.len(), 1, "{:?}", device.errors);
        assert_eq!(device.errors[0].1, ErrorCode::Forbidden);
    }

    // Scheduled in an hour of the server's clock.
    let publish_at = clock.now_ms() + HOUR;
    write_book(&mut paul_device, |b| {
        b.assessments.insert("ctrl-3".into(), assessment(Some(publish_at)));
    })
    .await;
    assert!(paul_device.errors.is_empty(), "{:?}", paul_device.errors);
    tokio::time::sleep(NOT_YET).await;
    lea_device.quiet(Duration::from_millis(300)).await.unwrap();
    let before: Grades = lea_device.read(&grades).unwrap();
    assert!(!before.assessments.contains_key(&key), "not before its time");
    assert!(grade_messages(&fake.messages(Some(&lea_phone)).await.unwrap()).is_empty());
    let fresh = lea.synced(&server).await.unwrap();
    assert!(!fresh.read::<Grades>(&grades).unwrap().assessments.contains_key(&key));

    // Its time comes: Léa's open device receives it, and each device one push.
    clock.advance(HOUR);
    let got = lea_device.until_doc(&grades, |g: &Grades| g.assessments.contains_key(&key)).await;
    let grade = got.unwrap().assessments[&key].clone();
    assert_eq!((grade.score, grade.out_of, grade.coefficient), (Some(15.5), 20.0, 2.0));
    assert_eq!(grade.comment.as_deref(), Some("Bon travail"));
    assert_eq!(grade.author, "paul.durand");
    let published = grade.published_ms.expect("published");
    assert!(published >= publish_at, "published at the server's time, not before");
    let book = paul_device
        .until_doc(&book_id(), |b: &Gradebook| b.assessments["ctrl-3"].published_ms.is_some())
        .await
        .unwrap();
    assert_eq!(book.assessments["ctrl-3"].published_ms, Some(published));
    for sub in [&lea_phone, &lea_laptop, &parent_phone] {
        // The hour the clock moved may also bring other pushes (the demo's homework due the
        // day after the run's date): the grade's is looked for among them.
        let got =
            fake.wait_messages(Some(sub), WAIT, |m| !grade_messages(m).is_empty()).await.unwrap();
        let m = grade_messages(&got)[0];
        assert_eq!(m["payload"]["category"], "grade_published", "{m:#}");
        assert_eq!(m["decrypted"], true);
        assert_eq!(m["payload"]["url"], format!("/?view=grades&assessment={key}"));
        assert!(!m["payload"].to_string().contains("15.5"), "no score on the lock screen");
    }
    // Lucas was absent: published as an absence (read as the administrator).
    let admin = Account::demo(&server, "admin").await.unwrap();
    let admin_device = admin.synced(&server).await.unwrap();
    let lucas: Grades = admin_device.read(&doc("grades:lucas.petit")).unwrap();
    assert_eq!(lucas.assessments[&key].score, None);
    assert_eq!(lucas.assessments[&key].comment.as_deref(), Some("Absent"));

    // A corrected score is published again: same publication time, no second push.
    write_book(&mut paul_device, |b| {
        let a = b.assessments.get_mut("ctrl-3").unwrap();
        a.scores.get_mut("lea.martin").unwrap().score = Some(16.0);
    })
    .await;
    assert!(paul_device.errors.is_empty(), "{:?}", paul_device.errors);
    let g = lea_device
        .until_doc(&grades, |g: &Grades| g.assessments[&key].score == Some(16.0))
        .await
        .unwrap();
    assert_eq!(g.assessments[&key].published_ms, Some(published));

    tokio::time::sleep(SETTLE).await;
    for sub in [&lea_phone, &lea_laptop, &parent_phone] {
        let all = fake.messages(Some(sub)).await.unwrap();
        assert_eq!(grade_messages(&all).len(), 1, "exactly one push per device: {all:#?}");
    }
    let paul_got = fake.messages(Some(&paul_phone)).await.unwrap();
    assert!(grade_messages(&paul_got).is_empty(), "the author is not notified");
}

#[tokio::test]
async fn a_restart_between_the_two_writes_of_a_publication_notifies_nobody_twice() {
    let start = wall_ms();
    let clock = Arc::new(ManualClock::new(start));
    let fake = FakePush::start().await.unwrap();
    let server =
        TestServer::start_with_clock(vec![fake.origin.clone()], clock.clone()).await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let lea_phone = device(&server, &fake, &lea).await;

    // The state a crash leaves between the publisher's writes: the assessment is due (in an
    // hour of this server's clock, after the restart), Léa's grades already hold it with its
    // publication time (and she was notified), and the gradebook does not say it is published.
    let key = grade_key(GROUP, "ctrl-4");
    let a = assessment(Some(start + HOUR));
    let mut paul_device = paul.synced(&server).await.unwrap();
    write_book(&mut paul_device, |b| {
        b.assessments.insert("ctrl-4".into(), a.clone());
    })
    .await;
    assert!(paul_device.errors.is_empty(), "{:?}", paul_device.errors);
    let first = start - 60_000;
    let mut admin_device = admin.synced(&server).await.unwrap();
    let grades = doc("grades:lea.martin");
    admin_device.until_doc(&grades, |_: &Grades| true).await.unwrap();
    let entry = a.grade_of("lea.martin", first).unwrap();
    let mut g: Grades = admin_device.read(&grades).unwrap();
    g.assessments.insert(key.clone(), entry.clone());
    admin_device
        .edit(&grades, |d: &mut Automerge| cartable_shared::sync::write(d, &g).unwrap())
        .await
        .unwrap();
    admin_device.until("acknowledged", |c| c.session.unacked(&grades).is_empty()).await.unwrap();
    let got = fake.wait_messages(Some(&lea_phone), WAIT, |m| !m.is_empty()).await.unwrap();
    assert_eq!(grade_messages(&got).len(), 1);
    drop((paul_device, admin_device));
    let temp = server.stop().await.unwrap().expect("the first server owns its directory");

    // Restarted later: the publisher finishes the publication.
    let later = Arc::new(ManualClock::new(start + 2 * HOUR));
    let origin = fake.origin.clone();
    let server =
        TestServer::start_configured_at(temp.path(), later, |c| c.push_allow = vec![origin])
            .await
            .unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut paul_device = paul.synced(&server).await.unwrap();
    let book = paul_device
        .until_doc(&book_id(), |b: &Gradebook| b.assessments["ctrl-4"].published_ms.is_some())
        .await
        .unwrap();
    assert_eq!(book.assessments["ctrl-4"].published_ms, Some(first), "the first publication");
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let lea_device = lea.synced(&server).await.unwrap();
    let g: Grades = lea_device.read(&grades).unwrap();
    assert_eq!(g.assessments[&key], entry, "unchanged");
    // Lucas, who had nothing yet, got his entry at this publication.
    let admin = Account::demo(&server, "admin").await.unwrap();
    let lucas: Grades =
        admin.synced(&server).await.unwrap().read(&doc("grades:lucas.petit")).unwrap();
    assert_eq!(lucas.assessments[&key].published_ms, Some(start + 2 * HOUR));

    tokio::time::sleep(SETTLE).await;
    let all = fake.messages(Some(&lea_phone)).await.unwrap();
    assert_eq!(grade_messages(&all).len(), 1, "no second push after the restart: {all:#?}");
    drop(temp);
}
