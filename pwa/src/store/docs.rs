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

/// A document as stored on the device.
#[derive(Debug, Clone)]
pub struct StoredDoc {
    /// Its id.
    pub doc: DocId,
    /// `Automerge::save()` bytes.
    pub bytes: Vec<u8>,
    /// Hex hashes of local changes not yet acknowledged.
    pub pending: Vec<String>,
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
    /// The view model as JSON, for documents that have one.
    pub view: Option<String>,
}

impl Store {
    /// Every stored document with its pending hashes. Records that cannot be read are skipped.
    pub async fn docs(&self) -> Result<Vec<StoredDoc>> {
        let tx = self.db.transaction(&[DOCS, PENDING], TransactionMode::ReadOnly)?;
        let docs = tx.object_store(DOCS)?;
        let pending = tx.object_store(PENDING)?;
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
            out.push(StoredDoc { doc, bytes, pending });
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

    /// Writes changed documents and deletes dropped ones (with their views), and, when given,
    /// the queue of waiting edits (`intents`: a JSON array; `[]` deletes it), in one
    /// transaction: an edit is never both queued and applied, nor neither.
    pub async fn write_docs(
        &self,
        writes: &[DocWrite],
        dropped: &[DocId],
        intents: Option<&str>,
    ) -> Result<()> {
        let tx = self.db.transaction(&[DOCS, PENDING, VIEWS, META], TransactionMode::ReadWrite)?;
        let docs = tx.object_store(DOCS)?;
        let pending = tx.object_store(PENDING)?;
        let views = tx.object_store(VIEWS)?;
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
        }
        for d in dropped {
            let key = JsValue::from_str(&d.to_string());
            docs.delete(key.clone())?;
            pending.delete(key.clone())?;
            views.delete(key)?;
        }
        match intents {
            Some("[]") => {
                tx.object_store(META)?.delete(JsValue::from_str(INTENTS))?;
            }
            Some(json) => {
                tx.object_store(META)?
                    .put(&JsValue::from_str(json), Some(&JsValue::from_str(INTENTS)))?;
            }
            None => {}
        }
        tx.await?;
        Ok(())
    }
}
