//! `views`: the view model of each document, as the UI renders it; and the snapshot the UI
//! starts from.

use cartable_shared::api::Me;
use cartable_shared::engine::SyncStatus;
use cartable_shared::ids::DocId;
use idb::TransactionMode;
use wasm_bindgen::JsValue;

use super::meta::{ME, SYNC};
use super::{META, Result, Store, VIEWS, decode};
use crate::state::View;
use crate::{json, web};

/// What the UI shows at start, read in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The signed-in user (`meta/me`).
    pub me: Option<Me>,
    /// Every stored view (only read when someone is signed in).
    pub views: Vec<(DocId, View)>,
    /// The last stored sync status (`meta/sync`).
    pub sync: Option<SyncStatus>,
}

impl Snapshot {
    /// The snapshot of the stored `meta/me`, `meta/sync` and the views' keys and values (read
    /// by [`Store::snapshot`], or early by the boot script, `pwa/early.js`).
    pub fn decode(
        me: Option<JsValue>,
        sync: Option<JsValue>,
        keys: Vec<JsValue>,
        values: Vec<JsValue>,
    ) -> Result<Snapshot> {
        let text = |v: Option<JsValue>| v.and_then(|v| v.as_string());
        let mut snap = Snapshot::default();
        let Some(me) = text(me) else { return Ok(snap) };
        snap.me = Some(decode(&me, json::me)?);
        snap.sync = text(sync).and_then(|s| decode(&s, json::sync_status).ok());
        for (k, v) in keys.into_iter().zip(values) {
            let Some(doc) = k.as_string().and_then(|k| k.parse::<DocId>().ok()) else { continue };
            if !json::shown(doc.kind()) {
                continue;
            }
            match v.as_string().map(|text| decode(&text, |j| json::view(doc.kind(), j))) {
                Some(Ok((t, skipped))) => {
                    report_skipped(&doc, skipped);
                    snap.views.push((doc, t));
                }
                Some(Err(e)) => web::warn(&format!("view {doc}: {e}")),
                None => {}
            }
        }
        Ok(snap)
    }
}

impl Store {
    /// Reads `meta/me`, `meta/sync` and every view in one read-only transaction. A
    /// record that cannot be read is skipped (the engine rewrites views at the next sync).
    pub async fn snapshot(&self) -> Result<Snapshot> {
        let tx = self.db.transaction(&[META, VIEWS], TransactionMode::ReadOnly)?;
        let meta = tx.object_store(META)?;
        let me = meta.get(JsValue::from_str(ME))?.await?;
        if me.is_none() {
            return Ok(Snapshot::default());
        }
        let sync = meta.get(JsValue::from_str(SYNC))?.await?;
        let views = tx.object_store(VIEWS)?;
        let keys = views.get_all_keys(None, None)?.await?;
        let values = views.get_all(None, None)?.await?;
        web::mark("cartable:idb-read");
        Snapshot::decode(me, sync, keys, values)
    }

    /// One view.
    pub async fn view(&self, doc: &DocId) -> Result<Option<View>> {
        if !json::shown(doc.kind()) {
            return Ok(None);
        }
        match self.get_string(VIEWS, &doc.to_string()).await? {
            Some(text) => {
                let (t, skipped) = decode(&text, |j| json::view(doc.kind(), j))?;
                report_skipped(doc, skipped);
                Ok(Some(t))
            }
            None => Ok(None),
        }
    }
}

fn report_skipped(doc: &DocId, skipped: usize) {
    if skipped > 0 {
        web::warn(&format!("view {doc}: {skipped} sessions could not be read"));
    }
}
