//! Erasing a login from documents (feature `crdt`), for the deletion of an account.
//!
//! An Automerge document keeps every change ever made: replacing a login by a normal change
//! leaves it in the history, on the server and on every device. [`scrubbed_copy`] therefore
//! builds a *new* document, with no history, holding the current value of the old one with the
//! login taken out: a string equal to the login becomes the replacement (an author, a
//! participant), and a map entry keyed by the login is removed (a roster entry, a score). The
//! server stores it in place of the old document under a new epoch (see `docs/protocol.md`).
//! [`history_mentions`] checks a document's whole history for the login, as a map key or as a
//! value.

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, AutomergeError, ObjId, ObjType, ReadDoc, ScalarValue, Value};

/// Whether any operation in the whole history of `doc` has `login` as its map key or as its
/// value.
pub fn history_mentions(doc: &Automerge, login: &str) -> bool {
    doc.get_changes(&[]).iter().any(|change| {
        change.decode().operations.iter().any(|op| {
            matches!(&op.key, automerge::legacy::Key::Map(k) if k.as_str() == login)
                || op
                    .primitive_value()
                    .is_some_and(|v| matches!(&v, ScalarValue::Str(s) if s.as_str() == login))
        })
    })
}

/// The actor id the server writes a rebuilt document with: its own, one per epoch (so that two
/// rebuilds of a document never share an actor and sequence number).
pub fn server_actor(epoch: u32) -> ActorId {
    let mut bytes = b"cartable-server".to_vec();
    bytes.extend_from_slice(&epoch.to_be_bytes());
    ActorId::from(bytes)
}

/// A new document, written as one change by `actor`, holding the current value of `doc` with
/// `login` taken out: string values equal to it become `replacement`, map entries keyed by it
/// are left out. Text objects are copied as text. The new document has no history of `doc`.
pub fn scrubbed_copy(
    doc: &Automerge,
    login: &str,
    replacement: &str,
    actor: ActorId,
) -> Result<Automerge, AutomergeError> {
    let mut fresh = Automerge::new().with_actor(actor);
    let mut tx = fresh.transaction();
    let scrub = Scrub { login, replacement };
    scrub.map(doc, &automerge::ROOT, &mut tx, &automerge::ROOT)?;
    tx.commit();
    Ok(fresh)
}

struct Scrub<'a> {
    login: &'a str,
    replacement: &'a str,
}

