//! One `/sync` connection, independent of the WebSocket library: it decodes the device's
//! frames, limits their rate, decides access, and hands sync messages to the document actors
//! of the hub, which answer on the device's queue. It also follows the user's memberships
//! while it is open ([`Connection::on_control`]).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use automerge::Automerge;
use bytes::Bytes;
use cartable_shared::ids::{DocId, DocKind, UserId};
use cartable_shared::me::{ME_SCHEMA, MyLayer};
use cartable_shared::protocol::{ClientFrame, ErrorCode, ServerFrame};
use cartable_shared::roles::{Access, Principal, Role};
use tokio::sync::mpsc;
use tokio::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

use super::hub::{DocHandle, Hub, HubError, Peer};
use super::presence::{Control, ControlReceiver};
use crate::store::{Store, StoreError};

/// Frames a device may send per second, sustained. A well-behaved device sends one frame per
/// frame it receives plus one per local edit; this leaves room for a busy writer (the sync
/// benchmark's writers acknowledge and write as fast as the server answers), and bounds what
/// one connection can make the server do.
pub const FRAMES_PER_SECOND: f64 = 1000.0;
/// Frames a device may send in a burst (a reconnect syncs every document at once).
pub const FRAME_BURST: f64 = 2000.0;
/// A device whose frames are dropped this many times within [`ABUSE_WINDOW`] is disconnected.
pub const ABUSE_DROPS: u32 = 5000;
/// The window of [`ABUSE_DROPS`].
pub const ABUSE_WINDOW: Duration = Duration::from_secs(10);
/// Least time between two `RateLimited` error frames to one device (the others are dropped
/// silently, so that the answers do not flood the device in turn).
const RATE_ERROR_EVERY: Duration = Duration::from_millis(250);

/// What the socket should do after a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading.
    Continue,
    /// Send this last frame, then close the connection (protocol error, code 1002).
    Close(Bytes),
    /// Send `last` if any, then close the connection with `code` and `reason`.
    CloseWith {
        /// A last frame for the device.
        last: Option<Bytes>,
        /// The WebSocket close code.
        code: u16,
        /// The close reason.
        reason: &'static str,
    },
}

/// A token bucket: [`FRAMES_PER_SECOND`] sustained, [`FRAME_BURST`] at once.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
    window_start: Instant,
    window_drops: u32,
    last_error: Option<Instant>,
}

/// What the bucket says of one frame.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Accept,
    /// Drop it; `tell`: send a `RateLimited` error.
    Drop {
        tell: bool,
    },
    /// Sustained abuse: close the connection.
    Abuse,
}

impl Bucket {
    fn new(now: Instant) -> Self {
        Bucket {
            tokens: FRAME_BURST,
            at: now,
            window_start: now,
            window_drops: 0,
            last_error: None,
        }
    }

    fn take(&mut self, now: Instant) -> Verdict {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * FRAMES_PER_SECOND).min(FRAME_BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Verdict::Accept;
        }
        if now.saturating_duration_since(self.window_start) > ABUSE_WINDOW {
            self.window_start = now;
            self.window_drops = 0;
        }
        self.window_drops += 1;
        if self.window_drops >= ABUSE_DROPS {
            return Verdict::Abuse;
        }
        let tell =
            self.last_error.is_none_or(|t| now.saturating_duration_since(t) >= RATE_ERROR_EVERY);
        if tell {
            self.last_error = Some(now);
        }
        Verdict::Drop { tell }
    }
}

/// The server side of one device's connection.
#[derive(Debug)]
pub struct Connection {
    hub: Hub,
    store: Store,
    principal: Arc<Principal>,
    peer: Arc<Peer>,
    /// The SHA-256 of the session token, if the device signed in with one.
    session: Option<[u8; 32]>,
    /// Handles of the documents this device has synced, to tell them when it leaves.
    docs: HashMap<DocId, DocHandle>,
    /// The documents of the last `Welcome`.
    listed: BTreeSet<DocId>,
    /// Participants of the threads asked about, as stored (fixed at creation).
    participants: HashMap<DocId, Vec<UserId>>,
    /// Sync states kept from earlier connections of this session, by document, until used.
    resume: HashMap<DocId, Vec<u8>>,
    /// The epochs of documents the device confirmed holding (`ClientFrame::Reset`); a
    /// document not listed is taken at epoch 0. The document's actor merges nothing from a
    /// device whose confirmed epoch is not the document's.
    confirmed: HashMap<DocId, u32>,
    bucket: Bucket,
}

