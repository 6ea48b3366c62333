//! Web Push end to end: changes to documents (over `/sync` and the HTTP API) become
//! notifications that the real server encrypts, signs and sends to the fake push service of
//! `tests/fake_push/`, which decrypts them with its own keys and checks the VAPID signature.
//!
//! Demo accounts: `lea.martin` (student of `l2-info-a`), `parent.martin` (her guardian),
//! `paul.durand` (teacher of the group), `vie.scolaire` (staff), `admin`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use automerge::Automerge;
use cartable_shared::announcements::{Announcement, Announcements, Severity};
use cartable_shared::api::{PushSubscriptionList, SessionChange};
use cartable_shared::grades::{Assessment, Grades};
use cartable_shared::homework::{Assignment, Homework};
use cartable_shared::ids::DocId;
use cartable_shared::library::{Library, LibraryItem};
use cartable_shared::me::MyLayer;
use cartable_shared::notify::{Level, QuietHours};
use cartable_shared::thread::{Thread, ThreadMessage};
use cartable_shared::timetable::{SessionStatus, Timetable};
use cartable_sync_server::services::ManualClock;
use cartable_tests::fake_push::{FakePush, FakeSubscription};
use cartable_tests::{Account, SyncClient, TestServer, bounded};
use reqwest::Method;
use serde_json::{Value, json};

const GROUP: &str = "l2-info-a";
const WAIT: Duration = Duration::from_secs(10);
/// After the expected messages arrived: how long to keep watching for unexpected ones.
const SETTLE: Duration = Duration::from_millis(1500);

fn doc(s: &str) -> DocId {
    s.parse().unwrap()
}

struct World {
    fake: FakePush,
    server: TestServer,
}

impl World {
    async fn start() -> World {
        let fake = FakePush::start().await.unwrap();
        let server = TestServer::start_with(vec![fake.origin.clone()]).await.unwrap();
        World { fake, server }
    }

    async fn start_at(clock: Arc<ManualClock>) -> World {
        let fake = FakePush::start().await.unwrap();
        let server = TestServer::start_with_clock(vec![fake.origin.clone()], clock).await.unwrap();
        World { fake, server }
    }

    async fn account(&self, login: &str) -> Account {
        Account::demo(&self.server, login).await.unwrap()
    }

    /// The demo accounts signed in: Léa, her guardian, her teacher, the school office, the
    /// administrator.
    async fn everyone(&self) -> [Account; 5] {
        [
            self.account("lea.martin").await,
            self.account("parent.martin").await,
            self.account("paul.durand").await,
            self.account("vie.scolaire").await,
            self.account("admin").await,
        ]
    }

    /// A device of `account` at the fake push service, registered with the server.
    async fn device(&self, account: &Account) -> FakeSubscription {
        let sub = self.fake.subscribe().await.unwrap();
        let body = json!({"endpoint": sub.endpoint, "keys": sub.keys, "label": "test"});
        let resp = bounded(
            "register device",
            account.request(Method::POST, "/api/push/subscriptions").json(&body).send(),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap_or_default());
        sub
    }

    /// The messages of `sub`, once `n` of them arrived (bounded).
    async fn messages(&self, sub: &FakeSubscription, n: usize) -> Vec<Value> {
        self.fake.wait_messages(Some(sub), WAIT, |m| m.len() >= n).await.unwrap()
    }
}

/// Every message of `sub` so far.
async fn now_messages(fake: &FakePush, sub: &FakeSubscription) -> Vec<Value> {
    fake.messages(Some(sub)).await.unwrap()
}

fn categories(messages: &[Value]) -> Vec<&str> {
    messages.iter().map(|m| m["payload"]["category"].as_str().unwrap_or("?")).collect()
}

/// The categories of `messages`, sorted: the sender sends the deliveries of different events
/// concurrently, so events made in quick succession may arrive in any order.
fn sorted_categories(messages: &[Value]) -> Vec<&str> {
    let mut c = categories(messages);
    c.sort_unstable();
    c
}

