//! Edits of group documents by the people who publish them (teachers, staff, admins): cancel or
//! move a session, set homework, write an announcement. The app's engine applies a [`DocEdit`]
//! to its local copy of the document (offline too) and syncs it like any other change; the
//! server applies the same functions for its HTTP routes. The server's rules
//! ([`crate::rules`]) remain the gate: an edit of a document its writer may not change is
//! refused there, whatever the app did.
//!
//! Pure: each apply function changes a typed value and says why it cannot. With the feature
//! `crdt`, [`apply_to_doc`] applies an edit to an Automerge document as one change.

use serde::{Deserialize, Serialize};

use crate::announcements::{Announcement, Announcements};
use crate::api::SessionChange;
use crate::gradebook::GradebookEdit;
use crate::homework::{Assignment, Homework};
use crate::ids::DocKind;
use crate::timetable::{PreviousSlot, Session, SessionStatus, Timetable};

/// Longest title of an assignment or an announcement, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest text of an assignment or body of an announcement, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// One edit of a group document (the `edit` of `EngineCommand::Edit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocEdit {
    /// `timetable:<group>`: cancel, move or change the rooms of one session.
    Session {
        /// The session id.
        session: String,
        /// What changes.
        change: SessionChange,
    },
    /// `homework:<group>`: set (or replace) an assignment.
    PutAssignment {
        /// Its id (chosen by the device when new).
        id: String,
        /// The assignment; `author` is the writer.
        assignment: Assignment,
    },
    /// `homework:<group>`: remove an assignment.
    RemoveAssignment {
        /// Its id.
        id: String,
    },
    /// `announcements:<audience>`: publish (or replace) an announcement.
    PutAnnouncement {
        /// Its id (chosen by the device when new).
        id: String,
        /// The announcement; `author` is the writer.
        announcement: Announcement,
    },
    /// `announcements:<audience>`: remove an announcement.
    RemoveAnnouncement {
        /// Its id.
        id: String,
    },
    /// `gradebook:<group>`: a teacher's edit of the group's gradebook.
    Gradebook(GradebookEdit),
}

/// Why an edit cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The edit is of another kind of document than the one given.
    #[error("this edit does not apply to a {0:?} document")]
    WrongDocument(DocKind),
    /// The session, assignment or announcement is not in the document.
    #[error("no such entry")]
    NotFound,
    /// The edit itself is invalid (the message says why, in English).
    #[error("invalid edit: {0}")]
    Invalid(String),
}

impl DocEdit {
    /// The kind of document this edit changes.
    pub fn kind(&self) -> DocKind {
        match self {
            Self::Session { .. } => DocKind::Timetable,
            Self::PutAssignment { .. } | Self::RemoveAssignment { .. } => DocKind::Homework,
            Self::PutAnnouncement { .. } | Self::RemoveAnnouncement { .. } => {
                DocKind::Announcements
            }
            Self::Gradebook(_) => DocKind::Gradebook,
        }
    }

    /// Applies a timetable edit.
    pub fn apply_to_timetable(&self, t: &mut Timetable) -> Result<(), EditError> {
        let Self::Session { session, change } = self else {
            return Err(EditError::WrongDocument(DocKind::Timetable));
        };
        let s = t.sessions.get_mut(session).ok_or(EditError::NotFound)?;
        apply_session_change(s, change)
    }

    /// Applies a homework edit.
    pub fn apply_to_homework(&self, h: &mut Homework) -> Result<(), EditError> {
        match self {
            Self::PutAssignment { id, assignment } => {
                check_id(id)?;
                check_text("title", &assignment.title, MAX_TITLE_CHARS)?;
                check_length("text", &assignment.text, MAX_TEXT_CHARS)?;
                check_text("subject", &assignment.subject, MAX_TITLE_CHARS)?;
                h.assignments.insert(id.clone(), assignment.clone());
                Ok(())
            }
            Self::RemoveAssignment { id } => {
                h.assignments.remove(id).map(drop).ok_or(EditError::NotFound)
            }
            _ => Err(EditError::WrongDocument(DocKind::Homework)),
        }
    }

    /// Applies an announcements edit.
    pub fn apply_to_announcements(&self, a: &mut Announcements) -> Result<(), EditError> {
        match self {
            Self::PutAnnouncement { id, announcement: n } => {
                check_id(id)?;
                check_text("title", &n.title, MAX_TITLE_CHARS)?;
                check_length("body", &n.body, MAX_TEXT_CHARS)?;
                if n.visible_until_ms.is_some_and(|u| u <= n.visible_from_ms) {
                    return Err(EditError::Invalid(
                        "the announcement must stay visible after it appears".into(),
                    ));
                }
                a.items.insert(id.clone(), n.clone());
                Ok(())
            }
            Self::RemoveAnnouncement { id } => {
                a.items.remove(id).map(drop).ok_or(EditError::NotFound)
            }
            _ => Err(EditError::WrongDocument(DocKind::Announcements)),
        }
    }
}

