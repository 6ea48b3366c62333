//! What a writer may do to a document. The hub checks every write (from a device or from a
//! service) on a fork of the document before it stores anything: the content rules of
//! `shared::rules::check_write` for every kind (schema, scope, authors, a teacher's subjects,
//! append-only threads), plus the server's own sanity checks.

use automerge::Automerge;
use cartable_shared::ids::{DocId, UserId};
use cartable_shared::roles::{Principal, Role};
use cartable_shared::rules::{Writer, typed_content};
use cartable_shared::typed::TypedDoc;

/// Why a written document is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleViolation(pub String);

/// The principal the server's own edits (services, demo) are checked as: an administrator,
/// whose writes still have to keep every document's schema and scope.
pub fn system_principal() -> Principal {
    Principal {
        user: "system".parse::<UserId>().expect("a valid user id"),
        role: Role::Admin,
        groups: Vec::new(),
        teaches: Vec::new(),
        wards: Vec::new(),
        subjects: Vec::new(),
    }
}

/// Checks a change of `id` from `before` to `after` written by `principal`, whose write access
/// to the document has been checked already. Reads both versions; the document actor, which
/// holds them typed already, calls [`check_typed`].
pub fn check_write(
    principal: &Principal,
    id: &DocId,
    before: &Automerge,
    after: &Automerge,
) -> Result<(), RuleViolation> {
    let typed = |doc| typed_content(id, doc).map_err(|r| RuleViolation(r.to_string()));
    check_typed(principal, id, before.get_heads().is_empty(), &typed(before)?, &typed(after)?)
}

/// [`check_write`] on the typed contents of the two versions (`was_empty`: the document had no
/// change before).
pub fn check_typed(
    principal: &Principal,
    id: &DocId,
    was_empty: bool,
    before: &TypedDoc,
    after: &TypedDoc,
) -> Result<(), RuleViolation> {
    let writer = Writer { principal, subjects: &principal.subjects };
    cartable_shared::rules::check_typed(writer, id, was_empty, before, after)
        .map_err(|r| RuleViolation(r.to_string()))?;
    if let TypedDoc::Timetable(t) = after
        && let Some((sid, _)) = t.sessions.iter().find(|(_, s)| s.end_ms < s.start_ms)
    {
        return Err(RuleViolation(format!("session {sid} ends before it starts")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use cartable_shared::timetable::Timetable;

    #[test]
    fn a_timetable_must_keep_its_group_and_schema() {
        let id: DocId = "timetable:g1".parse().unwrap();
        let who = system_principal();
        let mut doc = Automerge::new();
        cartable_shared::sync::write(&mut doc, &Timetable::new("g1")).unwrap();
        let empty = Automerge::new();
        assert_eq!(check_write(&who, &id, &empty, &doc), Ok(()));

        let mut renamed = doc.fork();
        cartable_shared::sync::write(&mut renamed, &Timetable::new("g2")).unwrap();
        assert!(check_write(&who, &id, &doc, &renamed).is_err());

        let mut broken = doc.fork();
        let mut tx = broken.transaction();
        tx.put(automerge::ROOT, "sessions", "not a map").unwrap();
        tx.commit();
        assert!(check_write(&who, &id, &doc, &broken).is_err());
    }
}
