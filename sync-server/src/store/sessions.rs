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

    /// Deletes every session of an account; returns how many.
    pub fn delete_sessions_of(&self, user: &UserId) -> Result<usize, StoreError> {
        Ok(self.conn.execute("DELETE FROM sessions WHERE user_id = ?1", [user.as_str()])?)
    }

    /// Whether a session exists and has not expired.
    pub fn session_active(&self, token_hash: &[u8; 32], now_ms: i64) -> Result<bool, StoreError> {
        Ok(self.session_user(token_hash, now_ms)?.is_some())
    }

    /// Records a sign-in in the account's history, keeping its last [`LOGIN_HISTORY`] entries.
    pub fn record_login(
        &self,
        user: &UserId,
        token_hash: &[u8; 32],
        at_ms: i64,
        user_agent: Option<&str>,
        address: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO login_history (user_id, token_hash, at_ms, user_agent, address)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![user.as_str(), &token_hash[..], at_ms, user_agent, address],
        )?;
        self.conn.execute(
            "DELETE FROM login_history WHERE user_id = ?1 AND id NOT IN
             (SELECT id FROM login_history WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2)",
            params![user.as_str(), LOGIN_HISTORY],
        )?;
        Ok(())
    }

    /// The last `limit` sign-ins of an account, newest first, with whether each session is
    /// still active at `now_ms`.
    pub fn recent_logins(
        &self,
        user: &UserId,
        limit: u32,
        now_ms: i64,
    ) -> Result<Vec<LoginRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.token_hash, h.at_ms, h.user_agent, h.address,
                    EXISTS (SELECT 1 FROM sessions s
                            WHERE s.token_hash = h.token_hash AND s.expires_ms > ?3)
             FROM login_history h WHERE h.user_id = ?1 ORDER BY h.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![user.as_str(), limit, now_ms], |r| {
            let hash: Vec<u8> = r.get(0)?;
            Ok(LoginRecord {
                token_hash: hash.try_into().unwrap_or([0; 32]),
                at_ms: r.get(1)?,
                user_agent: r.get(2)?,
                address: r.get(3)?,
                active: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number of failed logins from `address` at or after `since_ms`, and the oldest of them.
    pub fn address_failures_since(
        &self,
        address: &str,
        since_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at_ms FROM address_failures WHERE address = ?1 AND at_ms >= ?2 ORDER BY at_ms",
        )?;
        let rows = stmt.query_map(params![address, since_ms], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a failed login from `address`, and forgets failures older than
    /// `forget_before_ms`.
    pub fn record_address_failure(
        &self,
        address: &str,
        at_ms: i64,
        forget_before_ms: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM address_failures WHERE at_ms < ?1", [forget_before_ms])?;
        self.conn.execute(
            "INSERT INTO address_failures (address, at_ms) VALUES (?1, ?2)",
            params![address, at_ms],
        )?;
        Ok(())
    }
}

/// How many sign-ins of an account the history keeps.
pub const LOGIN_HISTORY: u32 = 20;

/// One sign-in of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRecord {
    /// The SHA-256 of the session token it opened.
    pub token_hash: [u8; 32],
    /// When, UTC milliseconds.
    pub at_ms: i64,
    /// The browser's `User-Agent`.
    pub user_agent: Option<String>,
    /// The client address.
    pub address: Option<String>,
    /// Whether its session is still open.
    pub active: bool,
}