fn check_id(id: &str) -> Result<(), EditError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(EditError::Invalid("ids are 1 to 64 letters, digits, - or _".into()))
    }
}

fn check_length(what: &str, text: &str, max: usize) -> Result<(), EditError> {
    if text.chars().count() > max {
        return Err(EditError::Invalid(format!("the {what} is longer than {max} characters")));
    }
    Ok(())
}

fn check_text(what: &str, text: &str, max: usize) -> Result<(), EditError> {
    if text.trim().is_empty() {
        return Err(EditError::Invalid(format!("the {what} is empty")));
    }
    check_length(what, text, max)
}

/// Applies a teacher's change to one session: the first change remembers the planned slot in
/// `previous` (later ones keep it), a note replaces the previous note. An invalid change
/// leaves the session as it was.
pub fn apply_session_change(
    session: &mut Session,
    change: &SessionChange,
) -> Result<(), EditError> {
    let remember = |s: &mut Session| {
        if s.previous.is_none() {
            s.previous = Some(PreviousSlot {
                start_ms: s.start_ms,
                end_ms: s.end_ms,
                rooms: s.rooms.clone(),
            });
        }
    };
    let note = match change {
        SessionChange::Cancel { note } => {
            remember(session);
            session.status = SessionStatus::Cancelled;
            note
        }
        SessionChange::ChangeRoom { rooms, note } => {
            let rooms: Vec<String> =
                rooms.iter().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()).collect();
            if rooms.is_empty() {
                return Err(EditError::Invalid("at least one room is needed".into()));
            }
            remember(session);
            session.rooms = rooms;
            note
        }
        SessionChange::Move { start_ms, end_ms, note } => {
            if end_ms <= start_ms {
                return Err(EditError::Invalid("the session must end after it starts".into()));
            }
            remember(session);
            session.start_ms = *start_ms;
            session.end_ms = *end_ms;
            session.status = SessionStatus::Moved;
            note
        }
    };
    // A person's change is never a guess (a feed's vanished session may be confirmed here).
    session.probably = false;
    if let Some(note) = note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        session.note = Some(note.to_owned());
    }
    Ok(())
}

