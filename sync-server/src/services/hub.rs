//! The document hub: every document in use lives in memory, owned by one actor task (see
//! [`actor`]) that holds the Automerge document and one `sync::State` per connected device.
//!
//! Devices (connections) and services never touch a document directly: they send commands to
//! its actor through a [`DocHandle`]. The actor applies writes on a fork, checks them against
//! [`super::rules`], appends the new changes to SQLite, and only then updates the in-memory
//! document, acknowledges and fans the change out to the other devices of the document.
//!
//! A document is loaded lazily from SQLite (snapshot + changes) the first time it is asked for,
//! and its actor runs until the server shuts down. A document that at most one device syncs
//! (a user's `me` document, one per connected device) leaves memory while it is idle: its actor
//! keeps it as saved bytes and loads it again for its next command.

mod actor;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use automerge::Automerge;
use bytes::Bytes;
use cartable_shared::ids::{DocId, UserId};
use cartable_shared::protocol::{ErrorCode, ServerFrame};
use cartable_shared::roles::{Access, Principal};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::Clock;
use super::presence::Presence;
use super::rules::RuleViolation;
use crate::store::{Store, StoreError, StoredChange, StoredDoc};

/// Capacity of a device's outbound queue, in frames. A device that lets it fill up is
/// disconnected (it reconnects and resumes) rather than slowing down its documents.
pub const PEER_QUEUE: usize = 1024;
/// Capacity of a document actor's inbox. Connections wait when it is full (back-pressure).
const DOC_INBOX: usize = 1024;
/// A document is compacted once it has more stored changes than this.
pub const COMPACT_AFTER: u64 = 500;

/// Identifies one connected device.
pub type PeerId = u64;

/// Why the hub failed.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored document could not be loaded.
    #[error("stored document {doc} is unreadable: {reason}")]
    Corrupt {
        /// The document.
        doc: DocId,
        /// What Automerge said.
        reason: String,
    },
    /// The document's actor has stopped (the server is shutting down).
    #[error("the document is closed")]
    Closed,
    /// A service's edit broke a document rule.
    #[error("the edit breaks a rule: {0}")]
    Rule(#[from] RuleViolation),
}

/// One connected device, as the document actors see it.
#[derive(Debug)]
pub struct Peer {
    id: PeerId,
    /// Frames for the device. Bounded; actors only `try_send` so that a slow device never
    /// blocks a document. The receiver is owned by the device's connection task, which ends
    /// when the socket closes; the senders live in the actors' peer tables until `Leave`.
    tx: mpsc::Sender<Bytes>,
    /// Cancelled to close the connection: when its queue overflows, or (as a child of the
    /// server's shutdown token) when the server stops. Watched by the connection task.
    kick: CancellationToken,
    /// The SHA-256 of the device's session token, under which its sync states are kept.
    session: Option<[u8; 32]>,
}

/// What happened to a frame handed to [`Peer::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Queued for the device.
    Queued,
    /// The device is gone or was disconnected for lagging; forget it.
    Gone,
}

impl Peer {
    /// The device's id.
    pub fn id(&self) -> PeerId {
        self.id
    }

    /// Queues a frame without waiting. A full queue disconnects the device.
    pub fn send(&self, frame: Bytes) -> Delivery {
        match self.tx.try_send(frame) {
            Ok(()) => Delivery::Queued,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(peer = self.id, "device too slow, disconnecting it");
                self.kick.cancel();
                Delivery::Gone
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Delivery::Gone,
        }
    }

    /// Queues an error frame.
    pub fn send_error(&self, doc: Option<&DocId>, code: ErrorCode, message: &str) -> Delivery {
        let frame = ServerFrame::Error { doc: doc.cloned(), code, message: message.to_owned() };
        self.send(Bytes::from(frame.encode()))
    }
}

/// A boxed edit run by a document actor on a fork of its document; `Err` abandons it.
type EditFn = Box<dyn FnOnce(&mut Automerge) -> Result<(), ()> + Send>;

/// A boxed rebuild: given the current document and the epoch the rebuilt one will have, the
/// new document (`None`: nothing to rebuild), or why it could not be built.
type RebuildFn = Box<dyn FnOnce(&Automerge, u32) -> Result<Option<Automerge>, String> + Send>;

