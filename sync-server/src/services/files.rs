//! Files (DESIGN §4): uploads by the teachers of a group, stored once by SHA-256; entries of a
//! group's course library and homework attachments that reference them, written through the
//! document hub (so they are checked, stored and fanned out like any change); and who may
//! download a file: whoever may read a library or homework document that references it (or
//! its uploader). That check is made on demand, on the documents as they are now, so that a
//! reference removed over `/sync` revokes access at once and no index can drift from the
//! documents.

pub mod sniff;
pub mod unused;

use automerge::{ObjType, ReadDoc, Value};
use bytes::Bytes;
use cartable_shared::api::{NewAttachment, NewLibraryItem, StoredFile};
use cartable_shared::homework::{BlobRef, Homework};
use cartable_shared::ids::{DocId, DocKind, GroupId};
use cartable_shared::library::{Library, LibraryItem};
use cartable_shared::roles::{Principal, Role};
use futures_util::{Stream, StreamExt};
use rand::RngCore;

use super::hub::{Hub, HubError};
use crate::store::blobs::{Blobs, TempBlob, is_sha256};
use crate::store::{FileRow, Store, StoreError};

/// Default largest upload, in bytes (`--max-upload-mib`).
pub const DEFAULT_MAX_UPLOAD: u64 = 20 * 1024 * 1024;
/// Longest file name kept, in characters.
pub const MAX_NAME: usize = 120;
/// Longest title of a library entry, in characters.
pub const MAX_TITLE: usize = 200;

/// Why a file operation failed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The principal may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such group, file, document or assignment (or not one the principal may see).
    #[error("not found")]
    NotFound,
    /// The upload is larger than the limit.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The content is not an accepted type, or does not match its name.
    #[error("{0}")]
    UnsupportedType(String),
    /// The declared SHA-256 is not the content's.
    #[error("the file's SHA-256 is {actual}, not the declared {declared}")]
    HashMismatch {
        /// What the client said.
        declared: String,
        /// What the server computed.
        actual: String,
    },
    /// The request is wrong.
    #[error("{0}")]
    Invalid(String),
    /// Disk I/O failed.
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The hub failed.
    #[error(transparent)]
    Hub(#[from] HubError),
}

/// A file name safe to keep, show and send back in `Content-Disposition`: the last path
/// component, without control characters, trimmed, at most [`MAX_NAME`] characters.
pub fn clean_name(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String =
        last.chars().filter(|c| !c.is_control()).take(MAX_NAME).collect::<String>().trim().into();
    (!name.is_empty() && name != "." && name != "..").then_some(name)
}

/// Checks that `principal` may upload files for `group`: its teachers and admins, for a group
/// that exists.
pub async fn check_uploader(
    store: &Store,
    principal: &Principal,
    group: &GroupId,
) -> Result<(), FileError> {
    let g = group.clone();
    if store.read(move |dao| dao.group_name(&g)).await?.is_none() {
        return Err(FileError::NotFound);
    }
    if !principal.access(&DocId::library(group), &[]).can_write() {
        return Err(FileError::Forbidden("only the group's teachers may upload files"));
    }
    Ok(())
}

/// Receives an upload's body into a temporary file, hashing it on the way; stops (and
/// deletes what was written) as soon as it passes `max` bytes.
pub async fn receive<E: std::fmt::Display>(
    blobs: &Blobs,
    max: u64,
    body: impl Stream<Item = Result<Bytes, E>>,
) -> Result<TempBlob, FileError> {
    let mut temp = blobs.begin().await?;
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| FileError::Invalid(format!("upload interrupted: {e}")))?;
        if temp.size() + chunk.len() as u64 > max {
            return Err(FileError::TooLarge { limit: max });
        }
        temp.write(&chunk).await?;
    }
    Ok(temp)
}

