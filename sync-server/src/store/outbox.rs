//! The push outbox (schema 4): events written with the change that caused them, one delivery
//! per (event, device), and the cached notification settings of each user.
//!
//! Delivery states: `pending` (send at `due_ms`), `held` (quiet hours: goes into the summary at
//! `due_ms`), `sending` (claimed by the sender: the request may have left, so it is never sent
//! again), `sent`, `summarised`, `failed`.

use std::collections::HashMap;

use cartable_shared::ids::{GroupId, SubscriptionId, UserId};
use cartable_shared::roles::{Principal, Role};
use rusqlite::{OptionalExtension, params};

use super::{Dao, StoreError};

/// A notification event to store with a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPushEvent {
    /// The document whose readers are told (`library:<group>` for a reminder).
    pub doc: String,
    /// The user whose change it was (never notified).
    pub author: Option<UserId>,
    /// The event, JSON (`services::push::events::Event`).
    pub event: String,
    /// When set, only these users (still only if they may read `doc`).
    pub recipients: Option<Vec<UserId>>,
    /// A key that makes the event once-only (`INSERT OR IGNORE`).
    pub dedup: Option<String>,
    /// When it was written, UTC milliseconds.
    pub created_ms: i64,
}

/// What a document change adds to the outbox, in the change's own transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxWrite {
    /// A notification event.
    Event(NewPushEvent),
    /// A user's notification settings changed (JSON of `NotificationSettings`).
    Settings {
        /// The user.
        user: UserId,
        /// The new settings, JSON.
        settings: String,
    },
}

/// An event waiting for its deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPushEvent {
    /// Its id.
    pub id: i64,
    /// The document.
    pub doc: String,
    /// The author, not notified.
    pub author: Option<UserId>,
    /// JSON of the event.
    pub event: String,
    /// JSON array of recipients, when restricted.
    pub recipients: Option<String>,
}

/// A delivery claimed by the sender (state `sending`, committed before the request leaves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    /// The delivery.
    pub id: i64,
    /// Its event.
    pub event_id: i64,
    /// The device.
    pub subscription: SubscriptionId,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// A delivery put into a quiet-hours summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldDelivery {
    /// The delivery.
    pub id: i64,
    /// The device.
    pub subscription: SubscriptionId,
    /// Its owner.
    pub user: UserId,
    /// JSON of its event.
    pub event: String,
}

/// What became of one claimed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The push service accepted it.
    Sent,
    /// Try again at this time (429, 5xx, network error).
    Retry {
        /// When, UTC milliseconds.
        due_ms: i64,
    },
    /// Refused for good (another 4xx, or too many attempts).
    Failed,
    /// The subscription is gone (404, 410): delete it, and its deliveries with it.
    Gone,
}

fn parse<T: std::str::FromStr>(s: String) -> Result<T, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt(format!("bad id {s:?}")))
}

