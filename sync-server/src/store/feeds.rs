//! Calendar feeds (their URL, validators, last success or error and last good import) and the
//! users' private export tokens (hashed).

use cartable_shared::ids::{FeedId, GroupId, UserId};
use rusqlite::{OptionalExtension, params};

use super::{Dao, StoreError};

/// A feed as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRow {
    /// The feed.
    pub id: FeedId,
    /// The group whose timetable it fills.
    pub group: GroupId,
    /// Its URL.
    pub url: String,
    /// When it was registered.
    pub created_ms: i64,
    /// The administrator who registered it.
    pub created_by: UserId,
    /// `ETag` of the last good fetch.
    pub etag: Option<String>,
    /// `Last-Modified` of the last good fetch.
    pub last_modified: Option<String>,
    /// When it was last tried.
    pub last_attempt_ms: Option<i64>,
    /// When it last succeeded.
    pub last_success_ms: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the last attempt failed.
    pub last_error_ms: Option<i64>,
    /// Sessions of the last good import.
    pub sessions: u32,
}

const COLUMNS: &str = "id, group_id, url, created_ms, created_by, etag, last_modified, \
                       last_attempt_ms, last_success_ms, last_error, last_error_ms, sessions";

fn parse<T: std::str::FromStr>(s: String) -> Result<T, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt(format!("bad id {s:?}")))
}

type RawRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    i64,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

fn typed(r: RawRow) -> Result<FeedRow, StoreError> {
    Ok(FeedRow {
        id: parse(r.0)?,
        group: parse(r.1)?,
        url: r.2,
        created_ms: r.3,
        created_by: parse(r.4)?,
        etag: r.5,
        last_modified: r.6,
        last_attempt_ms: r.7,
        last_success_ms: r.8,
        last_error: r.9,
        last_error_ms: r.10,
        sessions: u32::try_from(r.11).unwrap_or(u32::MAX),
    })
}

impl Dao<'_> {
    /// Registers a feed.
    pub fn insert_feed(&self, f: &FeedRow) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO feeds (id, group_id, url, created_ms, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![f.id.as_str(), f.group.as_str(), f.url, f.created_ms, f.created_by.as_str()],
        )?;
        Ok(())
    }

    /// Every feed, oldest first.
    pub fn feeds(&self) -> Result<Vec<FeedRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM feeds ORDER BY created_ms, id"))?;
        let rows = stmt.query_map([], raw)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(typed).collect()
    }

    /// One feed.
    pub fn feed(&self, id: &FeedId) -> Result<Option<FeedRow>, StoreError> {
        let row = self
            .conn
            .query_row(&format!("SELECT {COLUMNS} FROM feeds WHERE id = ?1"), [id.as_str()], raw)
            .optional()?;
        row.map(typed).transpose()
    }

    /// The last good import of a feed (JSON), if any.
    pub fn feed_import(&self, id: &FeedId) -> Result<Option<String>, StoreError> {
        let json = self
            .conn
            .query_row("SELECT imported FROM feeds WHERE id = ?1", [id.as_str()], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?;
        Ok(json.flatten())
    }

    /// Records a good fetch: its validators, and the new import (`None`: unchanged, `304`).
    pub fn feed_succeeded(
        &self,
        id: &FeedId,
        at_ms: i64,
        validators: (Option<&str>, Option<&str>),
        import: Option<(&str, u32)>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE feeds SET last_attempt_ms = ?2, last_success_ms = ?2, last_error = NULL,
                 last_error_ms = NULL, etag = COALESCE(?3, etag),
                 last_modified = COALESCE(?4, last_modified) WHERE id = ?1",
            params![id.as_str(), at_ms, validators.0, validators.1],
        )?;
        if let Some((json, sessions)) = import {
            self.conn.execute(
                "UPDATE feeds SET imported = ?2, sessions = ?3, etag = ?4, last_modified = ?5
                 WHERE id = ?1",
                params![id.as_str(), json, sessions, validators.0, validators.1],
            )?;
        }
        Ok(())
    }

    /// Records a failed attempt; the last good import is kept.
    pub fn feed_failed(&self, id: &FeedId, at_ms: i64, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE feeds SET last_attempt_ms = ?2, last_error = ?3, last_error_ms = ?2 WHERE id = ?1",
            params![id.as_str(), at_ms, error],
        )?;
        Ok(())
    }

    /// Deletes a feed; whether it existed.
    pub fn delete_feed(&self, id: &FeedId) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM feeds WHERE id = ?1", [id.as_str()])? > 0)
    }

    /// Sets (or replaces) a user's export token hash.
    pub fn set_calendar_token(
        &self,
        user: &UserId,
        hash: &[u8; 32],
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO calendar_tokens (user_id, token_hash, created_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(user_id) DO UPDATE SET token_hash = ?2, created_ms = ?3, last_used_ms = NULL",
            params![user.as_str(), &hash[..], at_ms],
        )?;
        Ok(())
    }

    /// A user's export token: when it was created and last used.
    pub fn calendar_token(&self, user: &UserId) -> Result<Option<(i64, Option<i64>)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT created_ms, last_used_ms FROM calendar_tokens WHERE user_id = ?1",
                [user.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The user whose export token hashes to `hash`.
    pub fn calendar_token_user(&self, hash: &[u8; 32]) -> Result<Option<UserId>, StoreError> {
        let user: Option<String> = self
            .conn
            .query_row(
                "SELECT user_id FROM calendar_tokens WHERE token_hash = ?1",
                [&hash[..]],
                |r| r.get(0),
            )
            .optional()?;
        user.map(parse).transpose()
    }

    /// Notes that a calendar application fetched the feed of `hash`.
    pub fn calendar_token_used(&self, hash: &[u8; 32], at_ms: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE calendar_tokens SET last_used_ms = ?2 WHERE token_hash = ?1",
            params![&hash[..], at_ms],
        )?;
        Ok(())
    }

    /// Revokes a user's export token; whether there was one.
    pub fn delete_calendar_token(&self, user: &UserId) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM calendar_tokens WHERE user_id = ?1", [user.as_str()])?
            > 0)
    }
}
