//! Notification events from document changes: the typed document before and after an accepted
//! change are compared, and what a reader would want to hear of becomes an [`Event`] (grade
//! published, session cancelled / moved / room changed, homework new or changed, new course
//! document, announcement, new message).
//!
//! Pure: the document actor calls [`derive`] between the check of a change and its append, and
//! stores the events with the change (same transaction).

use std::collections::BTreeMap;

use automerge::Automerge;
use cartable_shared::announcements::{Announcement, Severity};
use cartable_shared::ids::{DocId, UserId};
use cartable_shared::links::DeepLink;
use cartable_shared::notify::Category;
use cartable_shared::timetable::SessionStatus;
use cartable_shared::typed::TypedDoc;
use serde::{Deserialize, Serialize};

use super::outbox::PushPrefs;
use crate::store::{NewPushEvent, OutboxWrite};

/// What an event says, structured; rendered per language by [`super::text`]. Only what a
/// lock screen may show: never a score, a comment or the text of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventText {
    /// A grade: its subject and what was assessed.
    Grade {
        /// Subject.
        subject: String,
        /// What was assessed.
        title: String,
    },
    /// A session cancelled, moved or changing room.
    Session {
        /// Subject.
        subject: String,
        /// Start (the new one for a move), UTC milliseconds.
        start_ms: i64,
        /// Zone to show times in.
        zone: String,
        /// Rooms (the new ones).
        rooms: Vec<String>,
        /// A cancellation that is only probable (the session vanished from its feed).
        #[serde(default)]
        probably: bool,
    },
    /// Homework set, changed, or due tomorrow.
    Homework {
        /// Subject.
        subject: String,
        /// Title.
        title: String,
        /// Due, UTC milliseconds.
        due_ms: i64,
    },
    /// A course document.
    Document {
        /// Subject.
        subject: String,
        /// Title.
        title: String,
    },
    /// An announcement: its title only.
    Announcement {
        /// Title.
        title: String,
    },
    /// A message: who wrote, in which conversation (not what).
    Message {
        /// The author (user id); the display name is looked up when the event is expanded.
        from: String,
        /// The author's display name, once known.
        #[serde(default)]
        from_name: Option<String>,
        /// The thread's subject.
        subject: String,
    },
    /// A reminder from the library (its text, posted by staff or a teacher).
    Reminder {
        /// The text.
        text: String,
    },
    /// The quiet-hours summary.
    Summary {
        /// How many notifications were held.
        count: u32,
        /// The first few of them, whose titles the summary lists.
        items: Vec<(Category, EventText)>,
    },
}

/// One notification event, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The category (for a summary: the most important one it holds).
    pub category: Category,
    /// What it says.
    pub text: EventText,
    /// What it is about, stable across updates (`timetable:g1/s1`): the push `Topic` and the
    /// notification tag derive from it, so a later update replaces the earlier notification.
    pub about: String,
    /// The app view to open ([`DeepLink::url`]).
    pub url: String,
    /// The class's start and end (UTC milliseconds), for the 12-hour urgent rule.
    pub class: Option<(i64, i64)>,
    /// When it happened, UTC milliseconds.
    pub at_ms: i64,
}

impl Event {
    /// The event as a new outbox row for the readers of `doc`, except `author`.
    /// An announcement's event is once-only (dedup key `announce:<about>`): it is raised either
    /// when the announcement is written visible, or by [`super::outbox::announcements_shown`]
    /// when its `visible_from` comes.
    pub fn into_new(self, doc: &DocId, author: Option<&UserId>) -> NewPushEvent {
        let announcement = matches!(
            self.category,
            Category::AnnouncementInformation
                | Category::AnnouncementWarning
                | Category::AnnouncementAlert
        );
        let dedup = announcement.then(|| format!("announce:{}", self.about));
        NewPushEvent {
            doc: doc.to_string(),
            author: author.cloned(),
            event: serde_json::to_string(&self).expect("events serialise"),
            recipients: None,
            dedup,
            created_ms: self.at_ms,
        }
    }
}

