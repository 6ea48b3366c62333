//! Messages between the app's UI module and its engine worker (DESIGN §6). They travel with
//! `postMessage` as JSON strings, so the UI module needs no Automerge.

use serde::{Deserialize, Serialize};

use crate::edits::DocEdit;
use crate::ids::DocId;
use crate::me::PersonalEvent;
use crate::notify::{Category, Level, QuietHours};

/// Sent by the UI to the engine worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineCommand {
    /// A user is signed in (just now, or from a previous visit): load the stored documents,
    /// connect to `/sync` and keep syncing, reconnecting with backoff.
    Start,
    /// Connect again now (the browser says it is back online, or the user asked).
    Reconnect,
    /// The browser says the network is gone: close the socket now rather than wait for it to
    /// time out (a socket can linger half-open), show offline, and wait for `Reconnect` (or
    /// the backoff).
    NetworkLost,
    /// The user signed out: close the connection; with `clear`, delete every stored document
    /// and view from this device.
    Stop {
        /// Delete local data too.
        clear: bool,
    },
    /// Mark a homework assignment done or not done (in the user's `me` document).
    SetHomeworkDone {
        /// The group whose homework it is.
        group: String,
        /// The assignment id.
        assignment: String,
        /// Done or not.
        done: bool,
    },
    /// Add (or replace) a personal event in the user's `me` document.
    AddPersonalEvent {
        /// An id chosen by the device (unique enough: time and randomness).
        id: String,
        /// The event.
        event: PersonalEvent,
    },
    /// Remove a personal event from the user's `me` document.
    RemovePersonalEvent {
        /// Its id.
        id: String,
    },
    /// Set a personal note (`None` removes it) in the user's `me` document.
    SetNote {
        /// What it is attached to (e.g. a session id).
        key: String,
        /// The text.
        text: Option<String>,
    },
    /// Acknowledge an announcement (in the user's `me` document).
    Acknowledge {
        /// The announcement's audience (the scope of its document).
        audience: String,
        /// The announcement id.
        id: String,
        /// When, UTC milliseconds.
        at_ms: i64,
    },
    /// Change one of the user's notification settings in their `me` document (they follow the
    /// user to every device, and the server's push sender reads them there). One setting per
    /// command, applied to the document as it is when the engine gets it: two edits made in
    /// quick succession, or on two devices, do not undo each other.
    SetNotifications {
        /// What changes.
        change: NotificationChange,
    },
    /// Hide a subject's sessions from the user's timetable, or show them again (in the user's
    /// `me` document, `hidden_courses`). Idempotent: hiding a hidden subject or showing a shown
    /// one changes nothing.
    SetCourseHidden {
        /// The subject, as the timetable names it.
        subject: String,
        /// Hidden or shown.
        hidden: bool,
    },
    /// Append a message to a thread the user takes part in.
    Reply {
        /// The thread id (the scope of `thread:<id>`).
        thread: String,
        /// A message id chosen by the device.
        id: String,
        /// The signed-in user (the server checks it is the sender).
        author: String,
        /// When it was written, UTC milliseconds.
        sent_ms: i64,
        /// The text.
        body: String,
    },
    /// A publisher's edit of a group document (a session of `timetable:<group>`, an assignment
    /// of `homework:<group>`, an announcement of `announcements:<audience>`). Applied to the
    /// local document even offline and synced; the server's rules decide whether it stands.
    Edit {
        /// The document, as `kind:scope` (e.g. `timetable:l2-info-a`).
        doc: String,
        /// What changes.
        edit: DocEdit,
    },
}

impl EngineCommand {
    /// Whether this command is an edit of the user's data (kept and applied even offline),
    /// rather than a command to the engine itself.
    pub fn is_intent(&self) -> bool {
        !matches!(self, Self::Start | Self::Reconnect | Self::NetworkLost | Self::Stop { .. })
    }
}

/// One change of a user's notification settings (`notify::NotificationSettings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationChange {
    /// Pick a level; the overrides that now agree with it are dropped.
    Level(Level),
    /// Turn one category on or off (an override only where it differs from the level).
    Category {
        /// The category.
        category: Category,
        /// Wanted or not.
        on: bool,
    },
    /// Set quiet hours, or remove them.
    QuietHours(Option<QuietHours>),
}

/// Sent by the engine worker to the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    /// The worker has started and takes commands from now on. Sent once, first. A dedicated
    /// worker drops messages posted before its module finished loading, so the UI holds its
    /// commands until this arrives.
    Ready,
    /// The sync status changed. The same value is stored in IndexedDB (`meta`/`sync`).
    Status(SyncStatus),
    /// The view model of `doc` was rewritten in IndexedDB (`views`): read it again.
    ViewUpdated {
        /// The document.
        doc: DocId,
    },
    /// A document may no longer be read and was deleted from the device.
    ViewDropped {
        /// The document.
        doc: DocId,
    },
    /// The server refused the session (expired or revoked): the UI shows the login screen.
    SignedOut,
    /// A block period keeps this user out (`ErrorCode::Blocked`): the engine stops
    /// reconnecting until the UI sends `Reconnect`; the UI reads `GET /api/me` for the notice.
    Blocked,
    /// Local changes of `doc` were refused (by the server, whose message is given, or because
    /// the edit did not apply to the document as the device holds it) and were discarded: the
    /// UI tells the user that what they changed there was not kept.
    EditRefused {
        /// The document.
        doc: DocId,
        /// Why, in English (the server's error message).
        message: String,
    },
}

/// Where the connection to the server stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Connection {
    /// No connection, or the network is down.
    Offline,
    /// Connected, messages in flight.
    Syncing,
    /// Connected, and every document is up to date.
    Online,
}

/// What the sync indicator shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// The connection.
    pub connection: Connection,
    /// When the last complete sync finished, UTC milliseconds; `None` before the first.
    pub last_sync_ms: Option<i64>,
    /// Local changes not yet acknowledged by the server.
    pub pending: u32,
}

impl Default for SyncStatus {
    fn default() -> Self {
        Self { connection: Connection::Offline, last_sync_ms: None, pending: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_messages_have_a_stable_json_form() {
        let e = EngineEvent::ViewUpdated { doc: "timetable:g".parse().unwrap() };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"type":"view_updated","doc":"timetable:g"}"#
        );
        let c: EngineCommand = serde_json::from_str(r#"{"type":"stop","clear":true}"#).unwrap();
        assert_eq!(c, EngineCommand::Stop { clear: true });
        let c = EngineCommand::SetNotifications {
            change: NotificationChange::Category { category: Category::NewMessage, on: false },
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"type":"set_notifications","change":{"category":{"category":"new_message","on":false}}}"#
        );
        let s = EngineEvent::Status(SyncStatus::default());
        let back: EngineEvent = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }
}
