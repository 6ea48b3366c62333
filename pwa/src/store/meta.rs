//! `meta` records: the signed-in user (`me`, written by the UI) and the sync status (`sync`,
//! written by the engine).

use cartable_shared::engine::SyncStatus;
use idb::TransactionMode;
use wasm_bindgen::JsValue;

use super::{META, Result, Store, VIEWS, decode};
use crate::json;

pub(super) const ME: &str = "me";
pub(super) const SYNC: &str = "sync";

impl Store {
    /// Records the signed-in user: `json` is the JSON of an `api::Me`, as the server sent it.
    pub async fn set_me_json(&self, json: &str) -> Result<()> {
        self.put_string(META, ME, json).await
    }

    /// Forgets the signed-in user and every view, in one transaction (the engine clears its
    /// documents itself when told to stop).
    pub async fn sign_out(&self) -> Result<()> {
        let tx = self.db.transaction(&[META, VIEWS], TransactionMode::ReadWrite)?;
        let meta = tx.object_store(META)?;
        meta.delete(JsValue::from_str(ME))?;
        meta.delete(JsValue::from_str(SYNC))?;
        tx.object_store(VIEWS)?.clear()?;
        tx.await?;
        Ok(())
    }

    /// The last stored sync status.
    pub async fn sync_status(&self) -> Result<Option<SyncStatus>> {
        match self.get_string(META, SYNC).await? {
            Some(text) => decode(&text, json::sync_status).map(Some),
            None => Ok(None),
        }
    }

    /// Stores the sync status.
    pub async fn set_sync_status(&self, status: &SyncStatus) -> Result<()> {
        self.put_string(META, SYNC, &serde_json::to_string(status)?).await
    }

    /// Deletes the stored sync status.
    pub async fn delete_sync_status(&self) -> Result<()> {
        self.delete(META, SYNC).await
    }
}
