//! `docs` and `pending`: the engine's Automerge documents and their unacknowledged changes,
//! written together with their views so that the three never disagree.

use std::collections::BTreeMap;

use cartable_shared::ids::DocId;
use idb::TransactionMode;
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};

use super::{DOCS, META, PENDING, Result, Store, VIEWS};

/// `meta` key of the user's edits waiting for their document (JSON array of
/// `EngineCommand`s), written by the engine.
pub(super) const INTENTS: &str = "intents";

/// `meta` key of the user's edits applied to their document but not yet acknowledged (JSON
/// array of `intents::Unacked`), written by the engine.
pub(super) const UNACKED: &str = "unacked";

/// Prefix of the `meta` keys holding a document's epoch (`epoch:<doc id>` → decimal string),
/// for documents the server rebuilt (epoch above 0); written with the document's bytes.
pub(super) const EPOCH_PREFIX: &str = "epoch:";

/// A document as stored on the device.
#[derive(Debug, Clone)]
pub struct StoredDoc {
    /// Its id.
    pub doc: DocId,
    /// `Automerge::save()` bytes.
    pub bytes: Vec<u8>,
    /// Hex hashes of local changes not yet acknowledged.
    pub pending: Vec<String>,
    /// The server's epoch of the document this copy belongs to (0 if never rebuilt).
    pub epoch: u32,
}

/// What to write for one changed document.
#[derive(Debug, Clone)]
pub struct DocWrite {
    /// Its id.
    pub doc: DocId,
    /// `Automerge::save()` bytes.
    pub bytes: Vec<u8>,
    /// Hex hashes of local changes not yet acknowledged.
    pub pending: Vec<String>,
    /// The view model as JSON, for documents that have one. `None` leaves the stored view
    /// as it is (a document reset to a new epoch keeps showing its old view until the new
    /// content arrives).
    pub view: Option<String>,
    /// The server's epoch of the document this copy belongs to.
    pub epoch: u32,
}

/// The queues the engine writes with its documents; `None` leaves a stored one as it is,
/// `Some("[]")` deletes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Queues<'a> {
    /// Edits waiting for their document (JSON array of `EngineCommand`s).
    pub intents: Option<&'a str>,
    /// Edits applied but not yet acknowledged (JSON array of `intents::Unacked`).
    pub unacked: Option<&'a str>,
}

impl Store {
    /// Every stored document with its pending hashes. Records that cannot be read are skipped.
    pub async fn docs(&self) -> Result<Vec<StoredDoc>> {
        let tx = self.db.transaction(&[DOCS, PENDING, META], TransactionMode::ReadOnly)?;
        let docs = tx.object_store(DOCS)?;
        let pending = tx.object_store(PENDING)?;
        let meta = tx.object_store(META)?;
        let meta_keys = meta.get_all_keys(None, None)?.await?;
        let meta_values = meta.get_all(None, None)?.await?;
        let mut epochs: BTreeMap<String, u32> = meta_keys
            .into_iter()
            .zip(meta_values)
            .filter_map(|(k, v)| {
                let doc = k.as_string()?.strip_prefix(EPOCH_PREFIX)?.to_owned();
                Some((doc, v.as_string()?.parse().ok()?))
            })
            .collect();
        let keys = docs.get_all_keys(None, None)?.await?;
        let values = docs.get_all(None, None)?.await?;
        let pending_keys = pending.get_all_keys(None, None)?.await?;
        let pending_values = pending.get_all(None, None)?.await?;
        let mut hashes: BTreeMap<String, Vec<String>> = pending_keys
            .into_iter()
            .zip(pending_values)
            .filter_map(|(k, v)| {
                let list = serde_json::from_str::<Vec<String>>(&v.as_string()?).ok()?;
                Some((k.as_string()?, list))
            })
            .collect();
        let mut out = Vec::with_capacity(keys.len());
        for (k, v) in keys.into_iter().zip(values) {
            let Some(key) = k.as_string() else { continue };
            let Ok(doc) = key.parse::<DocId>() else { continue };
            let Some(bytes) = v.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec) else { continue };
            let pending = hashes.remove(&key).unwrap_or_default();
            let epoch = epochs.remove(&key).unwrap_or(0);
            out.push(StoredDoc { doc, bytes, pending, epoch });
        }
        Ok(out)
    }

    /// The user's edits waiting for their document, as the engine queued them.
    #[cfg(feature = "engine")]
    pub async fn intents(&self) -> Result<Vec<cartable_shared::engine::EngineCommand>> {
        match self.get_string(META, INTENTS).await? {
            Some(text) => Ok(serde_json::from_str(&text)?),
            None => Ok(Vec::new()),
        }
    }

    /// The user's edits applied but not yet acknowledged, as the engine kept them (JSON).
    #[cfg(feature = "engine")]
    pub async fn unacked_json(&self) -> Result<Option<String>> {
        self.get_string(META, UNACKED).await
    }

    /// Writes changed documents (with their epochs) and deletes dropped ones (with their
    /// views), and, when given, the queues of edits (see [`Queues`]), in one transaction: an
    /// edit is never both queued and applied, nor neither.
    pub async fn write_docs(
        &self,
        writes: &[DocWrite],
        dropped: &[DocId],
        queues: Queues<'_>,
    ) -> Result<()> {
        let tx = self.db.transaction(&[DOCS, PENDING, VIEWS, META], TransactionMode::ReadWrite)?;
        let docs = tx.object_store(DOCS)?;
        let pending = tx.object_store(PENDING)?;
        let views = tx.object_store(VIEWS)?;
        let meta = tx.object_store(META)?;
        for w in writes {
            let key = JsValue::from_str(&w.doc.to_string());
            docs.put(&Uint8Array::from(w.bytes.as_slice()).into(), Some(&key))?;
            if w.pending.is_empty() {
                pending.delete(key.clone())?;
            } else {
                let json = serde_json::to_string(&w.pending)?;
                pending.put(&JsValue::from_str(&json), Some(&key))?;
            }
            if let Some(view) = &w.view {
                views.put(&JsValue::from_str(view), Some(&key))?;
            }
            let epoch_key = JsValue::from_str(&format!("{EPOCH_PREFIX}{}", w.doc));
            if w.epoch == 0 {
                meta.delete(epoch_key)?;
            } else {
                meta.put(&JsValue::from_str(&w.epoch.to_string()), Some(&epoch_key))?;
            }
        }
        for d in dropped {
            let key = JsValue::from_str(&d.to_string());
            docs.delete(key.clone())?;
            pending.delete(key.clone())?;
            views.delete(key)?;
            meta.delete(JsValue::from_str(&format!("{EPOCH_PREFIX}{d}")))?;
        }
        for (name, value) in [(INTENTS, queues.intents), (UNACKED, queues.unacked)] {
            match value {
                Some("[]") => {
                    meta.delete(JsValue::from_str(name))?;
                }
                Some(json) => {
                    meta.put(&JsValue::from_str(json), Some(&JsValue::from_str(name)))?;
                }
                None => {}
            }
        }
        tx.await?;
        Ok(())
    }
}
