//! JSON bodies of the calendar feed API: iCalendar feeds imported into a group's timetable
//! (`/api/admin/feeds`, administrators only) and each user's private export feed
//! (`/api/calendar/token`).

use serde::{Deserialize, Serialize};

use crate::ids::{FeedId, GroupId};

/// `POST /api/admin/feeds` body: import an iCalendar URL into a group's timetable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFeed {
    /// The group whose timetable the feed fills.
    pub group: GroupId,
    /// The feed's `http(s)` URL (ADE, Hyperplanning, EDT/Pronote export…).
    pub url: String,
}

/// A registered feed and how its last fetches went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedInfo {
    /// The feed.
    pub id: FeedId,
    /// The group whose timetable it fills.
    pub group: GroupId,
    /// Its URL.
    pub url: String,
    /// When it was registered, UTC milliseconds.
    pub created_ms: i64,
    /// When it was last fetched and imported successfully (a `304 Not Modified` counts).
    pub last_success_ms: Option<i64>,
    /// Why the last attempt failed, if it did (cleared by the next success).
    pub last_error: Option<String>,
    /// When the last attempt failed.
    pub last_error_ms: Option<i64>,
    /// How many sessions the last good import held.
    pub sessions: u32,
}

/// `GET /api/admin/feeds` answer, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedList {
    /// The feeds.
    pub feeds: Vec<FeedInfo>,
}

/// What one import changed in the timetable, counted by kind of change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Sessions that appeared in the feed and were added.
    pub added: u32,
    /// Sessions gone from the feed (probably cancelled) or marked `STATUS:CANCELLED`.
    pub cancelled: u32,
    /// Sessions moved to another time.
    pub moved: u32,
    /// Sessions whose rooms changed.
    pub room_changed: u32,
    /// Sessions back after a cancellation.
    pub restored: u32,
    /// Sessions whose subject, kind, teachers or description changed.
    pub updated: u32,
    /// The server answered `304 Not Modified`: nothing was parsed.
    pub not_modified: bool,
}

/// `POST /api/admin/feeds/{id}/refresh` answer: the feed after the attempt, and what the
/// import changed (absent when it failed: see `feed.last_error`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshOutcome {
    /// The feed, with its new success or error.
    pub feed: FeedInfo,
    /// What changed, if the import succeeded.
    pub changes: Option<ImportSummary>,
}

/// `POST /api/calendar/token` answer (201): the user's private export URL. The token is shown
/// only here; the server keeps its hash only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarTokenCreated {
    /// The feed URL to paste into Google Calendar or Apple Calendar.
    pub url: String,
    /// When it was created, UTC milliseconds.
    pub created_ms: i64,
}

/// `GET /api/calendar/token` answer: whether the user has an export feed, and its use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarTokenInfo {
    /// When it was created, UTC milliseconds.
    pub created_ms: i64,
    /// When a calendar application last fetched it.
    pub last_used_ms: Option<i64>,
}
