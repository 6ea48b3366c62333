//! Automerge documents: a snapshot (after compaction) plus the raw changes appended since.

use cartable_shared::ids::{DocId, UserId};
use rusqlite::{OptionalExtension, params};

use super::{Dao, StoreError};

/// One Automerge change to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    /// Its hash.
    pub hash: [u8; 32],
    /// Its raw bytes (`Change::raw_bytes`).
    pub bytes: Vec<u8>,
}

/// What is stored of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredDoc {
    /// The compacted state (`Automerge::save`), if the document was ever compacted.
    pub snapshot: Option<Vec<u8>>,
    /// The raw changes appended after the snapshot, in order.
    pub changes: Vec<Vec<u8>>,
    /// Sequence number of the last change read (0 if none): a compaction of this state covers
    /// every change up to it.
    pub last_seq: i64,
}

impl Dao<'_> {
    /// Registers a document (no-op if it exists).
    pub fn create_document(&self, id: &DocId, created_ms: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO documents (id, created_ms) VALUES (?1, ?2)",
            params![id.to_string(), created_ms],
        )?;
        Ok(())
    }

    /// Whether a document exists.
    pub fn document_exists(&self, id: &DocId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM documents WHERE id = ?1", [id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Every document, in id order.
    pub fn document_ids(&self) -> Result<Vec<DocId>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM documents ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|r| {
            let s = r?;
            s.parse().map_err(|e| StoreError::Corrupt(format!("document id {s:?}: {e}")))
        })
        .collect()
    }

    /// Those of `ids` that exist, in the same order.
    pub fn existing_documents(&self, ids: Vec<DocId>) -> Result<Vec<DocId>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT 1 FROM documents WHERE id = ?1")?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if stmt.exists([id.to_string()])? {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Appends changes to a document.
    pub fn append_changes(&self, id: &DocId, changes: &[StoredChange]) -> Result<(), StoreError> {
        let doc = id.to_string();
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO doc_changes (doc_id, hash, bytes) VALUES (?1, ?2, ?3)")?;
        for c in changes {
            stmt.execute(params![doc, &c.hash[..], c.bytes])?;
        }
        Ok(())
    }

    /// Number of changes stored after the snapshot.
    pub fn change_count(&self, id: &DocId) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM doc_changes WHERE doc_id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// A document's snapshot and changes; `None` if the document does not exist.
    pub fn load_document(&self, id: &DocId) -> Result<Option<StoredDoc>, StoreError> {
        if !self.document_exists(id)? {
            return Ok(None);
        }
        let doc = id.to_string();
        let snapshot: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT bytes FROM doc_snapshots WHERE doc_id = ?1", [&doc], |r| r.get(0))
            .optional()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, bytes FROM doc_changes WHERE doc_id = ?1 ORDER BY seq")?;
        let mut last_seq = 0;
        let mut changes = Vec::new();
        let mut rows = stmt.query([&doc])?;
        while let Some(row) = rows.next()? {
            last_seq = row.get(0)?;
            changes.push(row.get(1)?);
        }
        Ok(Some(StoredDoc { snapshot, changes, last_seq }))
    }

    /// The sequence number of a document's last stored change (0 if it has none).
    pub fn last_change_seq(&self, id: &DocId) -> Result<i64, StoreError> {
        let seq: Option<i64> = self.conn.query_row(
            "SELECT MAX(seq) FROM doc_changes WHERE doc_id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )?;
        Ok(seq.unwrap_or(0))
    }

    /// Replaces a document's snapshot by `bytes`, which covers every change up to `upto_seq`,
    /// and deletes those changes. Returns how many changes were deleted.
    pub fn replace_snapshot(
        &self,
        id: &DocId,
        bytes: &[u8],
        upto_seq: i64,
    ) -> Result<u64, StoreError> {
        let doc = id.to_string();
        self.conn.execute(
            "INSERT INTO doc_snapshots (doc_id, bytes, upto_seq) VALUES (?1, ?2, ?3)
             ON CONFLICT (doc_id) DO UPDATE SET bytes = excluded.bytes, upto_seq = excluded.upto_seq",
            params![doc, bytes, upto_seq],
        )?;
        let deleted = self.conn.execute(
            "DELETE FROM doc_changes WHERE doc_id = ?1 AND seq <= ?2",
            params![doc, upto_seq],
        )?;
        Ok(deleted as u64)
    }

    /// A document's epoch: 0 until it is first rebuilt (see [`Dao::rebuild_document`]).
    pub fn document_epoch(&self, id: &DocId) -> Result<u32, StoreError> {
        let epoch: Option<i64> = self
            .conn
            .query_row("SELECT epoch FROM documents WHERE id = ?1", [id.to_string()], |r| r.get(0))
            .optional()?;
        Ok(epoch.map_or(0, |e| u32::try_from(e).unwrap_or(u32::MAX)))
    }

    /// The documents whose epoch is above 0, with it.
    pub fn rebuilt_documents(&self) -> Result<Vec<(DocId, u32)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, epoch FROM documents WHERE epoch > 0 ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        rows.map(|r| {
            let (s, epoch) = r?;
            let id =
                s.parse().map_err(|e| StoreError::Corrupt(format!("document id {s:?}: {e}")))?;
            Ok((id, u32::try_from(epoch).unwrap_or(u32::MAX)))
        })
        .collect()
    }

    /// Replaces everything stored of a document (snapshot and changes) by `changes`, starts
    /// its next epoch, and deletes the devices' sync states of it (they describe the old
    /// history). Run in one transaction (`Store::write`). Returns the new epoch.
    pub fn rebuild_document(
        &self,
        id: &DocId,
        changes: &[StoredChange],
    ) -> Result<u32, StoreError> {
        let doc = id.to_string();
        let epoch = self
            .document_epoch(id)?
            .checked_add(1)
            .ok_or_else(|| StoreError::Corrupt(format!("{id}: no epoch left")))?;
        let updated = self
            .conn
            .execute("UPDATE documents SET epoch = ?2 WHERE id = ?1", params![doc, epoch])?;
        if updated == 0 {
            return Err(StoreError::Corrupt(format!("{id}: no such document to rebuild")));
        }
        self.conn.execute("DELETE FROM doc_snapshots WHERE doc_id = ?1", [&doc])?;
        self.conn.execute("DELETE FROM doc_changes WHERE doc_id = ?1", [&doc])?;
        self.conn.execute("DELETE FROM sync_states WHERE doc_id = ?1", [&doc])?;
        self.append_changes(id, changes)?;
        Ok(epoch)
    }

    /// Records the participants of a thread document.
    pub fn add_thread_participants(
        &self,
        id: &DocId,
        participants: &[UserId],
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO thread_participants (doc_id, user_id) VALUES (?1, ?2)",
        )?;
        for p in participants {
            stmt.execute(params![id.to_string(), p.as_str()])?;
        }
        Ok(())
    }

    /// The participants of a thread document, in order (none for an unknown thread).
    pub fn thread_participants(&self, id: &DocId) -> Result<Vec<UserId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT user_id FROM thread_participants WHERE doc_id = ?1 ORDER BY 1",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| r.get::<_, String>(0))?;
        rows.map(|r| {
            let s = r?;
            s.parse().map_err(|e| StoreError::Corrupt(format!("user id {s:?}: {e}")))
        })
        .collect()
    }

    /// The threads `user` takes part in.
    pub fn threads_of(&self, user: &UserId) -> Result<Vec<DocId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc_id FROM thread_participants WHERE user_id = ?1 ORDER BY 1",
        )?;
        let rows = stmt.query_map([user.as_str()], |r| r.get::<_, String>(0))?;
        rows.map(|r| {
            let s = r?;
            s.parse().map_err(|e| StoreError::Corrupt(format!("document id {s:?}: {e}")))
        })
        .collect()
    }

    /// Keeps the server's sync state of one device (session) for one document.
    pub fn save_sync_state(
        &self,
        token_hash: &[u8; 32],
        id: &DocId,
        state: &[u8],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        // The session may have ended meanwhile (sign out): then there is nothing to keep.
        self.conn.execute(
            "INSERT INTO sync_states (token_hash, doc_id, state, updated_ms)
             SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM sessions WHERE token_hash = ?1)
               AND EXISTS (SELECT 1 FROM documents WHERE id = ?2)
             ON CONFLICT (token_hash, doc_id) DO UPDATE
             SET state = excluded.state, updated_ms = excluded.updated_ms",
            params![&token_hash[..], id.to_string(), state, now_ms],
        )?;
        Ok(())
    }

    /// The kept sync states of one device (session), by document.
    pub fn sync_states(&self, token_hash: &[u8; 32]) -> Result<Vec<(DocId, Vec<u8>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc_id, state FROM sync_states WHERE token_hash = ?1")?;
        let rows = stmt.query_map([&token_hash[..]], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        rows.map(|r| {
            let (s, state) = r?;
            let id =
                s.parse().map_err(|e| StoreError::Corrupt(format!("document id {s:?}: {e}")))?;
            Ok((id, state))
        })
        .collect()
    }
}