impl Scrub<'_> {
    fn scalar(&self, v: &ScalarValue) -> ScalarValue {
        match v {
            ScalarValue::Str(s) if s.as_str() == self.login => self.replacement.into(),
            other => other.clone(),
        }
    }

    fn map(
        &self,
        from: &Automerge,
        obj: &ObjId,
        tx: &mut impl Transactable,
        to: &ObjId,
    ) -> Result<(), AutomergeError> {
        for key in from.keys(obj) {
            if key == self.login {
                continue;
            }
            match from.get(obj, key.as_str())? {
                Some((Value::Object(kind), child)) => {
                    let made = tx.put_object(to, key.as_str(), kind)?;
                    self.object(from, &child, kind, tx, &made)?;
                }
                Some((Value::Scalar(v), _)) => tx.put(to, key.as_str(), self.scalar(&v))?,
                None => {}
            }
        }
        Ok(())
    }

    fn object(
        &self,
        from: &Automerge,
        obj: &ObjId,
        kind: ObjType,
        tx: &mut impl Transactable,
        to: &ObjId,
    ) -> Result<(), AutomergeError> {
        match kind {
            ObjType::Map | ObjType::Table => self.map(from, obj, tx, to),
            ObjType::Text => tx.splice_text(to, 0, 0, &from.text(obj)?),
            ObjType::List => {
                for i in 0..from.length(obj) {
                    match from.get(obj, i)? {
                        Some((Value::Object(kind), child)) => {
                            let made = tx.insert_object(to, i, kind)?;
                            self.object(from, &child, kind, tx, &made)?;
                        }
                        Some((Value::Scalar(v), _)) => tx.insert(to, i, self.scalar(&v))?,
                        None => {}
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::{Gradebook, GradebookAssessment, Score};
    use crate::sync::{read, write};
    use crate::thread::{Thread, ThreadMessage};

    fn thread() -> Thread {
        let msg = |id: &str, author: &str, body: &str| ThreadMessage {
            id: id.into(),
            author: author.into(),
            sent_ms: 1,
            body: body.into(),
        };
        Thread {
            schema: 1,
            subject: "Stage".into(),
            participants: vec!["lea.martin".into(), "paul.durand".into()],
            messages: vec![
                msg("m1", "lea.martin", "Bonjour"),
                msg("m2", "paul.durand", "Bonjour Léa"),
            ],
        }
    }

    #[test]
    fn a_scrubbed_thread_keeps_its_value_without_the_login_in_any_change() {
        let mut doc = Automerge::new();
        write(&mut doc, &thread()).unwrap();
        let mut t: Thread = read(&doc).unwrap().unwrap();
        t.messages.push(ThreadMessage {
            id: "m3".into(),
            author: "lea.martin".into(),
            sent_ms: 2,
            body: "Merci".into(),
        });
        write(&mut doc, &t).unwrap();
        assert!(history_mentions(&doc, "lea.martin"));

        let fresh = scrubbed_copy(&doc, "lea.martin", "deleted", server_actor(1)).unwrap();
        assert!(!history_mentions(&fresh, "lea.martin"));
        assert!(history_mentions(&fresh, "paul.durand"), "the check sees what is there");
        assert_eq!(fresh.get_changes(&[]).len(), 1, "one change, no history");
        assert_eq!(fresh.get_changes(&[])[0].actor_id(), &server_actor(1));
        let copy: Thread = read(&fresh).unwrap().unwrap();
        assert_eq!(copy.participants, ["deleted", "paul.durand"]);
        let authors: Vec<&str> = copy.messages.iter().map(|m| m.author.as_str()).collect();
        assert_eq!(authors, ["deleted", "paul.durand", "deleted"]);
        let bodies: Vec<&str> = copy.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["Bonjour", "Bonjour Léa", "Merci"]);
    }

    #[test]
    fn entries_keyed_by_the_login_leave_a_gradebook() {
        let mut book = Gradebook {
            schema: 1,
            group: "g1".into(),
            roster: [("lea.martin", "Léa Martin"), ("tom.petit", "Tom Petit")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            assessments: Default::default(),
        };
        let score = |s| Score { score: Some(s), comment: String::new() };
        book.assessments.insert(
            "a1".into(),
            GradebookAssessment {
                subject: "Maths".into(),
                title: "DS".into(),
                date_ms: 0,
                out_of: 20.0,
                coefficient: 1.0,
                author: "paul.durand".into(),
                publish_at_ms: None,
                published_ms: None,
                scores: [
                    ("lea.martin".to_owned(), score(15.0)),
                    ("tom.petit".to_owned(), score(9.0)),
                ]
                .into_iter()
                .collect(),
            },
        );
        let mut doc = Automerge::new();
        write(&mut doc, &book).unwrap();
        let fresh = scrubbed_copy(&doc, "lea.martin", "deleted", server_actor(1)).unwrap();
        assert!(!history_mentions(&fresh, "lea.martin"));
        let copy: Gradebook = read(&fresh).unwrap().unwrap();
        assert_eq!(copy.roster.keys().collect::<Vec<_>>(), ["tom.petit"]);
        let scores = &copy.assessments["a1"].scores;
        assert_eq!(scores.keys().collect::<Vec<_>>(), ["tom.petit"]);
        assert_eq!(scores["tom.petit"].score, Some(9.0));
        assert_eq!(copy.assessments["a1"].author, "paul.durand");
    }
}
