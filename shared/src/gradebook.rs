//! The `gradebook:<group>` document: a group's assessments as its teachers prepare them.
//!
//! A CRDT document cannot hide a part of itself from one of its readers, so what a student must
//! not see yet (a draft, a grade to be published on Friday at 18:00) lives here, in a document
//! that only the group's teachers and the administrators read. The server copies an assessment
//! into each student's `grades:<student>` once its `publish_at_ms` has come, then sets its
//! `published_ms` (see the server's `services::gradebook`). The server also keeps the `roster`
//! (the group's students), so that the teacher's table works offline.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "crdt")]
use autosurgeon::{Hydrate, Reconcile};

use crate::grades::Assessment;

/// Current schema version of gradebook documents.
pub const GRADEBOOK_SCHEMA: u64 = 1;

/// Longest title or subject of an assessment, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest comment on a score, in characters.
pub const MAX_COMMENT: usize = 1_000;
/// Largest `out_of` (a score is at most this).
pub const MAX_OUT_OF: f64 = 1_000.0;
/// Largest coefficient.
pub const MAX_COEFFICIENT: f64 = 100.0;

/// A group's gradebook.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Gradebook {
    /// Schema version ([`GRADEBOOK_SCHEMA`]).
    pub schema: u64,
    /// The group.
    pub group: String,
    /// The group's students, user id → display name. Written by the server only.
    pub roster: BTreeMap<String, String>,
    /// Assessments by id.
    pub assessments: BTreeMap<String, GradebookAssessment>,
}

/// One assessment of the group, with every student's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct GradebookAssessment {
    /// The subject; the author must teach it.
    pub subject: String,
    /// What was assessed.
    pub title: String,
    /// When it took place, UTC milliseconds.
    pub date_ms: i64,
    /// The maximum score.
    pub out_of: f64,
    /// Weight in the subject average.
    pub coefficient: f64,
    /// The teacher who created it (user id).
    pub author: String,
    /// When the grades are to be published, UTC milliseconds; `None` for a draft.
    pub publish_at_ms: Option<i64>,
    /// When the server first published them into the students' grades; written by the server
    /// only. `None` until then.
    pub published_ms: Option<i64>,
    /// Scores by student id.
    pub scores: BTreeMap<String, Score>,
}

/// One student's result in an assessment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Score {
    /// The score; `None` for an absence.
    pub score: Option<f64>,
    /// The teacher's comment (empty for none).
    pub comment: String,
}

/// Where an assessment stands, for the teacher's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No publication time.
    Draft,
    /// A publication time is set; the server has not published it yet.
    Scheduled,
    /// The server published it into the students' grades.
    Published,
}

impl Gradebook {
    /// An empty gradebook of `group`.
    pub fn new(group: &str) -> Self {
        Gradebook { schema: GRADEBOOK_SCHEMA, group: group.to_owned(), ..Gradebook::default() }
    }
}

impl GradebookAssessment {
    /// Where the assessment stands.
    pub fn status(&self) -> Status {
        match (self.published_ms, self.publish_at_ms) {
            (Some(_), _) => Status::Published,
            (None, Some(_)) => Status::Scheduled,
            (None, None) => Status::Draft,
        }
    }

    /// Whether the server should publish it at `now_ms` (its time has come).
    pub fn due(&self, now_ms: i64) -> bool {
        self.publish_at_ms.is_some_and(|t| t <= now_ms)
    }

    /// The entry of `student` in their `grades:<student>` document, published at
    /// `published_ms`; `None` if the student has no score in this assessment.
    pub fn grade_of(&self, student: &str, published_ms: i64) -> Option<Assessment> {
        let s = self.scores.get(student)?;
        Some(Assessment {
            subject: self.subject.clone(),
            title: self.title.clone(),
            date_ms: self.date_ms,
            score: s.score,
            out_of: self.out_of,
            coefficient: self.coefficient,
            comment: (!s.comment.is_empty()).then(|| s.comment.clone()),
            author: self.author.clone(),
            published_ms: Some(published_ms),
        })
    }