/// Commands a document actor handles, in order.
enum Command {
    /// A device's sync message for this document, sent by `principal` with `access`.
    /// `resume`: the device's kept sync state, for its first message of this connection.
    /// `epoch`: the epoch of the document the device confirmed holding (0 if none); a message
    /// for another epoch than the document's is not merged, and answered with `Reset`.
    /// Boxed, like `Edit`'s: a command is as large as its largest variant, and each actor's
    /// inbox holds its commands in blocks of 32 (one block per document, idle or not).
    Sync(Box<SyncCommand>),
    /// A device disconnected, or may no longer read the document: drop its sync state (and keep
    /// it in the store if `persist`). `done` (a oneshot, one answer) is told once it is dropped:
    /// no frame of this document is queued for the device after that.
    Leave { peer: PeerId, persist: bool, done: Option<oneshot::Sender<()>> },
    /// A service edits the document: its changes are checked as written by `checker`, and
    /// `author` is the user who made them (not notified of them; `None` for the server itself).
    /// `reply` (a oneshot: one answer per edit) says whether the edit was applied (`true`) or
    /// abandoned by the edit itself (`false`); the actor answers once the changes are stored,
    /// or drops it if it stops first.
    Edit(Box<EditCommand>),
    /// The server rebuilds the document without its history (see [`DocHandle::rebuild`]).
    /// `reply` (a oneshot: one answer) carries the new epoch, `None` if `build` found nothing
    /// to rebuild; dropped if the actor stops first.
    Rebuild { build: RebuildFn, reply: oneshot::Sender<Result<Option<u32>, HubError>> },
    /// Answers (oneshot, one answer) with the current heads and the number of connected
    /// devices (tests, metrics).
    Inspect { reply: oneshot::Sender<(Vec<automerge::ChangeHash>, usize)> },
    /// Answers (oneshot, one answer) whether the document is in memory, without loading it
    /// (tests, metrics).
    InMemory { reply: oneshot::Sender<bool> },
}

/// A device's sync message ([`Command::Sync`]).
struct SyncCommand {
    peer: Arc<Peer>,
    principal: Arc<Principal>,
    access: Access,
    data: Bytes,
    resume: Option<Vec<u8>>,
    epoch: u32,
}

/// A service's edit ([`Command::Edit`]).
struct EditCommand {
    edit: EditFn,
    checker: Arc<Principal>,
    author: Option<UserId>,
    reply: oneshot::Sender<Result<bool, HubError>>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Sync(sync) => write!(f, "Sync(peer {})", sync.peer.id),
            Command::Leave { peer, .. } => write!(f, "Leave(peer {peer})"),
            Command::Edit(_) => f.write_str("Edit"),
            Command::Rebuild { .. } => f.write_str("Rebuild"),
            Command::Inspect { .. } => f.write_str("Inspect"),
            Command::InMemory { .. } => f.write_str("InMemory"),
        }
    }
}

/// The address of a document actor.
#[derive(Debug, Clone)]
pub struct DocHandle {
    id: DocId,
    /// The actor's inbox. Bounded for back-pressure; the actor ends when the server shuts down
    /// (or when every handle, the hub's included, is dropped).
    tx: mpsc::Sender<Command>,
}

impl DocHandle {
    /// The document.
    pub fn id(&self) -> &DocId {
        &self.id
    }

    /// Hands a device's sync message to the actor, which answers on the peer's queue.
    /// `resume` is the device's kept sync state (first message of a connection only); `epoch`
    /// the document's epoch the device confirmed holding (0 if it confirmed none).
    pub async fn sync(
        &self,
        peer: Arc<Peer>,
        principal: Arc<Principal>,
        access: Access,
        data: Bytes,
        resume: Option<Vec<u8>>,
        epoch: u32,
    ) -> Result<(), HubError> {
        let cmd =
            Command::Sync(Box::new(SyncCommand { peer, principal, access, data, resume, epoch }));
        self.tx.send(cmd).await.map_err(|_| HubError::Closed)
    }

    /// Tells the actor a device left; its sync state is kept for its next connection.
    pub async fn leave(&self, peer: PeerId) {
        // An actor that is gone has forgotten the peer already.
        let _ = self.tx.send(Command::Leave { peer, persist: true, done: None }).await;
    }

    /// Detaches a device that may no longer read the document, and waits until it is: no
    /// frame of the document is queued for the device after this returns.
    pub async fn detach(&self, peer: PeerId) {
        let (done, detached) = oneshot::channel();
        let cmd = Command::Leave { peer, persist: false, done: Some(done) };
        if self.tx.send(cmd).await.is_ok() {
            let _ = detached.await;
        }
    }

