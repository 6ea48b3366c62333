//! The `homework:<group>` document: assignments set for a group.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "crdt")]
use autosurgeon::{Hydrate, Reconcile};

/// Current schema version of homework documents.
pub const HOMEWORK_SCHEMA: u64 = 1;

/// A group's homework.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Homework {
    /// Schema version ([`HOMEWORK_SCHEMA`]).
    pub schema: u64,
    /// The group.
    pub group: String,
    /// Assignments by id.
    pub assignments: BTreeMap<String, Assignment>,
}

/// One assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Assignment {
    /// The subject.
    pub subject: String,
    /// A short title.
    pub title: String,
    /// What to do.
    pub text: String,
    /// When it was set, UTC milliseconds.
    pub set_on_ms: i64,
    /// When it is due, UTC milliseconds.
    pub due_ms: i64,
    /// Attached files.
    pub attachments: Vec<BlobRef>,
    /// Whether something must be handed in.
    pub hand_in: bool,
    /// The teacher who set it (user id).
    pub author: String,
}

/// A reference to a stored file (DESIGN §4): files are stored once by SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct BlobRef {
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// The file name to show.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// MIME type.
    pub mime: String,
}
