//! The outbox's rules, run inside store transactions (blocking): the expander turns each stored
//! event into deliveries (who is told, on which devices, now or after the quiet hours), the
//! summary step folds held deliveries into one push per device when quiet hours end, and the
//! due-tomorrow job adds its once-only events.
//!
//! Recipients of an event are the users who may read its document (`Principal::access`) and
//! hold it (it is one of their standing documents, or they take part in the thread), minus its
//! author and the users who hid the session's course from their timetable; only users with a
//! push subscription are considered.

use std::collections::{BTreeSet, HashMap};

use cartable_shared::announcements::Announcements;
use cartable_shared::homework::Homework;
use cartable_shared::ids::{DocId, DocKind, UserId};
use cartable_shared::me::MyLayer;
use cartable_shared::notify::{Category, Decision, NotificationSettings, QuietHours, is_urgent};
use cartable_shared::roles::{Principal, Role};
use chrono::{Duration, TimeZone, Timelike};
use serde::{Deserialize, Serialize};

use super::events::{Event, EventText};
use super::text::DEFAULT_ZONE;
use crate::services::hub::build_document;
use crate::store::{Dao, NewPushEvent, Store, StoreError};

/// Events expanded per transaction.
pub const EXPAND_BATCH: u32 = 64;
/// Items listed in a summary.
const SUMMARY_ITEMS: usize = 3;
/// From this local hour, homework due the next day is reminded.
pub const DUE_REMINDER_HOUR: u32 = 16;

fn zone_of(quiet: Option<&QuietHours>) -> chrono_tz::Tz {
    quiet.and_then(|q| q.zone.parse().ok()).unwrap_or(chrono_tz::Europe::Paris)
}

/// Minutes after local midnight at `now_ms` in `zone`.
pub fn local_minute(now_ms: i64, zone: chrono_tz::Tz) -> u64 {
    let t = zone.timestamp_millis_opt(now_ms).single().unwrap_or_else(|| {
        chrono_tz::UTC.timestamp_millis_opt(now_ms).single().expect("valid").with_timezone(&zone)
    });
    u64::from(t.hour() * 60 + t.minute())
}

/// When the quiet hours that contain `now_ms` end (UTC milliseconds): the next local time
/// `end_min` after now.
pub fn quiet_end(now_ms: i64, quiet: &QuietHours) -> i64 {
    let zone = zone_of(Some(quiet));
    let Some(now) = zone.timestamp_millis_opt(now_ms).single() else { return now_ms };
    let (h, m) = ((quiet.end_min / 60) as u32 % 24, (quiet.end_min % 60) as u32);
    for days in 0..3 {
        let date = now.date_naive() + Duration::days(days);
        let Some(naive) = date.and_hms_opt(h, m, 0) else { continue };
        // A wall time skipped by a DST jump falls back to an hour later.
        let local = zone
            .from_local_datetime(&naive)
            .earliest()
            .or_else(|| zone.from_local_datetime(&(naive + Duration::hours(1))).earliest());
        if let Some(t) = local
            && t.timestamp_millis() > now_ms
        {
            return t.timestamp_millis();
        }
    }
    now_ms + 24 * 3_600_000
}

/// Whether `p` holds `doc` on their devices (it is theirs, not merely readable by their role).
fn holds(p: &Principal, doc: &DocId) -> bool {
    doc.kind() == DocKind::Thread || p.standing_documents().contains(doc)
}

/// What the expander needs of a user's `me` document, cached as JSON in `push_settings` (written
/// with each `me` change that alters it, so that expanding an event never loads a document):
/// their notification settings and the courses they hid. Rows written before the hidden courses
/// were cached read as hiding nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPrefs {
    /// Level, per-category overrides and quiet hours.
    #[serde(flatten)]
    pub notifications: NotificationSettings,
    /// Subjects hidden from the timetable: their session changes are not pushed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_courses: Vec<String>,
}

impl PushPrefs {
    /// The cached prefs of a `me` document's value.
    pub fn of(me: &cartable_shared::me::MyLayer) -> Self {
        Self { notifications: me.notifications.clone(), hidden_courses: me.hidden_courses.clone() }
    }