    /// Runs `f` on a fork of the document. If it returns `Ok`, the changes it made are checked,
    /// stored, applied and fanned out to every connected device before this returns; if it
    /// returns `Err`, nothing happens and the error is handed back.
    pub async fn edit<T, E>(
        &self,
        f: impl FnOnce(&mut Automerge) -> Result<T, E> + Send + 'static,
    ) -> Result<Result<T, E>, HubError>
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        self.edit_checked(Arc::new(super::rules::system_principal()), None, f).await
    }

    /// [`DocHandle::edit`] on behalf of `author` (e.g. the calendar feed importer): its changes
    /// are checked as written by `author`, who is the author of the change for whoever watches
    /// the document's changes.
    pub async fn edit_as<T, E>(
        &self,
        author: Arc<Principal>,
        f: impl FnOnce(&mut Automerge) -> Result<T, E> + Send + 'static,
    ) -> Result<Result<T, E>, HubError>
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        let user = author.user.clone();
        self.edit_checked(author, Some(user), f).await
    }

    /// [`DocHandle::edit`] made for the user `author` by a service that checked their access
    /// (the timetable edit API, uploads): the changes are checked as the server's, as before,
    /// and the notification events they cause name `author`, who is not notified of them.
    pub async fn edit_by<T, E>(
        &self,
        author: UserId,
        f: impl FnOnce(&mut Automerge) -> Result<T, E> + Send + 'static,
    ) -> Result<Result<T, E>, HubError>
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        self.edit_checked(Arc::new(super::rules::system_principal()), Some(author), f).await
    }

    async fn edit_checked<T, E>(
        &self,
        checker: Arc<Principal>,
        author: Option<UserId>,
        f: impl FnOnce(&mut Automerge) -> Result<T, E> + Send + 'static,
    ) -> Result<Result<T, E>, HubError>
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        // The edit's own result travels on a oneshot filled by the closure inside the actor
        // (and dropped with it if the actor stops first).
        let (out_tx, out_rx) = oneshot::channel();
        let edit: EditFn = Box::new(move |doc| {
            let out = f(doc);
            let ok = out.is_ok();
            let _ = out_tx.send(out);
            if ok { Ok(()) } else { Err(()) }
        });
        let (reply, done) = oneshot::channel();
        let cmd = Command::Edit(Box::new(EditCommand { edit, checker, author, reply }));
        self.tx.send(cmd).await.map_err(|_| HubError::Closed)?;
        done.await.map_err(|_| HubError::Closed)??;
        out_rx.await.map_err(|_| HubError::Closed)
    }

    /// Rebuilds the document without its history, serialised with its writes: `build` gets
    /// the current document and the epoch the rebuilt one will have, and returns the new
    /// document (`Ok(None)`: nothing to do). Its changes then replace everything stored of the
    /// document in the transaction that starts the new epoch and deletes the devices' kept
    /// sync states; every connected device gets `Reset` and syncs the new epoch from empty.
    /// Returns the new epoch, `None` if nothing was rebuilt.
    pub async fn rebuild(
        &self,
        build: impl FnOnce(&Automerge, u32) -> Result<Option<Automerge>, String> + Send + 'static,
    ) -> Result<Option<u32>, HubError> {
        let (reply, done) = oneshot::channel();
        let cmd = Command::Rebuild { build: Box::new(build), reply };
        self.tx.send(cmd).await.map_err(|_| HubError::Closed)?;
        done.await.map_err(|_| HubError::Closed)?
    }

    /// The document's heads and number of connected devices.
    pub async fn inspect(&self) -> Result<(Vec<automerge::ChangeHash>, usize), HubError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(Command::Inspect { reply }).await.map_err(|_| HubError::Closed)?;
        answer.await.map_err(|_| HubError::Closed)
    }

    /// Whether the document is in memory: a document at most one device syncs leaves it
    /// while idle (see the actor), and is loaded again for its next command.
    pub async fn in_memory(&self) -> Result<bool, HubError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(Command::InMemory { reply }).await.map_err(|_| HubError::Closed)?;
        answer.await.map_err(|_| HubError::Closed)
    }
}

/// The hub. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

#[derive(Debug)]
struct HubInner {
    store: Store,
    shutdown: CancellationToken,
    compact_after: u64,
    next_peer: AtomicU64,
    presence: Presence,
    /// Woken (`notify_one`) after a change that added notification events to the outbox; the
    /// push worker waits on it. Lives as long as the hub.
    push_wake: Arc<Notify>,
    /// The server's clock, handed to every actor.
    clock: Arc<dyn Clock>,
    /// Woken after a change of a `gradebook:` document was stored; the gradebook publisher
    /// waits on it. Lives as long as the hub.
    gradebook_wake: Arc<Notify>,
    /// Woken after memberships changed (admin API, roster import): the gradebook publisher
    /// then brings the rosters up to date. Lives as long as the hub.
    roster_wake: Arc<Notify>,
    /// Running document actors by id. A std mutex: held only to look up or insert, never
    /// across an await. Lives as long as the hub.
    docs: Mutex<HashMap<DocId, DocHandle>>,
    /// Serialises the loading of documents so that two connections asking for the same
    /// unloaded document do not load it twice. Held across the load (an await), hence tokio's.
    loading: tokio::sync::Mutex<()>,
}

