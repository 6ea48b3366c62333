//! IndexedDB (`cartable`, version 1), shared by the UI and the engine (docs/architecture.md):
//!
//! | store | key | value | written by |
//! |---|---|---|---|
//! | `docs` | document id | `Uint8Array`, `Automerge::save()` | engine |
//! | `pending` | document id | JSON array of hex change hashes not yet acknowledged | engine |
//! | `views` | document id | JSON string of the view model | engine |
//! | `meta` | `"me"` | JSON string of `api::Me` | UI |
//! | `meta` | `"sync"` | JSON string of `engine::SyncStatus` | engine |
//! | `meta` | `"intents"` | JSON array of `engine::EngineCommand`: edits waiting for their document | engine |
//! | `meta` | `"unacked"` | JSON array of `intents::Unacked`: edits applied, not yet acknowledged | engine |
//! | `meta` | `"epoch:<doc id>"` | decimal string: the server's epoch of a rebuilt document's copy | engine |
//!
//! Both modules open their own connection; a [`Store`] is cheap to clone.

mod docs;
mod meta;
mod views;

use std::fmt;
use std::rc::Rc;

use idb::{Database, DatabaseEvent, Factory, ObjectStoreParams, TransactionMode};
use wasm_bindgen::JsValue;

pub use docs::{DocWrite, Queues, StoredDoc};
pub use views::Snapshot;

/// The database name.
pub const DB_NAME: &str = "cartable";
/// The schema version.
pub const DB_VERSION: u32 = 1;
/// Saved Automerge documents.
pub const DOCS: &str = "docs";
/// Unacknowledged local change hashes per document.
pub const PENDING: &str = "pending";
/// View models per document.
pub const VIEWS: &str = "views";
/// Small records: `me`, `sync`.
pub const META: &str = "meta";

const ALL: [&str; 4] = [DOCS, PENDING, VIEWS, META];

/// Why a storage operation failed.
#[derive(Debug)]
pub enum StoreError {
    /// IndexedDB refused or failed.
    Idb(idb::Error),
    /// A stored value is not what it should be.
    Corrupt(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // idb's own messages would add their text to the UI module for little help: the
            // browser logs the underlying DOMException already.
            StoreError::Idb(_) => f.write_str("IndexedDB request failed"),
            StoreError::Corrupt(e) => write!(f, "stored value is invalid: {e}"),
        }
    }
}

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> Self {
        StoreError::Idb(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Parses a stored JSON string with `JSON.parse` and reads it with a [`crate::json`] decoder.
fn decode<T>(text: &str, read: impl FnOnce(&JsValue) -> Option<T>) -> Result<T> {
    crate::web::parse_json(text)
        .as_ref()
        .and_then(read)
        .ok_or_else(|| StoreError::Corrupt(text.chars().take(80).collect()))
}

/// Result of a storage operation.
pub type Result<T> = std::result::Result<T, StoreError>;

/// An open connection to the `cartable` database.
#[derive(Debug, Clone)]
pub struct Store {
    db: Rc<Database>,
}

impl Store {
    /// Opens the database, creating its stores on first use.
    pub async fn open() -> Result<Self> {
        let factory = Factory::new()?;
        let mut request = factory.open(DB_NAME, Some(DB_VERSION))?;
        request.on_upgrade_needed(|event| {
            let Ok(db) = event.database() else { return };
            let existing = db.store_names();
            for name in ALL {
                if !existing.iter().any(|n| n == name) {
                    // Out-of-line keys: the document id (or "me" / "sync") is the key.
                    let _ = db.create_object_store(name, ObjectStoreParams::new());
                }
            }
        });
        let db = request.await?;
        Ok(Self { db: Rc::new(db) })
    }

    /// Clears every store: documents, pending hashes, views and meta records.
    pub async fn clear_all(&self) -> Result<()> {
        let tx = self.db.transaction(&ALL, TransactionMode::ReadWrite)?;
        for name in ALL {
            tx.object_store(name)?.clear()?;
        }
        tx.await?;
        Ok(())
    }

    /// Clears what the engine owns: documents, pending hashes, views and the sync status
    /// (the signed-in user, `meta/me`, is the UI's).
    pub async fn clear_sync_data(&self) -> Result<()> {
        let tx = self.db.transaction(&ALL, TransactionMode::ReadWrite)?;
        for name in [DOCS, PENDING, VIEWS] {
            tx.object_store(name)?.clear()?;
        }
        // Every engine record of `meta` (sync status, queues, epochs); `me` is the UI's.
        let meta = tx.object_store(META)?;
        for key in meta.get_all_keys(None, None)?.await? {
            if key.as_string().is_some_and(|k| k != meta::ME) {
                meta.delete(key)?;
            }
        }
        tx.await?;
        Ok(())
    }

    async fn get_string(&self, store: &str, key: &str) -> Result<Option<String>> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadOnly)?;
        let value = tx.object_store(store)?.get(JsValue::from_str(key))?.await?;
        Ok(value.and_then(|v| v.as_string()))
    }

    async fn put_string(&self, store: &str, key: &str, value: &str) -> Result<()> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadWrite)?;
        tx.object_store(store)?.put(&JsValue::from_str(value), Some(&JsValue::from_str(key)))?;
        tx.await?;
        Ok(())
    }

    async fn delete(&self, store: &str, key: &str) -> Result<()> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadWrite)?;
        tx.object_store(store)?.delete(JsValue::from_str(key))?;
        tx.await?;
        Ok(())
    }
}
