//! The `timetable:<group>` document (DESIGN §2). The same structs are the view model that the
//! app stores in IndexedDB and renders, so the UI needs no Automerge.
//!
//! Times are UTC instants in milliseconds since the Unix epoch plus the IANA zone the session
//! takes place in (the app formats them in that zone).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "crdt")]
use autosurgeon::{Hydrate, Reconcile};

/// The current version of the timetable schema, written in every document.
pub const TIMETABLE_SCHEMA: u64 = 1;

/// A group's timetable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Timetable {
    /// Schema version the document was written with ([`TIMETABLE_SCHEMA`]).
    pub schema: u64,
    /// The group this timetable belongs to.
    pub group: String,
    /// Sessions by id.
    pub sessions: BTreeMap<String, Session>,
}

/// One class meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Session {
    /// Start, UTC milliseconds since the epoch.
    pub start_ms: i64,
    /// End, UTC milliseconds since the epoch.
    pub end_ms: i64,
    /// IANA time zone the session takes place in, e.g. `Europe/Paris`.
    pub zone: String,
    /// The subject, e.g. `Algorithmique`.
    pub subject: String,
    /// Lecture, tutorial, lab or exam.
    pub kind: SessionKind,
    /// Rooms, usually one.
    pub rooms: Vec<String>,
    /// Teachers' display names.
    pub teachers: Vec<String>,
    /// Whether it takes place as planned.
    pub status: SessionStatus,
    /// With `status: Cancelled`: the session only vanished from its calendar feed, so it is
    /// *probably* cancelled (nobody confirmed it). Stored as its own field, absent (false) in
    /// documents written before it, so that apps that do not know it still read the session,
    /// as cancelled.
    #[serde(default)]
    #[cfg_attr(feature = "crdt", autosurgeon(missing = "Default::default"))]
    pub probably: bool,
    /// What the time and rooms were before the last change, if they changed.
    pub previous: Option<PreviousSlot>,
    /// A note to the students (why it is cancelled, what to bring…).
    pub note: Option<String>,
    /// `manual`, or the id of the calendar feed it was imported from.
    pub source: String,
}

/// The kind of a session, as French universities name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub enum SessionKind {
    /// Cours magistral (lecture).
    Cm,
    /// Travaux dirigés (tutorial).
    Td,
    /// Travaux pratiques (lab).
    Tp,
    /// An exam.
    Exam,
}

/// Whether a session takes place as planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub enum SessionStatus {
    /// Takes place (possibly in another room: see [`Session::previous`]).
    Scheduled,
    /// Will not take place.
    Cancelled,
    /// Moved to another time.
    Moved,
}

/// The time and rooms of a session before it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct PreviousSlot {
    /// Former start, UTC milliseconds.
    pub start_ms: i64,
    /// Former end, UTC milliseconds.
    pub end_ms: i64,
    /// Former rooms.
    pub rooms: Vec<String>,
}

impl Session {
    /// Gone from its calendar feed without a confirmed cancellation.
    pub fn probably_cancelled(&self) -> bool {
        self.status == SessionStatus::Cancelled && self.probably
    }

    /// The rooms changed since the session was planned (and it still takes place).
    pub fn room_changed(&self) -> bool {
        self.status != SessionStatus::Cancelled
            && self.previous.as_ref().is_some_and(|p| p.rooms != self.rooms)
    }

    /// The session was moved to another time.
    pub fn time_changed(&self) -> bool {
        self.previous
            .as_ref()
            .is_some_and(|p| p.start_ms != self.start_ms || p.end_ms != self.end_ms)
    }
}

impl Timetable {
    /// An empty timetable for `group`, at the current schema version.
    pub fn new(group: &str) -> Self {
        Self { schema: TIMETABLE_SCHEMA, group: group.to_owned(), sessions: BTreeMap::new() }
    }