/// The message of `category` about `session` (found by its deep link, not by arrival order).
fn about<'a>(messages: &'a [Value], category: &str, session: &str) -> &'a Value {
    let url = format!("/?view=week&session={session}");
    messages
        .iter()
        .find(|m| m["payload"]["category"] == category && m["payload"]["url"] == url.as_str())
        .unwrap_or_else(|| panic!("no {category} about {session} in {messages:#?}"))
}

/// A change over the HTTP API, as the teacher.
async fn change_session(paul: &Account, session: &str, change: &SessionChange) {
    let path = format!("/api/timetable/{GROUP}/sessions/{session}");
    let resp = bounded("change session", paul.request(Method::POST, &path).json(change).send())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resp.status(), 200);
}

/// Scheduled sessions starting after `after_ms`, by start.
async fn future_sessions(server: &TestServer, paul: &Account, after_ms: i64) -> Vec<(String, i64)> {
    let client = paul.synced(server).await.unwrap();
    let t: Timetable = client.read(&doc(&format!("timetable:{GROUP}"))).unwrap();
    let mut out: Vec<(String, i64)> = t
        .sessions
        .iter()
        .filter(|(_, s)| s.status == SessionStatus::Scheduled && s.start_ms > after_ms)
        .map(|(id, s)| (id.clone(), s.start_ms))
        .collect();
    out.sort_by_key(|(_, start)| *start);
    out
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Applies a typed edit over `/sync` and waits until the server acknowledged it.
async fn write<T>(client: &mut SyncClient, id: &DocId, f: impl FnOnce(&mut T))
where
    T: autosurgeon::Hydrate + autosurgeon::Reconcile + Default,
{
    let mut value: T = client.read(id).unwrap_or_default();
    f(&mut value);
    client
        .edit(id, |d: &mut Automerge| cartable_shared::sync::write(d, &value).unwrap())
        .await
        .unwrap();
    client
        .until(&format!("{id} acknowledged"), |c| c.session.unacked(id).is_empty())
        .await
        .unwrap();
    assert!(client.errors.is_empty(), "{:?}", client.errors);
}

/// Sets the notification level (and quiet hours) in the user's `me` document.
async fn set_notifications(
    server: &TestServer,
    account: &Account,
    level: Level,
    quiet: Option<QuietHours>,
) {
    let mut client = account.synced(server).await.unwrap();
    let me = DocId::me(&account.me.user);
    write::<MyLayer>(&mut client, &me, |m| {
        m.notifications.level = level;
        m.notifications.quiet_hours = quiet;
    })
    .await;
}

#[tokio::test]
async fn session_changes_reach_the_groups_readers_never_the_author_nor_mere_role_readers() {
    let w = World::start().await;
    let [lea, parent, paul, staff, admin] = w.everyone().await;
    let lea_phone = w.device(&lea).await;
    let lea_laptop = w.device(&lea).await;
    let parent_phone = w.device(&parent).await;
    let paul_phone = w.device(&paul).await;
    let staff_phone = w.device(&staff).await;
    let admin_phone = w.device(&admin).await;

    let sessions = future_sessions(&w.server, &paul, now_ms() + 3 * 86_400_000).await;
    let (s1, s2, s3) = (&sessions[0].0, &sessions[1].0, &sessions[2].0);
    change_session(&paul, s1, &SessionChange::Cancel { note: Some("malade".into()) }).await;
    let got = w.messages(&lea_phone, 1).await;
    let m = &got[0];
    assert_eq!(m["decrypted"], true, "{m:#}");
    assert_eq!(m["vapid"]["valid"], true, "{m:#}");
    assert_eq!(m["payload"]["category"], "class_cancelled");
    assert!(m["payload"]["title"].as_str().unwrap().starts_with("Cours annulé · "), "{m:#}");
    assert!(m["payload"]["texts"]["en"]["title"].as_str().unwrap().starts_with("Class cancelled"));
    assert_eq!(m["payload"]["url"], format!("/?view=week&session={s1}"));
    assert_eq!(m["headers"]["urgency"], "high", "essential category");
    assert_eq!(m["headers"]["content_encoding"], "aes128gcm");
    let topic = m["headers"]["topic"].as_str().unwrap();
    assert_eq!(topic, m["payload"]["tag"].as_str().unwrap());
    assert!(topic.len() <= 32);
    let ttl: i64 = m["headers"]["ttl"].as_str().unwrap().parse().unwrap();
    assert!(ttl > 0 && ttl <= 2 * 86_400, "{ttl}");

    // Room change then move of other sessions; a later move of the first one keeps its topic.
    change_session(
        &paul,
        s2,
        &SessionChange::ChangeRoom { rooms: vec!["C003".into()], note: None },
    )
    .await;
    let later = sessions[3].1 + 86_400_000;
    let moved = SessionChange::Move { start_ms: later, end_ms: later + 3_600_000, note: None };
    change_session(&paul, s3, &moved).await;
    change_session(&paul, s1, &moved).await;
    let lea_got = w.messages(&lea_phone, 4).await;
    let expected = ["class_cancelled", "class_moved", "class_moved", "room_changed"];
    assert_eq!(sorted_categories(&lea_got), expected);
    let room = about(&lea_got, "room_changed", s2);
    assert_eq!(room["headers"]["urgency"], "normal");
    assert!(room["payload"]["body"].as_str().unwrap().contains("C003"));
    // The move of the cancelled session is news of that session: the same topic, so it
    // replaces the cancellation at the push service and on the device.
    let cancelled = about(&lea_got, "class_cancelled", s1);
    assert_eq!(
        about(&lea_got, "class_moved", s1)["headers"]["topic"],
        cancelled["headers"]["topic"]
    );
    assert_ne!(
        about(&lea_got, "class_moved", s3)["headers"]["topic"],
        cancelled["headers"]["topic"]
    );
    let parent_got = w.messages(&parent_phone, 4).await;
    assert_eq!(sorted_categories(&parent_got), expected);
    let laptop = w.messages(&lea_laptop, 4).await;
    assert_eq!(laptop.len(), 4, "every device of a reader");

    tokio::time::sleep(SETTLE).await;
    for (who, sub) in
        [("paul (author)", &paul_phone), ("staff", &staff_phone), ("admin", &admin_phone)]
    {
        let got = now_messages(&w.fake, sub).await;
        assert!(got.is_empty(), "{who} got {got:#?}");
    }
    assert_eq!(now_messages(&w.fake, &lea_phone).await.len(), 4, "nothing twice");
}

#[tokio::test]
async fn grades_homework_documents_announcements_and_messages_reach_exactly_their_readers() {
    let w = World::start().await;
    let [lea, parent, paul, staff, _] = w.everyone().await;
    // Léa wants everything; her guardian keeps the default (intermediate).
    set_notifications(&w.server, &lea, Level::Complete, None).await;
    let lea_phone = w.device(&lea).await;
    let parent_phone = w.device(&parent).await;
    let paul_phone = w.device(&paul).await;
    let staff_phone = w.device(&staff).await;

    let mut p = paul.synced(&w.server).await.unwrap();
    // A published grade of Léa (no score on the lock screen).
    let subject = "Algorithmique".to_owned();
    write::<Grades>(&mut p, &doc("grades:lea.martin"), |g| {
        g.assessments.insert(
            "push-test-grade".into(),
            Assessment {
                subject: subject.clone(),
                title: "Contrôle surprise".into(),
                date_ms: now_ms(),
                score: Some(17.25),
                out_of: 20.0,
                coefficient: 1.0,
                comment: Some("Très bien".into()),
                author: "paul.durand".into(),
                published_ms: Some(now_ms()),
            },
        );
    })
    .await;
    let got = w.messages(&lea_phone, 1).await;
    assert_eq!(got[0]["payload"]["category"], "grade_published");
    assert_eq!(got[0]["payload"]["url"], "/?view=grades&assessment=push-test-grade");
    let text = got[0]["payload"].to_string();
    assert!(!text.contains("17.25") && !text.contains("Très bien"), "{text}");
    assert_eq!(w.messages(&parent_phone, 1).await[0]["payload"]["category"], "grade_published");

    // New homework and a new course document: complete level only (Léa, not her guardian).
    write::<Homework>(&mut p, &doc(&format!("homework:{GROUP}")), |h| {
        h.assignments.insert(
            "push-test-hw".into(),
            Assignment {
                subject: subject.clone(),
                title: "TP 4".into(),
                text: "Finir le TP".into(),
                set_on_ms: now_ms(),
                due_ms: now_ms() + 7 * 86_400_000,
                attachments: vec![],
                hand_in: true,
                author: "paul.durand".into(),
            },
        );
    })
    .await;
    write::<Library>(&mut p, &doc(&format!("library:{GROUP}")), |l| {
        l.items.insert(
            "push-test-doc".into(),
            LibraryItem {
                title: "Cours 5".into(),
                subject: subject.clone(),
                kind: "slides".into(),
                language: "fr".into(),
                size: 1234,
                sha256: "ab".repeat(32),
                added_ms: now_ms(),
                author: "paul.durand".into(),
            },
        );
    })
    .await;
    let got = w.messages(&lea_phone, 3).await;
    assert_eq!(sorted_categories(&got), ["grade_published", "new_document", "new_homework"]);

    // An alert from the school office: every holder of `announcements:<group>`, not its author.
    let mut s = staff.synced(&w.server).await.unwrap();
    write::<Announcements>(&mut s, &doc(&format!("announcements:{GROUP}")), |a| {
        a.items.insert(
            "push-test-alert".into(),
            Announcement {
                title: "Alerte incendie".into(),
                body: "Évacuation".into(),
                severity: Severity::Alert,
                visible_from_ms: 0,
                visible_until_ms: None,
                ack_required: true,
                author: "vie.scolaire".into(),
            },
        );
    })
    .await;
    let got = w.messages(&lea_phone, 4).await;
    assert_eq!(got[3]["payload"]["category"], "announcement_alert");
    assert_eq!(got[3]["headers"]["urgency"], "high");
    let parent_got = w.messages(&parent_phone, 2).await;
    assert_eq!(sorted_categories(&parent_got), ["announcement_alert", "grade_published"]);
    let paul_got = w.messages(&paul_phone, 1).await;
    assert_eq!(categories(&paul_got), ["announcement_alert"], "paul teaches the group");

    // Léa writes in the demo thread: Paul is told who wrote, not what.
    let mut l = lea.synced(&w.server).await.unwrap();
    write::<Thread>(&mut l, &doc(&format!("thread:{}", cartable_tests::demo::THREAD)), |t| {
        t.messages.push(ThreadMessage {
            id: "push-test-msg".into(),
            author: "lea.martin".into(),
            sent_ms: now_ms(),
            body: "Mon secret".into(),
        });
    })
    .await;
    let paul_got = w.messages(&paul_phone, 2).await;
    assert_eq!(paul_got[1]["payload"]["category"], "new_message");
    assert!(paul_got[1]["payload"]["title"].as_str().unwrap().contains("Léa"), "{:#}", paul_got[1]);
    assert!(!paul_got[1]["payload"].to_string().contains("Mon secret"));
    assert_eq!(
        paul_got[1]["payload"]["url"],
        format!("/?view=messages&thread={}", cartable_tests::demo::THREAD)
    );

    tokio::time::sleep(SETTLE).await;
    assert_eq!(now_messages(&w.fake, &lea_phone).await.len(), 4, "not her own message");
    assert_eq!(now_messages(&w.fake, &parent_phone).await.len(), 2);
    assert_eq!(now_messages(&w.fake, &paul_phone).await.len(), 2, "none of his own changes");
    assert!(now_messages(&w.fake, &staff_phone).await.is_empty(), "none of her own alert");
}

#[tokio::test]
async fn a_new_thread_notifies_the_other_participants() {
    let w = World::start().await;
    let (lea, paul) = (w.account("lea.martin").await, w.account("paul.durand").await);
    let lea_phone = w.device(&lea).await;
    let paul_phone = w.device(&paul).await;
    let body = json!({"subject": "Stage", "participants": ["paul.durand"], "body": "Bonjour"});
    let resp = bounded("thread", lea.request(Method::POST, "/api/threads").json(&body).send())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resp.status(), 201);
    let got = w.messages(&paul_phone, 1).await;
    assert_eq!(got[0]["payload"]["category"], "new_message");
    assert_eq!(got[0]["payload"]["body"], "Stage");
    tokio::time::sleep(SETTLE).await;
    assert!(now_messages(&w.fake, &lea_phone).await.is_empty());
}

