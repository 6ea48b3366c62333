//! Starting a conversation: the server creates the `thread:<id>` document and records its
//! participants, who alone may read and write it (append only) from then on.

use automerge::Automerge;
use cartable_shared::api::{GroupMessage, NewThread};
use cartable_shared::ids::{DocId, DocKind, GroupId, UserId};
use cartable_shared::roles::{Principal, Role};
use cartable_shared::thread::{THREAD_SCHEMA, Thread, ThreadMessage};
use rand::RngCore;

use super::hub::Hub;
use super::presence::Control;
use crate::store::{Store, StoreError};

/// Most participants of one thread.
pub const MAX_PARTICIPANTS: usize = 50;
/// Longest subject, in characters.
pub const MAX_SUBJECT: usize = 200;
/// Longest message, in characters.
pub const MAX_BODY: usize = 10_000;

/// Why a thread could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ThreadError {
    /// The request is invalid (empty subject or message, no other participant, too many…).
    #[error("{0}")]
    Invalid(String),
    /// The sender may not write to these people (a teacher to students of groups they do not
    /// teach, a student or guardian to a whole group).
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such group.
    #[error("no such group")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn random_id() -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

const NOT_YOUR_STUDENT: &str = "a teacher writes only to students of the groups they teach";

/// Whether `sender` may start a conversation with `other`: a teacher only with students of
/// the groups they teach (and with any adult); everyone else with anyone.
fn may_write_to(sender: &Principal, other: &Principal) -> bool {
    sender.role != Role::Teacher
        || other.role != Role::Student
        || other.groups.iter().any(|g| sender.teaches.contains(g))
}

/// Writes to every student of `group`: one private thread per student with the sender, so
/// that each reply goes to the sender only. For the group's teachers, staff and admins.
/// Returns the threads, by student name.
pub async fn create_for_group(
    store: &Store,
    hub: &Hub,
    sender: &Principal,
    group: &GroupId,
    req: GroupMessage,
    now_ms: i64,
) -> Result<Vec<DocId>, ThreadError> {
    let allowed = match sender.role {
        Role::Staff | Role::Admin => true,
        Role::Teacher => sender.teaches.contains(group),
        Role::Student | Role::Guardian => false,
    };
    if !allowed {
        return Err(ThreadError::Forbidden(
            "only the group's teachers, staff and admins write to a whole group",
        ));
    }
    let g = group.clone();
    let students =
        store.read(move |dao| dao.group_students(&g)).await?.ok_or(ThreadError::NotFound)?;
    if students.is_empty() {
        return Err(ThreadError::Invalid("the group has no students".into()));
    }
    let mut threads = Vec::with_capacity(students.len());
    for (student, _) in students {
        let one = NewThread {
            subject: req.subject.clone(),
            participants: vec![student],
            body: req.body.clone(),
        };
        threads.push(create(store, hub, sender, one, now_ms).await?);
    }
    tracing::info!(group = %group, by = %sender.user, threads = threads.len(), "group message sent");
    Ok(threads)
}

/// Starts a thread from `sender` with `req.participants`; returns its document id.
pub async fn create(
    store: &Store,
    hub: &Hub,
    sender: &Principal,
    req: NewThread,
    now_ms: i64,
) -> Result<DocId, ThreadError> {
    let subject = req.subject.trim().to_owned();
    let body = req.body.trim().to_owned();
    if subject.is_empty() || subject.chars().count() > MAX_SUBJECT {
        return Err(ThreadError::Invalid(format!("a subject of 1 to {MAX_SUBJECT} characters")));
    }
    if body.is_empty() || body.chars().count() > MAX_BODY {
        return Err(ThreadError::Invalid(format!("a message of 1 to {MAX_BODY} characters")));
    }
    let mut participants: Vec<UserId> = req.participants;
    participants.push(sender.user.clone());
    participants.sort();
    participants.dedup();
    if participants.len() < 2 || participants.len() > MAX_PARTICIPANTS {
        return Err(ThreadError::Invalid(format!(
            "2 to {MAX_PARTICIPANTS} participants, the sender included"
        )));
    }
    let id = DocId::new(DocKind::Thread, &random_id())
        .map_err(|e| ThreadError::Invalid(e.to_string()))?;
    let thread = Thread {
        schema: THREAD_SCHEMA,
        subject,
        participants: participants.iter().map(ToString::to_string).collect(),
        messages: vec![ThreadMessage {
            id: random_id(),
            author: sender.user.to_string(),
            sent_ms: now_ms,
            body,
        }],
    };
    let mut doc = Automerge::new();
    cartable_shared::sync::write(&mut doc, &thread)
        .map_err(|e| ThreadError::Invalid(e.to_string()))?;
    let changes = super::hub::stored_history(&doc);
    // The first message is a notification event for the other participants, stored with it.
    let outbox =
        super::push::events::outbox_of(&id, &Automerge::new(), &doc, Some(&sender.user), now_ms);
    let (doc_id, people) = (id.clone(), participants.clone());
    let sender_principal = sender.clone();
    store
        .write(move |dao| {
            for p in &people {
                let Some((principal, _)) = dao.principal(p)? else {
                    return Ok(Err(ThreadError::Invalid(format!("unknown participant {p}"))));
                };
                if !may_write_to(&sender_principal, &principal) {
                    return Ok(Err(ThreadError::Forbidden(NOT_YOUR_STUDENT)));
                }
            }
            dao.create_document(&doc_id, now_ms)?;
            dao.append_changes(&doc_id, &changes)?;
            dao.add_thread_participants(&doc_id, &people)?;
            dao.write_outbox(&outbox)?;
            Ok::<_, StoreError>(Ok(()))
        })
        .await??;
    hub.push_wake().notify_one();
    tracing::info!(doc = %id, by = %sender.user, participants = participants.len(), "thread started");
    for p in &participants {
        hub.presence().notify(p, Control::Reevaluate);
    }
    Ok(id)
}
