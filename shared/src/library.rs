//! The `library:<group>` document: course documents of a group.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "crdt")]
use autosurgeon::{Hydrate, Reconcile};

/// Current schema version of library documents.
pub const LIBRARY_SCHEMA: u64 = 1;

/// A group's course documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Library {
    /// Schema version ([`LIBRARY_SCHEMA`]).
    pub schema: u64,
    /// The group.
    pub group: String,
    /// Items by id.
    pub items: BTreeMap<String, LibraryItem>,
}

/// One course document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct LibraryItem {
    /// Title.
    pub title: String,
    /// Subject.
    pub subject: String,
    /// Kind (slides, exercise sheet, correction…).
    pub kind: String,
    /// Language (BCP 47), e.g. `fr`.
    pub language: String,
    /// Size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
    /// When it was added, UTC milliseconds.
    pub added_ms: i64,
    /// Who added it (user id).
    pub author: String,
}
