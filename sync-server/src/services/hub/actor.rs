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
//!   both values serve the write rules and the notification events;
//! - handles the sync messages of one device that wait together in its inbox as one (one fork,
//!   one check, one transaction, one `Ack`), falling back to one by one when they cannot all
//!   be accepted, so that refusals stay exactly those of single messages.
//!
//! Memory: a document that at most one device syncs (a user's `me` document, one per
//! connected device) leaves memory whenever the actor's inbox is empty and it took no change
//! since the last tick of the keep timer; it is kept as saved bytes and loaded again for the
//! next command that reads it.

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

use super::{
    Command, Delivery, EditCommand, EditFn, HubError, Peer, PeerId, RebuildFn, SyncCommand,
};
use crate::services::Clock;
use crate::services::push::events;
use crate::services::rules::{self, RuleViolation};
use crate::store::{OutboxWrite, Store, StoreError, StoredChange};

/// Most distinct sync states remembered per document version.
const MEMO_CAP: usize = 256;
/// Most sync messages of one device handled together (see [`DocActor::take_batch`]).
const BATCH_MAX: usize = 64;
/// Why a document is expected in memory where it is used: every command that reads it wakes
/// it first ([`DocActor::wake`]).
const AWAKE: &str = "the document is in memory while a command that reads it is handled";

/// The raw bytes of changes, as stored.
pub(super) fn stored_changes<'a>(
    changes: impl IntoIterator<Item = &'a Change>,
) -> Vec<StoredChange> {
    changes
        .into_iter()
        .map(|c| StoredChange { hash: c.hash().0, bytes: c.raw_bytes().to_vec() })
        .collect()
}

struct PeerSlot {
    peer: Arc<Peer>,
    state: sync::State,
    /// The state changed since it was last kept in the store.
    dirty: bool,
}