    /// Why the assessment's own fields are not acceptable, if they are not: an empty or too
    /// long title or subject, a maximum or coefficient out of range, a score below zero or
    /// above the maximum, a comment too long.
    pub fn invalid(&self) -> Option<String> {
        let len = |s: &str| s.trim().chars().count();
        if len(&self.title) == 0 || len(&self.title) > MAX_TITLE {
            return Some(format!("the title must have 1 to {MAX_TITLE} characters"));
        }
        if len(&self.subject) == 0 || len(&self.subject) > MAX_TITLE {
            return Some(format!("the subject must have 1 to {MAX_TITLE} characters"));
        }
        if !(self.out_of.is_finite() && self.out_of > 0.0 && self.out_of <= MAX_OUT_OF) {
            return Some(format!("the maximum must be above 0 and at most {MAX_OUT_OF}"));
        }
        if !(self.coefficient.is_finite()
            && self.coefficient > 0.0
            && self.coefficient <= MAX_COEFFICIENT)
        {
            return Some(format!("the coefficient must be above 0 and at most {MAX_COEFFICIENT}"));
        }
        for (student, s) in &self.scores {
            if let Some(v) = s.score
                && !(v.is_finite() && (0.0..=self.out_of).contains(&v))
            {
                return Some(format!(
                    "the score of {student} must be between 0 and {}",
                    self.out_of
                ));
            }
            if s.comment.chars().count() > MAX_COMMENT {
                return Some(format!("the comment on {student} is longer than {MAX_COMMENT}"));
            }
        }
        None
    }
}

/// A teacher's edit of a gradebook (inside `edits::DocEdit::Gradebook`), applied by the app's
/// engine to its copy (offline too) and checked by the server's rules when it arrives.
/// Each edit touches only what it names, so that edits made on two devices merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradebookEdit {
    /// A new assessment (a draft, with no score yet).
    Create {
        /// Its id (chosen by the device).
        id: String,
        /// The subject.
        subject: String,
        /// What is assessed.
        title: String,
        /// When it takes place, UTC milliseconds.
        date_ms: i64,
        /// The maximum score.
        out_of: f64,
        /// Weight in the subject average.
        coefficient: f64,
        /// The writer.
        author: String,
    },
    /// Sets the scores (and comments) of the students named; the others keep theirs.
    SetScores {
        /// The assessment.
        id: String,
        /// Student id → score.
        scores: BTreeMap<String, Score>,
    },
    /// Sets when the grades are published (`None`: back to a draft). "Publish now" is the
    /// current time.
    Schedule {
        /// The assessment.
        id: String,
        /// When, UTC milliseconds.
        publish_at_ms: Option<i64>,
    },
    /// Deletes an assessment that was never published.
    DeleteDraft {
        /// The assessment.
        id: String,
    },
}

impl GradebookEdit {
    /// Applies the edit to `book`; on an error `book` is unchanged.
    pub fn apply(&self, book: &mut Gradebook) -> Result<(), crate::edits::EditError> {
        use crate::edits::EditError;
        let invalid = |a: &GradebookAssessment| a.invalid().map(EditError::Invalid);
        match self {
            Self::Create { id, subject, title, date_ms, out_of, coefficient, author } => {
                let ok_id = !id.is_empty()
                    && id.len() <= 64
                    && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if !ok_id {
                    return Err(EditError::Invalid(
                        "ids are 1 to 64 letters, digits, - or _".into(),
                    ));
                }
                if book.assessments.contains_key(id) {
                    return Err(EditError::Invalid("this assessment exists already".into()));
                }
                let a = GradebookAssessment {
                    subject: subject.trim().to_owned(),
                    title: title.trim().to_owned(),
                    date_ms: *date_ms,
                    out_of: *out_of,
                    coefficient: *coefficient,
                    author: author.clone(),
                    publish_at_ms: None,
                    published_ms: None,
                    scores: BTreeMap::new(),
                };
                if let Some(e) = invalid(&a) {
                    return Err(e);
                }
                book.assessments.insert(id.clone(), a);
            }
            Self::SetScores { id, scores } => {
                let roster = &book.roster;
                if let Some(stranger) = scores.keys().find(|s| !roster.contains_key(*s)) {
                    return Err(EditError::Invalid(format!("{stranger} is not in the group")));
                }
                let a = book.assessments.get(id).ok_or(EditError::NotFound)?;
                let mut changed = a.clone();
                changed.scores.extend(scores.iter().map(|(k, v)| (k.clone(), v.clone())));
                if let Some(e) = invalid(&changed) {
                    return Err(e);
                }
                book.assessments.insert(id.clone(), changed);
            }
            Self::Schedule { id, publish_at_ms } => {
                let a = book.assessments.get_mut(id).ok_or(EditError::NotFound)?;
                a.publish_at_ms = *publish_at_ms;
            }
            Self::DeleteDraft { id } => {
                let a = book.assessments.get(id).ok_or(EditError::NotFound)?;
                if a.published_ms.is_some() {
                    return Err(EditError::Invalid("a published assessment stays".into()));
                }
                book.assessments.remove(id);
            }
        }
        Ok(())
    }
}