/// Every change of `doc`, as the store keeps them (what [`build_document`] reads back): for a
/// document made whole on the server (the demo, a new thread, a `me` layer).
pub fn stored_history(doc: &Automerge) -> Vec<StoredChange> {
    actor::stored_changes(&doc.get_changes(&[]))
}

/// Builds an Automerge document from what the store holds.
pub fn build_document(id: &DocId, stored: &StoredDoc) -> Result<Automerge, HubError> {
    let corrupt =
        |e: automerge::AutomergeError| HubError::Corrupt { doc: id.clone(), reason: e.to_string() };
    let mut doc = match &stored.snapshot {
        Some(bytes) => Automerge::load(bytes).map_err(corrupt)?,
        None => Automerge::new(),
    };
    if !stored.changes.is_empty() {
        let all: Vec<u8> = stored.changes.concat();
        doc.load_incremental(&all).map_err(corrupt)?;
    }
    Ok(doc)
}

impl Hub {
    /// A hub over `store` on the system clock; its actors stop when `shutdown` is cancelled.
    pub fn new(store: Store, shutdown: CancellationToken) -> Self {
        Self::with_clock(store, shutdown, Arc::new(super::SystemClock))
    }

    /// [`Hub::new`] whose actors read the time from `clock` (the server's).
    pub fn with_clock(store: Store, shutdown: CancellationToken, clock: Arc<dyn Clock>) -> Self {
        Self::with_compaction(store, shutdown, clock, COMPACT_AFTER)
    }

