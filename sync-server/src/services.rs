//! The rules of the server, between the HTTP/WebSocket edge and the store. Nothing here knows
//! about status codes or axum.
//!
//! - [`acknowledgements`]: who acknowledged an announcement;
//! - [`auth`]: login, sessions, rate limiting, who a request is;
//! - [`block`]: the block period that keeps students and guardians out;
//! - [`entries`]: class documents read and written one entry at a time (`/api/v1`);
//! - [`files`]: uploads, course documents and attachments, who may download a file;
//! - [`feeds`]: calendar feeds: iCalendar import into timetables, the personal export;
//! - [`gdpr`]: a user's data export, an account's deletion with its personal data;
//! - [`gradebook`]: teachers' gradebooks and their scheduled publication into students' grades;
//! - [`groups`]: memberships changed by administrators, applied to live connections;
//! - [`guests`]: guest accounts expire on their own (the clean-up job);
//! - [`password`]: Argon2id hashing and verification;
//! - [`hub`]: the in-memory documents, one actor task per document, and their fan-out;
//! - [`presence`]: the live connections of each user (membership changes, sign-out);
//! - [`push`]: Web Push: the VAPID key, the subscriptions of devices and their endpoints;
//! - [`sync`]: one `/sync` connection: decodes frames, checks access, talks to the hub;
//! - [`rollover`]: closing a school year (archives of class documents);
//! - [`rules`]: what a writer may do to a document (every kind);
//! - [`threads`]: starting a conversation (the server records its participants), or one
//!   with each student of a group;
//! - [`timetable`]: teachers' edits of a timetable session.

pub mod acknowledgements;
pub mod admin;
pub mod api_tokens;
pub mod auth;
pub mod block;
pub mod csv_lines;
pub mod entries;
pub mod feeds;
pub mod files;
pub mod gdpr;
pub mod grade_import;
pub mod gradebook;
pub mod groups;
pub mod guests;
pub mod hub;
pub mod password;
pub mod presence;
pub mod push;
pub mod rollover;
pub mod roster;
pub mod rules;
pub mod sync;
pub mod threads;
pub mod timetable;

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

/// A source of the current time, injectable so that time-dependent rules (rate limits,
/// session expiry) are testable.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Now, in UTC milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

/// A clock that moves only when told to (tests).
#[derive(Debug, Default)]
pub struct ManualClock {
    now: AtomicI64,
}

impl ManualClock {
    /// A clock showing `now_ms`.
    pub fn new(now_ms: i64) -> Self {
        Self { now: AtomicI64::new(now_ms) }
    }

    /// Moves the clock forward by `ms`.
    pub fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }
}

/// Runs `round` at once, then every `period` (a late round delays the next one; missed ticks
/// are not bunched), until `stop` is cancelled. A round in progress when `stop` is cancelled
/// is finished, not dropped half-way.
pub async fn every<F, Fut>(
    period: std::time::Duration,
    stop: tokio_util::sync::CancellationToken,
    mut round: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        round().await;
    }
}