/// Checks a received upload (type from the content, name, declared hash) and stores it.
pub async fn store_upload(
    store: &Store,
    blobs: &Blobs,
    principal: &Principal,
    temp: TempBlob,
    name: &str,
    declared_sha256: Option<&str>,
    now_ms: i64,
) -> Result<(StoredFile, bool), FileError> {
    let name = clean_name(name)
        .ok_or_else(|| FileError::Invalid("a file name is needed (?name=…)".into()))?;
    if temp.size() == 0 {
        return Err(FileError::Invalid("the file is empty".into()));
    }
    let actual = temp.sha256();
    if let Some(declared) = declared_sha256
        && declared.to_ascii_lowercase() != actual
    {
        return Err(FileError::HashMismatch { declared: declared.into(), actual });
    }
    let kind = sniff::sniff(temp.head(), temp.tail(), &name).ok_or_else(|| {
        FileError::UnsupportedType(
            "this kind of file is not accepted: PDF, images (PNG, JPEG, GIF, WebP) and office \
             documents (Word, Excel, PowerPoint, OpenDocument) are"
                .into(),
        )
    })?;
    let ext = sniff::extension(&name);
    if !ext.as_deref().is_some_and(|e| kind.extensions.contains(&e)) {
        return Err(FileError::UnsupportedType(format!(
            "the file is {} but its name ends in {}: name it .{}",
            kind.label,
            ext.map_or_else(|| "no extension".to_owned(), |e| format!(".{e}")),
            kind.extensions[0]
        )));
    }
    let size = temp.size();
    let _placing = blobs.upload_guard().await;
    let sha256 = temp.commit(blobs).await?;
    let row = FileRow {
        sha256: sha256.clone(),
        size,
        mime: kind.mime.into(),
        name: name.clone(),
        uploaded_by: principal.user.to_string(),
        uploaded_ms: now_ms,
    };
    let created = store.write(move |dao| dao.insert_file(&row)).await?;
    tracing::info!(sha256 = %sha256, size, mime = kind.mime, user = %principal.user, created, "file uploaded");
    Ok((StoredFile { sha256, size, mime: kind.mime.into(), name }, created))
}

/// A stored file about to be referenced: marked used now, so that the clean-up of unused files
/// (which deletes only files unused since before its cut-off) leaves it alone.
async fn known_file(store: &Store, sha256: &str, now_ms: i64) -> Result<FileRow, FileError> {
    let sha = sha256.to_owned();
    if !is_sha256(&sha) {
        return Err(FileError::Invalid("sha256 must be 64 lower-case hex digits".into()));
    }
    store
        .write(move |dao| dao.touch_file(&sha, now_ms))
        .await?
        .ok_or_else(|| FileError::Invalid("unknown file: upload it first".into()))
}

/// Reads a document's current content without changing it (an edit that is abandoned).
async fn peek<T: Send + 'static>(
    hub: &Hub,
    doc: &DocId,
    f: impl FnOnce(&automerge::Automerge) -> T + Send + 'static,
) -> Result<Option<T>, FileError> {
    Ok(hub.peek(doc, f).await?)
}

/// Whether `doc` (a library or homework document) references `sha256`.
async fn references(hub: &Hub, doc: &DocId, sha256: &str) -> Result<bool, FileError> {
    let sha = sha256.to_owned();
    let found = match doc.kind() {
        DocKind::Library => {
            peek(hub, doc, move |am| {
                cartable_shared::sync::read::<Library>(am)
                    .ok()
                    .flatten()
                    .is_some_and(|l| l.items.values().any(|i| i.sha256 == sha))
            })
            .await?
        }
        DocKind::Homework => {
            peek(hub, doc, move |am| {
                cartable_shared::sync::read::<Homework>(am).ok().flatten().is_some_and(|h| {
                    h.assignments.values().any(|a| a.attachments.iter().any(|b| b.sha256 == sha))
                })
            })
            .await?
        }
        _ => None,
    };
    Ok(found.unwrap_or(false))
}

