//! The `thread:<id>` document: a conversation, append only.

use serde::{Deserialize, Serialize};

#[cfg(feature = "crdt")]
use autosurgeon::{Hydrate, Reconcile};

/// Current schema version of thread documents.
pub const THREAD_SCHEMA: u64 = 1;

/// A conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct Thread {
    /// Schema version ([`THREAD_SCHEMA`]).
    pub schema: u64,
    /// What it is about.
    pub subject: String,
    /// Who takes part (user ids); they alone read and write it.
    pub participants: Vec<String>,
    /// Messages in the order they were appended; never rewritten.
    pub messages: Vec<ThreadMessage>,
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct ThreadMessage {
    /// A unique id chosen by the sender's device.
    pub id: String,
    /// The author (user id): the server checks it is the authenticated sender.
    pub author: String,
    /// When it was written, UTC milliseconds (device clock).
    pub sent_ms: i64,
    /// The text.
    pub body: String,
}