/// The ends a socket task drives: frames to send, the token that asks it to close, and the
/// control messages of the user's other activity (memberships, sign-out).
#[derive(Debug)]
pub struct Outbox {
    /// Frames for the device, from the document actors and the connection itself.
    pub frames: mpsc::Receiver<Bytes>,
    /// Cancelled when the connection must close (lagging device, server shutdown).
    pub kick: CancellationToken,
    /// Control messages for this connection; see [`Connection::on_control`].
    pub control: ControlReceiver,
}

fn error_frame(doc: Option<&DocId>, code: ErrorCode, message: &str) -> Bytes {
    Bytes::from(
        ServerFrame::Error { doc: doc.cloned(), code, message: message.to_owned() }.encode(),
    )
}

/// What a connection does when a block period keeps its user out: it sends the
/// `ErrorCode::Blocked` frame with the administrators' message and closes (policy, 1008).
pub fn blocked(notice: &cartable_shared::api::BlockNotice) -> Flow {
    Flow::CloseWith {
        last: Some(error_frame(None, ErrorCode::Blocked, &notice.message)),
        code: axum::extract::ws::close_code::POLICY,
        reason: "blocked",
    }
}

/// The `me:<user>` document as the server creates it for an account.
pub fn me_document(user: &UserId) -> Automerge {
    let mut doc = Automerge::new();
    let layer = MyLayer { schema: ME_SCHEMA, user: user.to_string(), ..MyLayer::default() };
    // Reconciling a plain struct into an empty document cannot fail.
    let _ = cartable_shared::sync::write(&mut doc, &layer);
    doc
}

/// Creates the `me:<user>` document of an account if it does not exist yet.
pub async fn ensure_me_document(hub: &Hub, user: &UserId, now_ms: i64) -> Result<bool, HubError> {
    hub.create(&DocId::me(user), &me_document(user), now_ms).await
}

/// Creates the missing `me` documents of every account (at start-up), in one transaction;
/// returns how many.
pub async fn ensure_me_documents(store: &Store, now_ms: i64) -> Result<u32, StoreError> {
    let missing = store
        .read(|dao| {
            let docs: BTreeSet<DocId> = dao.document_ids()?.into_iter().collect();
            let users = dao.user_ids()?;
            Ok::<_, StoreError>(
                users.into_iter().filter(|u| !docs.contains(&DocId::me(u))).collect::<Vec<_>>(),
            )
        })
        .await?;
    if missing.is_empty() {
        return Ok(0);
    }
    let rows: Vec<(DocId, Vec<crate::store::StoredChange>)> = missing
        .iter()
        .map(|u| (DocId::me(u), super::hub::stored_history(&me_document(u))))
        .collect();
    store
        .write(move |dao| {
            let mut created = 0;
            let defaults = super::push::outbox::PushPrefs::default().to_json();
            for ((id, changes), user) in rows.iter().zip(&missing) {
                if !dao.document_exists(id)? {
                    dao.create_document(id, now_ms)?;
                    dao.append_changes(id, changes)?;
                    // The push expander reads settings from this cache, not the document.
                    dao.cache_push_settings(user, &defaults)?;
                    created += 1;
                }
            }
            Ok(created)
        })
        .await
}

impl Connection {
    /// A new connection for `principal`, without a session (tests).
    pub fn open(hub: &Hub, store: &Store, principal: Principal) -> (Connection, Outbox) {
        Self::open_session(hub, store, principal, None)
    }

