//! API tokens of the school's systems (only their SHA-256 is stored; rows are read as
//! [`ApiTokenInfo`], without it).

use cartable_shared::admin::ApiTokenInfo;
use rusqlite::{OptionalExtension, params};

use super::{Dao, StoreError};

const COLUMNS: &str = "id, name, scopes, created_by, created_ms, last_used_ms";

/// A row as read: id, name, scopes, creator, created, last used.
type Raw = (String, String, String, String, i64, Option<i64>);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn to_row(
    (id, name, scopes, created_by, created_ms, last_used_ms): Raw,
) -> Result<ApiTokenInfo, StoreError> {
    Ok(ApiTokenInfo {
        id,
        name,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        created_by: created_by
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("token creator {created_by:?}: {e}")))?,
        created_ms,
        last_used_ms,
    })
}

impl Dao<'_> {
    /// Stores a new token.
    pub fn insert_api_token(&self, t: &ApiTokenInfo, hash: &[u8; 32]) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO api_tokens (id, name, token_hash, scopes, created_by, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                t.id,
                t.name,
                hash.as_slice(),
                t.scopes.join(" "),
                t.created_by.as_str(),
                t.created_ms
            ],
        )?;
        Ok(())
    }

    /// Every token, oldest first.
    pub fn api_tokens(&self) -> Result<Vec<ApiTokenInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM api_tokens ORDER BY created_ms, id"))?;
        let rows = stmt.query_map([], row)?;
        rows.map(|r| to_row(r?)).collect()
    }

    /// The token of this hash, marked as used at `now_ms`.
    pub fn use_api_token(
        &self,
        hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<ApiTokenInfo>, StoreError> {
        let found = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM api_tokens WHERE token_hash = ?1"),
                [hash.as_slice()],
                row,
            )
            .optional()?;
        let Some(found) = found else { return Ok(None) };
        self.conn.execute(
            "UPDATE api_tokens SET last_used_ms = ?2 WHERE id = ?1",
            params![found.0, now_ms],
        )?;
        to_row(found).map(Some)
    }

    /// Deletes a token; true if it existed.
    pub fn delete_api_token(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM api_tokens WHERE id = ?1", [id])? > 0)
    }
}
