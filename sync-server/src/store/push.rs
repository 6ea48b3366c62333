//! Web Push subscriptions of users' devices.

use cartable_shared::ids::{SubscriptionId, UserId};
use rusqlite::{OptionalExtension, params};

use super::{Dao, StoreError};

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscriptionRow {
    /// The subscription.
    pub id: SubscriptionId,
    /// Its owner.
    pub user: UserId,
    /// The push service URL.
    pub endpoint: String,
    /// The device's P-256 public key, uncompressed (65 bytes).
    pub p256dh: Vec<u8>,
    /// The device's authentication secret (16 bytes).
    pub auth: Vec<u8>,
    /// The device's name.
    pub label: String,
    /// When it was registered, UTC milliseconds.
    pub created_ms: i64,
}

type RawRow = (String, String, String, Vec<u8>, Vec<u8>, String, i64);

fn parse<T: std::str::FromStr>(s: String) -> Result<T, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt(format!("bad id {s:?}")))
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

fn typed(
    (id, user, endpoint, p256dh, auth, label, created_ms): RawRow,
) -> Result<PushSubscriptionRow, StoreError> {
    Ok(PushSubscriptionRow {
        id: parse(id)?,
        user: parse(user)?,
        endpoint,
        p256dh,
        auth,
        label,
        created_ms,
    })
}

const COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, label, created_ms";

impl Dao<'_> {
    /// Stores a subscription; an existing subscription of the same endpoint (the same browser,
    /// subscribed again, perhaps by another account) is replaced.
    pub fn insert_push_subscription(&self, s: &PushSubscriptionRow) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM push_subscriptions WHERE endpoint = ?1", [&s.endpoint])?;
        self.conn.execute(
            "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, label, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![s.id.as_str(), s.user.as_str(), s.endpoint, s.p256dh, s.auth, s.label, s.created_ms],
        )?;
        Ok(())
    }

    /// The subscriptions of a user, oldest first.
    pub fn push_subscriptions_of(
        &self,
        user: &UserId,
    ) -> Result<Vec<PushSubscriptionRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM push_subscriptions WHERE user_id = ?1 ORDER BY created_ms, id"
        ))?;
        let raw = stmt.query_map([user.as_str()], row)?.collect::<Result<Vec<_>, _>>()?;
        raw.into_iter().map(typed).collect()
    }

    /// One subscription.
    pub fn push_subscription(
        &self,
        id: &SubscriptionId,
    ) -> Result<Option<PushSubscriptionRow>, StoreError> {
        // Cached: the push sender looks up every device it sends to.
        let raw = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM push_subscriptions WHERE id = ?1"))?
            .query_row([id.as_str()], row)
            .optional()?;
        raw.map(typed).transpose()
    }

    /// Deletes every subscription of `user` (signed out everywhere: no device of theirs may keep
    /// receiving their notifications); how many there were.
    pub fn delete_push_subscriptions_of(&self, user: &UserId) -> Result<usize, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM push_subscriptions WHERE user_id = ?1", [user.as_str()])?)
    }

    /// Deletes a subscription of `user` (`None`: whoever owns it); whether one was deleted.
    pub fn delete_push_subscription(
        &self,
        id: &SubscriptionId,
        user: Option<&UserId>,
    ) -> Result<bool, StoreError> {
        let n = match user {
            Some(u) => self.conn.execute(
                "DELETE FROM push_subscriptions WHERE id = ?1 AND user_id = ?2",
                [id.as_str(), u.as_str()],
            )?,
            None => {
                self.conn.execute("DELETE FROM push_subscriptions WHERE id = ?1", [id.as_str()])?
            }
        };
        Ok(n > 0)
    }
}
