//! `views`: the view model of each document, as the UI renders it.

use cartable_shared::ids::{DocId, DocKind};
use cartable_shared::timetable::Timetable;
use idb::TransactionMode;

use super::{Result, Store, VIEWS, decode};
use crate::{json, web};

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
            match v.as_string().map(|text| decode(&text, json::timetable)) {
                Some(Ok((t, skipped))) => {
                    report_skipped(&doc, skipped);
                    out.push((doc, t));
                }
                Some(Err(e)) => web::warn(&format!("view {doc}: {e}")),
                None => {}
            }
        }
        Ok(out)
    }

    /// One timetable view.
    pub async fn timetable(&self, doc: &DocId) -> Result<Option<Timetable>> {
        match self.get_string(VIEWS, &doc.to_string()).await? {
            Some(text) => {
                let (t, skipped) = decode(&text, json::timetable)?;
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
