//! Content rules on writes (feature `crdt`): what a writer's changes may do to a document.
//!
//! [`crate::roles::Principal::access`] says *whether* a user may write a document at all. This
//! module checks *what* they wrote: the server applies an incoming sync message to a fork of the
//! stored document and calls [`check_write`] with the states before and after; only if it passes
//! are the changes stored and forwarded (STACK.md, "Checking writes inside sync messages").

use std::collections::BTreeMap;
use std::fmt::Debug;

use automerge::Automerge;

use crate::admin::DELETED_AUTHOR;
use crate::announcements::ANNOUNCEMENTS_SCHEMA;
use crate::gradebook::{GRADEBOOK_SCHEMA, Gradebook, GradebookAssessment};
use crate::grades::GRADES_SCHEMA;
use crate::homework::HOMEWORK_SCHEMA;
use crate::ids::DocId;
use crate::library::LIBRARY_SCHEMA;
use crate::me::ME_SCHEMA;
use crate::roles::{Principal, Role};
use crate::thread::{THREAD_SCHEMA, ThreadMessage};
use crate::timetable::TIMETABLE_SCHEMA;
use crate::typed::TypedDoc;

/// Why a write was refused. The message is sent to the writer in an error frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The document no longer matches its schema.
    #[error("the document does not match the {0} schema: {1}")]
    Schema(&'static str, String),
    /// The document's schema version or scope field was changed.
    #[error("the document's {0} field may not be changed")]
    Fixed(&'static str),
    /// A teacher wrote a grade of a subject they do not teach.
    #[error("you do not teach {0}")]
    NotYourSubject(String),
    /// An entry names another author than the writer.
    #[error("an entry you wrote names another author")]
    WrongAuthor,
    /// An entry someone else wrote was changed or removed (only staff, for announcements,
    /// and administrators may).
    #[error(
        "only its author, an administrator or (for announcements) staff may change or remove an entry"
    )]
    NotYourEntry,
    /// A thread message was rewritten or removed.
    #[error("thread messages are append only")]
    ThreadRewritten,
    /// A thread's participants or subject were changed.
    #[error("a thread's participants and subject may not be changed")]
    ThreadMembership,
    /// A field that only the server writes was changed (a gradebook's `roster`, an
    /// assessment's `published_ms`).
    #[error("the {0} field is written by the server only")]
    ServerOnly(&'static str),
    /// A score was written for someone who is not a student of the group.
    #[error("{0} is not a student of the group")]
    NotInRoster(String),
    /// An assessment's values are out of range (score above the maximum, empty title …).
    #[error("{0}")]
    Invalid(String),
    /// A published assessment (or one of its scores) was removed.
    #[error("a published assessment and its scores may not be removed")]
    Published,
}

/// Who writes, with what the rules need to know of them.
#[derive(Debug, Clone, Copy)]
pub struct Writer<'a> {
    /// The authenticated user (never an actor id from the message).
    pub principal: &'a Principal,
    /// The subjects a teacher teaches.
    pub subjects: &'a [String],
}

impl Writer<'_> {
    fn is_admin(&self) -> bool {
        self.principal.role == Role::Admin
    }

    fn user(&self) -> &str {
        self.principal.user.as_str()
    }
}

/// Entries added, removed or changed between two maps, with their old and new values.
fn changed<'a, V: PartialEq>(
    before: &'a BTreeMap<String, V>,
    after: &'a BTreeMap<String, V>,
) -> impl Iterator<Item = (Option<&'a V>, Option<&'a V>)> {
    let removed =
        before.iter().filter(|(k, _)| !after.contains_key(*k)).map(|(_, v)| (Some(v), None));
    let added_or_changed = after
        .iter()
        .filter(move |(k, v)| before.get(*k) != Some(v))
        .map(move |(k, v)| (before.get(k), Some(v)));
    removed.chain(added_or_changed)
}

