//! The actor that owns one document.
//!
//! Cost control (STACK.md, "Sync at scale"): `generate_sync_message` can be expensive (for a
//! device that holds nothing it compresses the whole document), so the actor
//! - memoises it per document version: devices whose sync states are equal get the same
//!   message, computed once (a crowd of new devices costs one `save()`, not one each; a change
//!   fanned out to thousands of up-to-date devices is encoded once per distinct state);
//! - calls it only for the devices a change concerns: after a device's message, for that
//!   device; after a change, for every other device of the document except those still waiting
//!   for their first full copy (their reply to it brings them the change);
//! - reads each version of the document into its typed value once: the current version is
//!   kept typed between changes (read on the first write), a writer's fork is read once, and
//!   both values serve the write rules and the notification events.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, Change};
use bytes::Bytes;
use cartable_shared::ids::{DocId, DocKind, UserId};
use cartable_shared::protocol::{ErrorCode, ServerFrame};
use cartable_shared::roles::{Access, Principal};
use cartable_shared::rules::typed_content;
use cartable_shared::typed::TypedDoc;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

use super::{Command, Delivery, EditFn, HubError, Peer, PeerId, RebuildFn, build_document};
use crate::services::Clock;
use crate::services::push::events;
use crate::services::rules::{self, RuleViolation};
use crate::store::{OutboxWrite, Store, StoreError, StoredChange};

/// Most distinct sync states remembered per document version.
const MEMO_CAP: usize = 256;

/// The raw bytes of changes, as stored.
pub(super) fn stored_changes(changes: &[Change]) -> Vec<StoredChange> {
    changes
        .iter()
        .map(|c| StoredChange { hash: c.hash().0, bytes: c.raw_bytes().to_vec() })
        .collect()
}

struct PeerSlot {
    peer: Arc<Peer>,
    state: sync::State,
    /// The state changed since it was last kept in the store.
    dirty: bool,
}

/// How often an actor keeps the changed sync states of its devices (besides when they leave).
const KEEP_STATES_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Sync messages already generated for the current version of the document, by the sync state
/// they were generated from: the frame to send (if any) and the state afterwards.
#[derive(Default)]
struct SyncMemo {
    entries: HashMap<sync::State, (Option<Bytes>, sync::State)>,
}

impl SyncMemo {
    fn clear(&mut self) {
        self.entries.clear();
    }

    /// `generate_sync_message` for one device, memoised.
    fn generate(&mut self, doc: &Automerge, id: &DocId, state: &mut sync::State) -> Option<Bytes> {
        if let Some((frame, after)) = self.entries.get(state) {
            let frame = frame.clone();
            state.clone_from(after);
            return frame;
        }
        let before = state.clone();
        let frame = doc.generate_sync_message(state).map(|msg| {
            Bytes::from(ServerFrame::Sync { doc: id.clone(), data: msg.encode() }.encode())
        });
        if self.entries.len() >= MEMO_CAP {
            self.entries.clear();
        }
        self.entries.insert(before, (frame.clone(), state.clone()));
        frame
    }
}

/// Drops the changes of a refused message and stops asking the device for more: its later
/// changes all build on the refused one. The device still receives the document. (Without
/// this, the device advertising heads the server will never have makes both sides answer each
/// other forever.)
fn refuse_changes(state: &mut sync::State, msg: &mut sync::Message) {
    msg.changes = sync::ChunkList::empty();
    state.set_read_only(true);
}

/// Whether the device's first full copy of the document is still on its way: it will answer
/// it, and the answer brings it whatever changed meanwhile.
fn awaiting_first_copy(state: &sync::State) -> bool {
    state.in_flight && state.their_heads.as_ref().is_some_and(|h| h.is_empty())
}

