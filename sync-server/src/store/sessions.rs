//! Signed-in sessions and failed login attempts.

use cartable_shared::ids::UserId;
use rusqlite::{OptionalExtension, params};

use super::{Dao, StoreError};

/// A recorded session, as its owner may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// When it was opened, UTC milliseconds.
    pub created_ms: i64,
    /// The browser's `User-Agent`.
    pub user_agent: Option<String>,
    /// The peer address.
    pub address: Option<String>,
}

impl Dao<'_> {
    /// Records a new session. `token_hash` is the SHA-256 of the cookie token.
    pub fn insert_session(
        &self,
        token_hash: &[u8; 32],
        user: &UserId,
        created_ms: i64,
        expires_ms: i64,
        user_agent: Option<&str>,
        address: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sessions (token_hash, user_id, created_ms, expires_ms, user_agent, address)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![&token_hash[..], user.as_str(), created_ms, expires_ms, user_agent, address],
        )?;
        Ok(())
    }

    /// The account of an unexpired session.
    pub fn session_user(
        &self,
        token_hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<UserId>, StoreError> {
        let user: Option<String> = self
            .conn
            .query_row(
                "SELECT user_id FROM sessions WHERE token_hash = ?1 AND expires_ms > ?2",
                params![&token_hash[..], now_ms],
                |r| r.get(0),
            )
            .optional()?;
        user.map(|u| u.parse().map_err(|e| StoreError::Corrupt(format!("session user: {e}"))))
            .transpose()
    }

    /// Deletes a session; true if it existed.
    pub fn delete_session(&self, token_hash: &[u8; 32]) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [&token_hash[..]])? > 0)
    }

    /// Deletes expired sessions; returns how many.
    pub fn delete_expired_sessions(&self, now_ms: i64) -> Result<usize, StoreError> {
        Ok(self.conn.execute("DELETE FROM sessions WHERE expires_ms <= ?1", [now_ms])?)
    }

    /// The recorded sessions of an account, newest first: (created, user agent, address).
    pub fn sessions_of(&self, user: &UserId) -> Result<Vec<SessionRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT created_ms, user_agent, address FROM sessions
             WHERE user_id = ?1 ORDER BY created_ms DESC",
        )?;
        let rows = stmt.query_map([user.as_str()], |r| {
            Ok(SessionRecord { created_ms: r.get(0)?, user_agent: r.get(1)?, address: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Times of the failed logins for `login` at or after `since_ms`, oldest first.
    pub fn login_failures_since(&self, login: &str, since_ms: i64) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at_ms FROM login_failures WHERE login = ?1 AND at_ms >= ?2 ORDER BY at_ms",
        )?;
        let rows = stmt.query_map(params![login, since_ms], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a failed login for `login`, and forgets failures older than `forget_before_ms`.
    pub fn record_login_failure(
        &self,
        login: &str,
        at_ms: i64,
        forget_before_ms: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM login_failures WHERE at_ms < ?1", [forget_before_ms])?;
        self.conn.execute(
            "INSERT INTO login_failures (login, at_ms) VALUES (?1, ?2)",
            params![login, at_ms],
        )?;
        Ok(())
    }

    /// Forgets the failed logins of `login` (after a successful one).
    pub fn clear_login_failures(&self, login: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM login_failures WHERE login = ?1", [login])?;
        Ok(())
    }
}