    /// A new connection for `principal`, signed in with the session whose token hashes to
    /// `session`: its sync states are kept under it.
    pub fn open_session(
        hub: &Hub,
        store: &Store,
        principal: Principal,
        session: Option<[u8; 32]>,
    ) -> (Connection, Outbox) {
        let (peer, frames, kick) = hub.connect_session(session);
        let control = hub.presence().register(&principal.user, peer.id());
        let conn = Connection {
            hub: hub.clone(),
            store: store.clone(),
            principal: Arc::new(principal),
            peer,
            session,
            docs: HashMap::new(),
            listed: BTreeSet::new(),
            participants: HashMap::new(),
            resume: HashMap::new(),
            confirmed: HashMap::new(),
            bucket: Bucket::new(Instant::now()),
        };
        (conn, Outbox { frames, kick, control })
    }

    /// The principal behind the connection.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The documents this device may read that exist on the server: the readable standing
    /// documents and the threads the user takes part in.
    ///
    /// A student or guardian may read exactly the standing documents of their memberships
    /// (`Principal::standing_documents`) and their threads: only those are looked up, so that a
    /// connection costs the same whatever the number of accounts (listing every document, one
    /// `me` and one `grades` per account, made each connection's cost grow with the school).
    /// Teachers, staff and administrators read documents of every group: the whole list is
    /// filtered.
    pub async fn readable_documents(&self) -> Result<Vec<DocId>, StoreError> {
        let user = self.principal.user.clone();
        let standing = match self.principal.role {
            Role::Student | Role::Guardian => Some(self.principal.standing_documents()),
            Role::Teacher | Role::Staff | Role::Admin => None,
        };
        let (all, threads) = self
            .store
            .read(move |dao| {
                let docs = match standing {
                    Some(standing) => dao.existing_documents(standing)?,
                    None => dao.document_ids()?,
                };
                Ok::<_, StoreError>((docs, dao.threads_of(&user)?))
            })
            .await?;
        let mut docs: Vec<DocId> = all
            .into_iter()
            .filter(|d| d.kind() != DocKind::Thread && self.principal.access(d, &[]).can_read())
            .collect();
        docs.extend(threads);
        docs.sort();
        docs.dedup();
        Ok(docs)
    }

    /// The `Welcome` frame to send first. Creates the user's `me` document if it is missing,
    /// and loads the sync states kept for this session. A `Reset` for each listed document
    /// whose epoch is above 0 is queued for the device, to follow the `Welcome`.
    pub async fn welcome(&mut self) -> Result<Bytes, StoreError> {
        let mut docs = self.readable_documents().await?;
        let me = DocId::me(&self.principal.user);
        if !docs.contains(&me) {
            let now = self.hub.clock().now_ms();
            match ensure_me_document(&self.hub, &self.principal.user, now).await {
                Ok(_) => {
                    docs.push(me);
                    docs.sort();
                }
                Err(HubError::Store(e)) => return Err(e),
                Err(e) => tracing::warn!(error = %e, "could not create the me document"),
            }
        }
        if let Some(session) = self.session {
            let kept = self.store.read(move |dao| dao.sync_states(&session)).await?;
            self.resume = kept.into_iter().collect();
        }
        let rebuilt = self.store.read(|dao| dao.rebuilt_documents()).await?;
        self.listed = docs.iter().cloned().collect();
        for (doc, epoch) in rebuilt.into_iter().filter(|(d, _)| self.listed.contains(d)) {
            self.peer.send(Bytes::from(ServerFrame::Reset { doc, epoch }.encode()));
        }
        Ok(Bytes::from(ServerFrame::Welcome { docs }.encode()))
    }

    /// Whether a sync state kept from an earlier connection of this session waits for `doc`.
    pub fn has_kept_state(&self, doc: &DocId) -> bool {
        self.resume.contains_key(doc)
    }

    async fn access(&mut self, doc: &DocId) -> Result<Access, StoreError> {
        if doc.kind() != DocKind::Thread {
            return Ok(self.principal.access(doc, &[]));
        }
        if !self.participants.contains_key(doc) {
            let id = doc.clone();
            let parts = self.store.read(move |dao| dao.thread_participants(&id)).await?;
            self.participants.insert(doc.clone(), parts);
        }
        Ok(self.principal.access(doc, &self.participants[doc]))
    }