    /// The JSON stored in the cache.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("prefs serialise")
    }

    /// Whether an event concerns a course this user hid (a session change of that subject).
    fn hides(&self, event: &Event) -> bool {
        matches!(&event.text, EventText::Session { subject, .. }
            if self.hidden_courses.iter().any(|h| h == subject))
    }
}

/// A user's prefs: the cache written with their `me` changes, else read from the document once
/// (and cached), else the defaults.
fn prefs_of(
    dao: &Dao<'_>,
    cache: &mut HashMap<UserId, String>,
    user: &UserId,
) -> Result<PushPrefs, StoreError> {
    if let Some(json) = cache.get(user) {
        return Ok(serde_json::from_str(json).unwrap_or_default());
    }
    let prefs = me_layer(dao, user)?.map(|layer| PushPrefs::of(&layer)).unwrap_or_default();
    let json = prefs.to_json();
    dao.cache_push_settings(user, &json)?;
    cache.insert(user.clone(), json);
    Ok(prefs)
}

/// Expands up to [`EXPAND_BATCH`] events into deliveries; returns how many events it handled.
/// Idempotent: a delivery is unique per (event, device), and an event is marked expanded in
/// the same transaction as its deliveries.
pub fn expand(dao: &Dao<'_>, now_ms: i64) -> Result<usize, StoreError> {
    let events = dao.push_events_to_expand(EXPAND_BATCH)?;
    if events.is_empty() {
        return Ok(0);
    }
    let principals = dao.subscribed_principals()?;
    let devices = dao.subscriptions_by_user()?;
    let mut settings = dao.subscribed_push_settings()?;
    for stored in &events {
        dao.mark_push_event_expanded(stored.id)?;
        let (Ok(mut event), Ok(doc)) =
            (serde_json::from_str::<Event>(&stored.event), stored.doc.parse::<DocId>())
        else {
            tracing::warn!(event = stored.id, "unreadable push event skipped");
            continue;
        };
        if let EventText::Message { from, from_name, .. } = &mut event.text
            && from_name.is_none()
            && let Ok(author) = from.parse::<UserId>()
            && let Some(row) = dao.user(&author)?
        {
            *from_name = Some(row.display_name);
            let json = serde_json::to_string(&event).expect("events serialise");
            dao.set_push_event(stored.id, &json)?;
        }
        let participants =
            if doc.kind() == DocKind::Thread { dao.thread_participants(&doc)? } else { Vec::new() };
        let listed: Option<Vec<UserId>> = stored
            .recipients
            .as_deref()
            .and_then(|r| serde_json::from_str::<Vec<String>>(r).ok())
            .map(|v| v.iter().filter_map(|u| u.parse().ok()).collect());
        let candidates: Vec<&UserId> = match &listed {
            Some(list) => list.iter().collect(),
            None => principals.keys().collect(),
        };
        let urgent =
            event.class.is_some_and(|(start, end)| is_urgent(event.category, start, end, now_ms));
        for user in candidates {
            if stored.author.as_ref() == Some(user) {
                continue;
            }
            let Some(p) = principals.get(user) else { continue };
            if !p.access(&doc, &participants).can_read() || (listed.is_none() && !holds(p, &doc)) {
                continue;
            }
            let prefs = prefs_of(dao, &mut settings, user)?;
            if prefs.hides(&event) {
                continue;
            }
            let s = &prefs.notifications;
            let quiet = s.quiet_hours.as_ref();
            let minute = local_minute(now_ms, zone_of(quiet));
            let (held, due) = match s.decide(event.category, urgent, minute) {
                Decision::Drop => continue,
                Decision::Send => (false, now_ms),
                Decision::Hold => (true, quiet.map_or(now_ms, |q| quiet_end(now_ms, q))),
            };
            for device in devices.get(user).into_iter().flatten() {
                dao.insert_delivery(stored.id, device, held, due, now_ms)?;
            }
        }
    }
    Ok(events.len())
}

