//! The schema ladder of documents (feature `crdt`).
//!
//! Every document's root carries `schema`, the version of its kind's schema it was written
//! with. A document written by an older version of Cartable is brought up to date when the
//! server loads it: [`upgrade`] reads its version and runs one step per version, each step
//! being an ordinary Automerge change (so that devices receive it like any other change).
//! A shipped step is never edited; a new schema version is a new step with its own test.
//!
//! Version 0 is a document written before the `schema` field existed. Version 1 is current for
//! every kind but `me`, whose version 2 added `notifications` (the push settings). The
//! `gradebook` kind was added at version 1 (its version 0 step only fills in the containers).

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc, ScalarValue, Value};

use crate::announcements::ANNOUNCEMENTS_SCHEMA;
use crate::gradebook::GRADEBOOK_SCHEMA;
use crate::grades::GRADES_SCHEMA;
use crate::homework::HOMEWORK_SCHEMA;
use crate::ids::{DocId, DocKind};
use crate::library::LIBRARY_SCHEMA;
use crate::me::ME_SCHEMA;
use crate::thread::THREAD_SCHEMA;
use crate::timetable::TIMETABLE_SCHEMA;

/// Why a document could not be upgraded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpgradeError {
    /// The document was written by a newer version of Cartable.
    #[error("schema version {found} is newer than this version's ({current})")]
    TooNew {
        /// The version found.
        found: u64,
        /// The newest version this build knows.
        current: u64,
    },
    /// `schema` is not an unsigned integer.
    #[error("the schema field is not a version number")]
    NotAVersion,
    /// Automerge refused a step.
    #[error("upgrade step failed: {0}")]
    Step(String),
}

/// The current schema version of a kind.
pub fn current_version(kind: DocKind) -> u64 {
    match kind {
        DocKind::Timetable => TIMETABLE_SCHEMA,
        DocKind::Homework => HOMEWORK_SCHEMA,
        DocKind::Grades => GRADES_SCHEMA,
        DocKind::Library => LIBRARY_SCHEMA,
        DocKind::Announcements => ANNOUNCEMENTS_SCHEMA,
        DocKind::Thread => THREAD_SCHEMA,
        DocKind::Me => ME_SCHEMA,
        DocKind::Gradebook => GRADEBOOK_SCHEMA,
    }
}

/// The schema version written in a document: 0 when the field is missing.
pub fn stored_version(doc: &Automerge) -> Result<u64, UpgradeError> {
    match doc.get(automerge::ROOT, "schema").map_err(|e| UpgradeError::Step(e.to_string()))? {
        None => Ok(0),
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Uint(n) => Ok(*n),
            ScalarValue::Int(n) if *n >= 0 => Ok(*n as u64),
            _ => Err(UpgradeError::NotAVersion),
        },
        Some(_) => Err(UpgradeError::NotAVersion),
    }
}

/// The scope field of a kind (`group`, `student`…), if it has one.
fn scope_field(kind: DocKind) -> Option<&'static str> {
    match kind {
        DocKind::Timetable | DocKind::Homework | DocKind::Library | DocKind::Gradebook => {
            Some("group")
        }
        DocKind::Grades => Some("student"),
        DocKind::Announcements => Some("audience"),
        DocKind::Me => Some("user"),
        DocKind::Thread => None,
    }
}

/// The container fields of a kind at version 1, with their type.
fn containers_v1(kind: DocKind) -> &'static [(&'static str, ObjType)] {
    match kind {
        DocKind::Timetable => &[("sessions", ObjType::Map)],
        DocKind::Homework => &[("assignments", ObjType::Map)],
        DocKind::Grades => &[("assessments", ObjType::Map)],
        DocKind::Gradebook => &[("roster", ObjType::Map), ("assessments", ObjType::Map)],
        DocKind::Library | DocKind::Announcements => &[("items", ObjType::Map)],
        DocKind::Thread => &[("participants", ObjType::List), ("messages", ObjType::List)],
        DocKind::Me => &[
            ("homework_done", ObjType::Map),
            ("events", ObjType::Map),
            ("notes", ObjType::Map),
            ("hidden_courses", ObjType::List),
            ("acknowledged", ObjType::Map),
        ],
    }
}

/// Version 0 → 1: `schema` appears; the scope field and the containers are added if missing.
fn v0_to_v1(id: &DocId, doc: &mut Automerge) -> Result<(), automerge::AutomergeError> {
    let kind = id.kind();
    let mut tx = doc.transaction();
    if let Some(field) = scope_field(kind)
        && tx.get(automerge::ROOT, field)?.is_none()
    {
        tx.put(automerge::ROOT, field, id.scope())?;
    }
    if kind == DocKind::Thread && tx.get(automerge::ROOT, "subject")?.is_none() {
        tx.put(automerge::ROOT, "subject", "")?;
    }
    for (field, ty) in containers_v1(kind) {
        if tx.get(automerge::ROOT, *field)?.is_none() {
            tx.put_object(automerge::ROOT, *field, *ty)?;
        }
    }
    tx.put(automerge::ROOT, "schema", ScalarValue::Uint(1))?;
    tx.commit();
    Ok(())
}

