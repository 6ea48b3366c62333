//! The `announcements:<audience>` document.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "crdt")]
use autosurgeon::{Hydrate, Reconcile};

/// Current schema version of announcements documents.
pub const ANNOUNCEMENTS_SCHEMA: u64 = 1;

/// Announcements for one audience (a group, `everyone`, `teachers`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Announcements {
    /// Schema version ([`ANNOUNCEMENTS_SCHEMA`]).
    pub schema: u64,
    /// The audience.
    pub audience: String,
    /// Announcements by id.
    pub items: BTreeMap<String, Announcement>,
}

/// One announcement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Announcement {
    /// Title.
    pub title: String,
    /// Body text.
    pub body: String,
    /// How it is shown and notified.
    pub severity: Severity,
    /// Shown from, UTC milliseconds.
    pub visible_from_ms: i64,
    /// Shown until, UTC milliseconds; `None` for no end.
    pub visible_until_ms: Option<i64>,
    /// Readers must acknowledge it.
    pub ack_required: bool,
    /// Who wrote it (user id).
    pub author: String,
}

/// Severity of an announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub enum Severity {
    /// For information.
    Information,
    /// A warning.
    Warning,
    /// An alert.
    Alert,
}
