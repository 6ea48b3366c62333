//! Reading a class document and writing one entry of it, for the school's systems
//! (`/api/v1`): homework assignments, announcements, and the whole timetable, homework,
//! grades or announcements document read as JSON. Every write goes through the document's
//! actor on behalf of the token's principal, whose access is checked here: the hub stores it,
//! fans it out to every connected device, and the notifications follow (the author is never
//! notified), exactly as for a change made in the app.

use automerge::{Automerge, ObjType, ReadDoc, Value};
use cartable_shared::admin::{ApiAnnouncement, ApiAssignment};
use cartable_shared::announcements::{ANNOUNCEMENTS_SCHEMA, Announcement, Announcements};
use cartable_shared::homework::{Assignment, HOMEWORK_SCHEMA, Homework};
use cartable_shared::ids::{DocId, DocKind, GroupId, UserId};
use cartable_shared::roles::{ANNOUNCEMENTS_EVERYONE, Principal};

use super::hub::{Hub, HubError};
use crate::store::{Store, StoreError};

/// Longest entry id.
pub const MAX_KEY_LEN: usize = 64;

/// Why a read or write failed.
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    /// The principal may not read or write this document.
    #[error("you may not do this")]
    Forbidden,
    /// No such document or entry.
    #[error("no such resource")]
    NotFound,
    /// The request is invalid; the message says why.
    #[error("{0}")]
    Invalid(String),
    /// The hub failed (or refused the change).
    #[error(transparent)]
    Hub(#[from] HubError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `s` is a plain name: 1 to `max` letters, digits, `.`, `_` or `-`.
pub fn plain_name(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.chars().count() <= max
        && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn key(id: &str) -> Result<String, EntryError> {
    if plain_name(id, MAX_KEY_LEN) {
        Ok(id.to_owned())
    } else {
        Err(EntryError::Invalid(format!(
            "invalid id {id:?}: 1 to {MAX_KEY_LEN} letters, digits, '.', '_' or '-'"
        )))
    }
}

fn text(what: &str, value: &str, max: usize) -> Result<String, EntryError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(EntryError::Invalid(format!("{what}: 1 to {max} characters")));
    }
    Ok(v.to_owned())
}

/// A whole document as `principal` may read it, typed.
pub async fn read<T>(hub: &Hub, principal: &Principal, id: &DocId) -> Result<T, EntryError>
where
    T: autosurgeon::Hydrate + Send + 'static,
{
    if !principal.access(id, &[]).can_read() {
        return Err(EntryError::Forbidden);
    }
    let read = hub
        .peek(id, |am| cartable_shared::sync::read::<T>(am).map_err(|e| e.to_string()))
        .await?
        .ok_or(EntryError::NotFound)?;
    read.map_err(|e| EntryError::Store(StoreError::Corrupt(format!("{id}: {e}"))))?
        .ok_or(EntryError::NotFound)
}

/// The map `field` of a document's root.
fn root_map(am: &Automerge, field: &str) -> Result<automerge::ObjId, EntryError> {
    match am.get(automerge::ROOT, field) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Ok(id),
        _ => Err(EntryError::Invalid(format!("the document has no {field}"))),
    }
}

/// Writes the entry `id` of the map `field` of the document, built by `make` from the entry
/// already there (if any), on behalf of `author`; creates the document with `initial` if it
/// does not exist. Returns the entry and whether it is new.
async fn put_entry<V>(
    hub: &Hub,
    author: &UserId,
    doc: &DocId,
    field: &'static str,
    id: String,
    initial: impl FnOnce() -> Result<Automerge, EntryError>,
    make: impl FnOnce(Option<V>) -> V + Send + 'static,
) -> Result<(V, bool), EntryError>
where
    V: autosurgeon::Hydrate + autosurgeon::Reconcile + Clone + Send + 'static,
{
    let handle = match hub.open(doc).await? {
        Some(h) => h,
        None => {
            hub.create(doc, &initial()?, chrono::Utc::now().timestamp_millis()).await?;
            hub.open(doc).await?.ok_or(EntryError::NotFound)?
        }
    };
    let out = handle
        .edit_by(author.clone(), move |am| {
            let map = root_map(am, field)?;
            let before: Option<V> = match am.get(&map, id.as_str()) {
                Ok(Some(_)) => Some(
                    autosurgeon::hydrate_prop(am, &map, id.as_str())
                        .map_err(|e| EntryError::Invalid(format!("unreadable entry: {e}")))?,
                ),
                _ => None,
            };
            let created = before.is_none();
            let value = make(before);
            let mut tx = am.transaction();
            autosurgeon::reconcile_prop(&mut tx, &map, id.as_str(), &value)
                .map_err(|e| EntryError::Invalid(format!("could not write: {e}")))?;
            tx.commit();
            Ok::<_, EntryError>((value, created))
        })
        .await??;
    Ok(out)
}

/// Deletes the entries `ids` of the map `field` of a document (those still there), on behalf
/// of `author`; returns how many were there.
pub async fn delete_entries(
    hub: &Hub,
    author: &UserId,
    doc: &DocId,
    field: &'static str,
    ids: Vec<String>,
) -> Result<usize, EntryError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let Some(handle) = hub.open(doc).await? else { return Ok(0) };
    let removed = handle
        .edit_by(author.clone(), move |am| {
            use automerge::transaction::Transactable;
            let Ok(map) = root_map(am, field) else { return Ok(0) };
            let mut tx = am.transaction();
            let mut n = 0;
            for k in &ids {
                if tx.get(&map, k.as_str()).ok().flatten().is_some() {
                    tx.delete(&map, k.as_str())
                        .map_err(|e| EntryError::Invalid(format!("could not delete: {e}")))?;
                    n += 1;
                }
            }
            tx.commit();
            Ok::<_, EntryError>(n)
        })
        .await??;
    Ok(removed)
}