/// The event of announcement `nid` of `doc` being shown, at `now_ms`.
pub fn announcement_shown(doc: &DocId, nid: &str, a: &Announcement, now_ms: i64) -> Event {
    let category = match a.severity {
        Severity::Information => Category::AnnouncementInformation,
        Severity::Warning => Category::AnnouncementWarning,
        Severity::Alert => Category::AnnouncementAlert,
    };
    Event {
        category,
        text: EventText::Announcement { title: a.title.clone() },
        about: format!("{doc}/{nid}"),
        url: DeepLink::Announcements { announcement: Some(nid.to_owned()) }.url(),
        class: None,
        at_ms: now_ms,
    }
}

fn typed(id: &DocId, doc: &Automerge) -> Option<TypedDoc> {
    match TypedDoc::read(id.kind(), doc) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(doc = %id, error = %e, "a document does not hydrate; no notification events");
            None
        }
    }
}

/// Entries of `after` that are new or differ from `before`: (id, before, after).
fn diff<'a, V: PartialEq>(
    before: &'a BTreeMap<String, V>,
    after: &'a BTreeMap<String, V>,
) -> impl Iterator<Item = (&'a String, Option<&'a V>, &'a V)> {
    after
        .iter()
        .filter(move |(k, v)| before.get(*k) != Some(v))
        .map(move |(k, v)| (k, before.get(k), v))
}

/// The events of a change of `id` from `before` to `after`, at `now_ms`. Reads both versions;
/// the document actor, which holds them typed already, calls [`derive_typed`].
pub fn derive(id: &DocId, before: &Automerge, after: &Automerge, now_ms: i64) -> Vec<Event> {
    match (typed(id, before), typed(id, after)) {
        (Some(b), Some(a)) => derive_typed(id, &b, &a, now_ms),
        _ => Vec::new(),
    }
}

/// [`derive`] on the typed contents of the two versions.
pub fn derive_typed(id: &DocId, before: &TypedDoc, after: &TypedDoc, now_ms: i64) -> Vec<Event> {
    let mut out = Vec::new();
    let scope = id.scope();
    let mut push = |category, text, about: String, link: DeepLink, class| {
        out.push(Event { category, text, about, url: link.url(), class, at_ms: now_ms })
    };
    match (before, after) {
        (TypedDoc::Timetable(b), TypedDoc::Timetable(a)) => {
            for (sid, old, new) in diff(&b.sessions, &a.sessions) {
                let Some(old) = old else { continue };
                let category = if new.status == SessionStatus::Cancelled {
                    (old.status != SessionStatus::Cancelled).then_some(Category::ClassCancelled)
                } else if (old.start_ms, old.end_ms) != (new.start_ms, new.end_ms) {
                    Some(Category::ClassMoved)
                } else if old.rooms != new.rooms {
                    Some(Category::RoomChanged)
                } else {
                    None
                };
                let Some(category) = category else { continue };
                // Urgency counts from the earlier of the old and new slots: students would
                // come to the old one.
                let class = (old.start_ms.min(new.start_ms), old.end_ms.max(new.end_ms));
                let text = EventText::Session {
                    subject: new.subject.clone(),
                    start_ms: new.start_ms,
                    zone: new.zone.clone(),
                    rooms: new.rooms.clone(),
                    probably: new.probably_cancelled(),
                };
                let link = DeepLink::Week { session: Some(sid.clone()) };
                push(category, text, format!("{id}/{sid}"), link, Some(class));
            }
        }
        (TypedDoc::Homework(b), TypedDoc::Homework(a)) => {
            for (hid, old, new) in diff(&b.assignments, &a.assignments) {
                let category =
                    if old.is_none() { Category::NewHomework } else { Category::HomeworkChanged };
                let text = EventText::Homework {
                    subject: new.subject.clone(),
                    title: new.title.clone(),
                    due_ms: new.due_ms,
                };
                let link = DeepLink::Homework { assignment: Some(hid.clone()) };
                push(category, text, format!("{id}/{hid}"), link, None);
            }
        }
        (TypedDoc::Grades(b), TypedDoc::Grades(a)) => {
            for (gid, old, new) in diff(&b.assessments, &a.assessments) {
                let was_published = old.is_some_and(|o| o.published_ms.is_some());
                if new.published_ms.is_none() || was_published {
                    continue;
                }
                let text =
                    EventText::Grade { subject: new.subject.clone(), title: new.title.clone() };
                let link = DeepLink::Grades { assessment: Some(gid.clone()) };
                push(Category::GradePublished, text, format!("{id}/{gid}"), link, None);
            }
        }
        (TypedDoc::Library(b), TypedDoc::Library(a)) => {
            for (lid, old, new) in diff(&b.items, &a.items) {
                if old.is_some() {
                    continue;
                }
                let text =
                    EventText::Document { subject: new.subject.clone(), title: new.title.clone() };
                push(Category::NewDocument, text, format!("{id}/{lid}"), DeepLink::Today, None);
            }
        }
        (TypedDoc::Announcements(b), TypedDoc::Announcements(a)) => {
            for (nid, old, new) in diff(&b.items, &a.items) {
                // Only new ones that are visible now: a scheduled announcement must not be
                // revealed by its notification before it shows (the outbox's
                // `announcements_shown` job raises it then).
                if old.is_some() || new.visible_from_ms > now_ms {
                    continue;
                }
                out.push(announcement_shown(id, nid, new, now_ms));
            }
        }
        (TypedDoc::Thread(b), TypedDoc::Thread(a)) => {
            let known = b.messages.len();
            for m in a.messages.iter().skip(known) {
                let text = EventText::Message {
                    from: m.author.clone(),
                    from_name: None,
                    subject: a.subject.clone(),
                };
                let link = DeepLink::Messages { thread: Some(scope.to_owned()) };
                push(Category::NewMessage, text, id.to_string(), link, None);
            }
        }
        // A `me` document raises no event, nor a gradebook (the teachers' workspace: its
        // publication into the students' grades documents raises `grade_published`); versions
        // of different kinds cannot happen.
        _ => {}
    }
    out
}

