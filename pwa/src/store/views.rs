//! `views`: the view model of each document, as the UI renders it.

use cartable_shared::ids::{DocId, DocKind};
use cartable_shared::timetable::Timetable;
use idb::TransactionMode;

use super::{Result, Store, VIEWS};

impl Store {
    /// Every stored timetable view. A record that cannot be read is skipped (the engine
    /// rewrites it at the next sync).
    pub async fn timetables(&self) -> Result<Vec<(DocId, Timetable)>> {
        let tx = self.db.transaction(&[VIEWS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(VIEWS)?;
        let keys = store.get_all_keys(None, None)?.await?;
        let values = store.get_all(None, None)?.await?;
        let mut out = Vec::new();
        for (k, v) in keys.into_iter().zip(values) {
            let Some(doc) = k.as_string().and_then(|k| k.parse::<DocId>().ok()) else { continue };
            if doc.kind() != DocKind::Timetable {
                continue;
            }
            if let Some(t) = v.as_string().and_then(|json| serde_json::from_str(&json).ok()) {
                out.push((doc, t));
            }
        }
        Ok(out)
    }

    /// One timetable view.
    pub async fn timetable(&self, doc: &DocId) -> Result<Option<Timetable>> {
        match self.get_string(VIEWS, &doc.to_string()).await? {
            Some(json) => Ok(Some(serde_json::from_str(&json)?)),
            None => Ok(None),
        }
    }
}