    /// A hub that compacts documents after `compact_after` stored changes.
    pub fn with_compaction(
        store: Store,
        shutdown: CancellationToken,
        clock: Arc<dyn Clock>,
        compact_after: u64,
    ) -> Self {
        Hub {
            inner: Arc::new(HubInner {
                store,
                shutdown,
                clock,
                compact_after,
                next_peer: AtomicU64::new(1),
                presence: Presence::default(),
                push_wake: Arc::new(Notify::new()),
                gradebook_wake: Arc::new(Notify::new()),
                roster_wake: Arc::new(Notify::new()),
                docs: Mutex::new(HashMap::new()),
                loading: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// A new device: its handle for the actors, the receiving end of its queue, and the token
    /// that is cancelled when it must be disconnected.
    pub fn connect(&self) -> (Arc<Peer>, mpsc::Receiver<Bytes>, CancellationToken) {
        self.connect_session(None)
    }

    /// [`Hub::connect`] for a device signed in with a session whose token hashes to `session`:
    /// its sync states are kept under it when it leaves.
    pub fn connect_session(
        &self,
        session: Option<[u8; 32]>,
    ) -> (Arc<Peer>, mpsc::Receiver<Bytes>, CancellationToken) {
        let (tx, rx) = mpsc::channel(PEER_QUEUE);
        let kick = self.inner.shutdown.child_token();
        let id = self.inner.next_peer.fetch_add(1, Ordering::Relaxed);
        (Arc::new(Peer { id, tx, kick: kick.clone(), session }), rx, kick)
    }

    /// The registry of live connections by user.
    pub fn presence(&self) -> &Presence {
        &self.inner.presence
    }

    /// The server's clock.
    pub fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    /// Woken after each change that added notification events to the outbox.
    pub fn push_wake(&self) -> &Arc<Notify> {
        &self.inner.push_wake
    }

    /// Woken after each stored change of a `gradebook:` document.
    pub fn gradebook_wake(&self) -> &Arc<Notify> {
        &self.inner.gradebook_wake
    }

    /// To be woken (`notify_one`) after memberships changed, so that the gradebooks' rosters
    /// follow.
    pub fn roster_wake(&self) -> &Arc<Notify> {
        &self.inner.roster_wake
    }

    fn running(&self, id: &DocId) -> Option<DocHandle> {
        let docs = self.inner.docs.lock().unwrap_or_else(|p| p.into_inner());
        docs.get(id).filter(|h| !h.tx.is_closed()).cloned()
    }

    /// The actor of a document, loading the document if needed; `None` if it does not exist.
    pub async fn open(&self, id: &DocId) -> Result<Option<DocHandle>, HubError> {
        if let Some(h) = self.running(id) {
            return Ok(Some(h));
        }
        if self.inner.shutdown.is_cancelled() {
            return Err(HubError::Closed);
        }
        let _loading = self.inner.loading.lock().await;
        if let Some(h) = self.running(id) {
            return Ok(Some(h));
        }
        let doc_id = id.clone();
        let stored = self
            .inner
            .store
            .read(move |dao| {
                let doc = dao.load_document(&doc_id)?;
                let count = dao.change_count(&doc_id)?;
                let epoch = dao.document_epoch(&doc_id)?;
                Ok::<_, StoreError>(doc.map(|d| (d, count, epoch)))
            })
            .await?;
        let Some((stored, count, epoch)) = stored else { return Ok(None) };
        let doc_id = id.clone();
        let (doc, upgraded) = tokio::task::spawn_blocking(move || {
            let mut doc = build_document(&doc_id, &stored)?;
            let heads = doc.get_heads();
            let from = cartable_shared::upgrade::upgrade(&doc_id, &mut doc)
                .map_err(|e| HubError::Corrupt { doc: doc_id.clone(), reason: e.to_string() })?;
            let upgraded = from.map(|from| (from, actor::stored_changes(&doc.get_changes(&heads))));
            Ok::<_, HubError>((doc, upgraded))
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??;
        let mut count = count;
        if let Some((from, changes)) = upgraded {
            // The upgrade is stored like any change before anyone sees the document.
            count += changes.len() as u64;
            self.inner.store.append_changes(id, changes).await?;
            tracing::info!(doc = %id, from, "document schema upgraded");
        }
        let (tx, rx) = mpsc::channel(DOC_INBOX);
        let handle = DocHandle { id: id.clone(), tx: tx.clone() };
        let actor = actor::DocActor::new(
            id.clone(),
            doc,
            epoch,
            count,
            self.inner.compact_after,
            self.inner.store.clone(),
            rx,
            self.inner.shutdown.clone(),
            self.inner.push_wake.clone(),
            self.inner.clock.clone(),
            self.inner.gradebook_wake.clone(),
        );
        // The actor task: owns the document; ends on shutdown or when every handle is gone.
        tokio::spawn(actor.run());
        tracing::debug!(doc = %id, stored_changes = count, "document loaded");
        self.inner
            .docs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), handle.clone());
        Ok(Some(handle))
    }

    /// Reads a document's current content without changing it (an edit that is abandoned);
    /// `None` if the document does not exist.
    pub async fn peek<T: Send + 'static>(
        &self,
        id: &DocId,
        f: impl FnOnce(&Automerge) -> T + Send + 'static,
    ) -> Result<Option<T>, HubError> {
        let Some(handle) = self.open(id).await? else { return Ok(None) };
        let out = handle.edit(move |am| Err::<(), T>(f(am))).await?;
        Ok(out.err())
    }

    /// Forgets the actor of a deleted document: the next [`Hub::open`] finds nothing. The
    /// actor ends once the connections still holding it have let it go.
    pub fn forget(&self, id: &DocId) {
        self.inner.docs.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }

    /// The actor of a document, creating the document with `initial` as its content first if
    /// it does not exist yet. Returns the handle and whether the document was created.
    pub async fn open_or_create<T: autosurgeon::Reconcile>(
        &self,
        id: &DocId,
        initial: &T,
        now_ms: i64,
    ) -> Result<(DocHandle, bool), HubError> {
        if let Some(h) = self.open(id).await? {
            return Ok((h, false));
        }
        let mut doc = Automerge::new();
        cartable_shared::sync::write(&mut doc, initial)
            .map_err(|e| HubError::Corrupt { doc: id.clone(), reason: e.to_string() })?;
        let created = self.create(id, &doc, now_ms).await?;
        let handle = self.open(id).await?.ok_or(HubError::Closed)?;
        Ok((handle, created))
    }

    /// Creates a document from `doc`'s changes (no-op if it exists already). Returns whether
    /// it was created.
    pub async fn create(&self, id: &DocId, doc: &Automerge, now_ms: i64) -> Result<bool, HubError> {
        let changes = actor::stored_changes(&doc.get_changes(&[]));
        let id = id.clone();
        let created = self
            .inner
            .store
            .write(move |dao| {
                if dao.document_exists(&id)? {
                    return Ok::<_, StoreError>(false);
                }
                dao.create_document(&id, now_ms)?;
                dao.append_changes(&id, &changes)?;
                Ok(true)
            })
            .await?;
        Ok(created)
    }
}

#[cfg(test)]
mod tests;
