//! The `me:<user>` document: the user's private layer, following them across devices.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "crdt")]
use autosurgeon::{Hydrate, Reconcile};

/// Current schema version of `me` documents.
pub const ME_SCHEMA: u64 = 2;

/// What a user keeps for themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct MyLayer {
    /// Schema version ([`ME_SCHEMA`]).
    pub schema: u64,
    /// The user.
    pub user: String,
    /// Homework marked done: key `<group>/<assignment id>`.
    pub homework_done: BTreeMap<String, bool>,
    /// Personal events by id.
    pub events: BTreeMap<String, PersonalEvent>,
    /// Personal notes: key is what they are attached to (e.g. a session id).
    pub notes: BTreeMap<String, String>,
    /// Subjects hidden from the timetable. A list in the document: two devices hiding the same
    /// subject offline both append it, so read it as a set ([`MyLayer::hides`]).
    pub hidden_courses: Vec<String>,
    /// Announcements acknowledged: key `<audience>/<id>`, value UTC milliseconds.
    pub acknowledged: BTreeMap<String, i64>,
    /// Notification level, per-category overrides and quiet hours (since schema 2).
    pub notifications: crate::notify::NotificationSettings,
}

impl MyLayer {
    /// Whether the user hid `subject` from their timetable.
    pub fn hides(&self, subject: &str) -> bool {
        self.hidden_courses.iter().any(|s| s == subject)
    }
}

/// An event the user added to their own timetable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct PersonalEvent {
    /// Title.
    pub title: String,
    /// Start, UTC milliseconds.
    pub start_ms: i64,
    /// End, UTC milliseconds.
    pub end_ms: i64,
    /// IANA zone.
    pub zone: String,
    /// A note.
    pub note: Option<String>,
}
