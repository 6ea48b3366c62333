//! The push worker: one task that expands the outbox, releases quiet-hours summaries, runs the
//! due-tomorrow and scheduled-announcement jobs, trims the outbox daily and sends what is due, woken by each change that stored events (and every
//! [`TICK`] for retries and time-based work).
//!
//! Exactly-once, as far as a crash allows: an event is stored with its change (same
//! transaction); its deliveries are unique per (event, device) and written with the event's
//! "expanded" mark; a delivery is claimed (`sending`, committed) before its request leaves and
//! is never claimed again. So a crash never sends anything twice; what it can lose is the
//! deliveries claimed but not yet sent at that instant (at most [`CLAIM`] + [`CONCURRENCY`]).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use cartable_shared::ids::SubscriptionId;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::events::Event;
use super::outbox;
use super::sender::{CONCURRENCY, PushJob, Sender};
use crate::services::Clock;
use crate::store::{DeliveryOutcome, Store, StoreError};

/// Longest sleep between two rounds (retries, held summaries and the due job are time-based).
pub const TICK: Duration = Duration::from_millis(500);
/// Deliveries claimed per transaction.
pub const CLAIM: u32 = 256;
/// Outcomes recorded per transaction.
const FLUSH: usize = 256;
/// How often the due-tomorrow job runs (by the server's clock).
const DUE_JOB_EVERY_MS: i64 = 10 * 60_000;
/// How long sent notifications stay in the outbox (a trace for operators), and how often the
/// older ones are deleted.
pub const OUTBOX_KEEP_MS: i64 = 90 * 86_400_000;
const TRIM_EVERY_MS: i64 = 86_400_000;
/// How often scheduled announcements are looked for (so one is notified at most this late).
const SHOWN_JOB_EVERY_MS: i64 = 60_000;

/// The worker. Built by the server at start-up, run as one task until shutdown.
#[derive(Debug)]
pub struct PushWorker {
    store: Store,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    sender: Arc<Sender>,
    shutdown: CancellationToken,
}

type Outcome = (i64, SubscriptionId, DeliveryOutcome);

