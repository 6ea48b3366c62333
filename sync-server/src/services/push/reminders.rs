//! Library reminders (`POST /api/reminders`): a short text for the readers of a group's
//! library (its students, their guardians, its teachers), category `library_reminder`.
//!
//! Who may post: staff and administrators for any group, a teacher for the groups they teach.

use cartable_shared::api::NewReminder;
use cartable_shared::ids::{DocId, DocKind};
use cartable_shared::links::DeepLink;
use cartable_shared::notify::Category;
use cartable_shared::roles::{Principal, Role};
use rand::RngCore;

use super::events::{Event, EventText};
use crate::services::hub::Hub;
use crate::store::{OutboxWrite, Store, StoreError};

/// Longest reminder, in characters.
pub const MAX_TEXT: usize = 200;

/// Why a reminder was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    /// The poster may not remind this group.
    #[error("you may not post reminders to this group")]
    Forbidden,
    /// No such group.
    #[error("no such group")]
    NotFound,
    /// The text is empty or too long.
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores a reminder from `poster` as a notification event; returns its id.
pub async fn post(
    store: &Store,
    hub: &Hub,
    poster: &Principal,
    req: NewReminder,
    now_ms: i64,
) -> Result<String, ReminderError> {
    let allowed = match poster.role {
        Role::Staff | Role::Admin => true,
        Role::Teacher => poster.teaches.contains(&req.group),
        Role::Student | Role::Guardian => false,
    };
    if !allowed {
        return Err(ReminderError::Forbidden);
    }
    let text = req.text.trim().to_owned();
    if text.is_empty() || text.chars().count() > MAX_TEXT || text.chars().any(char::is_control) {
        return Err(ReminderError::Invalid(format!(
            "a reminder is 1 to {MAX_TEXT} printable characters"
        )));
    }
    let mut raw = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let id = hex::encode(raw);
    let doc = DocId::new(DocKind::Library, req.group.as_str()).expect("group ids are valid scopes");
    let event = Event {
        category: Category::LibraryReminder,
        text: EventText::Reminder { text },
        about: format!("{doc}/reminder/{id}"),
        url: DeepLink::Today.url(),
        class: None,
        at_ms: now_ms,
    };
    let write = OutboxWrite::Event(event.into_new(&doc, Some(&poster.user)));
    let group = req.group.clone();
    let known = store
        .write(move |dao| {
            if dao.group_name(&group)?.is_none() {
                return Ok(false);
            }
            dao.write_outbox(&[write])?;
            Ok::<_, StoreError>(true)
        })
        .await?;
    if !known {
        return Err(ReminderError::NotFound);
    }
    hub.push_wake().notify_one();
    tracing::info!(group = %req.group, by = %poster.user, "library reminder posted");
    Ok(id)
}