    /// Handles a binary frame from the device.
    pub async fn on_binary(&mut self, data: &[u8]) -> Flow {
        match self.bucket.take(Instant::now()) {
            Verdict::Accept => {}
            Verdict::Drop { tell } => {
                if tell {
                    self.peer.send_error(
                        None,
                        ErrorCode::RateLimited,
                        "too many frames; some were dropped, slow down",
                    );
                }
                return Flow::Continue;
            }
            Verdict::Abuse => {
                tracing::warn!(peer = self.peer.id(), user = %self.principal.user, "frame flood, disconnecting");
                return Flow::CloseWith {
                    last: Some(error_frame(None, ErrorCode::RateLimited, "too many frames")),
                    code: axum::extract::ws::close_code::POLICY,
                    reason: "too many frames",
                };
            }
        }
        let frame = match ClientFrame::decode(data) {
            Ok(frame) => frame,
            Err(e) => {
                tracing::debug!(peer = self.peer.id(), error = %e, "malformed frame");
                return Flow::Close(error_frame(None, ErrorCode::Malformed, &e.to_string()));
            }
        };
        let (doc, data) = match frame {
            ClientFrame::Sync { doc, data } => (doc, data),
            ClientFrame::Reset { doc, epoch } => return self.on_reset(doc, epoch).await,
        };
        let access = match self.access(&doc).await {
            Ok(a) => a,
            Err(e) => return self.internal(&doc, &HubError::Store(e)),
        };
        if !access.can_read() {
            self.not_found(&doc);
            return Flow::Continue;
        }
        let (handle, resume) = match self.docs.get(&doc) {
            Some(h) => (h.clone(), None),
            None => match self.hub.open(&doc).await {
                Ok(Some(h)) => {
                    self.docs.insert(doc.clone(), h.clone());
                    (h, self.resume.remove(&doc))
                }
                Ok(None) => {
                    self.not_found(&doc);
                    return Flow::Continue;
                }
                Err(e) => return self.internal(&doc, &e),
            },
        };
        let principal = self.principal.clone();
        let epoch = self.confirmed.get(&doc).copied().unwrap_or(0);
        if let Err(e) = handle
            .sync(self.peer.clone(), principal, access, Bytes::from(data), resume, epoch)
            .await
        {
            self.docs.remove(&doc);
            return self.internal(&doc, &e);
        }
        Flow::Continue
    }

    /// The device confirms holding epoch `epoch` of `doc` (after a `Reset`). Its sync with the
    /// document starts afresh: the document's actor forgets this device's sync state, and the
    /// state kept from an earlier connection (of an earlier epoch, maybe) is not used.
    async fn on_reset(&mut self, doc: DocId, epoch: u32) -> Flow {
        match self.access(&doc).await {
            Ok(access) if access.can_read() => {}
            Ok(_) => {
                self.not_found(&doc);
                return Flow::Continue;
            }
            Err(e) => return self.internal(&doc, &HubError::Store(e)),
        }
        self.resume.remove(&doc);
        if let Some(handle) = self.docs.get(&doc) {
            handle.detach(self.peer.id()).await;
        }
        self.confirmed.insert(doc, epoch);
        Flow::Continue
    }

    /// Handles a text frame: the protocol has none.
    pub fn on_text(&self) -> Flow {
        Flow::Close(error_frame(
            None,
            ErrorCode::Malformed,
            "text frames are not part of the protocol",
        ))
    }

    /// Handles a control message about the user.
    pub async fn on_control(&mut self, control: Control) -> Flow {
        match control {
            Control::SignedOut => Flow::CloseWith {
                last: None,
                code: axum::extract::ws::close_code::POLICY,
                reason: "signed out",
            },
            Control::Deleted => Flow::CloseWith {
                last: None,
                code: axum::extract::ws::close_code::POLICY,
                reason: "account deleted",
            },
            Control::Blocked if !super::block::applies_to(self.principal.role) => Flow::Continue,
            Control::Blocked => {
                let notice = self.store.read(|dao| dao.block_period()).await;
                match notice {
                    Ok(Some(notice)) => blocked(&notice),
                    Ok(None) => Flow::Continue,
                    Err(e) => {
                        tracing::error!(error = %e, "could not read the block period");
                        Flow::CloseWith {
                            last: None,
                            code: axum::extract::ws::close_code::ERROR,
                            reason: "server error",
                        }
                    }
                }
            }
            Control::Reevaluate => match self.reevaluate().await {
                Ok(flow) => flow,
                Err(e) => {
                    tracing::error!(error = %e, "could not re-evaluate a connection's access");
                    Flow::CloseWith {
                        last: None,
                        code: axum::extract::ws::close_code::ERROR,
                        reason: "server error",
                    }
                }
            },
        }
    }

