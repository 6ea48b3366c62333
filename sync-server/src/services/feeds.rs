//! Calendar feeds (RFC 5545): timetables imported from an institution's iCalendar exports (ADE
//! Campus, Hyperplanning, EDT/Pronote) and each user's private export feed.
//!
//! Import: an administrator registers a feed URL for a group; the scheduler (and `refresh`)
//! fetches it ([`fetch`]: address rules, validators, size limit), parses it ([`parse`]),
//! computes what changed since the previous good import ([`diff`]) and applies that to the
//! group's `timetable:` document through the hub, as the importer principal, so that every
//! device receives the change and the change's author is the importer. A feed that fails
//! (unreachable, HTTP error, not iCalendar, suddenly empty) changes nothing: the last good
//! import stays, and the error is recorded for the administrator.
//!
//! Export: [`export`] writes a user's sessions, homework due dates and personal events as an
//! iCalendar file, served at a private URL whose token is stored hashed.

pub mod diff;
pub mod export;
pub mod fetch;
pub mod parse;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use automerge::Automerge;
use cartable_shared::calendar::{FeedInfo, ImportSummary, NewFeed, RefreshOutcome};
use cartable_shared::ids::{DocId, FeedId, UserId};
use cartable_shared::roles::{Principal, Role};
use cartable_shared::timetable::Timetable;
use rand::RngCore;

use self::fetch::{FetchError, Fetched};
use self::parse::FeedSession;
use super::Clock;
use super::hub::{Hub, HubError};
use crate::store::{FeedRow, Store, StoreError};

/// The user id the importer's edits are made (and checked, and attributed) as.
pub const IMPORTER: &str = "importer";
/// Feeds one server may hold.
pub const MAX_FEEDS: usize = 500;
/// How often the scheduler looks for feeds that are due (at most).
const TICK: Duration = Duration::from_secs(60);

/// Why a feed operation failed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// Only administrators manage feeds.
    #[error("only administrators may manage calendar feeds")]
    Forbidden,
    /// No such feed or group.
    #[error("no such feed")]
    NotFound,
    /// The request is malformed.
    #[error("{0}")]
    Invalid(String),
    /// The feed URL is not one the server may fetch.
    #[error(transparent)]
    Refused(FetchError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The hub failed.
    #[error(transparent)]
    Hub(#[from] HubError),
}

/// The principal of the feed importer: an administrator named [`IMPORTER`], whose timetable
/// writes are checked like anyone's.
pub fn importer_principal() -> Principal {
    Principal {
        user: IMPORTER.parse::<UserId>().expect("a valid user id"),
        role: Role::Admin,
        groups: Vec::new(),
        teaches: Vec::new(),
        wards: Vec::new(),
        subjects: Vec::new(),
    }
}

/// The feed service: what it needs of the server, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Feeds<'a> {
    /// The store.
    pub store: &'a Store,
    /// The document hub.
    pub hub: &'a Hub,
    /// The clock.
    pub clock: &'a dyn Clock,
    /// Origins allowed besides public addresses (`--feed-allow`).
    pub allow: &'a [String],
    /// Serialises imports, so that a scheduled and an on-demand refresh of a feed never diff
    /// against the same previous import. A tokio mutex: held across the fetch and the edit.
    pub imports: &'a tokio::sync::Mutex<()>,
}

fn info(row: FeedRow) -> FeedInfo {
    FeedInfo {
        id: row.id,
        group: row.group,
        url: row.url,
        created_ms: row.created_ms,
        last_success_ms: row.last_success_ms,
        last_error: row.last_error,
        last_error_ms: row.last_error_ms,
        sessions: row.sessions,
    }
}

fn admin_only(principal: &Principal) -> Result<(), FeedError> {
    if principal.role == Role::Admin { Ok(()) } else { Err(FeedError::Forbidden) }
}