/// Why an edit could not be applied to an Automerge document.
#[cfg(feature = "crdt")]
#[derive(Debug, thiserror::Error)]
pub enum DocEditError {
    /// The edit does not apply (see [`EditError`]).
    #[error(transparent)]
    Edit(#[from] EditError),
    /// The document is empty: an edit is never applied to an empty document (it would create
    /// a second root competing with the server's).
    #[error("the document is empty")]
    Empty,
    /// The document does not match its schema.
    #[error("the document does not match its schema: {0}")]
    Hydrate(#[from] autosurgeon::HydrateError),
    /// The edited value could not be written.
    #[error("could not write the document: {0}")]
    Reconcile(#[from] autosurgeon::ReconcileError),
}

/// Applies `edit` to `am`, the content of `doc`, as one change (only what differs is
/// recorded). Nothing is written when the edit fails.
#[cfg(feature = "crdt")]
pub fn apply_to_doc(
    am: &mut automerge::Automerge,
    doc: &crate::ids::DocId,
    edit: &DocEdit,
) -> Result<(), DocEditError> {
    use crate::sync::{read, write};
    if doc.kind() != edit.kind() {
        return Err(EditError::WrongDocument(doc.kind()).into());
    }
    match edit.kind() {
        DocKind::Timetable => {
            let mut t: Timetable = read(am)?.ok_or(DocEditError::Empty)?;
            edit.apply_to_timetable(&mut t)?;
            write(am, &t)?;
        }
        DocKind::Homework => {
            let mut h: Homework = read(am)?.ok_or(DocEditError::Empty)?;
            edit.apply_to_homework(&mut h)?;
            write(am, &h)?;
        }
        DocKind::Announcements => {
            let mut a: Announcements = read(am)?.ok_or(DocEditError::Empty)?;
            edit.apply_to_announcements(&mut a)?;
            write(am, &a)?;
        }
        DocKind::Gradebook => {
            let DocEdit::Gradebook(e) = edit else {
                return Err(EditError::WrongDocument(doc.kind()).into());
            };
            let mut b: crate::gradebook::Gradebook = read(am)?.ok_or(DocEditError::Empty)?;
            e.apply(&mut b)?;
            write(am, &b)?;
        }
        other => return Err(EditError::WrongDocument(other).into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::announcements::Severity;
    use crate::homework::BlobRef;
    use crate::timetable::SessionKind;

    fn session() -> Session {
        Session {
            start_ms: 1_000,
            end_ms: 2_000,
            zone: "Europe/Paris".into(),
            subject: "Réseaux".into(),
            kind: SessionKind::Cm,
            rooms: vec!["Amphi A".into()],
            teachers: vec!["Julien Lefèvre".into()],
            status: SessionStatus::Scheduled,
            probably: false,
            previous: None,
            note: None,
            source: "manual".into(),
        }
    }

    #[test]
    fn a_teachers_cancellation_confirms_a_probable_one() {
        let mut s = session();
        s.status = SessionStatus::Cancelled;
        s.probably = true;
        apply_session_change(&mut s, &SessionChange::Cancel { note: None }).unwrap();
        assert_eq!((s.status, s.probably), (SessionStatus::Cancelled, false));
    }

    fn assignment(title: &str) -> Assignment {
        Assignment {
            subject: "Réseaux".into(),
            title: title.into(),
            text: "Lire le chapitre 3".into(),
            set_on_ms: 1,
            due_ms: 2,
            attachments: vec![BlobRef {
                sha256: "ab".repeat(32),
                name: "td3.pdf".into(),
                size: 10,
                mime: "application/pdf".into(),
            }],
            hand_in: false,
            author: "prof".into(),
        }
    }

    fn announcement(from: i64, until: Option<i64>) -> Announcement {
        Announcement {
            title: "Sortie".into(),
            body: "Départ 8 h".into(),
            severity: Severity::Warning,
            visible_from_ms: from,
            visible_until_ms: until,
            ack_required: true,
            author: "prof".into(),
        }
    }

    #[test]
    fn the_first_change_remembers_the_original_slot_and_later_ones_keep_it() {
        let mut s = session();
        let room = SessionChange::ChangeRoom { rooms: vec!["B012".into()], note: None };
        apply_session_change(&mut s, &room).unwrap();
        assert!(s.room_changed());
        assert_eq!(s.status, SessionStatus::Scheduled);
        let mv =
            SessionChange::Move { start_ms: 5_000, end_ms: 6_000, note: Some("Décalé".into()) };
        apply_session_change(&mut s, &mv).unwrap();
        assert_eq!(s.status, SessionStatus::Moved);
        assert_eq!(s.previous.as_ref().unwrap().rooms, vec!["Amphi A".to_string()]);
        assert_eq!(s.previous.as_ref().unwrap().start_ms, 1_000);
        assert_eq!(s.note.as_deref(), Some("Décalé"));
        apply_session_change(&mut s, &SessionChange::Cancel { note: Some("Grève".into()) })
            .unwrap();
        assert_eq!(s.status, SessionStatus::Cancelled);
        assert_eq!(s.note.as_deref(), Some("Grève"));
    }

    #[test]
    fn invalid_session_changes_leave_the_session_alone() {
        let mut s = session();
        let bad_move = SessionChange::Move { start_ms: 5, end_ms: 5, note: None };
        assert!(matches!(apply_session_change(&mut s, &bad_move), Err(EditError::Invalid(_))));
        let no_room = SessionChange::ChangeRoom { rooms: vec![" ".into()], note: None };
        assert!(matches!(apply_session_change(&mut s, &no_room), Err(EditError::Invalid(_))));
        assert_eq!(s, session());
    }

    #[test]
    fn a_session_edit_finds_its_session_or_says_it_is_not_there() {
        let mut t = Timetable::new("g");
        t.sessions.insert("s1".into(), session());
        let cancel = |id: &str| DocEdit::Session {
            session: id.into(),
            change: SessionChange::Cancel { note: None },
        };
        assert_eq!(cancel("nope").apply_to_timetable(&mut t), Err(EditError::NotFound));
        cancel("s1").apply_to_timetable(&mut t).unwrap();
        assert_eq!(t.sessions["s1"].status, SessionStatus::Cancelled);
        assert_eq!(cancel("s1").kind(), DocKind::Timetable);
    }

    #[test]
    fn assignments_are_put_replaced_and_removed() {
        let mut h = Homework::default();
        let put = |title: &str| DocEdit::PutAssignment {
            id: "hw-1".into(),
            assignment: assignment(title),
        };
        put("TD 3").apply_to_homework(&mut h).unwrap();
        put("TD 3 bis").apply_to_homework(&mut h).unwrap();
        assert_eq!(h.assignments.len(), 1);
        assert_eq!(h.assignments["hw-1"].title, "TD 3 bis");
        assert_eq!(h.assignments["hw-1"].attachments.len(), 1);
        let remove = DocEdit::RemoveAssignment { id: "hw-1".into() };
        assert_eq!(remove.kind(), DocKind::Homework);
        remove.apply_to_homework(&mut h).unwrap();
        assert!(h.assignments.is_empty());
        assert_eq!(remove.apply_to_homework(&mut h), Err(EditError::NotFound));
    }

    #[test]
    fn an_assignment_without_title_or_with_a_bad_id_is_refused() {
        let mut h = Homework::default();
        let blank = DocEdit::PutAssignment { id: "hw".into(), assignment: assignment("  ") };
        assert!(matches!(blank.apply_to_homework(&mut h), Err(EditError::Invalid(_))));
        let bad_id = DocEdit::PutAssignment { id: "a/b".into(), assignment: assignment("x") };
        assert!(matches!(bad_id.apply_to_homework(&mut h), Err(EditError::Invalid(_))));
        let mut long = assignment("x");
        long.text = "é".repeat(MAX_TEXT_CHARS + 1);
        let long = DocEdit::PutAssignment { id: "hw".into(), assignment: long };
        assert!(matches!(long.apply_to_homework(&mut h), Err(EditError::Invalid(_))));
        assert!(h.assignments.is_empty());
    }

    #[test]
    fn announcements_are_put_and_removed_and_need_a_sensible_window() {
        let mut a = Announcements::default();
        let put = |n| DocEdit::PutAnnouncement { id: "an-1".into(), announcement: n };
        put(announcement(10, Some(20))).apply_to_announcements(&mut a).unwrap();
        assert!(a.items["an-1"].ack_required);
        assert!(matches!(
            put(announcement(10, Some(10))).apply_to_announcements(&mut a),
            Err(EditError::Invalid(_))
        ));
        assert_eq!(a.items["an-1"].visible_until_ms, Some(20), "the refused edit changed nothing");
        let remove = DocEdit::RemoveAnnouncement { id: "an-1".into() };
        assert_eq!(remove.kind(), DocKind::Announcements);
        remove.apply_to_announcements(&mut a).unwrap();
        assert!(a.items.is_empty());
    }

    #[test]
    fn an_edit_applied_to_another_kind_of_document_is_refused() {
        let cancel =
            DocEdit::Session { session: "s".into(), change: SessionChange::Cancel { note: None } };
        assert_eq!(
            cancel.apply_to_homework(&mut Homework::default()),
            Err(EditError::WrongDocument(DocKind::Homework))
        );
        let remove = DocEdit::RemoveAssignment { id: "x".into() };
        assert!(matches!(
            remove.apply_to_timetable(&mut Timetable::default()),
            Err(EditError::WrongDocument(_))
        ));
        assert!(matches!(
            remove.apply_to_announcements(&mut Announcements::default()),
            Err(EditError::WrongDocument(_))
        ));
    }

    #[test]
    fn edits_have_a_stable_json_form() {
        let e = DocEdit::Session {
            session: "s1".into(),
            change: SessionChange::Cancel { note: Some("Grève".into()) },
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"session":{"session":"s1","change":{"action":"cancel","note":"Grève"}}}"#
        );
        assert_eq!(serde_json::from_str::<DocEdit>(&json).unwrap(), e);
    }

    #[cfg(feature = "crdt")]
    #[test]
    fn an_edit_is_one_change_of_the_document_and_a_failed_one_writes_nothing() {
        use crate::sync::{read, write};
        let mut t = Timetable::new("g");
        t.sessions.insert("s1".into(), session());
        let mut am = automerge::Automerge::new();
        write(&mut am, &t).unwrap();
        let doc: crate::ids::DocId = "timetable:g".parse().unwrap();
        let heads = am.get_heads();
        let cancel =
            DocEdit::Session { session: "s1".into(), change: SessionChange::Cancel { note: None } };
        apply_to_doc(&mut am, &doc, &cancel).unwrap();
        assert_eq!(am.get_changes(&heads).len(), 1);
        let back: Timetable = read(&am).unwrap().unwrap();
        assert_eq!(back.sessions["s1"].status, SessionStatus::Cancelled);
        let heads = am.get_heads();
        let missing =
            DocEdit::Session { session: "no".into(), change: SessionChange::Cancel { note: None } };
        assert!(matches!(
            apply_to_doc(&mut am, &doc, &missing),
            Err(DocEditError::Edit(EditError::NotFound))
        ));
        let wrong = DocEdit::RemoveAssignment { id: "x".into() };
        assert!(matches!(
            apply_to_doc(&mut am, &doc, &wrong),
            Err(DocEditError::Edit(EditError::WrongDocument(_)))
        ));
        assert_eq!(am.get_heads(), heads);
        assert!(matches!(
            apply_to_doc(&mut automerge::Automerge::new(), &doc, &cancel),
            Err(DocEditError::Empty)
        ));
    }
}