/// Folds the held deliveries whose quiet hours have ended into one summary push per device
/// (a new event with one pending delivery); returns how many summaries it made.
pub fn release_summaries(dao: &Dao<'_>, now_ms: i64) -> Result<usize, StoreError> {
    let held = dao.due_held_deliveries(now_ms)?;
    let mut made = 0;
    for group in held.chunk_by(|a, b| a.subscription == b.subscription) {
        let events: Vec<Event> =
            group.iter().filter_map(|h| serde_json::from_str(&h.event).ok()).collect();
        let category = events
            .iter()
            .map(|e| e.category)
            .min_by_key(|c| c.level())
            .unwrap_or(Category::NewMessage);
        let items =
            events.iter().take(SUMMARY_ITEMS).map(|e| (e.category, e.text.clone())).collect();
        let user = &group[0].user;
        let summary = Event {
            category,
            text: EventText::Summary { count: group.len() as u32, items },
            about: format!("summary:{user}"),
            url: cartable_shared::links::DeepLink::Today.url(),
            class: None,
            at_ms: now_ms,
        };
        let row = NewPushEvent {
            doc: DocId::me(user).to_string(),
            author: None,
            event: serde_json::to_string(&summary).expect("events serialise"),
            recipients: Some(vec![user.clone()]),
            dedup: None,
            created_ms: now_ms,
        };
        dao.insert_push_event(&row)?;
        let id = dao.last_insert_id();
        dao.mark_push_event_expanded(id)?;
        dao.insert_delivery(id, &group[0].subscription, false, now_ms, now_ms)?;
        let ids: Vec<i64> = group.iter().map(|h| h.id).collect();
        dao.mark_summarised(&ids, now_ms)?;
        made += 1;
    }
    Ok(made)
}

/// How many `me` documents the due-tomorrow job reads in one read transaction: it holds one
/// of the store's readers for that long, so a school of thousands is read in short turns.
const ME_DOCS_PER_READ: usize = 200;

/// One assignment due tomorrow and the students to remind of it.
struct DueTomorrow {
    doc: DocId,
    id: String,
    assignment: cartable_shared::homework::Assignment,
    students: Vec<UserId>,
}

impl DueTomorrow {
    /// Its key in `me` documents' `homework_done`: `<group>/<assignment>`.
    fn key(&self) -> String {
        format!("{}/{}", self.doc.scope(), self.id)
    }
}

/// The due-tomorrow job: from [`DUE_REMINDER_HOUR`] (local time of [`DEFAULT_ZONE`]), every
/// assignment due the next local day becomes one event per subscribed student of its group
/// who wants these reminders (their level or override) and has not marked it done, once (a
/// dedup key per assignment and student). Returns how many events it added.
///
/// It runs every ten minutes all evening, so what it already did costs nothing again: pairs
/// already reminded are skipped before any `me` document is read. The reading is done in read
/// transactions of [`ME_DOCS_PER_READ`] documents and the events are written in one short
/// write, so that neither the writer nor a reader is held while thousands of students are
/// looked at. (A student who marks the homework done between the reading and the write still
/// gets the reminder.)
pub async fn due_tomorrow(store: &Store, now_ms: i64) -> Result<usize, StoreError> {
    let Some((from, to)) = tomorrow(now_ms) else { return Ok(0) };
    let due = store.read(move |dao| due_tomorrow_to_remind(dao, from, to)).await?;
    let students: BTreeSet<UserId> = due.iter().flat_map(|d| d.students.iter().cloned()).collect();
    if students.is_empty() {
        return Ok(0);
    }
    let students: Vec<UserId> = students.into_iter().collect();
    let mut done: HashMap<UserId, BTreeSet<String>> = HashMap::new();
    for chunk in students.chunks(ME_DOCS_PER_READ) {
        let chunk = chunk.to_vec();
        let read = store
            .read(move |dao| {
                chunk
                    .into_iter()
                    .map(|u| Ok((homework_done(dao, &u)?, u)))
                    .collect::<Result<Vec<_>, StoreError>>()
            })
            .await?;
        done.extend(read.into_iter().map(|(keys, u)| (u, keys)));
    }
    let mut rows = Vec::new();
    for d in &due {
        let key = d.key();
        let a = &d.assignment;
        for user in d.students.iter().filter(|u| !done.get(*u).is_some_and(|k| k.contains(&key))) {
            let event = Event {
                category: Category::HomeworkDueTomorrow,
                text: EventText::Homework {
                    subject: a.subject.clone(),
                    title: a.title.clone(),
                    due_ms: a.due_ms,
                },
                about: format!("{}/{}", d.doc, d.id),
                url: cartable_shared::links::DeepLink::Homework { assignment: Some(d.id.clone()) }
                    .url(),
                class: None,
                at_ms: now_ms,
            };
            rows.push(NewPushEvent {
                doc: d.doc.to_string(),
                author: None,
                event: serde_json::to_string(&event).expect("events serialise"),
                recipients: Some(vec![user.clone()]),
                dedup: Some(due_key(&key, user)),
                created_ms: now_ms,
            });
        }
    }
    if rows.is_empty() {
        return Ok(0);
    }
    store
        .write(move |dao| {
            let mut added = 0;
            for row in &rows {
                if dao.insert_push_event(row)? {
                    added += 1;
                }
            }
            Ok(added)
        })
        .await
}