/// `me` version 1 → 2: default notification settings (intermediate, no override, no quiet
/// hours) appear under `notifications`.
fn me_v1_to_v2(doc: &mut Automerge) -> Result<(), automerge::AutomergeError> {
    let mut tx = doc.transaction();
    if tx.get(automerge::ROOT, "notifications")?.is_none() {
        let n = tx.put_object(automerge::ROOT, "notifications", ObjType::Map)?;
        tx.put(&n, "level", "Intermediate")?;
        tx.put_object(&n, "overrides", ObjType::Map)?;
        tx.put(&n, "quiet_hours", ScalarValue::Null)?;
    }
    tx.put(automerge::ROOT, "schema", ScalarValue::Uint(2))?;
    tx.commit();
    Ok(())
}

/// Brings `doc` up to its kind's current schema. Returns the version it was at if it was
/// upgraded, `None` if it was current already (or has no content yet: nothing to upgrade).
pub fn upgrade(id: &DocId, doc: &mut Automerge) -> Result<Option<u64>, UpgradeError> {
    if doc.length(automerge::ROOT) == 0 {
        return Ok(None);
    }
    let current = current_version(id.kind());
    let found = stored_version(doc)?;
    if found > current {
        return Err(UpgradeError::TooNew { found, current });
    }
    if found == current {
        return Ok(None);
    }
    for from in found..current {
        match from {
            0 => v0_to_v1(id, doc).map_err(|e| UpgradeError::Step(e.to_string()))?,
            1 if id.kind() == DocKind::Me => {
                me_v1_to_v2(doc).map_err(|e| UpgradeError::Step(e.to_string()))?
            }
            other => return Err(UpgradeError::Step(format!("no step from version {other}"))),
        }
    }
    Ok(Some(found))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::read;
    use crate::timetable::Timetable;

    #[test]
    fn a_v0_document_without_schema_is_upgraded_to_v1_for_every_kind() {
        for kind in DocKind::ALL {
            let id = DocId::new(kind, "g1").unwrap();
            let mut doc = Automerge::new();
            let mut tx = doc.transaction();
            tx.put(automerge::ROOT, "legacy", "written before the schema field").unwrap();
            tx.commit();
            assert_eq!(stored_version(&doc), Ok(0));
            assert_eq!(upgrade(&id, &mut doc), Ok(Some(0)), "{kind:?}");
            assert_eq!(stored_version(&doc), Ok(current_version(kind)));
            assert_eq!(upgrade(&id, &mut doc), Ok(None), "a second run is a no-op");
        }
        let id: DocId = "timetable:g1".parse().unwrap();
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(automerge::ROOT, "group", "g1").unwrap();
        tx.commit();
        upgrade(&id, &mut doc).unwrap();
        let t: Timetable = read(&doc).unwrap().unwrap();
        assert_eq!((t.schema, t.group.as_str(), t.sessions.len()), (1, "g1", 0));
    }

    #[test]
    fn a_v0_gradebook_becomes_a_readable_empty_gradebook() {
        use crate::gradebook::Gradebook;
        let id: DocId = "gradebook:g1".parse().unwrap();
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(automerge::ROOT, "legacy", "x").unwrap();
        tx.commit();
        assert_eq!(upgrade(&id, &mut doc), Ok(Some(0)));
        let book: Gradebook = read(&doc).unwrap().unwrap();
        assert_eq!(book, Gradebook::new("g1"));
    }

    #[test]
    fn a_v1_me_document_gains_default_notification_settings() {
        use crate::me::MyLayer;
        use crate::notify::{Level, NotificationSettings};
        let id: DocId = "me:lea".parse().unwrap();
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(automerge::ROOT, "schema", ScalarValue::Uint(1)).unwrap();
        tx.put(automerge::ROOT, "user", "lea").unwrap();
        for (field, ty) in containers_v1(DocKind::Me) {
            tx.put_object(automerge::ROOT, *field, *ty).unwrap();
        }
        tx.commit();
        assert!(read::<MyLayer>(&doc).is_err(), "a v1 document lacks the v2 field");
        assert_eq!(upgrade(&id, &mut doc), Ok(Some(1)));
        let me: MyLayer = read(&doc).unwrap().unwrap();
        assert_eq!(me.schema, 2);
        assert_eq!(me.notifications, NotificationSettings::default());
        assert_eq!(me.notifications.level, Level::Intermediate);
    }

    #[test]
    fn a_document_from_a_newer_version_is_refused() {
        let id: DocId = "me:lea".parse().unwrap();
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(automerge::ROOT, "schema", ScalarValue::Uint(7)).unwrap();
        tx.commit();
        assert_eq!(
            upgrade(&id, &mut doc),
            Err(UpgradeError::TooNew { found: 7, current: ME_SCHEMA })
        );
    }
}