fn schema_and_scope(
    schema: (u64, u64, u64),
    scope: (&str, &str),
    doc: &DocId,
) -> Result<(), Refusal> {
    let (before, after, current) = schema;
    if after != current || (before != 0 && before != after) {
        return Err(Refusal::Fixed("schema"));
    }
    if scope.1 != doc.scope() || (!scope.0.is_empty() && scope.0 != scope.1) {
        return Err(Refusal::Fixed("scope"));
    }
    Ok(())
}

/// Reads the content of `doc` for the rules: content that does not fit its kind's schema is
/// refused.
pub fn typed_content(doc: &DocId, content: &Automerge) -> Result<TypedDoc, Refusal> {
    TypedDoc::read(doc.kind(), content)
        .map_err(|e| Refusal::Schema(doc.kind().as_str(), e.to_string()))
}

/// Checks a writer's change of `doc` from `before` to `after`. The writer's access to the
/// document (`Access::Write`) must have been checked already. Reads both versions; a caller
/// that holds them typed already calls [`check_typed`].
pub fn check_write(
    writer: Writer<'_>,
    doc: &DocId,
    before: &Automerge,
    after: &Automerge,
) -> Result<(), Refusal> {
    let was_empty = before.get_heads().is_empty();
    let (b, a) = (typed_content(doc, before)?, typed_content(doc, after)?);
    check_typed(writer, doc, was_empty, &b, &a)
}

/// [`check_write`] on the typed contents of the two versions; `was_empty`: the document had no
/// change before this one (a thread's participants and subject are set by its first change).
pub fn check_typed(
    writer: Writer<'_>,
    doc: &DocId,
    was_empty: bool,
    before: &TypedDoc,
    after: &TypedDoc,
) -> Result<(), Refusal> {
    match (before, after) {
        (TypedDoc::Timetable(b), TypedDoc::Timetable(a)) => {
            schema_and_scope((b.schema, a.schema, TIMETABLE_SCHEMA), (&b.group, &a.group), doc)
        }
        (TypedDoc::Homework(b), TypedDoc::Homework(a)) => {
            schema_and_scope((b.schema, a.schema, HOMEWORK_SCHEMA), (&b.group, &a.group), doc)?;
            authored(
                writer,
                Others::Untouched,
                changed(&b.assignments, &a.assignments)
                    .map(|(o, n)| (o.map(|x| &x.author), n.map(|x| &x.author))),
            )
        }
        (TypedDoc::Library(b), TypedDoc::Library(a)) => {
            schema_and_scope((b.schema, a.schema, LIBRARY_SCHEMA), (&b.group, &a.group), doc)?;
            authored(
                writer,
                Others::Untouched,
                changed(&b.items, &a.items)
                    .map(|(o, n)| (o.map(|x| &x.author), n.map(|x| &x.author))),
            )
        }
        (TypedDoc::Announcements(b), TypedDoc::Announcements(a)) => {
            schema_and_scope(
                (b.schema, a.schema, ANNOUNCEMENTS_SCHEMA),
                (&b.audience, &a.audience),
                doc,
            )?;
            let others = if writer.principal.role == Role::Staff {
                Others::Managed
            } else {
                Others::Untouched
            };
            authored(
                writer,
                others,
                changed(&b.items, &a.items)
                    .map(|(o, n)| (o.map(|x| &x.author), n.map(|x| &x.author))),
            )
        }
        (TypedDoc::Grades(b), TypedDoc::Grades(a)) => {
            schema_and_scope((b.schema, a.schema, GRADES_SCHEMA), (&b.student, &a.student), doc)?;
            if writer.is_admin() {
                return Ok(());
            }
            for (old, new) in changed(&b.assessments, &a.assessments) {
                for entry in old.iter().chain(new.iter()) {
                    if !writer.subjects.contains(&entry.subject) {
                        return Err(Refusal::NotYourSubject(entry.subject.clone()));
                    }
                }
                if new.is_some_and(|n| n.author != writer.user()) {
                    return Err(Refusal::WrongAuthor);
                }
            }
            Ok(())
        }
        (TypedDoc::Thread(b), TypedDoc::Thread(a)) => {
            schema_and_scope((b.schema, a.schema, THREAD_SCHEMA), ("", doc.scope()), doc)?;
            // The only rewrite allowed: an administrator deleting an account replaces its id
            // by `DELETED_AUTHOR` in the participants and as the author of its messages.
            let anonymised = |before: &str, after: &str| {
                before == after || (writer.is_admin() && after == DELETED_AUTHOR)
            };
            let same_people = b.participants.len() == a.participants.len()
                && b.participants.iter().zip(&a.participants).all(|(x, y)| anonymised(x, y));
            if !was_empty && (!same_people || b.subject != a.subject) {
                return Err(Refusal::ThreadMembership);
            }
            let kept = b.messages.iter().zip(&a.messages).all(|(x, y)| {
                anonymised(&x.author, &y.author)
                    && ThreadMessage { author: y.author.clone(), ..x.clone() } == *y
            });
            if a.messages.len() < b.messages.len() || !kept {
                return Err(Refusal::ThreadRewritten);
            }
            if a.messages[b.messages.len()..].iter().any(|m| m.author != writer.user()) {
                return Err(Refusal::WrongAuthor);
            }
            Ok(())
        }
        (TypedDoc::Me(b), TypedDoc::Me(a)) => {
            schema_and_scope((b.schema, a.schema, ME_SCHEMA), (&b.user, &a.user), doc)
        }
        (TypedDoc::Gradebook(b), TypedDoc::Gradebook(a)) => {
            schema_and_scope((b.schema, a.schema, GRADEBOOK_SCHEMA), (&b.group, &a.group), doc)?;
            check_gradebook(writer, b, a)
        }
        _ => {
            Err(Refusal::Schema(doc.kind().as_str(), "the versions are of different kinds".into()))
        }
    }
}