/// The once-only key of the reminder of `<group>/<assignment>` to `user`.
fn due_key(key: &str, user: &UserId) -> String {
    format!("due:{key}/{user}")
}

/// `[from, to)`: tomorrow in [`DEFAULT_ZONE`], in UTC milliseconds, if it is
/// [`DUE_REMINDER_HOUR`] or later there now.
fn tomorrow(now_ms: i64) -> Option<(i64, i64)> {
    let zone: chrono_tz::Tz = DEFAULT_ZONE.parse().unwrap_or(chrono_tz::Europe::Paris);
    let now = zone.timestamp_millis_opt(now_ms).single()?;
    if now.hour() < DUE_REMINDER_HOUR {
        return None;
    }
    let tomorrow = now.date_naive() + Duration::days(1);
    let bound = |date: chrono::NaiveDate| {
        date.and_hms_opt(0, 0, 0)
            .and_then(|n| zone.from_local_datetime(&n).earliest())
            .map(|t| t.timestamp_millis())
    };
    Some((bound(tomorrow)?, bound(tomorrow + Duration::days(1))?))
}

/// The assignments due in `[from, to)`, each with the subscribed students of its group who
/// want the reminder and were not reminded of it yet.
fn due_tomorrow_to_remind(
    dao: &Dao<'_>,
    from: i64,
    to: i64,
) -> Result<Vec<DueTomorrow>, StoreError> {
    let principals = dao.subscribed_principals()?;
    let settings = dao.subscribed_push_settings()?;
    let wants = |user: &UserId| {
        settings
            .get(user)
            .map_or_else(PushPrefs::default, |json| serde_json::from_str(json).unwrap_or_default())
            .notifications
            .wants(Category::HomeworkDueTomorrow)
    };
    let mut out = Vec::new();
    for doc in dao.document_ids()?.into_iter().filter(|d| d.kind() == DocKind::Homework) {
        let students: Vec<&UserId> = principals
            .values()
            .filter(|p| p.role == Role::Student && p.access(&doc, &[]).can_read())
            .map(|p| &p.user)
            .filter(|u| wants(u))
            .collect();
        if students.is_empty() {
            continue;
        }
        let Some(stored) = dao.load_document(&doc)? else { continue };
        let Ok(am) = build_document(&doc, &stored) else { continue };
        let Ok(Some(homework)) = cartable_shared::sync::read::<Homework>(&am) else { continue };
        for (id, assignment) in
            homework.assignments.into_iter().filter(|(_, a)| a.due_ms >= from && a.due_ms < to)
        {
            let mut due = DueTomorrow { doc: doc.clone(), id, assignment, students: Vec::new() };
            let key = due.key();
            for user in &students {
                if !dao.push_event_dedup_exists(&due_key(&key, user))? {
                    due.students.push((*user).clone());
                }
            }
            if !due.students.is_empty() {
                out.push(due);
            }
        }
    }
    Ok(out)
}