fn new_document<T: autosurgeon::Reconcile>(value: &T) -> Result<Automerge, EntryError> {
    let mut am = Automerge::new();
    cartable_shared::sync::write(&mut am, value)
        .map_err(|e| EntryError::Invalid(format!("could not create the document: {e}")))?;
    Ok(am)
}

async fn group_exists(store: &Store, group: &GroupId) -> Result<(), EntryError> {
    let g = group.clone();
    match store.read(move |dao| dao.group_name(&g)).await? {
        Some(_) => Ok(()),
        None => Err(EntryError::NotFound),
    }
}

/// Sets (or changes) the assignment `id` of `group`'s homework on behalf of `principal`.
pub async fn put_assignment(
    hub: &Hub,
    store: &Store,
    principal: &Principal,
    group: &GroupId,
    id: &str,
    req: ApiAssignment,
    now_ms: i64,
) -> Result<(Assignment, bool), EntryError> {
    let doc = DocId::homework(group);
    if !principal.access(&doc, &[]).can_write() {
        return Err(EntryError::Forbidden);
    }
    group_exists(store, group).await?;
    let (subject, title) = (text("subject", &req.subject, 120)?, text("title", &req.title, 200)?);
    let body = req.text.trim().to_owned();
    if body.chars().count() > 10_000 {
        return Err(EntryError::Invalid("text: at most 10000 characters".into()));
    }
    let author = principal.user.to_string();
    let initial = || {
        new_document(&Homework {
            schema: HOMEWORK_SCHEMA,
            group: group.to_string(),
            ..Default::default()
        })
    };
    let make = move |before: Option<Assignment>| {
        // A changed entry keeps its author (who may still change it from the app), the day it
        // was set and its attachments.
        let (set_on_ms, attachments, author) = match before {
            Some(b) => (b.set_on_ms, b.attachments, b.author),
            None => (now_ms, Vec::new(), author),
        };
        Assignment {
            subject,
            title,
            text: body,
            set_on_ms,
            due_ms: req.due_ms,
            attachments,
            hand_in: req.hand_in,
            author,
        }
    };
    put_entry(hub, &principal.user, &doc, "assignments", key(id)?, initial, make).await
}

/// The announcements document of `audience` (a group id or `everyone`).
pub fn announcements_of(audience: &str) -> Result<DocId, EntryError> {
    DocId::new(DocKind::Announcements, audience).map_err(|_| EntryError::NotFound)
}

/// Publishes (or changes) the announcement `id` for `audience` on behalf of `principal`.
pub async fn put_announcement(
    hub: &Hub,
    store: &Store,
    principal: &Principal,
    audience: &str,
    id: &str,
    req: ApiAnnouncement,
    now_ms: i64,
) -> Result<(Announcement, bool), EntryError> {
    let doc = announcements_of(audience)?;
    if !principal.access(&doc, &[]).can_write() {
        return Err(EntryError::Forbidden);
    }
    if audience != ANNOUNCEMENTS_EVERYONE {
        let group = audience.parse::<GroupId>().map_err(|_| EntryError::NotFound)?;
        group_exists(store, &group).await?;
    }
    let (title, body) = (text("title", &req.title, 200)?, text("body", &req.body, 10_000)?);
    let from = req.visible_from_ms.unwrap_or(now_ms);
    if req.visible_until_ms.is_some_and(|until| until <= from) {
        return Err(EntryError::Invalid("visible_until_ms must be after visible_from_ms".into()));
    }
    let value = Announcement {
        title,
        body,
        severity: req.severity,
        visible_from_ms: from,
        visible_until_ms: req.visible_until_ms,
        ack_required: req.ack_required,
        author: principal.user.to_string(),
    };
    // A changed entry keeps its author (who may still change it from the app).
    let make = move |before: Option<Announcement>| match before {
        Some(b) => Announcement { author: b.author, ..value },
        None => value,
    };
    let initial = || {
        new_document(&Announcements {
            schema: ANNOUNCEMENTS_SCHEMA,
            audience: audience.to_owned(),
            ..Default::default()
        })
    };
    put_entry(hub, &principal.user, &doc, "items", key(id)?, initial, make).await
}

/// Deletes the entry `id` of the map `field` of `doc` on behalf of `principal`.
pub async fn delete_entry(
    hub: &Hub,
    principal: &Principal,
    doc: &DocId,
    field: &'static str,
    id: &str,
) -> Result<(), EntryError> {
    if !principal.access(doc, &[]).can_write() {
        return Err(EntryError::Forbidden);
    }
    match delete_entries(hub, &principal.user, doc, field, vec![key(id)?]).await? {
        0 => Err(EntryError::NotFound),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_are_short_plain_names() {
        assert_eq!(key("hw-2026.01_a").unwrap(), "hw-2026.01_a");
        for bad in ["", "a/b", "a b", &"x".repeat(65)] {
            assert!(matches!(key(bad), Err(EntryError::Invalid(_))), "{bad:?}");
        }
    }
}