impl Feeds<'_> {
    /// Every feed with its last success and error (administrators).
    pub async fn list(&self, principal: &Principal) -> Result<Vec<FeedInfo>, FeedError> {
        admin_only(principal)?;
        let rows = self.store.read(|dao| dao.feeds()).await?;
        Ok(rows.into_iter().map(info).collect())
    }

    /// Registers a feed for a group (administrators). It is fetched by the scheduler on its
    /// next round, or at once with [`Feeds::refresh`].
    pub async fn register(
        &self,
        principal: &Principal,
        req: NewFeed,
    ) -> Result<FeedInfo, FeedError> {
        admin_only(principal)?;
        let url = fetch::check_address(&req.url, self.allow)
            .await
            .map_err(FeedError::Refused)?
            .to_string();
        let mut raw = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut raw);
        let id: FeedId = format!("feed-{}", hex::encode(raw))
            .parse()
            .map_err(|_| FeedError::Invalid("id".into()))?;
        let row = FeedRow {
            id: id.clone(),
            group: req.group.clone(),
            url,
            created_ms: self.clock.now_ms(),
            created_by: principal.user.clone(),
            etag: None,
            last_modified: None,
            last_attempt_ms: None,
            last_success_ms: None,
            last_error: None,
            last_error_ms: None,
            sessions: 0,
        };
        let stored = row.clone();
        self.store
            .write(move |dao| {
                if dao.group_name(&stored.group)?.is_none() {
                    return Err(FeedError::NotFound);
                }
                if dao.feeds()?.len() >= MAX_FEEDS {
                    return Err(FeedError::Invalid(format!("at most {MAX_FEEDS} feeds")));
                }
                dao.insert_feed(&stored)?;
                Ok(())
            })
            .await?;
        tracing::info!(feed = %id, group = %req.group, user = %principal.user, "calendar feed registered");
        Ok(info(row))
    }

    /// Deletes a feed (administrators). The sessions it imported stay in the timetable.
    pub async fn delete(&self, principal: &Principal, id: FeedId) -> Result<(), FeedError> {
        admin_only(principal)?;
        let _import = self.imports.lock().await;
        let feed = id.clone();
        if !self.store.write(move |dao| dao.delete_feed(&feed)).await? {
            return Err(FeedError::NotFound);
        }
        tracing::info!(feed = %id, user = %principal.user, "calendar feed deleted");
        Ok(())
    }

    /// Fetches and imports a feed now (administrators).
    pub async fn refresh(
        &self,
        principal: &Principal,
        id: FeedId,
    ) -> Result<RefreshOutcome, FeedError> {
        admin_only(principal)?;
        let changes = self.import(&id).await?;
        let feed = self.store.read(move |dao| dao.feed(&id)).await?.ok_or(FeedError::NotFound)?;
        Ok(RefreshOutcome { feed: info(feed), changes })
    }

    /// Imports every feed not tried for `every` (the scheduler's round).
    pub async fn refresh_due(&self, every: Duration) -> Result<usize, FeedError> {
        let now = self.clock.now_ms();
        let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX);
        let rows = self.store.read(|dao| dao.feeds()).await?;
        let due: Vec<FeedId> = rows
            .into_iter()
            .filter(|f| f.last_attempt_ms.is_none_or(|t| now.saturating_sub(t) >= every_ms))
            .map(|f| f.id)
            .collect();
        for id in &due {
            if let Err(e) = self.import(id).await {
                tracing::error!(feed = %id, error = %e, "calendar feed import failed");
            }
        }
        Ok(due.len())
    }

    /// Fetches, parses and applies one feed. `Ok(None)`: the attempt failed and was recorded
    /// (the timetable is unchanged); `Err`: the server itself failed.
    async fn import(&self, id: &FeedId) -> Result<Option<ImportSummary>, FeedError> {
        let _import = self.imports.lock().await;
        let feed_id = id.clone();
        let (row, previous) = self
            .store
            .read(move |dao| Ok::<_, StoreError>((dao.feed(&feed_id)?, dao.feed_import(&feed_id)?)))
            .await?;
        let row = row.ok_or(FeedError::NotFound)?;
        let previous: BTreeMap<String, FeedSession> = match previous {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("feed import: {e}")))?,
            None => BTreeMap::new(),
        };
        let now = self.clock.now_ms();
        // A feed never imported is fetched without validators (its first good body matters).
        let validators = if previous.is_empty() && row.last_success_ms.is_none() {
            (None, None)
        } else {
            (row.etag.as_deref(), row.last_modified.as_deref())
        };
        let fetched = fetch::fetch(&row.url, self.allow, validators.0, validators.1).await;
        let (text, etag, last_modified) = match fetched {
            Ok(Fetched::NotModified) => {
                let feed = id.clone();
                self.store
                    .write(move |dao| dao.feed_succeeded(&feed, now, (None, None), None))
                    .await?;
                return Ok(Some(ImportSummary { not_modified: true, ..Default::default() }));
            }
            Ok(Fetched::Body { text, etag, last_modified }) => (text, etag, last_modified),
            Err(e) => return self.failed(id, now, &e.to_string()).await,
        };
        // A calendar whose events are all past is a valid (empty) import; one without any
        // event after a good import is a broken export, not the end of every class.
        let parsed = match parse::parse(&text, now) {
            Ok(p) => p,
            Err(parse::ParseError::NoEvents) if previous.is_empty() => BTreeMap::new(),
            Err(e) => return self.failed(id, now, &e.to_string()).await,
        };
        let summary = match self.apply(&row, previous, parsed.clone(), now).await {
            Ok(s) => s,
            Err(FeedError::Hub(HubError::Rule(v))) => {
                return self.failed(id, now, &format!("the import breaks a rule: {v}")).await;
            }
            Err(e) => return Err(e),
        };
        let json = serde_json::to_string(&parsed)
            .map_err(|e| StoreError::Corrupt(format!("feed import: {e}")))?;
        let count = u32::try_from(parsed.len()).unwrap_or(u32::MAX);
        let feed = id.clone();
        self.store
            .write(move |dao| {
                dao.feed_succeeded(
                    &feed,
                    now,
                    (etag.as_deref(), last_modified.as_deref()),
                    Some((&json, count)),
                )
            })
            .await?;
        tracing::info!(
            feed = %id,
            group = %row.group,
            sessions = count,
            added = summary.added,
            cancelled = summary.cancelled,
            moved = summary.moved,
            room_changed = summary.room_changed,
            "calendar feed imported"
        );
        Ok(Some(summary))
    }

    async fn failed(
        &self,
        id: &FeedId,
        now: i64,
        why: &str,
    ) -> Result<Option<ImportSummary>, FeedError> {
        tracing::warn!(feed = %id, error = why, "calendar feed not imported; last good import kept");
        let (feed, why) = (id.clone(), why.to_owned());
        self.store.write(move |dao| dao.feed_failed(&feed, now, &why)).await?;
        Ok(None)
    }

    /// Applies the difference between two imports to the group's timetable, as the importer.
    async fn apply(
        &self,
        row: &FeedRow,
        previous: BTreeMap<String, FeedSession>,
        next: BTreeMap<String, FeedSession>,
        now: i64,
    ) -> Result<ImportSummary, FeedError> {
        let doc = DocId::timetable(&row.group);
        let handle = match self.hub.open(&doc).await? {
            Some(h) => h,
            None => {
                let mut am = Automerge::new();
                cartable_shared::sync::write(&mut am, &Timetable::new(row.group.as_str()))
                    .map_err(|e| FeedError::Invalid(format!("new timetable: {e}")))?;
                self.hub.create(&doc, &am, now).await?;
                self.hub.open(&doc).await?.ok_or(FeedError::NotFound)?
            }
        };
        let feed = row.id.clone();
        let summary = handle
            .edit_as(Arc::new(importer_principal()), move |am| {
                let mut t: Timetable = cartable_shared::sync::read(am)
                    .map_err(|e| FeedError::Invalid(format!("unreadable timetable: {e}")))?
                    .ok_or_else(|| FeedError::Invalid("empty timetable document".into()))?;
                let summary = diff::apply(&feed, &previous, &next, &mut t.sessions, now);
                if summary != ImportSummary::default() {
                    cartable_shared::sync::write(am, &t)
                        .map_err(|e| FeedError::Invalid(format!("could not write: {e}")))?;
                }
                Ok::<_, FeedError>(summary)
            })
            .await??;
        Ok(summary)
    }
}

/// The scheduler: imports due feeds every `every` (checked at most every minute) until
/// `shutdown` is cancelled. `every` of zero disables it (feeds are then refreshed on demand).
pub async fn schedule(
    state: crate::AppState,
    every: Duration,
    shutdown: tokio_util::sync::CancellationToken,
) {
    if every.is_zero() {
        return;
    }
    let tick = every.min(TICK);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(tick) => {}
        }
        // A round is dropped at shutdown, possibly between an import's timetable edit and the
        // store of its import: the next round then applies the same difference again, which
        // changes nothing the second time.
        let feeds = state.feeds();
        let round = tokio::select! {
            () = shutdown.cancelled() => return,
            r = feeds.refresh_due(every) => r,
        };
        match round {
            Ok(0) => {}
            Ok(n) => tracing::debug!(feeds = n, "calendar feeds refreshed"),
            Err(e) => tracing::error!(error = %e, "calendar feed round failed"),
        }
    }
}