    /// Reloads the principal; revokes the documents it may no longer read (detached from this
    /// connection before `Revoked` is queued, so no frame of them follows), and sends a new
    /// `Welcome` if it may read more.
    async fn reevaluate(&mut self) -> Result<Flow, StoreError> {
        let user = self.principal.user.clone();
        let Some((principal, _)) = self.store.read(move |dao| dao.principal(&user)).await? else {
            return Ok(Flow::CloseWith {
                last: None,
                code: axum::extract::ws::close_code::POLICY,
                reason: "account removed",
            });
        };
        self.principal = Arc::new(principal);
        let now: BTreeSet<DocId> = self.readable_documents().await?.into_iter().collect();
        let me = DocId::me(&self.principal.user);
        let known: BTreeSet<DocId> = self.listed.iter().chain(self.docs.keys()).cloned().collect();
        for doc in known.iter().filter(|d| !now.contains(*d) && **d != me) {
            if let Some(handle) = self.docs.remove(doc) {
                handle.detach(self.peer.id()).await;
            }
            self.resume.remove(doc);
            self.peer.send(Bytes::from(ServerFrame::Revoked { doc: doc.clone() }.encode()));
            tracing::info!(user = %self.principal.user, doc = %doc, "access revoked live");
        }
        let grew = now.iter().any(|d| !self.listed.contains(d));
        let mut listed = now;
        if self.listed.contains(&me) {
            listed.insert(me);
        }
        if grew {
            // The device restarts every listed document's sync; so does the server.
            for (_, handle) in self.docs.drain() {
                handle.detach(self.peer.id()).await;
            }
            let docs: Vec<DocId> = listed.iter().cloned().collect();
            self.peer.send(Bytes::from(ServerFrame::Welcome { docs }.encode()));
        }
        self.listed = listed;
        Ok(Flow::Continue)
    }

    fn not_found(&self, doc: &DocId) {
        self.peer.send_error(Some(doc), ErrorCode::NotFound, "no such document");
    }

    fn internal(&self, doc: &DocId, e: &HubError) -> Flow {
        match e {
            HubError::Closed => {
                tracing::debug!(doc = %doc, "document closed while syncing")
            }
            other => tracing::error!(doc = %doc, error = %other, "sync failed"),
        }
        self.peer.send_error(Some(doc), ErrorCode::Internal, "the server failed; retry later");
        Flow::Continue
    }

    /// The device left: every document forgets (and keeps, for its session) its sync state.
    pub async fn close(self) {
        self.hub.presence().unregister(&self.principal.user, self.peer.id());
        for handle in self.docs.values() {
            handle.leave(self.peer.id()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_allows_a_burst_then_the_sustained_rate_then_calls_abuse() {
        let t0 = Instant::now();
        let mut b = Bucket::new(t0);
        for _ in 0..FRAME_BURST as u32 {
            assert_eq!(b.take(t0), Verdict::Accept);
        }
        assert_eq!(b.take(t0), Verdict::Drop { tell: true });
        assert_eq!(b.take(t0), Verdict::Drop { tell: false });
        // Two frames' worth of time later, two tokens are back.
        let t1 = t0 + Duration::from_secs_f64(2.0 / FRAMES_PER_SECOND);
        assert_eq!(b.take(t1), Verdict::Accept);
        assert_eq!(b.take(t1), Verdict::Accept);
        assert!(matches!(b.take(t1), Verdict::Drop { .. }));
        let mut verdict = Verdict::Accept;
        for _ in 0..ABUSE_DROPS {
            verdict = b.take(t1);
        }
        assert_eq!(verdict, Verdict::Abuse);
    }
}