/// A gradebook change: values in range and scores for the roster's students (everyone); for
/// a teacher also their own subjects and authorship, and nothing of what the server writes.
fn check_gradebook(writer: Writer<'_>, b: &Gradebook, a: &Gradebook) -> Result<(), Refusal> {
    let admin = writer.is_admin();
    if !admin && b.roster != a.roster {
        return Err(Refusal::ServerOnly("roster"));
    }
    for (old, new) in changed(&b.assessments, &a.assessments) {
        if !admin {
            for entry in old.iter().chain(new.iter()) {
                if !writer.subjects.contains(&entry.subject) {
                    return Err(Refusal::NotYourSubject(entry.subject.clone()));
                }
                if entry.author != writer.user() {
                    return Err(Refusal::WrongAuthor);
                }
            }
            if old.and_then(|o| o.published_ms) != new.and_then(|n| n.published_ms) && new.is_some()
            {
                return Err(Refusal::ServerOnly("published_ms"));
            }
        }
        let Some(new) = new else {
            // Removed: only while nobody has seen it.
            if old.is_some_and(|o| o.published_ms.is_some()) {
                return Err(Refusal::Published);
            }
            continue;
        };
        if let Some(reason) = new.invalid() {
            return Err(Refusal::Invalid(reason));
        }
        scores_of(old, new, a, admin)?;
    }
    Ok(())
}

/// The scores of an assessment changed from `old` to `new`: each new or changed one is of a
/// student of the roster; none is removed once the assessment is published (except by an
/// administrator: the server removes a deleted account's scores).
fn scores_of(
    old: Option<&GradebookAssessment>,
    new: &GradebookAssessment,
    book: &Gradebook,
    admin: bool,
) -> Result<(), Refusal> {
    let empty = BTreeMap::new();
    let before = old.map_or(&empty, |o| &o.scores);
    for (student, score) in &new.scores {
        if before.get(student) != Some(score) && !book.roster.contains_key(student) {
            return Err(Refusal::NotInRoster(student.clone()));
        }
    }
    let published = old.is_some_and(|o| o.published_ms.is_some());
    if published && !admin && before.keys().any(|k| !new.scores.contains_key(k)) {
        return Err(Refusal::Published);
    }
    Ok(())
}

/// Whose entries a writer may change or remove besides their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Others {
    /// None: homework, course documents, a teacher's announcements.
    Untouched,
    /// Any, keeping its author: staff run a school's announcements as a team (DESIGN §3).
    Managed,
}