/// The key of a gradebook assessment in the students' `grades:<student>` documents:
/// `<group>.<assessment>`, so that two groups' assessments (whose ids their teachers' devices
/// choose) can never overwrite each other or a grade written another way.
pub fn grade_key(group: &str, assessment: &str) -> String {
    format!("{group}.{assessment}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assessment() -> GradebookAssessment {
        GradebookAssessment {
            subject: "Maths".into(),
            title: "Contrôle 1".into(),
            date_ms: 1_000,
            out_of: 20.0,
            coefficient: 2.0,
            author: "prof".into(),
            publish_at_ms: None,
            published_ms: None,
            scores: BTreeMap::from([
                ("lea".into(), Score { score: Some(14.5), comment: "Bien".into() }),
                ("tom".into(), Score { score: None, comment: String::new() }),
            ]),
        }
    }

    #[test]
    fn status_follows_the_publication_fields() {
        let mut a = assessment();
        assert_eq!(a.status(), Status::Draft);
        assert!(!a.due(i64::MAX));
        a.publish_at_ms = Some(5_000);
        assert_eq!(a.status(), Status::Scheduled);
        assert!(!a.due(4_999));
        assert!(a.due(5_000));
        a.published_ms = Some(5_001);
        assert_eq!(a.status(), Status::Published);
    }

    #[test]
    fn a_students_grade_carries_the_assessment_and_their_score() {
        let a = assessment();
        let lea = a.grade_of("lea", 9).unwrap();
        assert_eq!(
            (lea.score, lea.out_of, lea.comment.as_deref(), lea.published_ms),
            (Some(14.5), 20.0, Some("Bien"), Some(9))
        );
        assert_eq!(a.grade_of("tom", 9).unwrap().score, None, "absent");
        assert_eq!(a.grade_of("tom", 9).unwrap().comment, None);
        assert!(a.grade_of("zoe", 9).is_none(), "no score, no grade");
    }

    fn book() -> Gradebook {
        let mut b = Gradebook::new("g");
        b.roster.insert("lea".into(), "Léa".into());
        b.roster.insert("tom".into(), "Tom".into());
        b
    }

    fn create(id: &str) -> GradebookEdit {
        GradebookEdit::Create {
            id: id.into(),
            subject: "Maths".into(),
            title: " Contrôle 1 ".into(),
            date_ms: 1_000,
            out_of: 20.0,
            coefficient: 2.0,
            author: "prof".into(),
        }
    }

    #[test]
    fn edits_create_score_schedule_and_delete_a_draft() {
        use crate::edits::EditError;
        let mut b = book();
        create("a1").apply(&mut b).unwrap();
        assert_eq!(b.assessments["a1"].title, "Contrôle 1");
        assert_eq!(b.assessments["a1"].status(), Status::Draft);
        assert!(create("a1").apply(&mut b).is_err(), "ids are unique");
        assert!(create("a b").apply(&mut b).is_err());

        let set = |student: &str, score: Option<f64>| GradebookEdit::SetScores {
            id: "a1".into(),
            scores: BTreeMap::from([(student.into(), Score { score, comment: String::new() })]),
        };
        set("lea", Some(12.0)).apply(&mut b).unwrap();
        set("tom", None).apply(&mut b).unwrap();
        assert_eq!(b.assessments["a1"].scores.len(), 2, "other students keep their scores");
        let before = b.clone();
        assert!(matches!(set("lea", Some(20.5)).apply(&mut b), Err(EditError::Invalid(_))));
        assert!(matches!(set("zoe", Some(1.0)).apply(&mut b), Err(EditError::Invalid(_))));
        assert_eq!(b, before, "a refused edit changes nothing");
        let missing = GradebookEdit::SetScores { id: "nope".into(), scores: BTreeMap::new() };
        assert_eq!(missing.apply(&mut b), Err(EditError::NotFound));

        GradebookEdit::Schedule { id: "a1".into(), publish_at_ms: Some(9) }.apply(&mut b).unwrap();
        assert_eq!(b.assessments["a1"].status(), Status::Scheduled);
        b.assessments.get_mut("a1").unwrap().published_ms = Some(10);
        let delete = GradebookEdit::DeleteDraft { id: "a1".into() };
        assert!(delete.apply(&mut b).is_err(), "published: kept");
        b.assessments.get_mut("a1").unwrap().published_ms = None;
        delete.apply(&mut b).unwrap();
        assert!(b.assessments.is_empty());
    }

    #[test]
    fn scores_must_lie_within_the_maximum() {
        let mut a = assessment();
        assert_eq!(a.invalid(), None);
        a.scores.get_mut("lea").unwrap().score = Some(20.5);
        assert!(a.invalid().unwrap().contains("between 0 and 20"));
        a.scores.get_mut("lea").unwrap().score = Some(-1.0);
        assert!(a.invalid().is_some());
        a.scores.get_mut("lea").unwrap().score = Some(f64::NAN);
        assert!(a.invalid().is_some());
        let mut b = assessment();
        b.out_of = 0.0;
        assert!(b.invalid().unwrap().contains("maximum"));
        let mut c = assessment();
        c.title = "  ".into();
        assert!(c.invalid().unwrap().contains("title"));
    }
}