pub(super) struct DocActor {
    id: DocId,
    doc: Automerge,
    /// The document's epoch (stored with it): bumped when the document is rebuilt without its
    /// history. Devices sync only once they confirmed holding this epoch.
    epoch: u32,
    /// `doc` as its typed value, once a write needed it; replaced with the typed fork at each
    /// accepted change, so that it always reads the same as `doc`.
    typed: Option<TypedDoc>,
    peers: HashMap<PeerId, PeerSlot>,
    memo: SyncMemo,
    store: Store,
    /// The actor's inbox. Senders: the hub's table and the connections' handles.
    inbox: mpsc::Receiver<Command>,
    /// A weak sender to the actor itself, for the compaction task's report; weak so that the
    /// actor does not keep itself alive.
    myself: mpsc::WeakSender<Command>,
    shutdown: CancellationToken,
    stored_changes: u64,
    compact_after: u64,
    compacting: bool,
    /// Told after a change added notification events to the outbox.
    push_wake: Arc<Notify>,
    /// The server's clock: event times, when sync states were kept.
    clock: Arc<dyn Clock>,
    /// Told after a change of a gradebook was stored (the publisher re-reads it).
    gradebook_wake: Arc<Notify>,
}

impl DocActor {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        id: DocId,
        doc: Automerge,
        epoch: u32,
        stored_changes: u64,
        compact_after: u64,
        store: Store,
        inbox: mpsc::Receiver<Command>,
        myself: mpsc::WeakSender<Command>,
        shutdown: CancellationToken,
        push_wake: Arc<Notify>,
        clock: Arc<dyn Clock>,
        gradebook_wake: Arc<Notify>,
    ) -> Self {
        DocActor {
            id,
            doc,
            epoch,
            typed: None,
            peers: HashMap::new(),
            memo: SyncMemo::default(),
            store,
            inbox,
            myself,
            shutdown,
            stored_changes,
            compact_after,
            compacting: false,
            push_wake,
            clock,
            gradebook_wake,
        }
    }

    pub(super) async fn run(mut self) {
        let mut keep = tokio::time::interval(KEEP_STATES_EVERY);
        keep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        keep.tick().await;
        loop {
            let cmd = tokio::select! {
                biased;
                () = self.shutdown.cancelled() => break,
                _ = keep.tick() => {
                    Box::pin(self.keep_states(false)).await;
                    continue;
                }
                cmd = self.inbox.recv() => match cmd {
                    Some(cmd) => cmd,
                    None => break,
                },
            };
            // The handlers are boxed where they are awaited: the task of an idle actor (most of
            // them: one per user's `me` document) then holds only this loop's small state.
            match cmd {
                Command::Sync { peer, principal, access, data, resume, epoch } => {
                    if epoch != self.epoch {
                        self.tell_reset(&peer);
                        continue;
                    }
                    Box::pin(self.on_sync(peer, &principal, access, &data, resume)).await
                }
                Command::Leave { peer, persist, done } => {
                    if let Some(slot) = self.peers.remove(&peer)
                        && persist
                    {
                        self.keep_state_of(slot);
                    }
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                }
                Command::Edit { edit, checker, author, reply } => {
                    let _ = reply.send(Box::pin(self.on_edit(edit, &checker, author)).await);
                }
                Command::Rebuild { build, reply } => {
                    let _ = reply.send(Box::pin(self.on_rebuild(build)).await);
                }
                Command::Compacted { removed } => {
                    self.compacting = false;
                    self.stored_changes = self.stored_changes.saturating_sub(removed);
                    self.maybe_compact();
                }
                Command::Inspect { reply } => {
                    let _ = reply.send((self.doc.get_heads(), self.peers.len()));
                }
            }
        }
        self.keep_states(true).await;
        tracing::debug!(doc = %self.id, "document actor stopped");
    }

    /// Keeps a leaving device's sync state, in the background (the actor does not wait).
    fn keep_state_of(&self, slot: PeerSlot) {
        let Some(session) = slot.peer.session else { return };
        let (store, id, state) = (self.store.clone(), self.id.clone(), slot.state.encode());
        let now = self.clock.now_ms();
        // One store write, off the actor; ends when it is done.
        tokio::spawn(async move {
            let r = store.write(move |dao| dao.save_sync_state(&session, &id, &state, now)).await;
            if let Err(e) = r {
                tracing::warn!(error = %e, "could not keep a device's sync state");
            }
        });
    }

    /// Keeps the changed sync states of the connected devices (`all`: every one), in one write.
    async fn keep_states(&mut self, all: bool) {
        let mut rows = Vec::new();
        for slot in self.peers.values_mut() {
            if let Some(session) = slot.peer.session
                && (all || slot.dirty)
            {
                rows.push((session, slot.state.encode()));
                slot.dirty = false;
            }
        }
        if rows.is_empty() {
            return;
        }
        let id = self.id.clone();
        let now = self.clock.now_ms();
        let r = self
            .store
            .write(move |dao| {
                rows.iter()
                    .try_for_each(|(session, state)| dao.save_sync_state(session, &id, state, now))
            })
            .await;
        if let Err(e) = r {
            tracing::warn!(doc = %self.id, error = %e, "could not keep sync states");
        }
    }

    /// Sends the device the next sync message it needs, if any.
    fn reply(&mut self, peer_id: PeerId) {
        let Some(slot) = self.peers.get_mut(&peer_id) else { return };
        if let Some(frame) = self.memo.generate(&self.doc, &self.id, &mut slot.state)
            && slot.peer.send(frame) == Delivery::Gone
        {
            self.peers.remove(&peer_id);
        }
    }

    /// Tells every other device of the document about a change.
    fn fan_out(&mut self, except: Option<PeerId>) {
        let mut gone = Vec::new();
        for (id, slot) in &mut self.peers {
            if Some(*id) == except || awaiting_first_copy(&slot.state) {
                continue;
            }
            if let Some(frame) = self.memo.generate(&self.doc, &self.id, &mut slot.state)
                && slot.peer.send(frame) == Delivery::Gone
            {
                gone.push(*id);
            }
        }
        for id in gone {
            self.peers.remove(&id);
        }
    }

    async fn on_sync(
        &mut self,
        peer: Arc<Peer>,
        principal: &Principal,
        access: Access,
        data: &[u8],
        resume: Option<Vec<u8>>,
    ) {
        let mut msg = match sync::Message::decode(data) {
            Ok(msg) => msg,
            Err(e) => {
                tracing::debug!(doc = %self.id, peer = peer.id(), error = %e, "invalid sync message");
                peer.send_error(
                    Some(&self.id),
                    ErrorCode::InvalidData,
                    "invalid Automerge sync message",
                );
                return;
            }
        };
        let peer_id = peer.id();
        let slot = self.peers.entry(peer_id).or_insert_with(|| {
            // A device that synced this document before resumes from the state it left with.
            let state =
                resume.and_then(|bytes| sync::State::decode(&bytes).ok()).unwrap_or_default();
            PeerSlot { peer: peer.clone(), state, dirty: false }
        });
        slot.dirty = true;

        if !msg.changes.is_empty() && !access.can_write() {
            tracing::info!(doc = %self.id, peer = peer_id, "changes from a reader refused");
            peer.send_error(
                Some(&self.id),
                ErrorCode::Forbidden,
                "you may read this document but not change it",
            );
            refuse_changes(&mut slot.state, &mut msg);
        } else if !msg.changes.is_empty() && slot.state.read_only {
            // Everything this device writes from now on builds on the refused change.
            peer.send_error(
                Some(&self.id),
                ErrorCode::Forbidden,
                "an earlier change of this device was refused; reload the document",
            );
            refuse_changes(&mut slot.state, &mut msg);
        }

        if msg.changes.is_empty() {
            let mut state = slot.state.clone();
            if let Err(e) = self.doc.receive_sync_message(&mut state, msg) {
                tracing::debug!(doc = %self.id, peer = peer_id, error = %e, "sync message refused");
                peer.send_error(
                    Some(&self.id),
                    ErrorCode::InvalidData,
                    "invalid Automerge sync message",
                );
                return;
            }
            slot.state = state;
            self.reply(peer_id);
            return;
        }

        // A writer's changes: apply them to a fork, check, store, then adopt.
        let old_heads = self.doc.get_heads();
        let mut fork = self.doc.fork();
        let mut state = slot.state.clone();
        if let Err(e) = fork.receive_sync_message(&mut state, msg) {
            tracing::debug!(doc = %self.id, peer = peer_id, error = %e, "changes refused");
            peer.send_error(
                Some(&self.id),
                ErrorCode::InvalidData,
                "the changes could not be applied",
            );
            return;
        }
        let new = fork.get_changes(&old_heads);
        let mut typed = None;
        if !new.is_empty() {
            let after = match self.check(principal, &fork) {
                Ok(after) => after,
                Err(v) => {
                    tracing::info!(doc = %self.id, peer = peer_id, rule = %v, "changes refused");
                    let msg = format!("change refused: {v}");
                    peer.send_error(Some(&self.id), ErrorCode::Forbidden, &msg);
                    // The rest of the message still counts (it decoded once, it decodes again).
                    if let (Some(slot), Ok(mut refused)) =
                        (self.peers.get_mut(&peer_id), sync::Message::decode(data))
                    {
                        refuse_changes(&mut slot.state, &mut refused);
                        let mut state = slot.state.clone();
                        if self.doc.receive_sync_message(&mut state, refused).is_ok() {
                            slot.state = state;
                        }
                    }
                    self.reply(peer_id);
                    return;
                }
            };
            let outbox = self.outbox(&after, Some(&principal.user));
            typed = Some(after);
            if let Err(e) = self.persist(&new, outbox).await {
                tracing::error!(doc = %self.id, error = %e, "storing changes failed");
                peer.send_error(
                    Some(&self.id),
                    ErrorCode::Internal,
                    "the server could not store the change",
                );
                return;
            }
        }
        self.doc = fork;
        if typed.is_some() {
            self.typed = typed;
        }
        self.memo.clear();
        if let Some(slot) = self.peers.get_mut(&peer_id) {
            slot.state = state;
        }
        let heads = self.doc.get_heads().into_iter().map(|h| h.0).collect();
        let ack = ServerFrame::Ack { doc: self.id.clone(), heads };
        if peer.send(Bytes::from(ack.encode())) == Delivery::Gone {
            self.peers.remove(&peer_id);
        }
        self.reply(peer_id);
        if !new.is_empty() {
            self.fan_out(Some(peer_id));
            self.maybe_compact();
        }
    }

    async fn on_edit(
        &mut self,
        edit: EditFn,
        checker: &Principal,
        author: Option<UserId>,
    ) -> Result<bool, HubError> {
        let old_heads = self.doc.get_heads();
        let mut fork = self.doc.fork();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| edit(&mut fork)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(())) => return Ok(false),
            Err(_) => {
                tracing::error!(doc = %self.id, "an edit panicked; the document is unchanged");
                return Err(HubError::Closed);
            }
        }
        let new = fork.get_changes(&old_heads);
        if new.is_empty() {
            return Ok(true);
        }
        let after = self.check(checker, &fork)?;
        let outbox = self.outbox(&after, author.as_ref());
        self.persist(&new, outbox).await?;
        self.doc = fork;
        self.typed = Some(after);
        self.memo.clear();
        self.fan_out(None);
        self.maybe_compact();
        Ok(true)
    }

    /// Tells a device that its copy is not of the document's current epoch (its sync message
    /// was not merged): it drops the copy and confirms.
    fn tell_reset(&mut self, peer: &Peer) {
        tracing::debug!(doc = %self.id, peer = peer.id(), epoch = self.epoch, "sync for an unconfirmed epoch ignored");
        let frame = ServerFrame::Reset { doc: self.id.clone(), epoch: self.epoch };
        if peer.send(Bytes::from(frame.encode())) == Delivery::Gone {
            self.peers.remove(&peer.id());
        }
    }

    /// Replaces the document by the one `build` makes from it, without history, as the next
    /// epoch (see [`super::DocHandle::rebuild`]).
    async fn on_rebuild(&mut self, build: RebuildFn) -> Result<Option<u32>, HubError> {
        let next = self.epoch.checked_add(1).ok_or_else(|| HubError::Corrupt {
            doc: self.id.clone(),
            reason: "no epoch left".into(),
        })?;
        let corrupt = |reason: String| HubError::Corrupt { doc: self.id.clone(), reason };
        let fresh = match std::panic::catch_unwind(AssertUnwindSafe(|| build(&self.doc, next))) {
            Ok(Ok(Some(fresh))) => fresh,
            Ok(Ok(None)) => return Ok(None),
            Ok(Err(reason)) => return Err(corrupt(reason)),
            Err(_) => {
                tracing::error!(doc = %self.id, "a rebuild panicked; the document is unchanged");
                return Err(HubError::Closed);
            }
        };
        // The new document must still read as its kind.
        let typed = typed_content(&self.id, &fresh).map_err(|e| corrupt(e.to_string()))?;
        let rows = stored_changes(&fresh.get_changes(&[]));
        let count = rows.len() as u64;
        let id = self.id.clone();
        let epoch = self.store.write(move |dao| dao.rebuild_document(&id, &rows)).await?;
        self.epoch = epoch;
        self.doc = fresh;
        self.typed = Some(typed);
        self.memo.clear();
        self.stored_changes = count;
        // Every device drops its copy and starts again from empty; their sync states describe
        // the old history, so they go too (the store's went in the transaction).
        let frame = Bytes::from(ServerFrame::Reset { doc: self.id.clone(), epoch }.encode());
        let devices = self.peers.len();
        for (_, slot) in self.peers.drain() {
            slot.peer.send(frame.clone());
        }
        if self.id.kind() == DocKind::Gradebook {
            self.gradebook_wake.notify_one();
        }
        tracing::info!(doc = %self.id, epoch, devices, "document rebuilt without history");
        Ok(Some(epoch))
    }

    /// Checks the change from the current document to `after` written by `writer`, and
    /// returns `after` typed. The current version is read only if no earlier write did.
    fn check(&mut self, writer: &Principal, after: &Automerge) -> Result<TypedDoc, RuleViolation> {
        let typed = |doc| typed_content(&self.id, doc).map_err(|r| RuleViolation(r.to_string()));
        if self.typed.is_none() {
            self.typed = Some(typed(&self.doc)?);
        }
        let after = typed(after)?;
        let before = self.typed.as_ref().expect("read just above");
        rules::check_typed(writer, &self.id, self.doc.get_heads().is_empty(), before, &after)?;
        Ok(after)
    }

    /// What the accepted change from the current document to `after` (checked by
    /// [`DocActor::check`]) adds to the push outbox.
    fn outbox(&self, after: &TypedDoc, author: Option<&UserId>) -> Vec<OutboxWrite> {
        let Some(before) = &self.typed else { return Vec::new() };
        events::outbox_of_typed(&self.id, before, after, author, self.clock.now_ms())
    }

    /// Appends the changes, with their outbox rows in the same transaction.
    async fn persist(
        &mut self,
        changes: &[Change],
        outbox: Vec<OutboxWrite>,
    ) -> Result<(), StoreError> {
        let rows = stored_changes(changes);
        let n = rows.len() as u64;
        let wake = outbox.iter().any(|w| matches!(w, OutboxWrite::Event(_)));
        self.store.append_changes_with(&self.id, rows, outbox).await?;
        self.stored_changes += n;
        if wake {
            self.push_wake.notify_one();
        }
        if self.id.kind() == DocKind::Gradebook {
            self.gradebook_wake.notify_one();
        }
        Ok(())
    }

    /// Starts a compaction in the background if the document has too many stored changes.
    fn maybe_compact(&mut self) {
        if self.compacting || self.stored_changes <= self.compact_after {
            return;
        }
        let Some(myself) = self.myself.upgrade() else { return };
        self.compacting = true;
        let store = self.store.clone();
        let id = self.id.clone();
        let epoch = self.epoch;
        // The compaction task: one compaction, off the actor; it ends by reporting to the actor.
        tokio::spawn(async move {
            let removed = match compact(&store, &id, epoch).await {
                Ok(removed) => {
                    tracing::info!(doc = %id, removed, "document compacted");
                    removed
                }
                Err(e) => {
                    tracing::error!(doc = %id, error = %e, "compaction failed");
                    0
                }
            };
            let _ = myself.send(Command::Compacted { removed }).await;
        });
    }
}

/// Replaces the stored snapshot and changes of a document by one snapshot, in one transaction.
/// Changes appended meanwhile stay; nothing is written if the document was rebuilt meanwhile
/// (its epoch is no longer `epoch`: the snapshot would bring the old history back). Returns
/// the number of changes folded into the snapshot.
pub(super) async fn compact(store: &Store, id: &DocId, epoch: u32) -> Result<u64, HubError> {
    let doc_id = id.clone();
    let Some(stored) = store.read(move |dao| dao.load_document(&doc_id)).await? else {
        return Ok(0);
    };
    let upto = stored.last_seq;
    let doc_id = id.clone();
    let bytes =
        tokio::task::spawn_blocking(move || build_document(&doc_id, &stored).map(|doc| doc.save()))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))??;
    let doc_id = id.clone();
    let removed = store
        .write(move |dao| {
            if dao.document_epoch(&doc_id)? != epoch {
                return Ok(0);
            }
            dao.replace_snapshot(&doc_id, &bytes, upto)
        })
        .await?;
    Ok(removed)
}
