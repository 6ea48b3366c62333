//! Teachers' and admins' edits of one session of a group's timetable. The edit goes through
//! the document's actor, which stores it and fans it out to every connected device.

use automerge::ReadDoc;
use cartable_shared::api::SessionChange;
use cartable_shared::edits::{EditError, apply_session_change};
use cartable_shared::ids::{DocId, GroupId, SessionId};
use cartable_shared::roles::Principal;
use cartable_shared::timetable::Session;

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

impl From<EditError> for TimetableError {
    fn from(e: EditError) -> Self {
        match e {
            EditError::NotFound => Self::NotFound,
            EditError::Invalid(m) => Self::Invalid(m),
            EditError::WrongDocument(_) => Self::Invalid(e.to_string()),
        }
    }
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
            apply_session_change(&mut s, &change)?;
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
