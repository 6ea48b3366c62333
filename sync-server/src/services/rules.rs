//! What a document must look like after a write. The hub checks every write (from a device or
//! from a service) against these rules on a fork of the document before it stores anything.

use automerge::Automerge;
use cartable_shared::ids::{DocId, DocKind};
use cartable_shared::timetable::{TIMETABLE_SCHEMA, Timetable};

/// Why a written document is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleViolation(pub String);

/// Checks the state of `doc` after a write.
pub fn check_document(id: &DocId, doc: &Automerge) -> Result<(), RuleViolation> {
    match id.kind() {
        DocKind::Timetable => check_timetable(id, doc),
        // No other kind is stored by this server yet; when one is, its schema check goes here.
        _ => Ok(()),
    }
}

fn check_timetable(id: &DocId, doc: &Automerge) -> Result<(), RuleViolation> {
    let t = match cartable_shared::sync::read::<Timetable>(doc) {
        Ok(Some(t)) => t,
        Ok(None) => return Err(RuleViolation("the timetable was emptied".into())),
        Err(e) => {
            return Err(RuleViolation(format!("the timetable no longer fits its schema: {e}")));
        }
    };
    if t.schema != TIMETABLE_SCHEMA {
        return Err(RuleViolation(format!("unsupported timetable schema {}", t.schema)));
    }
    if t.group != id.scope() {
        return Err(RuleViolation("a timetable cannot change its group".into()));
    }
    if let Some((sid, _)) = t.sessions.iter().find(|(_, s)| s.end_ms < s.start_ms) {
        return Err(RuleViolation(format!("session {sid} ends before it starts")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;

    #[test]
    fn a_timetable_must_keep_its_group_and_schema() {
        let id: DocId = "timetable:g1".parse().unwrap();
        let mut doc = Automerge::new();
        cartable_shared::sync::write(&mut doc, &Timetable::new("g1")).unwrap();
        assert_eq!(check_document(&id, &doc), Ok(()));

        let mut renamed = doc.fork();
        cartable_shared::sync::write(&mut renamed, &Timetable::new("g2")).unwrap();
        assert!(check_document(&id, &renamed).is_err());

        let mut broken = doc.fork();
        let mut tx = broken.transaction();
        tx.put(automerge::ROOT, "sessions", "not a map").unwrap();
        tx.commit();
        assert!(check_document(&id, &broken).is_err());
    }
}
