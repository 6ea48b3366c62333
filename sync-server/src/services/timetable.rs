//! Teachers' and admins' edits of one session of a group's timetable. The edit goes through
//! the document's actor, which stores it and fans it out to every connected device.

use automerge::ReadDoc;
use cartable_shared::api::SessionChange;
use cartable_shared::ids::{DocId, GroupId, SessionId};
use cartable_shared::roles::Principal;
use cartable_shared::timetable::{PreviousSlot, Session, SessionStatus};

use super::hub::{Hub, HubError};

/// Why a session edit failed.
#[derive(Debug, thiserror::Error)]
pub enum TimetableError {
    /// The principal may not write this timetable.
    #[error("you may not change this timetable")]
    Forbidden,
    /// No such timetable or session.
    #[error("no such session")]
    NotFound,
    /// The change itself is invalid.
    #[error("invalid change: {0}")]
    Invalid(String),
    /// The hub failed.
    #[error(transparent)]
    Hub(#[from] HubError),
}

/// Applies `change` to `session` (pure; used inside the document's edit).
pub fn apply_change(session: &mut Session, change: &SessionChange) -> Result<(), TimetableError> {
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
                return Err(TimetableError::Invalid("at least one room is needed".into()));
            }
            remember(session);
            session.rooms = rooms;
            note
        }
        SessionChange::Move { start_ms, end_ms, note } => {
            if end_ms <= start_ms {
                return Err(TimetableError::Invalid("the session must end after it starts".into()));
            }
            remember(session);
            session.start_ms = *start_ms;
            session.end_ms = *end_ms;
            session.status = SessionStatus::Moved;
            note
        }
    };
    if let Some(note) = note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        session.note = Some(note.to_owned());
    }
    Ok(())
}

/// Changes one session of `group`'s timetable on behalf of `principal`; returns its new state.
pub async fn change_session(
    hub: &Hub,
    principal: &Principal,
    group: &GroupId,
    session: &SessionId,
    change: SessionChange,
) -> Result<Session, TimetableError> {
    let doc = DocId::timetable(group);
    if !principal.access(&doc, &[]).can_write() {
        return Err(TimetableError::Forbidden);
    }
    let handle = hub.open(&doc).await?.ok_or(TimetableError::NotFound)?;
    let session = session.to_string();
    let edited = handle
        .edit_by(principal.user.clone(), move |am| {
            // Only the one session is read and written: the timetable as a whole is hydrated
            // (and so checked) by `check_write`, before and after.
            let sessions = match am.get(automerge::ROOT, "sessions") {
                Ok(Some((automerge::Value::Object(automerge::ObjType::Map), id))) => id,
                Ok(_) => return Err(TimetableError::NotFound),
                Err(e) => {
                    return Err(TimetableError::Invalid(format!("unreadable timetable: {e}")));
                }
            };
            if !matches!(am.get(&sessions, session.as_str()), Ok(Some(_))) {
                return Err(TimetableError::NotFound);
            }
            let mut s: Session = autosurgeon::hydrate_prop(am, &sessions, session.as_str())
                .map_err(|e| TimetableError::Invalid(format!("unreadable session: {e}")))?;
            apply_change(&mut s, &change)?;
            let mut tx = am.transaction();
            autosurgeon::reconcile_prop(&mut tx, &sessions, session.as_str(), &s)
                .map_err(|e| TimetableError::Invalid(format!("could not write: {e}")))?;
            tx.commit();
            Ok(s)
        })
        .await??;
    tracing::info!(group = %group, user = %principal.user, "timetable session changed");
    Ok(edited)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartable_shared::timetable::SessionKind;

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
            previous: None,
            note: None,
            source: "manual".into(),
        }
    }

    #[test]
    fn the_first_change_remembers_the_original_slot_and_later_ones_keep_it() {
        let mut s = session();
        let room = SessionChange::ChangeRoom { rooms: vec!["B012".into()], note: None };
        apply_change(&mut s, &room).unwrap();
        assert!(s.room_changed());
        assert_eq!(s.status, SessionStatus::Scheduled);
        let mv =
            SessionChange::Move { start_ms: 5_000, end_ms: 6_000, note: Some("Décalé".into()) };
        apply_change(&mut s, &mv).unwrap();
        assert_eq!(s.status, SessionStatus::Moved);
        assert_eq!(s.previous.as_ref().unwrap().rooms, vec!["Amphi A".to_string()]);
        assert_eq!(s.previous.as_ref().unwrap().start_ms, 1_000);
        assert_eq!(s.note.as_deref(), Some("Décalé"));
        apply_change(&mut s, &SessionChange::Cancel { note: Some("Grève".into()) }).unwrap();
        assert_eq!(s.status, SessionStatus::Cancelled);
        assert_eq!(s.note.as_deref(), Some("Grève"));
    }

    #[test]
    fn invalid_changes_leave_the_session_alone() {
        let mut s = session();
        let bad_move = SessionChange::Move { start_ms: 5, end_ms: 5, note: None };
        assert!(matches!(apply_change(&mut s, &bad_move), Err(TimetableError::Invalid(_))));
        let no_room = SessionChange::ChangeRoom { rooms: vec![" ".into()], note: None };
        assert!(matches!(apply_change(&mut s, &no_room), Err(TimetableError::Invalid(_))));
        assert_eq!(s, session());
    }
}
