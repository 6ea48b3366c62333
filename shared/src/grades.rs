//! The `grades:<student>` document: one student's assessments.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "crdt")]
use autosurgeon::{Hydrate, Reconcile};

/// Current schema version of grades documents.
pub const GRADES_SCHEMA: u64 = 1;

/// A student's grades.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Grades {
    /// Schema version ([`GRADES_SCHEMA`]).
    pub schema: u64,
    /// The student (user id).
    pub student: String,
    /// Assessments by id.
    pub assessments: BTreeMap<String, Assessment>,
}

/// One grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Assessment {
    /// The subject; a teacher may only write entries of the subjects they teach.
    pub subject: String,
    /// What was assessed.
    pub title: String,
    /// When, UTC milliseconds.
    pub date_ms: i64,
    /// The score; `None` for an absence.
    pub score: Option<f64>,
    /// The maximum score.
    pub out_of: f64,
    /// Weight in the subject average.
    pub coefficient: f64,
    /// The teacher's comment.
    pub comment: Option<String>,
    /// The teacher who wrote it (user id).
    pub author: String,
    /// When it became visible to the student; `None` while a draft.
    pub published_ms: Option<i64>,
}