/// The scheduled-announcement job: every announcement whose `visible_from` came in
/// `(since_ms, now_ms]` and that is not over becomes one event for its document's readers (its
/// author excepted), once: written with a later `visible_from`, it was not notified when
/// written (see `events::derive_typed`), and one written visible already was, under the same
/// dedup key. Returns how many events it added.
pub fn announcements_shown(dao: &Dao<'_>, since_ms: i64, now_ms: i64) -> Result<usize, StoreError> {
    let mut added = 0;
    for doc in dao.document_ids()?.into_iter().filter(|d| d.kind() == DocKind::Announcements) {
        let Some(stored) = dao.load_document(&doc)? else { continue };
        let Ok(am) = build_document(&doc, &stored) else { continue };
        let Ok(Some(list)) = cartable_shared::sync::read::<Announcements>(&am) else { continue };
        let shown = list.items.iter().filter(|(_, a)| {
            a.visible_from_ms > since_ms
                && a.visible_from_ms <= now_ms
                && a.visible_until_ms.is_none_or(|until| until > now_ms)
        });
        for (nid, a) in shown {
            let author = a.author.parse::<UserId>().ok();
            let row = super::events::announcement_shown(&doc, nid, a, now_ms)
                .into_new(&doc, author.as_ref());
            if dao.insert_push_event(&row)? {
                added += 1;
            }
        }
    }
    Ok(added)
}

/// The `<group>/<assignment>` keys `user` marked done in their `me` document.
fn homework_done(dao: &Dao<'_>, user: &UserId) -> Result<BTreeSet<String>, StoreError> {
    let layer = me_layer(dao, user)?.unwrap_or_default();
    Ok(layer.homework_done.into_iter().filter(|(_, done)| *done).map(|(key, _)| key).collect())
}