    /// Sessions that overlap `[from_ms, to_ms)`, by start time.
    pub fn between(&self, from_ms: i64, to_ms: i64) -> Vec<(&str, &Session)> {
        let mut out: Vec<(&str, &Session)> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.end_ms > from_ms && s.start_ms < to_ms)
            .map(|(id, s)| (id.as_str(), s))
            .collect();
        out.sort_by_key(|(id, s)| (s.start_ms, *id));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(start_ms: i64, status: SessionStatus) -> Session {
        Session {
            start_ms,
            end_ms: start_ms + 3_600_000,
            zone: "Europe/Paris".into(),
            subject: "Algorithmique".into(),
            kind: SessionKind::Cm,
            rooms: vec!["Amphi A".into()],
            teachers: vec!["M. Durand".into()],
            status,
            probably: false,
            previous: None,
            note: None,
            source: "manual".into(),
        }
    }

    #[test]
    fn room_change_is_seen_only_when_rooms_differ() {
        let mut s = session(0, SessionStatus::Scheduled);
        assert!(!s.room_changed());
        s.previous =
            Some(PreviousSlot { start_ms: 0, end_ms: 3_600_000, rooms: vec!["B12".into()] });
        assert!(s.room_changed());
        assert!(!s.time_changed());
        s.status = SessionStatus::Cancelled;
        assert!(!s.room_changed());
    }

    #[test]
    fn between_returns_overlapping_sessions_in_time_order() {
        let mut t = Timetable::new("g");
        t.sessions.insert("b".into(), session(10_000_000, SessionStatus::Scheduled));
        t.sessions.insert("a".into(), session(0, SessionStatus::Scheduled));
        t.sessions.insert("c".into(), session(99_000_000, SessionStatus::Scheduled));
        let ids: Vec<&str> = t.between(0, 20_000_000).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["a", "b"]);
    }

    /// A session as versions before `probably` wrote and read it.
    #[cfg(feature = "crdt")]
    #[derive(Debug, Reconcile, Hydrate)]
    struct OldSession {
        start_ms: i64,
        end_ms: i64,
        zone: String,
        subject: String,
        kind: SessionKind,
        rooms: Vec<String>,
        teachers: Vec<String>,
        status: SessionStatus,
        previous: Option<PreviousSlot>,
        note: Option<String>,
        source: String,
    }

    #[cfg(feature = "crdt")]
    #[test]
    fn probably_cancelled_sessions_read_as_cancelled_by_older_apps_and_back() {
        use automerge::Automerge;
        let mut guess = session(0, SessionStatus::Cancelled);
        guess.probably = true;
        let mut doc = Automerge::new();
        crate::sync::write(&mut doc, &std::collections::BTreeMap::from([("s", guess.clone())]))
            .unwrap();
        let old: std::collections::BTreeMap<String, OldSession> =
            crate::sync::read(&doc).unwrap().unwrap();
        assert_eq!(old["s"].status, SessionStatus::Cancelled, "an older app sees it cancelled");
        let new: std::collections::BTreeMap<String, Session> =
            crate::sync::read(&doc).unwrap().unwrap();
        assert!(new["s"].probably_cancelled());

        let mut written_before = Automerge::new();
        let o = &old["s"];
        let before = OldSession {
            start_ms: o.start_ms,
            end_ms: o.end_ms,
            zone: o.zone.clone(),
            subject: o.subject.clone(),
            kind: o.kind,
            rooms: o.rooms.clone(),
            teachers: o.teachers.clone(),
            status: o.status,
            previous: None,
            note: None,
            source: o.source.clone(),
        };
        crate::sync::write(&mut written_before, &std::collections::BTreeMap::from([("s", before)]))
            .unwrap();
        let read: std::collections::BTreeMap<String, Session> =
            crate::sync::read(&written_before).unwrap().unwrap();
        assert_eq!(read["s"], session(0, SessionStatus::Cancelled), "absent means not a guess");
    }
}