impl Dao<'_> {
    /// Writes what a change adds to the outbox.
    pub fn write_outbox(&self, writes: &[OutboxWrite]) -> Result<(), StoreError> {
        for w in writes {
            match w {
                OutboxWrite::Event(e) => {
                    self.insert_push_event(e)?;
                }
                OutboxWrite::Settings { user, settings } => {
                    // A `me` document of an account that no longer exists keeps nothing.
                    self.conn.execute(
                        "INSERT INTO push_settings (user_id, settings)
                         SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1)
                         ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings",
                        params![user.as_str(), settings],
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Stores an event; `false` if its `dedup` key was stored before (nothing written).
    pub fn insert_push_event(&self, e: &NewPushEvent) -> Result<bool, StoreError> {
        let recipients = match &e.recipients {
            Some(r) => Some(
                serde_json::to_string(&r.iter().map(UserId::as_str).collect::<Vec<_>>())
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            ),
            None => None,
        };
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO push_events (doc, author, event, recipients, dedup, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                e.doc,
                e.author.as_ref().map(UserId::as_str),
                e.event,
                recipients,
                e.dedup,
                e.created_ms
            ],
        )?;
        Ok(n > 0)
    }

    /// Whether an event with the once-only key `dedup` was stored.
    pub fn push_event_dedup_exists(&self, dedup: &str) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT 1 FROM push_events WHERE dedup = ?1")?;
        Ok(stmt.exists([dedup])?)
    }

    /// The oldest events not expanded yet.
    pub fn push_events_to_expand(&self, limit: u32) -> Result<Vec<StoredPushEvent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, doc, author, event, recipients FROM push_events
             WHERE expanded = 0 ORDER BY id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        rows.map(|r| {
            let (id, doc, author, event, recipients) = r?;
            Ok(StoredPushEvent {
                id,
                doc,
                author: author.map(parse).transpose()?,
                event,
                recipients,
            })
        })
        .collect()
    }

    /// Marks an event expanded (its deliveries are written).
    pub fn mark_push_event_expanded(&self, id: i64) -> Result<(), StoreError> {
        self.conn.execute("UPDATE push_events SET expanded = 1 WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Rewrites the JSON of an event (the expander completes a message's author name).
    pub fn set_push_event(&self, id: i64, event: &str) -> Result<(), StoreError> {
        self.conn.execute("UPDATE push_events SET event = ?2 WHERE id = ?1", params![id, event])?;
        Ok(())
    }

    /// The JSON of an event.
    pub fn push_event(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT event FROM push_events WHERE id = ?1", [id], |r| r.get(0))
            .optional()?)
    }

    /// Every subscribed user's principal (what `Principal::access` needs: role, groups — a
    /// guardian's are their wards' —, groups taught, wards), read in a few queries.
    pub fn subscribed_principals(&self) -> Result<HashMap<UserId, Principal>, StoreError> {
        const SUBSCRIBED: &str = "(SELECT DISTINCT user_id FROM push_subscriptions)";
        let mut out: HashMap<UserId, Principal> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT id, role FROM users WHERE id IN {SUBSCRIBED}"))?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for r in rows {
            let (id, role) = r?;
            let user: UserId = parse(id)?;
            let role: Role = role.parse().map_err(|e| StoreError::Corrupt(format!("{e}")))?;
            out.insert(
                user.clone(),
                Principal {
                    user,
                    role,
                    groups: Vec::new(),
                    teaches: Vec::new(),
                    wards: Vec::new(),
                    subjects: Vec::new(),
                },
            );
        }
        let pairs = |sql: &str| -> Result<Vec<(String, String)>, StoreError> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        };
        for (user, group) in pairs(&format!(
            "SELECT m.user_id, m.group_id FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE u.role != 'guardian' AND m.user_id IN {SUBSCRIBED}"
        ))? {
            if let Some(p) = out.get_mut(&parse::<UserId>(user)?) {
                p.groups.push(parse::<GroupId>(group)?);
            }
        }
        for (user, group) in pairs(&format!(
            "SELECT DISTINCT g.guardian_id, m.group_id FROM guardians g
             JOIN memberships m ON m.user_id = g.ward_id WHERE g.guardian_id IN {SUBSCRIBED}"
        ))? {
            if let Some(p) = out.get_mut(&parse::<UserId>(user)?)
                && p.role == Role::Guardian
            {
                p.groups.push(parse::<GroupId>(group)?);
            }
        }
        for (user, ward) in pairs(&format!(
            "SELECT guardian_id, ward_id FROM guardians WHERE guardian_id IN {SUBSCRIBED}"
        ))? {
            if let Some(p) = out.get_mut(&parse::<UserId>(user)?) {
                p.wards.push(parse::<UserId>(ward)?);
            }
        }
        for (user, group) in
            pairs(&format!("SELECT user_id, group_id FROM teaching WHERE user_id IN {SUBSCRIBED}"))?
        {
            if let Some(p) = out.get_mut(&parse::<UserId>(user)?) {
                p.teaches.push(parse::<GroupId>(group)?);
            }
        }
        Ok(out)
    }

    /// Every subscription id, by user.
    pub fn subscriptions_by_user(
        &self,
    ) -> Result<HashMap<UserId, Vec<SubscriptionId>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT user_id, id FROM push_subscriptions ORDER BY created_ms, id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out: HashMap<UserId, Vec<SubscriptionId>> = HashMap::new();
        for r in rows {
            let (user, id) = r?;
            out.entry(parse(user)?).or_default().push(parse(id)?);
        }
        Ok(out)
    }

    /// The cached notification settings (JSON) of every subscribed user that has some.
    pub fn subscribed_push_settings(&self) -> Result<HashMap<UserId, String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT user_id, settings FROM push_settings
             WHERE user_id IN (SELECT DISTINCT user_id FROM push_subscriptions)",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = HashMap::new();
        for r in rows {
            let (user, s) = r?;
            out.insert(parse(user)?, s);
        }
        Ok(out)
    }

    /// Caches a user's settings read from their `me` document, unless a change of that
    /// document has written newer ones meanwhile.
    pub fn cache_push_settings(&self, user: &UserId, settings: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO push_settings (user_id, settings) VALUES (?1, ?2)",
            params![user.as_str(), settings],
        )?;
        Ok(())
    }

    /// Adds a delivery (no-op if this event already has one for this device).
    pub fn insert_delivery(
        &self,
        event: i64,
        subscription: &SubscriptionId,
        held: bool,
        due_ms: i64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO push_deliveries
             (event_id, subscription_id, state, due_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        stmt.execute(params![
            event,
            subscription.as_str(),
            if held { "held" } else { "pending" },
            due_ms,
            now_ms
        ])?;
        Ok(())
    }

    /// Claims up to `limit` deliveries due at `now_ms`: they become `sending` (and are never
    /// claimed again) when the transaction commits.
    pub fn claim_due_deliveries(
        &self,
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE push_deliveries SET state = 'sending', attempts = attempts + 1, updated_ms = ?1
             WHERE id IN (SELECT id FROM push_deliveries WHERE state = 'pending' AND due_ms <= ?1
                          ORDER BY due_ms, id LIMIT ?2)
             RETURNING id, event_id, subscription_id, attempts",
        )?;
        let rows = stmt.query_map(params![now_ms, limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })?;
        let mut out: Vec<ClaimedDelivery> = rows
            .map(|r| {
                let (id, event_id, sub, attempts) = r?;
                Ok(ClaimedDelivery { id, event_id, subscription: parse(sub)?, attempts })
            })
            .collect::<Result<_, StoreError>>()?;
        out.sort_by_key(|d| d.id);
        Ok(out)
    }

    /// When the next pending delivery is due, if any.
    pub fn next_delivery_due(&self) -> Result<Option<i64>, StoreError> {
        Ok(self.conn.query_row(
            "SELECT MIN(due_ms) FROM push_deliveries WHERE state IN ('pending', 'held')",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records what became of claimed deliveries.
    pub fn finish_deliveries(
        &self,
        outcomes: &[(i64, SubscriptionId, DeliveryOutcome)],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        for (id, sub, outcome) in outcomes {
            match outcome {
                DeliveryOutcome::Sent | DeliveryOutcome::Failed => {
                    let state = if *outcome == DeliveryOutcome::Sent { "sent" } else { "failed" };
                    self.conn
                        .prepare_cached(
                            "UPDATE push_deliveries SET state = ?2, updated_ms = ?3 WHERE id = ?1",
                        )?
                        .execute(params![id, state, now_ms])?;
                }
                DeliveryOutcome::Retry { due_ms } => {
                    self.conn
                        .prepare_cached(
                            "UPDATE push_deliveries SET state = 'pending', due_ms = ?2,
                             updated_ms = ?3 WHERE id = ?1",
                        )?
                        .execute(params![id, due_ms, now_ms])?;
                }
                DeliveryOutcome::Gone => {
                    self.conn
                        .prepare_cached("DELETE FROM push_subscriptions WHERE id = ?1")?
                        .execute([sub.as_str()])?;
                }
            }
        }
        Ok(())
    }

    /// Held deliveries whose quiet hours are over, by device then event.
    pub fn due_held_deliveries(&self, now_ms: i64) -> Result<Vec<HeldDelivery>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.subscription_id, s.user_id, e.event FROM push_deliveries d
             JOIN push_events e ON e.id = d.event_id
             JOIN push_subscriptions s ON s.id = d.subscription_id
             WHERE d.state = 'held' AND d.due_ms <= ?1
             ORDER BY d.subscription_id, d.event_id",
        )?;
        let rows = stmt.query_map([now_ms], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })?;
        rows.map(|r| {
            let (id, sub, user, event) = r?;
            Ok(HeldDelivery { id, subscription: parse(sub)?, user: parse(user)?, event })
        })
        .collect()
    }

    /// Marks held deliveries as folded into a summary.
    pub fn mark_summarised(&self, ids: &[i64], now_ms: i64) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE push_deliveries SET state = 'summarised', updated_ms = ?2 WHERE id = ?1",
        )?;
        for id in ids {
            stmt.execute(params![id, now_ms])?;
        }
        Ok(())
    }

    /// The id of the event inserted last on this connection.
    pub fn last_insert_id(&self) -> i64 {
        self.conn.last_insert_rowid()
    }

    /// Deletes the events created before `before_ms` that are expanded and have nothing left to
    /// send (no delivery pending or held), with their deliveries; returns how many events went.
    /// Their once-only keys go with them: the jobs that set keys only look at what is ahead.
    pub fn trim_push_outbox(&self, before_ms: i64) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM push_events
             WHERE created_ms < ?1 AND expanded = 1
               AND NOT EXISTS (SELECT 1 FROM push_deliveries d
                               WHERE d.event_id = push_events.id AND d.state IN ('pending', 'held'))",
            [before_ms],
        )?)
    }

    /// How many deliveries are in each state (operations, tests).
    pub fn delivery_counts(&self) -> Result<HashMap<String, i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, COUNT(*) FROM push_deliveries GROUP BY state")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