/// `user`'s `me` layer as stored; `None` if it is missing or cannot be read.
fn me_layer(dao: &Dao<'_>, user: &UserId) -> Result<Option<MyLayer>, StoreError> {
    let me = DocId::me(user);
    let Some(stored) = dao.load_document(&me)? else { return Ok(None) };
    Ok(build_document(&me, &stored)
        .ok()
        .and_then(|doc| cartable_shared::sync::read::<MyLayer>(&doc).ok())
        .flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet(start: u64, end: u64) -> QuietHours {
        QuietHours { start_min: start, end_min: end, zone: "Europe/Paris".into() }
    }

    use crate::store::{DeliveryOutcome, NewUser, OutboxWrite, PushSubscriptionRow, Store};
    use cartable_shared::ids::GroupId;

    /// A store with `lea` (student of g1, one device), `tom` (student of g2, one device) and
    /// `paul` (teacher of g1, one device).
    fn world(dir: &std::path::Path) -> Store {
        let store = Store::open(&dir.join("db.sqlite3")).unwrap();
        store
            .write_blocking(|dao| {
                for g in ["g1", "g2"] {
                    dao.insert_group(&g.parse::<GroupId>().unwrap(), g)?;
                }
                for (user, role, group) in [
                    ("lea", Role::Student, "g1"),
                    ("tom", Role::Student, "g2"),
                    ("paul", Role::Teacher, "g1"),
                ] {
                    let id: UserId = user.parse().unwrap();
                    dao.insert_user(&NewUser {
                        id: &id,
                        display_name: user,
                        role,
                        password_hash: "!",
                        demo: false,
                        created_ms: 0,
                    })?;
                    let g: GroupId = group.parse().unwrap();
                    if role == Role::Teacher {
                        dao.add_teaching(&id, &g)?;
                    } else {
                        dao.add_membership(&id, &g)?;
                    }
                    dao.insert_push_subscription(&PushSubscriptionRow {
                        id: format!("sub-{user}").parse().unwrap(),
                        user: id.clone(),
                        endpoint: format!("https://fcm.googleapis.com/{user}"),
                        p256dh: vec![4; 65],
                        auth: vec![0; 16],
                        label: "t".into(),
                        created_ms: 0,
                    })?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        store
    }

    fn cancellation(author: &str) -> OutboxWrite {
        let event = Event {
            category: Category::ClassCancelled,
            text: EventText::Announcement { title: "x".into() },
            about: "timetable:g1/s1".into(),
            url: "/?view=week&session=s1".into(),
            class: Some((10_000_000, 13_600_000)),
            at_ms: 0,
        };
        let doc: DocId = "timetable:g1".parse().unwrap();
        OutboxWrite::Event(event.into_new(&doc, Some(&author.parse().unwrap())))
    }

    #[tokio::test]
    async fn due_tomorrow_reminds_each_student_who_wants_it_once() {
        use cartable_shared::homework::Assignment;
        let dir = tempfile::tempdir().unwrap();
        let store = world(dir.path());
        // Wednesday 25 November 2026, 17:00 in Paris; due Thursday 10:00 and Friday 10:00.
        let paris = |day: u32, hour: u32| {
            chrono_tz::Europe::Paris
                .with_ymd_and_hms(2026, 11, day, hour, 0, 0)
                .unwrap()
                .timestamp_millis()
        };
        let assignment = |due_ms| Assignment {
            subject: "Maths".into(),
            title: "Exercices".into(),
            text: String::new(),
            set_on_ms: 0,
            due_ms,
            attachments: vec![],
            hand_in: false,
            author: "paul".into(),
        };
        let mut homework = Homework::default();
        homework.assignments.insert("thursday".into(), assignment(paris(26, 10)));
        homework.assignments.insert("friday".into(), assignment(paris(27, 10)));
        let mut am = automerge::Automerge::new();
        cartable_shared::sync::write(&mut am, &homework).unwrap();
        let changes = crate::services::hub::stored_history(&am);
        let (lea, zoe): (UserId, UserId) = ("lea".parse().unwrap(), "zoe".parse().unwrap());
        store
            .write_blocking(|dao| {
                let doc: DocId = "homework:g1".parse().unwrap();
                dao.create_document(&doc, 0)?;
                dao.append_changes(&doc, &changes)?;
                // Zoé, of the same group, chose the essential level: no reminders.
                dao.insert_user(&NewUser {
                    id: &zoe,
                    display_name: "zoe",
                    role: Role::Student,
                    password_hash: "!",
                    demo: false,
                    created_ms: 0,
                })?;
                dao.add_membership(&zoe, &"g1".parse().unwrap())?;
                dao.insert_push_subscription(&PushSubscriptionRow {
                    id: "sub-zoe".parse().unwrap(),
                    user: zoe.clone(),
                    endpoint: "https://fcm.googleapis.com/zoe".into(),
                    p256dh: vec![4; 65],
                    auth: vec![0; 16],
                    label: "t".into(),
                    created_ms: 0,
                })?;
                let essential = PushPrefs {
                    notifications: NotificationSettings {
                        level: cartable_shared::notify::Level::Essential,
                        ..NotificationSettings::default()
                    },
                    hidden_courses: vec![],
                };
                dao.cache_push_settings(&zoe, &essential.to_json())
            })
            .unwrap();

        assert_eq!(due_tomorrow(&store, paris(25, 15)).await.unwrap(), 0, "before 16:00");
        assert_eq!(due_tomorrow(&store, paris(25, 17)).await.unwrap(), 1, "Léa, for Thursday");
        let reminded = |user: &UserId| {
            let key = due_key("g1/thursday", user);
            store.read_blocking(move |dao| dao.push_event_dedup_exists(&key)).unwrap()
        };
        assert!(reminded(&lea));
        assert!(!reminded(&zoe), "the essential level leaves reminders out");
        assert!(!reminded(&"tom".parse().unwrap()), "another group's student");
        assert_eq!(due_tomorrow(&store, paris(25, 18)).await.unwrap(), 0, "once");
    }

    #[test]
    fn expansion_reaches_the_readers_but_the_author_once_and_survives_a_restart_without_resending()
    {
        let dir = tempfile::tempdir().unwrap();
        let store = world(dir.path());
        store.write_blocking(|dao| dao.write_outbox(&[cancellation("paul")])).unwrap();
        assert_eq!(store.write_blocking(|dao| expand(dao, 1_000)).unwrap(), 1);
        assert_eq!(store.write_blocking(|dao| expand(dao, 1_000)).unwrap(), 0, "expanded once");
        let claimed = store.write_blocking(|dao| dao.claim_due_deliveries(1_000, 10)).unwrap();
        let subs: Vec<&str> = claimed.iter().map(|c| c.subscription.as_str()).collect();
        assert_eq!(subs, ["sub-lea"], "not the author, not another group");
        assert_eq!(claimed[0].attempts, 1);
        // Even if the expander ran again on the same event, the delivery stays unique.
        store
            .write_blocking(|dao| {
                dao.insert_delivery(claimed[0].event_id, &claimed[0].subscription, false, 0, 0)
            })
            .unwrap();
        drop(store);

        // A restart (the process died after the claim): the claimed delivery is never claimed
        // again, so it cannot be sent twice.
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        assert!(
            store.write_blocking(|dao| dao.claim_due_deliveries(99_000, 10)).unwrap().is_empty()
        );
        assert_eq!(store.read_blocking(|dao| dao.delivery_counts()).unwrap()["sending"], 1);
        // A retry scheduled before a restart is claimed once it is due, and only then.
        let d = &claimed[0];
        store
            .write_blocking(|dao| {
                dao.finish_deliveries(
                    &[(d.id, d.subscription.clone(), DeliveryOutcome::Retry { due_ms: 5_000 })],
                    1_000,
                )
            })
            .unwrap();
        assert!(
            store.write_blocking(|dao| dao.claim_due_deliveries(4_999, 10)).unwrap().is_empty()
        );
        let again = store.write_blocking(|dao| dao.claim_due_deliveries(5_000, 10)).unwrap();
        assert_eq!((again.len(), again[0].attempts), (1, 2));
        // Gone: the subscription and its deliveries are deleted.
        store
            .write_blocking(|dao| {
                dao.finish_deliveries(
                    &[(d.id, d.subscription.clone(), DeliveryOutcome::Gone)],
                    6_000,
                )
            })
            .unwrap();
        let left = store.read_blocking(|dao| dao.subscriptions_by_user()).unwrap();
        assert!(!left.contains_key(&"lea".parse::<UserId>().unwrap()));
        assert!(store.read_blocking(|dao| dao.delivery_counts()).unwrap().is_empty());
    }

    #[test]
    fn an_event_stored_before_a_crash_is_expanded_after_the_restart() {
        let dir = tempfile::tempdir().unwrap();
        let store = world(dir.path());
        store.write_blocking(|dao| dao.write_outbox(&[cancellation("tom")])).unwrap();
        drop(store);
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        assert_eq!(store.write_blocking(|dao| expand(dao, 1_000)).unwrap(), 1);
        let claimed = store.write_blocking(|dao| dao.claim_due_deliveries(1_000, 10)).unwrap();
        let mut subs: Vec<&str> = claimed.iter().map(|c| c.subscription.as_str()).collect();
        subs.sort();
        assert_eq!(subs, ["sub-lea", "sub-paul"], "tom does not read g1 (and wrote nothing of it)");
    }

    fn session_change(subject: &str) -> OutboxWrite {
        let event = Event {
            category: Category::ClassCancelled,
            text: EventText::Session {
                subject: subject.into(),
                start_ms: 10_000_000,
                zone: "Europe/Paris".into(),
                rooms: Vec::new(),
                probably: false,
            },
            about: format!("timetable:g1/{subject}"),
            url: "/?view=week".into(),
            class: Some((10_000_000, 13_600_000)),
            at_ms: 0,
        };
        let doc: DocId = "timetable:g1".parse().unwrap();
        OutboxWrite::Event(event.into_new(&doc, None))
    }

    #[test]
    fn a_student_who_hid_a_course_is_not_told_of_its_session_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = world(dir.path());
        let lea: UserId = "lea".parse().unwrap();
        let prefs = PushPrefs { hidden_courses: vec!["Sport".into()], ..Default::default() };
        // As a `me` change hiding the course writes it.
        let hide = OutboxWrite::Settings { user: lea, settings: prefs.to_json() };
        store.write_blocking(|dao| dao.write_outbox(&[hide])).unwrap();
        store
            .write_blocking(|dao| {
                dao.write_outbox(&[session_change("Sport"), session_change("Maths")])
            })
            .unwrap();
        assert_eq!(store.write_blocking(|dao| expand(dao, 1_000)).unwrap(), 2);
        let claimed = store.write_blocking(|dao| dao.claim_due_deliveries(1_000, 10)).unwrap();
        let to = |sub: &str| {
            let mut ids: Vec<i64> = claimed
                .iter()
                .filter(|c| c.subscription.as_str() == sub)
                .map(|c| c.event_id)
                .collect();
            ids.sort();
            ids
        };
        // Event ids follow the writing order: the Sport change, then the Maths one.
        let both = to("sub-paul");
        assert_eq!(both.len(), 2, "the teacher hid nothing: {claimed:?}");
        assert_eq!(to("sub-lea"), [both[1]], "only the Maths change reaches lea: {claimed:?}");
    }

    #[test]
    fn the_trim_deletes_old_finished_events_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = world(dir.path());
        let day = 86_400_000;
        // Three old events (day 0) and a recent one (day 100), all expanded at their time.
        for at in [0, 0, 0, 100 * day] {
            let mut w = cancellation("paul");
            if let OutboxWrite::Event(e) = &mut w {
                e.created_ms = at;
            }
            store.write_blocking(|dao| dao.write_outbox(&[w])).unwrap();
            store.write_blocking(|dao| expand(dao, at)).unwrap();
        }
        // Lea's three old deliveries: the first is sent, the second retried later (still
        // pending), the third failed.
        let claimed = store.write_blocking(|dao| dao.claim_due_deliveries(0, 10)).unwrap();
        let retry = DeliveryOutcome::Retry { due_ms: 200 * day };
        let outcomes: Vec<_> = claimed
            .iter()
            .zip([DeliveryOutcome::Sent, retry, DeliveryOutcome::Failed])
            .map(|(c, outcome)| (c.id, c.subscription.clone(), outcome))
            .collect();
        assert_eq!(outcomes.len(), 3, "{claimed:?}");
        store.write_blocking(|dao| dao.finish_deliveries(&outcomes, 1)).unwrap();
        let keep = super::super::worker::OUTBOX_KEEP_MS;
        let n = store.write_blocking(|dao| dao.trim_push_outbox(100 * day - keep + 1)).unwrap();
        assert_eq!(n, 2, "the sent and the failed old events");
        let counts = store.read_blocking(|dao| dao.delivery_counts()).unwrap();
        assert_eq!(counts.get("pending"), Some(&2), "the retry and the recent one: {counts:?}");
        assert_eq!(counts.values().sum::<i64>(), 2, "their deliveries went with them: {counts:?}");
    }

    #[test]
    fn prefs_cached_before_hidden_courses_existed_still_read() {
        let old = r#"{"level":"Complete","overrides":{},"quiet_hours":null}"#;
        let prefs: PushPrefs = serde_json::from_str(old).unwrap();
        assert_eq!(prefs.notifications.level, cartable_shared::notify::Level::Complete);
        assert!(prefs.hidden_courses.is_empty());
        let none = PushPrefs::default().to_json();
        assert!(!none.contains("hidden_courses"), "{none}");
        assert_eq!(serde_json::from_str::<PushPrefs>(&none).unwrap(), PushPrefs::default());
    }

    #[test]
    fn quiet_hours_end_at_the_next_local_end_time() {
        // 2026-11-26 22:30 in Paris (UTC+1) = 21:30 UTC.
        let now = chrono::Utc.with_ymd_and_hms(2026, 11, 26, 21, 30, 0).unwrap().timestamp_millis();
        let end = quiet_end(now, &quiet(22 * 60, 7 * 60));
        let expected =
            chrono::Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap().timestamp_millis();
        assert_eq!(end, expected, "07:00 in Paris the next morning");
        assert_eq!(local_minute(now, chrono_tz::Europe::Paris), 22 * 60 + 30);
        // 03:00 the same night: the end is the same morning.
        let night = chrono::Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap().timestamp_millis();
        assert_eq!(quiet_end(night, &quiet(22 * 60, 7 * 60)), expected);
        // Summer time (UTC+2): 07:00 local is 05:00 UTC.
        let summer = chrono::Utc.with_ymd_and_hms(2026, 7, 1, 22, 0, 0).unwrap().timestamp_millis();
        let end = quiet_end(summer, &quiet(22 * 60, 7 * 60));
        assert_eq!(
            end,
            chrono::Utc.with_ymd_and_hms(2026, 7, 2, 5, 0, 0).unwrap().timestamp_millis()
        );
    }
}