/// The file `sha256` if `principal` may download it: they uploaded it, or they may read a
/// library or homework document that references it now. `None` otherwise (unknown or not
/// theirs: the same answer, so that nobody learns which files exist).
pub async fn readable(
    hub: &Hub,
    store: &Store,
    principal: &Principal,
    sha256: &str,
) -> Result<Option<FileRow>, FileError> {
    if !is_sha256(sha256) {
        return Ok(None);
    }
    let sha = sha256.to_owned();
    let Some(row) = store.read(move |dao| dao.file(&sha)).await? else { return Ok(None) };
    if row.uploaded_by == principal.user.as_str() {
        return Ok(Some(row));
    }
    // The files of archived class documents stay downloadable by administrators.
    if principal.role == Role::Admin {
        let sha = sha256.to_owned();
        if store.read(move |dao| dao.file_in_archive(&sha)).await? {
            return Ok(Some(row));
        }
    }
    // The principal's own groups first; staff, teachers and admins read every group's
    // library and homework, so any document of those kinds may grant access.
    let own = principal.groups.iter().chain(&principal.teaches);
    let mut candidates: Vec<DocId> =
        own.flat_map(|g| [DocId::library(g), DocId::homework(g)]).collect();
    if matches!(principal.role, Role::Teacher | Role::Staff | Role::Admin) {
        let all = store.read(|dao| dao.document_ids()).await?;
        candidates.extend(
            all.into_iter().filter(|d| matches!(d.kind(), DocKind::Library | DocKind::Homework)),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for doc in candidates {
        if !seen.insert(doc.clone()) || !principal.access(&doc, &[]).can_read() {
            continue;
        }
        if references(hub, &doc, sha256).await? {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn required(value: &str, what: &str, max: usize) -> Result<String, FileError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FileError::Invalid(format!("the {what} is empty")));
    }
    if v.chars().count() > max {
        return Err(FileError::Invalid(format!("the {what} is longer than {max} characters")));
    }
    Ok(v.to_owned())
}

/// The map `key` at the root of a document.
fn root_map(am: &automerge::Automerge, key: &str) -> Result<automerge::ObjId, FileError> {
    match am.get(automerge::ROOT, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Ok(id),
        _ => Err(FileError::NotFound),
    }
}

/// Adds an uploaded file to `group`'s course library, written by `principal` as its author.
pub async fn add_library_item(
    hub: &Hub,
    store: &Store,
    principal: &Principal,
    group: &GroupId,
    req: NewLibraryItem,
    now_ms: i64,
) -> Result<(String, LibraryItem), FileError> {
    let doc = DocId::library(group);
    if !principal.access(&doc, &[]).can_write() {
        return Err(FileError::Forbidden("only the group's teachers may add course documents"));
    }
    let file = known_file(store, &req.sha256, now_ms).await?;
    let language = req.language.trim();
    let item = LibraryItem {
        title: required(&req.title, "title", MAX_TITLE)?,
        subject: required(&req.subject, "subject", MAX_TITLE)?,
        kind: required(&req.kind, "kind", 60)?,
        language: if language.is_empty() {
            "fr".into()
        } else {
            required(language, "language", 35)?
        },
        size: file.size,
        sha256: file.sha256,
        added_ms: now_ms,
        author: principal.user.to_string(),
    };
    let handle = hub.open(&doc).await?.ok_or(FileError::NotFound)?;
    let id = random_id();
    let (key, value) = (id.clone(), item.clone());
    // Checked as the server's edit; the author is recorded for the notification events.
    handle
        .edit_by(principal.user.clone(), move |am| {
            let items = root_map(am, "items")?;
            let mut tx = am.transaction();
            autosurgeon::reconcile_prop(&mut tx, &items, key.as_str(), &value)
                .map_err(|e| FileError::Invalid(format!("could not write: {e}")))?;
            tx.commit();
            Ok::<_, FileError>(())
        })
        .await??;
    tracing::info!(group = %group, user = %principal.user, item = %id, "course document added");
    Ok((id, item))
}

/// Attaches an uploaded file to an assignment of `group`'s homework. A teacher attaches to
/// their own assignments (as the document rules say for any change of an assignment); an
/// admin to any. Attaching the same file twice changes nothing.
pub async fn attach(
    hub: &Hub,
    store: &Store,
    principal: &Principal,
    group: &GroupId,
    assignment: &str,
    req: NewAttachment,
    now_ms: i64,
) -> Result<BlobRef, FileError> {
    let doc = DocId::homework(group);
    if !principal.access(&doc, &[]).can_write() {
        return Err(FileError::Forbidden("only the group's teachers may attach files"));
    }
    let file = known_file(store, &req.sha256, now_ms).await?;
    let name = match req.name.as_deref() {
        Some(n) => clean_name(n).ok_or_else(|| FileError::Invalid("the name is empty".into()))?,
        None => file.name.clone(),
    };
    let blob = BlobRef { sha256: file.sha256, name, size: file.size, mime: file.mime };
    let handle = hub.open(&doc).await?.ok_or(FileError::NotFound)?;
    let (key, value) = (assignment.to_owned(), blob.clone());
    let (user, admin) = (principal.user.to_string(), principal.role == Role::Admin);
    handle
        .edit_by(principal.user.clone(), move |am| {
            let assignments = root_map(am, "assignments")?;
            if !matches!(am.get(&assignments, key.as_str()), Ok(Some(_))) {
                return Err(FileError::NotFound);
            }
            let mut a: cartable_shared::homework::Assignment =
                autosurgeon::hydrate_prop(am, &assignments, key.as_str())
                    .map_err(|e| FileError::Invalid(format!("unreadable assignment: {e}")))?;
            if !admin && a.author != user {
                return Err(FileError::Forbidden("this assignment is another teacher's"));
            }
            if a.attachments.iter().any(|b| b.sha256 == value.sha256) {
                return Ok(());
            }
            a.attachments.push(value);
            let mut tx = am.transaction();
            autosurgeon::reconcile_prop(&mut tx, &assignments, key.as_str(), &a)
                .map_err(|e| FileError::Invalid(format!("could not write: {e}")))?;
            tx.commit();
            Ok(())
        })
        .await??;
    tracing::info!(group = %group, user = %principal.user, assignment, "file attached");
    Ok(blob)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_name("C:\\Users\\prof\\cours 1.pdf").as_deref(), Some("cours 1.pdf"));
        assert_eq!(clean_name("a\u{0}b\r\n.pdf").as_deref(), Some("ab.pdf"));
        assert_eq!(clean_name("  "), None);
        assert_eq!(clean_name("dir/"), None);
        assert_eq!(clean_name(&"é".repeat(500)).map(|n| n.chars().count()), Some(MAX_NAME));
    }
}