/// New entries must name the writer as their author; an entry someone else wrote may be
/// neither changed nor removed, unless `others` is [`Others::Managed`]: then it may be, and a
/// changed entry keeps its author (its acknowledgements and its place in its author's list
/// stay with it). Admins may write anything (the server anonymises deleted accounts' entries).
fn authored<'a>(
    writer: Writer<'_>,
    others: Others,
    mut changes: impl Iterator<Item = (Option<&'a String>, Option<&'a String>)>,
) -> Result<(), Refusal> {
    if writer.is_admin() {
        return Ok(());
    }
    changes.try_for_each(|(old, new)| {
        let theirs = old.filter(|a| *a != writer.user());
        match (theirs, new) {
            (Some(_), _) if others == Others::Untouched => Err(Refusal::NotYourEntry),
            (Some(author), Some(a)) if a != author => Err(Refusal::WrongAuthor),
            (Some(_), _) => Ok(()),
            (None, Some(a)) if a != writer.user() => Err(Refusal::WrongAuthor),
            (None, _) => Ok(()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grades::{Assessment, Grades};
    use crate::me::MyLayer;
    use crate::sync::{read, write};
    use crate::thread::Thread;
    use crate::timetable::Timetable;

    fn teacher(subjects: &[&str]) -> (Principal, Vec<String>) {
        let p = Principal {
            user: "prof".parse().unwrap(),
            role: Role::Teacher,
            groups: vec![],
            teaches: vec!["g".parse().unwrap()],
            wards: vec![],
            subjects: vec![],
        };
        (p, subjects.iter().map(|s| s.to_string()).collect())
    }

    fn doc_of<T: autosurgeon::Reconcile>(value: &T) -> Automerge {
        let mut d = Automerge::new();
        write(&mut d, value).unwrap();
        d
    }

    fn edited<T: autosurgeon::Reconcile>(base: &Automerge, value: &T) -> Automerge {
        let mut d = base.fork();
        write(&mut d, value).unwrap();
        d
    }

    fn grade(subject: &str, author: &str) -> Assessment {
        Assessment {
            subject: subject.into(),
            title: "Partiel".into(),
            date_ms: 0,
            score: Some(14.5),
            out_of: 20.0,
            coefficient: 2.0,
            comment: None,
            author: author.into(),
            published_ms: Some(0),
        }
    }

    #[test]
    fn an_entry_someone_else_wrote_is_changed_or_removed_only_by_an_admin() {
        use crate::homework::{Assignment, HOMEWORK_SCHEMA, Homework};
        let (p, subjects) = teacher(&[]);
        let w = Writer { principal: &p, subjects: &subjects };
        let id: DocId = "homework:g".parse().unwrap();
        let entry = |author: &str, title: &str| Assignment {
            subject: "Maths".into(),
            title: title.into(),
            text: String::new(),
            set_on_ms: 0,
            due_ms: 1,
            attachments: vec![],
            hand_in: false,
            author: author.into(),
        };
        let mut hw = Homework { schema: HOMEWORK_SCHEMA, group: "g".into(), ..Default::default() };
        hw.assignments.insert("mine".into(), entry("prof", "A"));
        hw.assignments.insert("theirs".into(), entry("other", "B"));
        let base = doc_of(&hw);
        let check = |after: &Homework| check_write(w, &id, &base, &edited(&base, after));
        let mut v = hw.clone();
        v.assignments.insert("mine".into(), entry("prof", "A bis"));
        assert_eq!(check(&v), Ok(()), "one's own entry");
        let mut v = hw.clone();
        v.assignments.remove("mine");
        assert_eq!(check(&v), Ok(()), "removing one's own entry");
        let mut v = hw.clone();
        v.assignments.remove("theirs");
        assert_eq!(check(&v), Err(Refusal::NotYourEntry));
        let mut v = hw.clone();
        v.assignments.insert("theirs".into(), entry("prof", "B taken over"));
        assert_eq!(check(&v), Err(Refusal::NotYourEntry));
        let admin = Principal { role: Role::Admin, ..p.clone() };
        let aw = Writer { principal: &admin, subjects: &subjects };
        let mut v = hw.clone();
        v.assignments.remove("theirs");
        assert_eq!(check_write(aw, &id, &base, &edited(&base, &v)), Ok(()));
    }

    fn announcement(author: &str, title: &str) -> crate::announcements::Announcement {
        crate::announcements::Announcement {
            title: title.into(),
            body: "Détails".into(),
            severity: crate::announcements::Severity::Information,
            visible_from_ms: 0,
            visible_until_ms: None,
            ack_required: true,
            author: author.into(),
        }
    }

    /// Announcements of group `g`: one by the teacher `prof`, one by the staff member `cpe`.
    fn group_announcements() -> crate::announcements::Announcements {
        let mut a = crate::announcements::Announcements {
            schema: ANNOUNCEMENTS_SCHEMA,
            audience: "g".into(),
            ..Default::default()
        };
        a.items.insert("sortie".into(), announcement("prof", "Sortie"));
        a.items.insert("delegues".into(), announcement("cpe", "Délégués"));
        a
    }

    #[test]
    fn staff_change_and_remove_any_announcement_keeping_its_author() {
        let staff = Principal { user: "vie".parse().unwrap(), role: Role::Staff, ..teacher(&[]).0 };
        let w = Writer { principal: &staff, subjects: &[] };
        let id: DocId = "announcements:g".parse().unwrap();
        let all = group_announcements();
        let base = doc_of(&all);
        let check = |after: &crate::announcements::Announcements| {
            check_write(w, &id, &base, &edited(&base, after))
        };
        for (entry, author) in [("sortie", "prof"), ("delegues", "cpe")] {
            let mut v = all.clone();
            v.items.insert(entry.into(), announcement(author, "Corrigé"));
            assert_eq!(check(&v), Ok(()), "correcting {author}'s announcement");
            let mut v = all.clone();
            v.items.remove(entry);
            assert_eq!(check(&v), Ok(()), "withdrawing {author}'s announcement");
            let mut v = all.clone();
            v.items.insert(entry.into(), announcement("vie", "Repris"));
            assert_eq!(check(&v), Err(Refusal::WrongAuthor), "taking over {author}'s");
        }
        let mut v = all.clone();
        v.items.insert("nouvelle".into(), announcement("vie", "Réunion"));
        assert_eq!(check(&v), Ok(()), "a new one of their own");
        let mut v = all.clone();
        v.items.insert("forgee".into(), announcement("cpe", "Au nom d'un collègue"));
        assert_eq!(check(&v), Err(Refusal::WrongAuthor), "a new one under a colleague's name");
        // Homework keeps its rule for staff too (who may not write it anyway).
        use crate::homework::{Assignment, HOMEWORK_SCHEMA, Homework};
        let hw_id: DocId = "homework:g".parse().unwrap();
        let mut hw = Homework { schema: HOMEWORK_SCHEMA, group: "g".into(), ..Default::default() };
        hw.assignments.insert(
            "td".into(),
            Assignment {
                subject: "Maths".into(),
                title: "TD".into(),
                text: String::new(),
                set_on_ms: 0,
                due_ms: 1,
                attachments: vec![],
                hand_in: false,
                author: "prof".into(),
            },
        );
        let hw_base = doc_of(&hw);
        let mut gone = hw.clone();
        gone.assignments.clear();
        assert_eq!(
            check_write(w, &hw_id, &hw_base, &edited(&hw_base, &gone)),
            Err(Refusal::NotYourEntry)
        );
    }

    #[test]
    fn a_teacher_changes_only_their_own_announcements() {
        let (p, subjects) = teacher(&[]);
        let w = Writer { principal: &p, subjects: &subjects };
        let id: DocId = "announcements:g".parse().unwrap();
        let all = group_announcements();
        let base = doc_of(&all);
        let check = |after: &crate::announcements::Announcements| {
            check_write(w, &id, &base, &edited(&base, after))
        };
        let mut v = all.clone();
        v.items.insert("sortie".into(), announcement("prof", "Sortie reportée"));
        assert_eq!(check(&v), Ok(()), "their own");
        let mut v = all.clone();
        v.items.insert("delegues".into(), announcement("cpe", "Changé par prof"));
        assert_eq!(check(&v), Err(Refusal::NotYourEntry), "a staff member's, keeping its author");
        let mut v = all.clone();
        v.items.insert("delegues".into(), announcement("prof", "Repris"));
        assert_eq!(check(&v), Err(Refusal::NotYourEntry), "a staff member's, taken over");
        let mut v = all.clone();
        v.items.remove("delegues");
        assert_eq!(check(&v), Err(Refusal::NotYourEntry), "removing a staff member's");
        let mut v = all.clone();
        v.items.insert("forgee".into(), announcement("cpe", "Faux"));
        assert_eq!(check(&v), Err(Refusal::WrongAuthor), "a new one under another name");
    }

    #[test]
    fn teacher_may_write_grades_of_their_subject_only() {
        let (p, subjects) = teacher(&["Maths"]);
        let w = Writer { principal: &p, subjects: &subjects };
        let id: DocId = "grades:lea".parse().unwrap();
        let mut g = Grades { schema: GRADES_SCHEMA, student: "lea".into(), ..Default::default() };
        g.assessments.insert("phys".into(), grade("Physique", "other"));
        let before = doc_of(&g);

        let mut ok = g.clone();
        ok.assessments.insert("m1".into(), grade("Maths", "prof"));
        assert_eq!(check_write(w, &id, &before, &edited(&before, &ok)), Ok(()));

        let mut bad = g.clone();
        bad.assessments.get_mut("phys").unwrap().score = Some(20.0);
        assert_eq!(
            check_write(w, &id, &before, &edited(&before, &bad)),
            Err(Refusal::NotYourSubject("Physique".into()))
        );

        let mut forged = g.clone();
        forged.assessments.insert("m2".into(), grade("Maths", "someone-else"));
        assert_eq!(
            check_write(w, &id, &before, &edited(&before, &forged)),
            Err(Refusal::WrongAuthor)
        );
    }

    fn book_assessment(subject: &str, author: &str) -> GradebookAssessment {
        use crate::gradebook::Score;
        GradebookAssessment {
            subject: subject.into(),
            title: "Contrôle".into(),
            date_ms: 0,
            out_of: 20.0,
            coefficient: 1.0,
            author: author.into(),
            publish_at_ms: None,
            published_ms: None,
            scores: BTreeMap::from([(
                "lea".into(),
                Score { score: Some(12.0), comment: "".into() },
            )]),
        }
    }

    fn gradebook() -> Gradebook {
        let mut book = Gradebook::new("g");
        book.roster.insert("lea".into(), "Léa Martin".into());
        book.roster.insert("tom".into(), "Tom Petit".into());
        book.assessments.insert("phys".into(), book_assessment("Physique", "other"));
        book
    }

    #[test]
    fn a_teacher_writes_gradebook_assessments_of_their_subjects_for_the_roster_only() {
        use crate::gradebook::Score;
        let (p, subjects) = teacher(&["Maths"]);
        let w = Writer { principal: &p, subjects: &subjects };
        let id: DocId = "gradebook:g".parse().unwrap();
        let book = gradebook();
        let before = doc_of(&book);
        let check = |after: &Gradebook| check_write(w, &id, &before, &edited(&before, after));

        let mut ok = book.clone();
        let mut mine = book_assessment("Maths", "prof");
        mine.scores.insert("tom".into(), Score { score: None, comment: "absent".into() });
        mine.publish_at_ms = Some(1_000);
        ok.assessments.insert("m1".into(), mine.clone());
        assert_eq!(check(&ok), Ok(()));

        let mut foreign = book.clone();
        foreign.assessments.insert("p2".into(), book_assessment("Physique", "prof"));
        assert_eq!(check(&foreign), Err(Refusal::NotYourSubject("Physique".into())));

        let mut theirs = book.clone();
        theirs.assessments.get_mut("phys").unwrap().title = "Autre".into();
        assert_eq!(check(&theirs), Err(Refusal::NotYourSubject("Physique".into())));

        let mut forged = book.clone();
        forged.assessments.insert("m2".into(), book_assessment("Maths", "someone-else"));
        assert_eq!(check(&forged), Err(Refusal::WrongAuthor));

        let mut stranger = ok.clone();
        stranger.assessments.get_mut("m1").unwrap().scores.insert("zoe".into(), Score::default());
        assert_eq!(check(&stranger), Err(Refusal::NotInRoster("zoe".into())));

        let mut too_high = ok.clone();
        too_high.assessments.get_mut("m1").unwrap().scores.get_mut("lea").unwrap().score =
            Some(21.0);
        assert!(
            matches!(check(&too_high), Err(Refusal::Invalid(r)) if r.contains("between 0 and 20"))
        );

        let mut negative = ok.clone();
        negative.assessments.get_mut("m1").unwrap().scores.get_mut("lea").unwrap().score =
            Some(-0.5);
        assert!(matches!(check(&negative), Err(Refusal::Invalid(_))));

        let mut self_published = ok.clone();
        self_published.assessments.get_mut("m1").unwrap().published_ms = Some(1_000);
        assert_eq!(check(&self_published), Err(Refusal::ServerOnly("published_ms")));

        let mut roster = book.clone();
        roster.roster.insert("intrus".into(), "Intrus".into());
        assert_eq!(check(&roster), Err(Refusal::ServerOnly("roster")));
    }

    #[test]
    fn a_published_assessment_keeps_its_scores_and_the_server_sets_published_ms() {
        let (p, subjects) = teacher(&["Maths"]);
        let w = Writer { principal: &p, subjects: &subjects };
        let server = Principal { role: Role::Admin, user: "system".parse().unwrap(), ..p.clone() };
        let s = Writer { principal: &server, subjects: &[] };
        let id: DocId = "gradebook:g".parse().unwrap();
        let mut book = gradebook();
        book.assessments.insert("m1".into(), book_assessment("Maths", "prof"));
        let draft = doc_of(&book);

        let mut deleted = book.clone();
        deleted.assessments.remove("m1");
        assert_eq!(check_write(w, &id, &draft, &edited(&draft, &deleted)), Ok(()), "a draft");

        let mut published = book.clone();
        published.assessments.get_mut("m1").unwrap().publish_at_ms = Some(5);
        published.assessments.get_mut("m1").unwrap().published_ms = Some(6);
        assert_eq!(check_write(s, &id, &draft, &edited(&draft, &published)), Ok(()));
        let after = edited(&draft, &published);

        let mut gone = published.clone();
        gone.assessments.remove("m1");
        assert_eq!(check_write(w, &id, &after, &edited(&after, &gone)), Err(Refusal::Published));
        let mut no_score = published.clone();
        no_score.assessments.get_mut("m1").unwrap().scores.clear();
        assert_eq!(
            check_write(w, &id, &after, &edited(&after, &no_score)),
            Err(Refusal::Published)
        );
        assert_eq!(
            check_write(s, &id, &after, &edited(&after, &no_score)),
            Ok(()),
            "the server removes a deleted account's scores"
        );
        let mut corrected = published.clone();
        corrected.assessments.get_mut("m1").unwrap().scores.get_mut("lea").unwrap().score =
            Some(13.0);
        assert_eq!(check_write(w, &id, &after, &edited(&after, &corrected)), Ok(()));
        let mut unpublished = published.clone();
        unpublished.assessments.get_mut("m1").unwrap().published_ms = None;
        assert_eq!(
            check_write(w, &id, &after, &edited(&after, &unpublished)),
            Err(Refusal::ServerOnly("published_ms"))
        );
    }

    #[test]
    fn thread_messages_are_append_only_and_carry_their_true_author() {
        let (p, subjects) = teacher(&[]);
        let w = Writer { principal: &p, subjects: &subjects };
        let id: DocId = "thread:t1".parse().unwrap();
        let msg = |author: &str, body: &str| ThreadMessage {
            id: body.into(),
            author: author.into(),
            sent_ms: 0,
            body: body.into(),
        };
        let t = Thread {
            schema: THREAD_SCHEMA,
            subject: "Projet".into(),
            participants: vec!["prof".into(), "lea".into()],
            messages: vec![msg("lea", "Bonjour")],
        };
        let before = doc_of(&t);

        let mut reply = t.clone();
        reply.messages.push(msg("prof", "Bonjour Léa"));
        assert_eq!(check_write(w, &id, &before, &edited(&before, &reply)), Ok(()));

        let mut rewritten = t.clone();
        rewritten.messages[0].body = "Je n'ai rien dit".into();
        assert_eq!(
            check_write(w, &id, &before, &edited(&before, &rewritten)),
            Err(Refusal::ThreadRewritten)
        );

        let mut impersonated = t.clone();
        impersonated.messages.push(msg("lea", "Je suis Léa"));
        assert_eq!(
            check_write(w, &id, &before, &edited(&before, &impersonated)),
            Err(Refusal::WrongAuthor)
        );

        let mut joined = t.clone();
        joined.participants.push("intrus".into());
        assert_eq!(
            check_write(w, &id, &before, &edited(&before, &joined)),
            Err(Refusal::ThreadMembership)
        );

        // Only an administrator may anonymise a deleted account, and change nothing else.
        let mut anonymous = t.clone();
        anonymous.participants[1] = DELETED_AUTHOR.into();
        anonymous.messages[0].author = DELETED_AUTHOR.into();
        let after = edited(&before, &anonymous);
        assert_eq!(check_write(w, &id, &before, &after), Err(Refusal::ThreadMembership));
        let admin = Principal { role: Role::Admin, ..p.clone() };
        let a = Writer { principal: &admin, subjects: &subjects };
        assert_eq!(check_write(a, &id, &before, &after), Ok(()));
        let mut reworded = anonymous.clone();
        reworded.messages[0].body = "Autre chose".into();
        assert_eq!(
            check_write(a, &id, &before, &edited(&before, &reworded)),
            Err(Refusal::ThreadRewritten)
        );
    }

    #[test]
    fn documents_keep_their_schema_and_scope() {
        let (p, subjects) = teacher(&[]);
        let w = Writer { principal: &p, subjects: &subjects };
        let id: DocId = "timetable:g".parse().unwrap();
        let before = doc_of(&Timetable::new("g"));
        assert_eq!(check_write(w, &id, &before, &edited(&before, &Timetable::new("g"))), Ok(()));
        assert_eq!(
            check_write(w, &id, &before, &edited(&before, &Timetable::new("other"))),
            Err(Refusal::Fixed("scope"))
        );

        let mut broken = before.fork();
        {
            use automerge::transaction::Transactable;
            let mut tx = broken.transaction();
            tx.put(automerge::ROOT, "sessions", "not a map").unwrap();
            tx.commit();
        }
        assert!(matches!(
            check_write(w, &id, &before, &broken),
            Err(Refusal::Schema("timetable", _))
        ));
    }

    #[test]
    fn a_user_may_change_their_notification_settings_but_not_the_scope() {
        use crate::notify::{Level, QuietHours};
        let (p, subjects) = teacher(&[]);
        let w = Writer { principal: &p, subjects: &subjects };
        let id: DocId = "me:lea".parse().unwrap();
        let layer = MyLayer { schema: ME_SCHEMA, user: "lea".into(), ..Default::default() };
        let before = doc_of(&layer);
        let mut changed = layer.clone();
        changed.notifications.level = Level::Complete;
        changed.notifications.overrides.insert("new_message".into(), false);
        changed.notifications.quiet_hours =
            Some(QuietHours { start_min: 1320, end_min: 420, zone: "Europe/Paris".into() });
        let after = edited(&before, &changed);
        assert_eq!(check_write(w, &id, &before, &after), Ok(()));
        let back: MyLayer = read(&after).unwrap().unwrap();
        assert_eq!(back.notifications, changed.notifications);
        changed.user = "paul".into();
        assert_eq!(
            check_write(w, &id, &before, &edited(&before, &changed)),
            Err(Refusal::Fixed("scope"))
        );
    }
}