impl PushWorker {
    /// A worker over `store`, woken by `wake`, stopping with `shutdown`.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        wake: Arc<Notify>,
        sender: Sender,
        shutdown: CancellationToken,
    ) -> PushWorker {
        PushWorker { store, clock, wake, sender: Arc::new(sender), shutdown }
    }

    /// Runs rounds until shutdown.
    pub async fn run(self) {
        let left = self.store.read(|dao| dao.delivery_counts()).await;
        if let Ok(counts) = left
            && let Some(n) = counts.get("sending").filter(|n| **n > 0)
        {
            tracing::warn!(
                deliveries = n,
                "push deliveries were in flight at the last stop: they are not sent again"
            );
        }
        let mut last_due_job = i64::MIN;
        let mut last_trim = i64::MIN;
        // Announcements that become visible from now on are notified when they show; one
        // that showed while the server was stopped is not (it is in the app when opened).
        let mut shown_until = self.clock.now_ms();
        loop {
            let now = self.clock.now_ms();
            if now.saturating_sub(shown_until) >= SHOWN_JOB_EVERY_MS {
                let since = shown_until;
                match self
                    .store
                    .write(move |dao| outbox::announcements_shown(dao, since, now))
                    .await
                {
                    Ok(n) => {
                        shown_until = now;
                        if n > 0 {
                            tracing::info!(events = n, "scheduled announcements shown");
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "scheduled-announcement job failed"),
                }
            }
            if now.saturating_sub(last_due_job) >= DUE_JOB_EVERY_MS {
                last_due_job = now;
                match outbox::due_tomorrow(&self.store, now).await {
                    Ok(n) if n > 0 => tracing::info!(events = n, "homework due tomorrow"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "due-tomorrow job failed"),
                }
            }
            if now.saturating_sub(last_trim) >= TRIM_EVERY_MS {
                last_trim = now;
                let before = now - OUTBOX_KEEP_MS;
                match self.store.write(move |dao| dao.trim_push_outbox(before)).await {
                    Ok(n) if n > 0 => tracing::info!(events = n, "old push events deleted"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "push outbox trim failed"),
                }
            }
            if let Err(e) = self.round().await {
                tracing::error!(error = %e, "push round failed");
            }
            tokio::select! {
                () = self.shutdown.cancelled() => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(TICK) => {}
            }
        }
        tracing::debug!("push worker stopped");
    }

    /// One round: expand every waiting event, release due summaries, send everything due.
    pub async fn round(&self) -> Result<usize, StoreError> {
        loop {
            let now = self.clock.now_ms();
            if self.store.write(move |dao| outbox::expand(dao, now)).await? == 0 {
                break;
            }
        }
        let now = self.clock.now_ms();
        self.store.write(move |dao| outbox::release_summaries(dao, now)).await?;
        self.send_due().await
    }

    async fn claim(&self) -> Result<Vec<PushJob>, StoreError> {
        let now = self.clock.now_ms();
        self.store
            .write(move |dao| {
                let claimed = dao.claim_due_deliveries(now, CLAIM)?;
                type Rendered = Option<(Arc<Event>, Arc<Vec<u8>>)>;
                let mut events: HashMap<i64, Rendered> = HashMap::new();
                let mut jobs = Vec::with_capacity(claimed.len());
                let mut unusable = Vec::new();
                for c in claimed {
                    let event = match events.get(&c.event_id) {
                        Some(e) => e.clone(),
                        None => {
                            let e = dao
                                .push_event(c.event_id)?
                                .and_then(|j| serde_json::from_str::<Event>(&j).ok())
                                .map(|e| {
                                    let payload = Arc::new(super::sender::payload(&e));
                                    (Arc::new(e), payload)
                                });
                            events.insert(c.event_id, e.clone());
                            e
                        }
                    };
                    match (event, dao.push_subscription(&c.subscription)?) {
                        (Some((event, payload)), Some(sub)) => jobs.push(PushJob {
                            delivery: c.id,
                            subscription: c.subscription,
                            attempts: c.attempts,
                            endpoint: sub.endpoint,
                            p256dh: sub.p256dh,
                            auth: sub.auth,
                            event,
                            payload,
                        }),
                        _ => unusable.push((c.id, c.subscription, DeliveryOutcome::Failed)),
                    }
                }
                dao.finish_deliveries(&unusable, now)?;
                Ok(jobs)
            })
            .await
    }

    async fn flush(&self, done: &mut Vec<Outcome>) -> Result<(), StoreError> {
        if done.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(done);
        let now = self.clock.now_ms();
        self.store.write(move |dao| dao.finish_deliveries(&batch, now)).await
    }

    /// Sends every due delivery: claims them [`CLAIM`] at a time, keeps [`CONCURRENCY`]
    /// requests in flight, records outcomes [`FLUSH`] at a time. Returns how many it sent.
    async fn send_due(&self) -> Result<usize, StoreError> {
        let mut queue: VecDeque<PushJob> = VecDeque::new();
        // Request tasks: each encrypts and sends one delivery and returns its outcome; they end
        // with their request (bounded by the client's timeout).
        let mut inflight = FuturesUnordered::new();
        let mut done: Vec<Outcome> = Vec::new();
        let mut exhausted = false;
        let mut total = 0;
        loop {
            if !exhausted && queue.len() < CLAIM as usize / 2 {
                let jobs = self.claim().await?;
                exhausted = jobs.len() < CLAIM as usize;
                queue.extend(jobs);
            }
            while inflight.len() < CONCURRENCY
                && let Some(job) = queue.pop_front()
            {
                let (sender, now) = (self.sender.clone(), self.clock.now_ms());
                inflight.push(tokio::spawn(async move {
                    let outcome = sender.send(&job, now).await;
                    (job.delivery, job.subscription, outcome)
                }));
            }
            let Some(joined) = inflight.next().await else {
                if exhausted && queue.is_empty() {
                    break;
                }
                continue;
            };
            match joined {
                Ok(outcome) => {
                    if outcome.2 == DeliveryOutcome::Sent {
                        total += 1;
                    }
                    done.push(outcome);
                }
                Err(e) => tracing::error!(error = %e, "a push request task failed"),
            }
            if done.len() >= FLUSH {
                self.flush(&mut done).await?;
            }
        }
        self.flush(&mut done).await?;
        if total > 0 {
            tracing::debug!(sent = total, "push deliveries sent");
        }
        Ok(total)
    }
}