async fn devices_of(account: &Account) -> usize {
    let list: PushSubscriptionList =
        bounded("list devices", account.request(Method::GET, "/api/push/subscriptions").send())
            .await
            .unwrap()
            .unwrap()
            .json()
            .await
            .unwrap();
    list.subscriptions.len()
}

#[tokio::test]
async fn a_404_or_410_deletes_the_subscription_and_a_429_is_retried_after_retry_after() {
    let w = World::start().await;
    let (lea, parent, paul) = (
        w.account("lea.martin").await,
        w.account("parent.martin").await,
        w.account("paul.durand").await,
    );
    let gone = w.device(&lea).await;
    let missing = w.device(&lea).await;
    let busy = w.device(&parent).await;
    w.fake.expire(&gone).await.unwrap();
    w.fake.script(&missing, json!([{"status": 404}])).await.unwrap();
    w.fake.script(&busy, json!([{"status": 429, "retry_after": 1}])).await.unwrap();
    assert_eq!(devices_of(&lea).await, 2);

    let sessions = future_sessions(&w.server, &paul, now_ms() + 3 * 86_400_000).await;
    change_session(&paul, &sessions[0].0, &SessionChange::Cancel { note: None }).await;

    let got = w.messages(&busy, 1).await;
    assert_eq!(got[0]["payload"]["category"], "class_cancelled");
    let attempts = w.fake.attempts(Some(&busy)).await.unwrap();
    let statuses: Vec<i64> = attempts.iter().map(|a| a["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [429, 201]);
    let waited =
        attempts[1]["received_at"].as_f64().unwrap() - attempts[0]["received_at"].as_f64().unwrap();
    assert!(waited >= 0.9, "retried after Retry-After (1 s), not before: {waited}");

    // Both of Léa's devices are deleted once their push service says so.
    let deadline = tokio::time::Instant::now() + WAIT;
    while devices_of(&lea).await > 0 {
        assert!(tokio::time::Instant::now() < deadline, "subscriptions not deleted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let statuses =
        |a: Vec<Value>| a.iter().map(|a| a["status"].as_i64().unwrap()).collect::<Vec<_>>();
    assert_eq!(statuses(w.fake.attempts(Some(&gone)).await.unwrap()), [410]);
    assert_eq!(statuses(w.fake.attempts(Some(&missing)).await.unwrap()), [404]);

    // Nothing more is sent to them.
    change_session(&paul, &sessions[1].0, &SessionChange::Cancel { note: None }).await;
    w.messages(&busy, 2).await;
    tokio::time::sleep(SETTLE).await;
    assert_eq!(w.fake.attempts(Some(&gone)).await.unwrap().len(), 1);
    assert_eq!(w.fake.attempts(Some(&missing)).await.unwrap().len(), 1);
    assert_eq!(now_messages(&w.fake, &busy).await.len(), 2, "each event once");
}

#[tokio::test]
async fn an_endpoint_allowed_once_is_not_called_after_the_operator_removes_it() {
    let w = World::start().await;
    let lea = w.account("lea.martin").await;
    let phone = w.device(&lea).await;
    let dir = w.server.data_dir().to_path_buf();
    let temp = w.server.stop().await.unwrap();
    // Restarted without --push-allow: the stored subscription stays, but is never called.
    let strict = TestServer::start_in(&dir).await.unwrap();
    let paul = Account::demo(&strict, "paul.durand").await.unwrap();
    let sessions = future_sessions(&strict, &paul, now_ms() + 3 * 86_400_000).await;
    change_session(&paul, &sessions[0].0, &SessionChange::Cancel { note: None }).await;
    tokio::time::sleep(SETTLE + SETTLE).await;
    assert!(w.fake.attempts(Some(&phone)).await.unwrap().is_empty());
    drop(strict);
    drop(temp);
}

#[tokio::test]
async fn reminders_reach_the_groups_readers_and_only_staff_or_its_teachers_may_post() {
    let w = World::start().await;
    let [lea, parent, paul, staff, admin] = w.everyone().await;
    let lea_phone = w.device(&lea).await;
    let parent_phone = w.device(&parent).await;
    let paul_phone = w.device(&paul).await;
    let post = |who: &Account, body: Value| {
        let req = who.request(Method::POST, "/api/reminders").json(&body);
        async move { bounded("reminder", req.send()).await.unwrap().unwrap() }
    };
    let ok = json!({"group": GROUP, "text": "Rendez vos livres avant vendredi"});
    assert_eq!(post(&lea, ok.clone()).await.status(), 403, "a student may not");
    assert_eq!(post(&parent, ok.clone()).await.status(), 403, "a guardian may not");
    let other = json!({"group": "l3-info-b", "text": "x"});
    assert_eq!(post(&paul, other.clone()).await.status(), 403, "not a group he teaches");
    assert_eq!(post(&admin, other).await.status(), 404, "no such group");
    assert_eq!(post(&staff, json!({"group": GROUP, "text": "  "})).await.status(), 400);
    assert_eq!(post(&staff, json!({"group": GROUP, "text": "x".repeat(201)})).await.status(), 400);
    assert_eq!(post(&staff, json!({"group": GROUP})).await.status(), 422, "no text");

    let resp = post(&paul, ok).await;
    assert_eq!(resp.status(), 201);
    let got = w.messages(&lea_phone, 1).await;
    assert_eq!(got[0]["payload"]["category"], "library_reminder");
    assert_eq!(got[0]["payload"]["body"], "Rendez vos livres avant vendredi");
    w.messages(&parent_phone, 1).await;
    tokio::time::sleep(SETTLE).await;
    assert!(now_messages(&w.fake, &paul_phone).await.is_empty(), "not its author");
    assert_eq!(now_messages(&w.fake, &lea_phone).await.len(), 1, "the refused ones sent nothing");
}

/// 2026-11-25 (a Wednesday) at `h:m` in Paris (UTC+1 in November), UTC milliseconds.
fn paris(day: u32, h: u32, m: u32) -> i64 {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(2026, 11, day, h - 1, m, 0).unwrap().timestamp_millis()
}

#[tokio::test]
async fn quiet_hours_hold_back_what_is_not_urgent_and_send_one_summary_when_they_end() {
    let clock = Arc::new(ManualClock::new(paris(25, 23, 0)));
    let w = World::start_at(clock.clone()).await;
    let (lea, paul) = (w.account("lea.martin").await, w.account("paul.durand").await);
    let quiet = QuietHours { start_min: 22 * 60, end_min: 7 * 60, zone: "Europe/Paris".into() };
    set_notifications(&w.server, &lea, Level::Intermediate, Some(quiet)).await;
    let phone = w.device(&lea).await;

    let far = future_sessions(&w.server, &paul, clock_now(&clock) + 3 * 86_400_000).await;
    change_session(&paul, &far[0].0, &SessionChange::Cancel { note: None }).await;
    let rooms = SessionChange::ChangeRoom { rooms: vec!["D201".into()], note: None };
    change_session(&paul, &far[1].0, &rooms).await;
    // A class moved to 08:00 tomorrow (within 12 hours) is urgent: it passes.
    let soon = paris(26, 8, 0);
    let urgent = SessionChange::Move { start_ms: soon, end_ms: soon + 3_600_000, note: None };
    change_session(&paul, &far[2].0, &urgent).await;
    let got = w.messages(&phone, 1).await;
    assert_eq!(categories(&got), ["class_moved"]);
    tokio::time::sleep(SETTLE).await;
    assert_eq!(now_messages(&w.fake, &phone).await.len(), 1, "the rest is held");

    // 07:01: the quiet hours are over, one summary of the two held notifications.
    clock.advance(paris(26, 7, 1) - paris(25, 23, 0));
    let got = w.messages(&phone, 2).await;
    let summary = &got[1]["payload"];
    assert_eq!(summary["category"], "quiet_hours_summary");
    assert_eq!(summary["title"], "2 notifications pendant les heures calmes");
    let body = summary["body"].as_str().unwrap();
    assert!(body.contains("Cours annulé") && body.contains("Changement de salle"), "{body}");
    assert_eq!(summary["texts"]["en"]["title"], "2 notifications during quiet hours");
    tokio::time::sleep(SETTLE).await;
    assert_eq!(now_messages(&w.fake, &phone).await.len(), 2, "one summary, once");
}

fn clock_now(clock: &ManualClock) -> i64 {
    use cartable_sync_server::services::Clock;
    clock.now_ms()
}

#[tokio::test]
async fn a_scheduled_announcement_is_notified_once_when_it_shows_and_not_before() {
    let clock = Arc::new(ManualClock::new(paris(25, 9, 0)));
    let w = World::start_at(clock.clone()).await;
    let (lea, staff) = (w.account("lea.martin").await, w.account("vie.scolaire").await);
    let phone = w.device(&lea).await;
    // 9:00:30: the job (every minute of the server's clock) has not looked yet, so the one
    // visible from 9:00:10 is both notified when written and in its first window: once only.
    let at = clock_now(&clock);
    clock.advance(30_000);
    let announcement = |title: &str, visible_from_ms: i64| Announcement {
        title: title.into(),
        body: "…".into(),
        severity: Severity::Warning,
        visible_from_ms,
        visible_until_ms: None,
        ack_required: false,
        author: "vie.scolaire".into(),
    };
    let mut s = staff.synced(&w.server).await.unwrap();
    write::<Announcements>(&mut s, &doc(&format!("announcements:{GROUP}")), |a| {
        a.items.insert("now".into(), announcement("Visible tout de suite", at + 10_000));
        a.items.insert("later".into(), announcement("Réunion à 10 h", at + 30 * 60_000));
        a.items.insert(
            "over".into(),
            Announcement {
                visible_until_ms: Some(at + 20 * 60_000),
                ..announcement("Déjà finie", at + 10 * 60_000)
            },
        );
    })
    .await;
    let is_ours = |m: &Value| m["payload"]["category"] == "announcement_warning";
    let url = |m: &Value| m["payload"]["url"].as_str().unwrap_or_default().to_owned();
    let got = w.fake.wait_messages(Some(&phone), WAIT, |m| m.iter().any(is_ours)).await.unwrap();
    let ours: Vec<String> = got.iter().filter(|m| is_ours(m)).map(url).collect();
    assert_eq!(ours, ["/?view=announcements&announcement=now"], "only the visible one, at once");

    // A few job runs before it shows: nothing (not even the one visible from 9:10 to 9:20,
    // which is over when the job looks at 9:21).
    clock.advance(20 * 60_000 + 30_000);
    tokio::time::sleep(SETTLE).await;
    clock.advance(2 * 60_000);
    tokio::time::sleep(SETTLE).await;
    let ours: Vec<String> =
        now_messages(&w.fake, &phone).await.iter().filter(|m| is_ours(m)).map(url).collect();
    assert_eq!(ours.len(), 1, "{ours:?}");

    // 10:01: it shows, and is notified once; later runs add nothing, nor repeat the first.
    clock.advance(8 * 60_000);
    let got = w
        .fake
        .wait_messages(Some(&phone), WAIT, |m| m.iter().filter(|m| is_ours(m)).count() >= 2)
        .await
        .unwrap();
    let ours: Vec<String> = got.iter().filter(|m| is_ours(m)).map(url).collect();
    assert_eq!(ours[1], "/?view=announcements&announcement=later", "{ours:?}");
    for _ in 0..2 {
        clock.advance(2 * 60_000);
        tokio::time::sleep(SETTLE).await;
    }
    let ours: Vec<String> =
        now_messages(&w.fake, &phone).await.iter().filter(|m| is_ours(m)).map(url).collect();
    assert_eq!(ours.len(), 2, "each once: {ours:?}");
}

#[tokio::test]
async fn homework_due_tomorrow_and_not_done_is_reminded_once_per_student() {
    // Wednesday 17:00 in Paris: homework due on Thursday is "due tomorrow".
    let clock = Arc::new(ManualClock::new(paris(25, 17, 0)));
    let w = World::start_at(clock.clone()).await;
    let (lea, paul) = (w.account("lea.martin").await, w.account("paul.durand").await);
    let phone = w.device(&lea).await;
    let mut p = paul.synced(&w.server).await.unwrap();
    let assignment = |title: &str, due_ms: i64| Assignment {
        subject: "Algorithmique".into(),
        title: title.into(),
        text: "…".into(),
        set_on_ms: paris(20, 9, 0),
        due_ms,
        attachments: vec![],
        hand_in: true,
        author: "paul.durand".into(),
    };
    let hw = doc(&format!("homework:{GROUP}"));
    write::<Homework>(&mut p, &hw, |h| {
        h.assignments.insert("due-thursday".into(), assignment("Projet", paris(26, 10, 0)));
        h.assignments.insert("done-thursday".into(), assignment("Fiche", paris(26, 10, 0)));
        h.assignments.insert("due-friday".into(), assignment("Exposé", paris(27, 10, 0)));
    })
    .await;
    let mut l = lea.synced(&w.server).await.unwrap();
    write::<MyLayer>(&mut l, &DocId::me(&lea.me.user), |m| {
        m.homework_done.insert(format!("{GROUP}/done-thursday"), true);
    })
    .await;
    // The job runs every 10 minutes of the server's clock.
    clock.advance(11 * 60_000);
    let is_ours = |m: &Value| {
        m["payload"]["category"] == "homework_due_tomorrow"
            && m["payload"]["url"].as_str().unwrap_or_default().contains("assignment=d")
    };
    let got = w.fake.wait_messages(Some(&phone), WAIT, |m| m.iter().any(is_ours)).await.unwrap();
    let ours: Vec<&Value> = got.iter().filter(|m| is_ours(m)).collect();
    assert_eq!(ours.len(), 1, "{ours:#?}");
    assert_eq!(ours[0]["payload"]["url"], "/?view=homework&assignment=due-thursday");
    assert!(ours[0]["payload"]["title"].as_str().unwrap().starts_with("À rendre demain"));
    // Later runs remind nothing again.
    clock.advance(11 * 60_000);
    tokio::time::sleep(SETTLE).await;
    clock.advance(11 * 60_000);
    tokio::time::sleep(SETTLE).await;
    let all = now_messages(&w.fake, &phone).await;
    assert_eq!(all.iter().filter(|m| is_ours(m)).count(), 1, "{all:#?}");
    let by_url: BTreeMap<String, usize> = all.iter().fold(BTreeMap::new(), |mut acc, m| {
        *acc.entry(m["payload"]["url"].to_string()).or_default() += 1;
        acc
    });
    assert!(by_url.values().all(|n| *n == 1), "every reminder once: {by_url:?}");
}
