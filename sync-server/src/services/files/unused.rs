//! Files nothing references any more are deleted after [`KEPT_UNUSED_MS`], record and content.
//!
//! A file is stored once by hash and referenced from course libraries, homework attachments and
//! archives; removing the last reference leaves it on disk, so without this job the disk only
//! grows. A file is deleted when both hold:
//! - it was last uploaded or attached (`used_ms`, see [`crate::store`]'s `touch_file`) more than
//!   [`KEPT_UNUSED_MS`] ago: an upload waiting to be referenced (the app uploads an attachment,
//!   then saves the homework, possibly later from its offline queue) is left alone for that long;
//! - no library or homework document, as stored now, and no archive references it.
//!
//! Races: the list of unused files is made on the read connection, then each file is deleted
//! only if it is still unused since before the cut-off, in one write. Attaching a file through
//! the API marks it used before the reference is written, so a file being attached is either
//! kept or already gone (the attach then answers "upload it first"); an upload of the same
//! content holds [`crate::store::blobs::Blobs::upload_guard`] from placing the content until its
//! record is written, so the deletion never removes content an upload has just placed. A
//! document that cannot be read stops the whole sweep: nothing is deleted on a guess.

use std::collections::HashSet;
use std::time::Duration;

use cartable_shared::homework::Homework;
use cartable_shared::ids::DocKind;
use cartable_shared::library::Library;
use tokio_util::sync::CancellationToken;

use super::FileError;
use crate::AppState;
use crate::services::hub::build_document;
use crate::store::blobs::Blobs;
use crate::store::{Dao, Store, StoreError};

/// How long a file nothing references is kept after it was last uploaded or attached.
pub const KEPT_UNUSED_MS: i64 = 30 * 24 * 3600 * 1000;

/// How often the job looks (real time; what is old enough is decided by the server's clock).
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// What a sweep deleted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    /// Files deleted (record and content).
    pub files: Vec<String>,
    /// Their total size, in bytes.
    pub bytes: u64,
}

/// Every file a library or homework document references now.
fn referenced(dao: &Dao<'_>) -> Result<HashSet<String>, StoreError> {
    let mut out = HashSet::new();
    let unreadable = |doc: &cartable_shared::ids::DocId, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("{doc} cannot be read, no file deleted: {e}"))
    };
    for doc in dao.document_ids()? {
        if !matches!(doc.kind(), DocKind::Library | DocKind::Homework) {
            continue;
        }
        let Some(stored) = dao.load_document(&doc)? else { continue };
        let am = build_document(&doc, &stored).map_err(|e| unreadable(&doc, &e))?;
        if doc.kind() == DocKind::Library {
            let library = cartable_shared::sync::read::<Library>(&am)
                .map_err(|e| unreadable(&doc, &e))?
                .unwrap_or_default();
            out.extend(library.items.into_values().map(|i| i.sha256));
        } else {
            let homework = cartable_shared::sync::read::<Homework>(&am)
                .map_err(|e| unreadable(&doc, &e))?
                .unwrap_or_default();
            out.extend(
                homework.assignments.into_values().flat_map(|a| a.attachments).map(|b| b.sha256),
            );
        }
    }
    Ok(out)
}

/// The files last used before `before_ms` that nothing references.
pub async fn unused(store: &Store, before_ms: i64) -> Result<Vec<String>, StoreError> {
    store
        .read(move |dao| {
            let old = dao.files_used_before(before_ms)?;
            if old.is_empty() {
                return Ok(old);
            }
            let referenced = referenced(dao)?;
            let archived = dao.files_in_archives()?;
            Ok(old
                .into_iter()
                .filter(|sha| !referenced.contains(sha) && !archived.contains(sha))
                .collect())
        })
        .await
}

/// Deletes those of `candidates` still unused since before `before_ms` (not uploaded or
/// attached again since [`unused`] listed them), record and content.
pub async fn delete(
    store: &Store,
    blobs: &Blobs,
    candidates: Vec<String>,
    before_ms: i64,
) -> Result<Swept, FileError> {
    let _alone = blobs.removal_guard().await;
    let blobs = blobs.clone();
    let swept = store
        .write(move |dao| {
            let mut swept = Swept::default();
            for sha in candidates {
                let Some(size) = dao.delete_file_used_before(&sha, before_ms)? else { continue };
                // The record goes first: content without a record is only wasted space, a
                // record without content would be a broken download.
                if let Err(e) = blobs.remove_blocking(&sha) {
                    tracing::warn!(sha256 = %sha, error = %e, "unused file's content not deleted");
                }
                swept.bytes += size;
                swept.files.push(sha);
            }
            Ok::<_, FileError>(swept)
        })
        .await?;
    Ok(swept)
}

/// One sweep at `now_ms`: [`unused`] then [`delete`].
pub async fn sweep(store: &Store, blobs: &Blobs, now_ms: i64) -> Result<Swept, FileError> {
    let before = now_ms.saturating_sub(KEPT_UNUSED_MS);
    let candidates = unused(store, before).await?;
    if candidates.is_empty() {
        return Ok(Swept::default());
    }
    delete(store, blobs, candidates, before).await
}

/// The job: a [`sweep`] every [`SWEEP_EVERY`] (the first at start) until `stop` is cancelled.
pub async fn schedule(state: AppState, stop: CancellationToken) {
    let state = &state;
    crate::services::every(SWEEP_EVERY, stop, || async move {
        match sweep(state.store(), state.blobs(), state.clock().now_ms()).await {
            Ok(s) if !s.files.is_empty() => {
                tracing::info!(files = s.files.len(), bytes = s.bytes, "unused files deleted");
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "clean-up of unused files failed"),
        }
    })
    .await;
}