/// The slot of `peer` in `peers`, made on its first message here: a device that synced this
/// document before resumes from the state it left with (`resume`, as kept in the store).
fn slot_of<'a>(
    peers: &'a mut HashMap<PeerId, Box<PeerSlot>>,
    peer: &Arc<Peer>,
    resume: Option<&[u8]>,
) -> &'a mut PeerSlot {
    peers.entry(peer.id()).or_insert_with(|| {
        let state = resume.and_then(|bytes| sync::State::decode(bytes).ok()).unwrap_or_default();
        Box::new(PeerSlot { peer: peer.clone(), state, dirty: false })
    })
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

    /// `generate_sync_message` for one device, memoised if `share` (several devices sync the
    /// document: a document only one device syncs would only fill the memo).
    fn generate(
        &mut self,
        doc: &Automerge,
        id: &DocId,
        state: &mut sync::State,
        share: bool,
    ) -> Option<Bytes> {
        let encode = |msg: sync::Message| {
            Bytes::from(ServerFrame::Sync { doc: id.clone(), data: msg.encode() }.encode())
        };
        if !share {
            return doc.generate_sync_message(state).map(encode);
        }
        if let Some((frame, after)) = self.entries.get(state) {
            let frame = frame.clone();
            state.clone_from(after);
            return frame;
        }
        let before = state.clone();
        let frame = doc.generate_sync_message(state).map(encode);
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
    /// The document; `None` while the actor is dormant ([`DocActor::doze`]), `saved` then
    /// holds it. Boxed, so that a dormant actor's task keeps no room for it.
    doc: Option<Box<Automerge>>,
    /// The document as `Automerge::save` wrote it, while its content is still that: what a
    /// dormant actor wakes from.
    saved: Option<Vec<u8>>,
    /// A change was accepted since the last tick of the keep timer: the document is being
    /// written, and stays in memory (see [`DocActor::may_doze`]).
    recent_write: bool,
    /// A command taken from the inbox while gathering a batch, to be handled next.
    pending: Option<Command>,
    /// The document's epoch (stored with it): bumped when the document is rebuilt without its
    /// history. Devices sync only once they confirmed holding this epoch.
    epoch: u32,
    /// `doc` as its typed value, once a write needed it; replaced with the typed fork at each
    /// accepted change, so that it always reads the same as `doc`.
    typed: Option<Box<TypedDoc>>,
    /// The devices syncing the document. Slots are boxed: a document thousands of devices
    /// sync keeps a table of pointers (with room to grow) rather than of sync states.
    peers: HashMap<PeerId, Box<PeerSlot>>,
    memo: SyncMemo,
    store: Store,
    /// The actor's inbox. Senders: the hub's table and the connections' handles.
    inbox: mpsc::Receiver<Command>,
    shutdown: CancellationToken,
    stored_changes: u64,
    compact_after: u64,
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
        shutdown: CancellationToken,
        push_wake: Arc<Notify>,
        clock: Arc<dyn Clock>,
        gradebook_wake: Arc<Notify>,
    ) -> Self {
        DocActor {
            id,
            doc: Some(Box::new(doc)),
            saved: None,
            recent_write: false,
            pending: None,
            epoch,
            typed: None,
            peers: HashMap::new(),
            memo: SyncMemo::default(),
            store,
            inbox,
            shutdown,
            stored_changes,
            compact_after,
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
            let cmd = match self.pending.take() {
                Some(cmd) => cmd,
                None => tokio::select! {
                    biased;
                    () = self.shutdown.cancelled() => break,
                    _ = keep.tick() => {
                        Box::pin(self.keep_states(false)).await;
                        if self.may_doze() {
                            self.doze();
                        }
                        self.recent_write = false;
                        continue;
                    }
                    cmd = self.inbox.recv() => match cmd {
                        Some(cmd) => cmd,
                        None => break,
                    },
                },
            };
            // The handlers are boxed where they are awaited: the task of an idle actor (most of
            // them: one per user's `me` document) then holds only this loop's small state.
            match cmd {
                Command::Sync(first) => {
                    if first.epoch != self.epoch {
                        self.tell_reset(&first.peer);
                        continue;
                    }
                    if !self.wake() {
                        break;
                    }
                    let batch = self.take_batch(*first);
                    Box::pin(self.on_sync_batch(batch)).await
                }
                Command::Leave { peer, persist, done } => {
                    if let Some(slot) = self.peers.remove(&peer)
                        && persist
                    {
                        self.keep_state_of(*slot);
                    }
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                }
                Command::Edit(cmd) => {
                    if !self.wake() {
                        break;
                    }
                    let EditCommand { edit, checker, author, reply } = *cmd;
                    let _ = reply.send(Box::pin(self.on_edit(edit, &checker, author)).await);
                }
                Command::Rebuild { build, reply } => {
                    if !self.wake() {
                        break;
                    }
                    let _ = reply.send(Box::pin(self.on_rebuild(build)).await);
                }
                Command::Inspect { reply } => {
                    if !self.wake() {
                        break;
                    }
                    let heads = self.doc.as_deref().expect(AWAKE).get_heads();
                    let _ = reply.send((heads, self.peers.len()));
                }
                Command::InMemory { reply } => {
                    let _ = reply.send(self.doc.is_some());
                    continue;
                }
            }
            if self.stored_changes > self.compact_after {
                Box::pin(self.compact()).await;
            }
            if self.pending.is_none() && self.inbox.is_empty() && self.may_doze() {
                self.doze();
            }
        }
        Box::pin(self.keep_states(true)).await;
        tracing::debug!(doc = %self.id, "document actor stopped");
    }

    /// Whether the document may leave memory now: at most one device syncs it (a user's `me`
    /// document, mostly: one per connected device) and no change was accepted since the last
    /// tick of the keep timer (a document being written stays).
    fn may_doze(&self) -> bool {
        self.doc.is_some() && self.peers.len() <= 1 && !self.recent_write
    }

    /// Drops the document from memory, with what was derived from it (typed value, memo); it
    /// is kept as saved bytes, saved again only if it changed since they were written. The
    /// devices' sync states stay: they do not depend on the document being loaded.
    fn doze(&mut self) {
        let Some(doc) = self.doc.take() else { return };
        if self.saved.is_none() {
            self.saved = Some(doc.save());
        }
        self.typed = None;
        self.memo = SyncMemo::default();
    }

    /// Loads a dormant document again. `false` if its saved bytes no longer load (a bug: the
    /// actor then stops, and its handles see the document closed).
    fn wake(&mut self) -> bool {
        if self.doc.is_some() {
            return true;
        }
        let loaded = self.saved.as_deref().map(Automerge::load);
        match loaded {
            Some(Ok(doc)) => {
                self.doc = Some(Box::new(doc));
                true
            }
            Some(Err(e)) => {
                tracing::error!(doc = %self.id, error = %e, "a dormant document does not load");
                false
            }
            None => false,
        }
    }

    /// Adopts `doc` as the document after an accepted change.
    fn adopt(&mut self, doc: Automerge) {
        self.doc = Some(Box::new(doc));
        self.saved = None;
        self.recent_write = true;
        self.memo.clear();
    }

    /// Takes the sync messages of the same device (same principal, access and epoch) that wait
    /// right behind `first` in the inbox, at most [`BATCH_MAX`] in all, so that they are handled
    /// together ([`DocActor::on_sync_together`]). The first other command taken is kept in
    /// `pending`, to be handled next: the order of commands does not change.
    fn take_batch(&mut self, first: SyncCommand) -> Vec<SyncCommand> {
        let mut batch = vec![first];
        while batch.len() < BATCH_MAX {
            match self.inbox.try_recv() {
                Ok(Command::Sync(next))
                    if Arc::ptr_eq(&next.peer, &batch[0].peer)
                        && Arc::ptr_eq(&next.principal, &batch[0].principal)
                        && next.access == batch[0].access
                        && next.epoch == batch[0].epoch =>
                {
                    batch.push(*next);
                }
                Ok(other) => {
                    self.pending = Some(other);
                    break;
                }
                Err(_) => break,
            }
        }
        batch
    }

    /// Handles a device's sync messages: together if they can be, else one by one.
    async fn on_sync_batch(&mut self, batch: Vec<SyncCommand>) {
        if batch.len() > 1 && Box::pin(self.on_sync_together(&batch)).await {
            return;
        }
        for cmd in batch {
            let SyncCommand { peer, principal, access, data, resume, .. } = cmd;
            Box::pin(self.on_sync(peer, &principal, access, &data, resume)).await;
        }
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
        let share = self.peers.len() > 1;
        let doc = self.doc.as_deref().expect(AWAKE);
        let Some(slot) = self.peers.get_mut(&peer_id) else { return };
        if let Some(frame) = self.memo.generate(doc, &self.id, &mut slot.state, share)
            && slot.peer.send(frame) == Delivery::Gone
        {
            self.peers.remove(&peer_id);
        }
    }

    /// Tells every other device of the document about a change.
    fn fan_out(&mut self, except: Option<PeerId>) {
        let share = self.peers.len() > 1;
        let doc = self.doc.as_deref().expect(AWAKE);
        let mut gone = Vec::new();
        for (id, slot) in &mut self.peers {
            if Some(*id) == except || awaiting_first_copy(&slot.state) {
                continue;
            }
            if let Some(frame) = self.memo.generate(doc, &self.id, &mut slot.state, share)
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
        let slot = slot_of(&mut self.peers, &peer, resume.as_deref());
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

        let doc = self.doc.as_deref_mut().expect(AWAKE);
        if msg.changes.is_empty() {
            let mut state = slot.state.clone();
            if let Err(e) = doc.receive_sync_message(&mut state, msg) {
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
        let old_heads = doc.get_heads();
        let mut fork = doc.fork();
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
                        let doc = self.doc.as_deref_mut().expect(AWAKE);
                        if doc.receive_sync_message(&mut state, refused).is_ok() {
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
        self.accept(fork, typed, &new, &peer, state, true);
    }

    /// Adopts a device's checked and stored changes (`fork`, typed if it was read): the
    /// device's sync state becomes `state`, it is acknowledged (`ack`: its messages carried
    /// changes) and answered, and the others are told if anything is new.
    fn accept(
        &mut self,
        fork: Automerge,
        typed: Option<TypedDoc>,
        new: &[Change],
        peer: &Peer,
        state: sync::State,
        ack: bool,
    ) {
        let peer_id = peer.id();
        if new.is_empty() {
            // Nothing new (changes it held already): the document is unchanged.
            self.doc = Some(Box::new(fork));
            self.memo.clear();
        } else {
            self.adopt(fork);
        }
        if let Some(typed) = typed {
            self.typed = Some(Box::new(typed));
        }
        if let Some(slot) = self.peers.get_mut(&peer_id) {
            slot.state = state;
        }
        if ack {
            let heads = self.doc.as_deref().expect(AWAKE).get_heads();
            let heads = heads.into_iter().map(|h| h.0).collect();
            let ack = ServerFrame::Ack { doc: self.id.clone(), heads };
            if peer.send(Bytes::from(ack.encode())) == Delivery::Gone {
                self.peers.remove(&peer_id);
            }
        }
        self.reply(peer_id);
        if !new.is_empty() {
            self.fan_out(Some(peer_id));
        }
    }

    /// Handles several sync messages of one device as one: they are applied in order to one
    /// fork and checked together, as one message carrying all their changes is (a device may
    /// send its changes so), stored in one transaction and acknowledged once. Returns `false`,
    /// having changed nothing but the device's slot, when they must be handled one by one
    /// instead, which refuses exactly what it refuses for single messages: when one does not
    /// decode or apply, carries changes the device may not write (a reader, or a device whose
    /// earlier change was refused), when none carries changes, or when their changes break a
    /// rule.
    async fn on_sync_together(&mut self, batch: &[SyncCommand]) -> bool {
        let first = &batch[0];
        let peer_id = first.peer.id();
        let mut msgs = Vec::with_capacity(batch.len());
        for cmd in batch {
            let Ok(msg) = sync::Message::decode(&cmd.data) else { return false };
            if !msg.changes.is_empty() && !cmd.access.can_write() {
                return false;
            }
            msgs.push(msg);
        }
        if msgs.iter().all(|m| m.changes.is_empty()) {
            return false;
        }
        let slot = slot_of(&mut self.peers, &first.peer, first.resume.as_deref());
        if slot.state.read_only {
            return false;
        }
        slot.dirty = true;
        let mut state = slot.state.clone();
        let doc = self.doc.as_deref().expect(AWAKE);
        let old_heads = doc.get_heads();
        let mut fork = doc.fork();
        for msg in msgs {
            if fork.receive_sync_message(&mut state, msg).is_err() {
                return false;
            }
        }
        let new = fork.get_changes(&old_heads);
        let mut typed = None;
        if !new.is_empty() {
            let Ok(after) = self.check(&first.principal, &fork) else { return false };
            let outbox = self.outbox(&after, Some(&first.principal.user));
            typed = Some(after);
            if let Err(e) = self.persist(&new, outbox).await {
                tracing::error!(doc = %self.id, error = %e, "storing changes failed");
                for _ in batch {
                    first.peer.send_error(
                        Some(&self.id),
                        ErrorCode::Internal,
                        "the server could not store the change",
                    );
                }
                return true;
            }
        }
        tracing::trace!(doc = %self.id, peer = peer_id, messages = batch.len(), "sync messages handled together");
        self.accept(fork, typed, &new, &first.peer, state, true);
        true
    }

    async fn on_edit(
        &mut self,
        edit: EditFn,
        checker: &Principal,
        author: Option<UserId>,
    ) -> Result<bool, HubError> {
        let doc = self.doc.as_deref().expect(AWAKE);
        let old_heads = doc.get_heads();
        let mut fork = doc.fork();
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
        self.adopt(fork);
        self.typed = Some(Box::new(after));
        self.fan_out(None);
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
        let doc = self.doc.as_deref().expect(AWAKE);
        let fresh = match std::panic::catch_unwind(AssertUnwindSafe(|| build(doc, next))) {
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
        self.adopt(fresh);
        self.typed = Some(Box::new(typed));
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
        let doc = self.doc.as_deref().expect(AWAKE);
        if self.typed.is_none() {
            self.typed = Some(Box::new(typed(doc)?));
        }
        let after = typed(after)?;
        let before = self.typed.as_deref().expect("read just above");
        rules::check_typed(writer, &self.id, doc.get_heads().is_empty(), before, &after)?;
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

    /// Folds the document's stored changes into one snapshot: its saved bytes. The document in
    /// memory holds exactly what is stored (each change is stored before it is adopted, and once
    /// a document has an actor only the actor appends to it), and nothing of it can be appended
    /// while the actor waits here, so the snapshot replaces every stored change. (It used to be
    /// rebuilt from the store, applying every stored change again.)
    async fn compact(&mut self) {
        let bytes = match (&self.saved, &self.doc) {
            (Some(saved), _) => saved.clone(),
            (None, Some(doc)) => {
                let saved = doc.save();
                self.saved = Some(saved.clone());
                saved
            }
            (None, None) => return,
        };
        let (id, epoch) = (self.id.clone(), self.epoch);
        let folded = self
            .store
            .write(move |dao| {
                let upto = dao.last_change_seq(&id)?;
                write_snapshot(dao, &id, epoch, &bytes, upto)
            })
            .await;
        match folded {
            Ok(removed) => {
                tracing::info!(doc = %self.id, removed, "document compacted");
                self.stored_changes = self.stored_changes.saturating_sub(removed);
                if removed == 0 {
                    // Its epoch changed under it (not through this actor): nothing to fold.
                    self.stored_changes = 0;
                }
            }
            Err(e) => tracing::error!(doc = %self.id, error = %e, "compaction failed"),
        }
    }
}

/// Replaces the stored snapshot of a document and its changes up to `upto` by `bytes`, unless
/// the document was rebuilt meanwhile (its epoch is no longer `epoch`: the snapshot would bring
/// the old history back). Returns the number of changes folded into the snapshot.
fn write_snapshot(
    dao: &crate::store::Dao<'_>,
    id: &DocId,
    epoch: u32,
    bytes: &[u8],
    upto: i64,
) -> Result<u64, StoreError> {
    if dao.document_epoch(id)? != epoch {
        return Ok(0);
    }
    dao.replace_snapshot(id, bytes, upto)
}

/// Replaces the stored snapshot and changes of a document by one snapshot built from the store,
/// in one transaction. Changes appended meanwhile stay; nothing is written if the document was
/// rebuilt meanwhile. Returns the number of changes folded into the snapshot. (The actor folds
/// its own saved bytes instead, see [`DocActor::compact`]; this checks the epoch rule alone.)
#[cfg(test)]
pub(super) async fn compact(store: &Store, id: &DocId, epoch: u32) -> Result<u64, HubError> {
    let doc_id = id.clone();
    let Some(stored) = store.read(move |dao| dao.load_document(&doc_id)).await? else {
        return Ok(0);
    };
    let upto = stored.last_seq;
    let doc_id = id.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        super::build_document(&doc_id, &stored).map(|doc| doc.save())
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))??;
    let doc_id = id.clone();
    let removed = store.write(move |dao| write_snapshot(dao, &doc_id, epoch, &bytes, upto)).await?;
    Ok(removed)
}