/// What an accepted change of `id` by `author` adds to the outbox: its events, and for a `me`
/// document whose notification settings or hidden courses changed, the new [`PushPrefs`]. Reads both versions; the
/// document actor calls [`outbox_of_typed`].
pub fn outbox_of(
    id: &DocId,
    before: &Automerge,
    after: &Automerge,
    author: Option<&UserId>,
    now_ms: i64,
) -> Vec<OutboxWrite> {
    match (typed(id, before), typed(id, after)) {
        (Some(b), Some(a)) => outbox_of_typed(id, &b, &a, author, now_ms),
        _ => Vec::new(),
    }
}

/// [`outbox_of`] on the typed contents of the two versions.
pub fn outbox_of_typed(
    id: &DocId,
    before: &TypedDoc,
    after: &TypedDoc,
    author: Option<&UserId>,
    now_ms: i64,
) -> Vec<OutboxWrite> {
    if let (TypedDoc::Me(old), TypedDoc::Me(new)) = (before, after) {
        let (was, now) = (PushPrefs::of(old), PushPrefs::of(new));
        return match id.scope().parse::<UserId>() {
            Ok(user) if was != now => {
                vec![OutboxWrite::Settings { user, settings: now.to_json() }]
            }
            _ => Vec::new(),
        };
    }
    derive_typed(id, before, after, now_ms)
        .into_iter()
        .map(|e| OutboxWrite::Event(e.into_new(id, author)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartable_shared::announcements::Announcement;
    use cartable_shared::announcements::Announcements;
    use cartable_shared::grades::Assessment;
    use cartable_shared::grades::Grades;
    use cartable_shared::homework::Assignment;
    use cartable_shared::homework::Homework;
    use cartable_shared::library::Library;
    use cartable_shared::library::LibraryItem;
    use cartable_shared::thread::Thread;
    use cartable_shared::thread::ThreadMessage;
    use cartable_shared::timetable::{Session, SessionKind, Timetable};

    fn doc_of<T: autosurgeon::Reconcile>(value: &T) -> Automerge {
        let mut doc = Automerge::new();
        cartable_shared::sync::write(&mut doc, value).unwrap();
        doc
    }

    fn edited<T: autosurgeon::Reconcile>(doc: &Automerge, value: &T) -> Automerge {
        let mut fork = doc.fork();
        cartable_shared::sync::write(&mut fork, value).unwrap();
        fork
    }

    fn session(start_ms: i64) -> Session {
        Session {
            start_ms,
            end_ms: start_ms + 3_600_000,
            zone: "Europe/Paris".into(),
            subject: "Réseaux".into(),
            kind: SessionKind::Td,
            rooms: vec!["B12".into()],
            teachers: vec!["M. Durand".into()],
            status: SessionStatus::Scheduled,
            probably: false,
            previous: None,
            note: None,
            source: "manual".into(),
        }
    }

    #[test]
    fn cancelling_moving_and_changing_room_each_make_their_event() {
        let id: DocId = "timetable:g1".parse().unwrap();
        let mut t = Timetable::new("g1");
        for s in ["s1", "s2", "s3", "s4"] {
            t.sessions.insert(s.into(), session(1_000_000));
        }
        let before = doc_of(&t);
        let mut after = t.clone();
        after.sessions.get_mut("s1").unwrap().status = SessionStatus::Cancelled;
        let moved = after.sessions.get_mut("s2").unwrap();
        moved.start_ms = 9_000_000;
        moved.end_ms = 9_900_000;
        moved.status = SessionStatus::Moved;
        after.sessions.get_mut("s3").unwrap().rooms = vec!["Amphi A".into()];
        after.sessions.get_mut("s4").unwrap().note = Some("apportez vos notes".into());
        let events = derive(&id, &before, &edited(&before, &after), 42);
        type Seen<'a> = (Category, &'a str, Option<(i64, i64)>);
        let got: Vec<Seen<'_>> =
            events.iter().map(|e| (e.category, e.about.as_str(), e.class)).collect();
        assert_eq!(
            got,
            [
                (Category::ClassCancelled, "timetable:g1/s1", Some((1_000_000, 4_600_000))),
                (Category::ClassMoved, "timetable:g1/s2", Some((1_000_000, 9_900_000))),
                (Category::RoomChanged, "timetable:g1/s3", Some((1_000_000, 4_600_000))),
            ],
            "a note alone is no event"
        );
        assert_eq!(events[0].url, "/?view=week&session=s1");
        assert_eq!(events[0].at_ms, 42);
    }

    #[test]
    fn a_grade_is_an_event_when_published_never_as_a_draft_nor_twice() {
        let id: DocId = "grades:lea".parse().unwrap();
        let grade = |published| Assessment {
            subject: "Réseaux".into(),
            title: "Partiel".into(),
            date_ms: 0,
            score: Some(14.5),
            out_of: 20.0,
            coefficient: 2.0,
            comment: Some("Bien".into()),
            author: "paul".into(),
            published_ms: published,
        };
        let mut g = Grades { schema: 1, student: "lea".into(), ..Default::default() };
        let empty = doc_of(&g);
        g.assessments.insert("a1".into(), grade(None));
        let draft = edited(&empty, &g);
        assert!(derive(&id, &empty, &draft, 0).is_empty(), "a draft is not announced");
        g.assessments.insert("a1".into(), grade(Some(5)));
        let published = edited(&draft, &g);
        let events = derive(&id, &draft, &published, 0);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].category, Category::GradePublished);
        assert_eq!(
            events[0].text,
            EventText::Grade { subject: "Réseaux".into(), title: "Partiel".into() }
        );
        let json = serde_json::to_string(&events[0]).unwrap();
        assert!(!json.contains("14.5") && !json.contains("Bien"), "no score, no comment: {json}");
        g.assessments.get_mut("a1").unwrap().score = Some(15.0);
        assert!(derive(&id, &published, &edited(&published, &g), 0).is_empty(), "a fix is quiet");
    }

    #[test]
    fn homework_documents_announcements_and_messages_make_their_events() {
        let hw_id: DocId = "homework:g1".parse().unwrap();
        let assignment = |title: &str| Assignment {
            subject: "Maths".into(),
            title: title.into(),
            text: "p. 12".into(),
            set_on_ms: 0,
            due_ms: 86_400_000,
            attachments: vec![],
            hand_in: false,
            author: "paul".into(),
        };
        let mut h = Homework { schema: 1, group: "g1".into(), ..Default::default() };
        let b = doc_of(&h);
        h.assignments.insert("h1".into(), assignment("Exercices"));
        let a = edited(&b, &h);
        assert_eq!(derive(&hw_id, &b, &a, 0)[0].category, Category::NewHomework);
        h.assignments.insert("h1".into(), assignment("Exercices 1 à 5"));
        assert_eq!(derive(&hw_id, &a, &edited(&a, &h), 0)[0].category, Category::HomeworkChanged);

        let lib_id: DocId = "library:g1".parse().unwrap();
        let mut l = Library { schema: 1, group: "g1".into(), ..Default::default() };
        let b = doc_of(&l);
        l.items.insert(
            "d1".into(),
            LibraryItem {
                title: "Cours 3".into(),
                subject: "Maths".into(),
                kind: "slides".into(),
                language: "fr".into(),
                size: 10,
                sha256: "00".repeat(32),
                added_ms: 0,
                author: "paul".into(),
            },
        );
        assert_eq!(derive(&lib_id, &b, &edited(&b, &l), 0)[0].category, Category::NewDocument);

        let ann_id: DocId = "announcements:everyone".parse().unwrap();
        let mut n = Announcements { schema: 1, audience: "everyone".into(), ..Default::default() };
        let b = doc_of(&n);
        for (nid, severity, from) in [
            ("n1", Severity::Alert, 0),
            ("n2", Severity::Warning, 0),
            ("n3", Severity::Information, 0),
            ("later", Severity::Alert, 10_000),
        ] {
            n.items.insert(
                nid.into(),
                Announcement {
                    title: format!("Annonce {nid}"),
                    body: "…".into(),
                    severity,
                    visible_from_ms: from,
                    visible_until_ms: None,
                    ack_required: false,
                    author: "vie.scolaire".into(),
                },
            );
        }
        let cats: Vec<Category> =
            derive(&ann_id, &b, &edited(&b, &n), 5).iter().map(|e| e.category).collect();
        assert_eq!(
            cats,
            [
                Category::AnnouncementAlert,
                Category::AnnouncementWarning,
                Category::AnnouncementInformation
            ],
            "the scheduled one is not revealed early"
        );

        let th_id: DocId = "thread:t1".parse().unwrap();
        let mut t = Thread {
            schema: 1,
            subject: "Projet".into(),
            participants: vec!["lea".into(), "paul".into()],
            messages: vec![],
        };
        let b = doc_of(&t);
        t.messages.push(ThreadMessage {
            id: "m1".into(),
            author: "lea".into(),
            sent_ms: 0,
            body: "secret".into(),
        });
        let events = derive(&th_id, &b, &edited(&b, &t), 0);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].category, Category::NewMessage);
        assert_eq!(events[0].url, "/?view=messages&thread=t1");
        assert!(!serde_json::to_string(&events[0]).unwrap().contains("secret"));
    }

    #[test]
    fn a_me_change_writes_the_new_settings_only_when_they_change() {
        use cartable_shared::me::MyLayer;
        use cartable_shared::notify::Level;
        let id: DocId = "me:lea".parse().unwrap();
        let mut me = MyLayer { schema: 2, user: "lea".into(), ..Default::default() };
        let b = doc_of(&me);
        me.homework_done.insert("g1/h1".into(), true);
        let a = edited(&b, &me);
        assert!(outbox_of(&id, &b, &a, None, 0).is_empty());
        me.notifications.level = Level::Complete;
        let c = edited(&a, &me);
        let writes = outbox_of(&id, &a, &c, None, 0);
        assert!(
            matches!(&writes[..], [OutboxWrite::Settings { user, settings }]
                if user.as_str() == "lea" && settings.contains("Complete")),
            "{writes:?}"
        );
        // Hiding a course is cached too (the expander leaves its session changes out).
        me.hidden_courses.push("Sport".into());
        let d = edited(&c, &me);
        let writes = outbox_of(&id, &c, &d, None, 0);
        assert!(
            matches!(&writes[..], [OutboxWrite::Settings { settings, .. }]
                if serde_json::from_str::<PushPrefs>(settings).unwrap().hidden_courses == ["Sport"]),
            "{writes:?}"
        );
    }
}
