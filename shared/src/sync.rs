//! The Automerge side of the domain (feature `crdt`): reading and writing typed documents, and
//! the sans-IO sync session of a device.
//!
//! [`ClientSession`] takes the server's frames and returns the frames to send, the documents
//! that changed (to persist and re-render) and the errors to show. The app's engine worker and
//! the integration tests drive this same code over a real WebSocket.

use std::collections::{BTreeMap, BTreeSet};

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, AutomergeError, ChangeHash, ReadDoc};
use autosurgeon::{Hydrate, HydrateError, Reconcile, ReconcileError};

use crate::ids::DocId;
use crate::protocol::{ClientFrame, ErrorCode, ServerFrame};

/// Reads a typed value from the root of a document; `Ok(None)` for a document with no content
/// yet (one that has not received its first sync).
pub fn read<T: Hydrate>(doc: &Automerge) -> Result<Option<T>, HydrateError> {
    if doc.length(automerge::ROOT) == 0 {
        return Ok(None);
    }
    autosurgeon::hydrate(doc).map(Some)
}

/// Writes a typed value at the root of a document as one change; only what differs from the
/// document's current content is recorded.
pub fn write<T: Reconcile>(doc: &mut Automerge, value: &T) -> Result<(), ReconcileError> {
    let mut tx = doc.transaction();
    autosurgeon::reconcile(&mut tx, value)?;
    tx.commit();
    Ok(())
}

/// Deletes every item equal to `value` from the list of strings at `key` of the root, as one
/// change, and says how many there were. A typed value written back with [`write`] rewrites a
/// list of strings by position (autosurgeon has no key for a string), so removing an item from
/// the middle that way overwrites the items after it: two devices each removing a different
/// item offline would then merge into one removal. Deleting the items themselves merges as
/// both devices meant.
pub fn remove_from_list(
    doc: &mut Automerge,
    key: &str,
    value: &str,
) -> Result<usize, AutomergeError> {
    let Some((automerge::Value::Object(automerge::ObjType::List), list)) =
        doc.get(automerge::ROOT, key)?
    else {
        return Ok(0);
    };
    let mut at = Vec::new();
    for i in 0..doc.length(&list) {
        if doc.get(&list, i)?.is_some_and(|(v, _)| v.as_str() == Some(value)) {
            at.push(i);
        }
    }
    if !at.is_empty() {
        let mut tx = doc.transaction();
        for &i in at.iter().rev() {
            automerge::transaction::Transactable::delete(&mut tx, &list, i)?;
        }
        tx.commit();
    }
    Ok(at.len())
}

/// Why a frame from the server could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The Automerge sync message could not be decoded.
    #[error("invalid sync message for {doc}: {source}")]
    BadMessage {
        /// The document.
        doc: DocId,
        /// The decoder's error.
        source: sync::ReadMessageError,
    },
    /// Automerge refused the message's changes.
    #[error("could not apply changes to {doc}: {source}")]
    Apply {
        /// The document.
        doc: DocId,
        /// Automerge's error.
        source: Box<AutomergeError>,
    },
}

/// What handling one frame (or one local edit) produced.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Frames to send to the server, in order.
    pub send: Vec<ClientFrame>,
    /// Documents whose content changed: persist them and refresh their views.
    pub changed: Vec<DocId>,
    /// Documents whose pending local changes decreased after an acknowledgement.
    pub acked: Vec<DocId>,
    /// Documents this device may no longer read: drop their local copies.
    pub dropped: Vec<DocId>,
    /// Errors the server reported.
    pub errors: Vec<(Option<DocId>, ErrorCode, String)>,
    /// Documents whose copy was dropped, history and pending changes included, because the
    /// server rebuilt them (a new epoch): forget their stored bytes, store their new
    /// [`ClientSession::epoch`], and keep showing their views until they are in `changed`
    /// again (the new content arrives by the usual sync). Local edits not yet acknowledged
    /// are gone from the document: re-apply them to the new one.
    pub reset: Vec<DocId>,
}

#[derive(Debug)]
struct Replica {
    doc: Automerge,
    state: sync::State,
    /// Hashes of changes made on this device that the server has not acknowledged yet.
    unacked: BTreeSet<ChangeHash>,
    /// The heads of the latest acknowledgement that names changes this device has not received
    /// yet (another device's, stored just before); resolved once a sync message brings them.
    ack_waiting: Vec<ChangeHash>,
    /// The epoch of the server's document this copy belongs to (0 until a rebuild).
    epoch: u32,
}

impl Replica {
    fn new(doc: Automerge) -> Self {
        Self {
            doc,
            state: sync::State::new(),
            unacked: BTreeSet::new(),
            ack_waiting: Vec::new(),
            epoch: 0,
        }
    }

    /// Releases the pending local changes that `heads` (acknowledged by the server) cover;
    /// returns whether any was released. Heads the device does not know yet are kept until
    /// they arrive: the server's heads only grow, so the latest acknowledgement covers every
    /// earlier one.
    fn release(&mut self, heads: Vec<ChangeHash>) -> bool {
        if !heads.iter().all(|h| self.doc.get_change_by_hash(h).is_some()) {
            self.ack_waiting = heads;
            return false;
        }
        self.ack_waiting.clear();
        let still: BTreeSet<ChangeHash> =
            self.doc.get_changes(&heads).iter().map(|c| c.hash()).collect();
        let before = self.unacked.len();
        self.unacked.retain(|h| still.contains(h));
        self.unacked.len() != before
    }
}

/// The documents of one device and their sync with the server.
#[derive(Debug, Default)]
pub struct ClientSession {
    replicas: BTreeMap<DocId, Replica>,
    connected: bool,
}

impl ClientSession {
    /// A session with no documents.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a document restored from local storage (its saved bytes). `unacked` lists the hashes
    /// of local changes not yet acknowledged when it was saved.
    pub fn restore(
        &mut self,
        id: DocId,
        bytes: &[u8],
        unacked: impl IntoIterator<Item = ChangeHash>,
    ) -> Result<(), AutomergeError> {
        let mut replica = Replica::new(Automerge::load(bytes)?);
        replica.unacked = unacked.into_iter().collect();
        self.replicas.insert(id, replica);
        Ok(())
    }

    /// Sets the epoch of a restored document (as stored with it); no-op if it is not held.
    pub fn set_epoch(&mut self, id: &DocId, epoch: u32) {
        if let Some(r) = self.replicas.get_mut(id) {
            r.epoch = epoch;
        }
    }

    /// The epoch of a held document (0 if it was never rebuilt, or is not held).
    pub fn epoch(&self, id: &DocId) -> u32 {
        self.replicas.get(id).map_or(0, |r| r.epoch)
    }

    /// The connection opened: every sync state starts afresh. Nothing is sent before the
    /// server's `Welcome`.
    pub fn connected(&mut self) {
        self.connected = true;
        for r in self.replicas.values_mut() {
            r.state = sync::State::new();
        }
    }

    /// The connection closed.
    pub fn disconnected(&mut self) {
        self.connected = false;
    }

    /// Whether a connection is open.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// The documents held, in id order.
    pub fn documents(&self) -> impl Iterator<Item = &DocId> {
        self.replicas.keys()
    }

    /// A document's current state.
    pub fn document(&self, id: &DocId) -> Option<&Automerge> {
        self.replicas.get(id).map(|r| &r.doc)
    }

    /// A document's full saved form, for local storage.
    pub fn save(&self, id: &DocId) -> Option<Vec<u8>> {
        self.replicas.get(id).map(|r| r.doc.save())
    }

    /// Hashes of a document's local changes not yet acknowledged by the server.
    pub fn unacked(&self, id: &DocId) -> Vec<ChangeHash> {
        self.replicas.get(id).map(|r| r.unacked.iter().copied().collect()).unwrap_or_default()
    }

    /// Number of local changes, over all documents, not yet acknowledged by the server.
    pub fn pending(&self) -> usize {
        self.replicas.values().map(|r| r.unacked.len()).sum()
    }

    /// Applies a local edit to a document the device holds, records its changes as pending, and
    /// returns the frame to send if connected. `None` if the document is not held.
    pub fn edit<R>(
        &mut self,
        id: &DocId,
        f: impl FnOnce(&mut Automerge) -> R,
    ) -> Option<(R, Outcome)> {
        let connected = self.connected;
        let replica = self.replicas.get_mut(id)?;
        let before = replica.doc.get_heads();
        let result = f(&mut replica.doc);
        let mut out = Outcome::default();
        let new: Vec<ChangeHash> =
            replica.doc.get_changes(&before).iter().map(|c| c.hash()).collect();
        if !new.is_empty() {
            replica.unacked.extend(new);
            out.changed.push(id.clone());
            if connected && let Some(msg) = replica.doc.generate_sync_message(&mut replica.state) {
                out.send.push(ClientFrame::Sync { doc: id.clone(), data: msg.encode() });
            }
        }
        Some((result, out))
    }

    /// Handles one frame from the server.
    pub fn receive(&mut self, frame: ServerFrame) -> Result<Outcome, SyncError> {
        let mut out = Outcome::default();
        match frame {
            ServerFrame::Welcome { docs } => {
                let keep: BTreeSet<&DocId> = docs.iter().collect();
                let gone: Vec<DocId> =
                    self.replicas.keys().filter(|d| !keep.contains(d)).cloned().collect();
                for d in gone {
                    self.replicas.remove(&d);
                    out.dropped.push(d);
                }
                for d in docs {
                    let replica = self
                        .replicas
                        .entry(d.clone())
                        .or_insert_with(|| Replica::new(Automerge::new()));
                    replica.state = sync::State::new();
                    if let Some(msg) = replica.doc.generate_sync_message(&mut replica.state) {
                        out.send.push(ClientFrame::Sync { doc: d, data: msg.encode() });
                    }
                }
            }
            ServerFrame::Sync { doc, data } => {
                let msg = sync::Message::decode(&data)
                    .map_err(|source| SyncError::BadMessage { doc: doc.clone(), source })?;
                let replica = self
                    .replicas
                    .entry(doc.clone())
                    .or_insert_with(|| Replica::new(Automerge::new()));
                let before = replica.doc.get_heads();
                replica
                    .doc
                    .receive_sync_message(&mut replica.state, msg)
                    .map_err(|e| SyncError::Apply { doc: doc.clone(), source: Box::new(e) })?;
                if replica.doc.get_heads() != before {
                    out.changed.push(doc.clone());
                    if !replica.ack_waiting.is_empty() {
                        let waiting = std::mem::take(&mut replica.ack_waiting);
                        if replica.release(waiting) {
                            out.acked.push(doc.clone());
                        }
                    }
                }
                if let Some(msg) = replica.doc.generate_sync_message(&mut replica.state) {
                    out.send.push(ClientFrame::Sync { doc, data: msg.encode() });
                }
            }
            ServerFrame::Ack { doc, heads } => {
                if let Some(replica) = self.replicas.get_mut(&doc)
                    && replica.release(heads.into_iter().map(ChangeHash).collect())
                {
                    out.acked.push(doc);
                }
            }
            ServerFrame::Error { doc, code, message } => out.errors.push((doc, code, message)),
            ServerFrame::Revoked { doc } => {
                if self.replicas.remove(&doc).is_some() {
                    out.dropped.push(doc);
                }
            }
            ServerFrame::Reset { doc, epoch } => {
                let replica = self
                    .replicas
                    .entry(doc.clone())
                    .or_insert_with(|| Replica::new(Automerge::new()));
                if replica.epoch == epoch {
                    // Already this epoch (the server asks again): just sync afresh.
                    replica.state = sync::State::new();
                } else {
                    *replica = Replica::new(Automerge::new());
                    replica.epoch = epoch;
                    out.reset.push(doc.clone());
                }
                out.send.push(ClientFrame::Reset { doc: doc.clone(), epoch });
                if let Some(msg) = replica.doc.generate_sync_message(&mut replica.state) {
                    out.send.push(ClientFrame::Sync { doc, data: msg.encode() });
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timetable::{Session, SessionKind, SessionStatus, Timetable};

    fn session(subject: &str) -> Session {
        Session {
            start_ms: 1_700_000_000_000,
            end_ms: 1_700_003_600_000,
            zone: "Europe/Paris".into(),
            subject: subject.into(),
            kind: SessionKind::Td,
            rooms: vec!["B12".into()],
            teachers: vec!["Mme Petit".into()],
            status: SessionStatus::Scheduled,
            probably: false,
            previous: None,
            note: None,
            source: "manual".into(),
        }
    }

    #[test]
    fn items_removed_on_two_devices_are_both_gone_after_the_merge() {
        use crate::me::MyLayer;
        let layer = |courses: &[&str]| MyLayer {
            hidden_courses: courses.iter().map(|c| c.to_string()).collect(),
            ..Default::default()
        };
        let mut base = Automerge::new();
        write(&mut base, &layer(&["Sport", "Anglais", "Sport", "Chimie"])).unwrap();
        let (mut one, mut two) = (base.fork(), base.fork());
        assert_eq!(remove_from_list(&mut one, "hidden_courses", "Sport").unwrap(), 2);
        assert_eq!(remove_from_list(&mut two, "hidden_courses", "Anglais").unwrap(), 1);
        assert_eq!(remove_from_list(&mut two, "hidden_courses", "Histoire").unwrap(), 0);
        assert_eq!(remove_from_list(&mut two, "no_such_list", "Anglais").unwrap(), 0);
        // The typed value written back afterwards changes nothing more.
        let mut typed: MyLayer = read(&one).unwrap().unwrap();
        assert_eq!(typed.hidden_courses, ["Anglais", "Chimie"]);
        typed.hidden_courses.retain(|c| c != "Sport");
        let heads = one.get_heads();
        write(&mut one, &typed).unwrap();
        assert_eq!(one.get_heads(), heads);
        one.merge(&mut two).unwrap();
        let merged: MyLayer = read(&one).unwrap().unwrap();
        assert_eq!(merged.hidden_courses, ["Chimie"]);
    }

    /// A minimal server peer: one document, one sync state per client. The real server does
    /// more (storage, rules); this only proves the session's side of the protocol.
    struct Peer {
        doc: Automerge,
        state: sync::State,
        id: DocId,
    }

    impl Peer {
        fn handle(&mut self, frames: Vec<ClientFrame>) -> Vec<ServerFrame> {
            let mut out = Vec::new();
            for frame in frames {
                let (doc, data) = match frame {
                    ClientFrame::Sync { doc, data } => (doc, data),
                    ClientFrame::Reset { .. } => {
                        self.state = sync::State::new();
                        continue;
                    }
                };
                assert_eq!(doc, self.id);
                let msg = sync::Message::decode(&data).unwrap();
                let had_changes = !msg.changes.is_empty();
                self.doc.receive_sync_message(&mut self.state, msg).unwrap();
                if had_changes {
                    let heads = self.doc.get_heads().into_iter().map(|h| h.0).collect();
                    out.push(ServerFrame::Ack { doc: doc.clone(), heads });
                }
                if let Some(m) = self.doc.generate_sync_message(&mut self.state) {
                    out.push(ServerFrame::Sync { doc, data: m.encode() });
                }
            }
            out
        }

        fn push(&mut self) -> Vec<ServerFrame> {
            self.doc
                .generate_sync_message(&mut self.state)
                .map(|m| ServerFrame::Sync { doc: self.id.clone(), data: m.encode() })
                .into_iter()
                .collect()
        }
    }

    /// Adds a session to the timetable held in `doc`, as one change.
    fn add_session(doc: &mut Automerge, key: &str, subject: &str) {
        let mut t: Timetable = read(doc).unwrap().unwrap();
        t.sessions.insert(key.into(), session(subject));
        write(doc, &t).unwrap();
    }

    /// Delivers frames both ways until both sides are quiet; returns the number of rounds.
    fn exchange(
        client: &mut ClientSession,
        peer: &mut Peer,
        mut inbound: Vec<ServerFrame>,
    ) -> usize {
        for round in 0..50 {
            let mut outbound = Vec::new();
            for f in inbound.drain(..) {
                outbound.extend(client.receive(f).unwrap().send);
            }
            if outbound.is_empty() {
                return round;
            }
            inbound = peer.handle(outbound);
        }
        panic!("sync did not settle in 50 rounds");
    }

    fn server_with_timetable() -> Peer {
        let id: DocId = "timetable:g1".parse().unwrap();
        let mut doc = Automerge::new();
        let mut t = Timetable::new("g1");
        t.sessions.insert("s1".into(), session("Algorithmique"));
        write(&mut doc, &t).unwrap();
        Peer { doc, state: sync::State::new(), id }
    }

    #[test]
    fn client_receives_document_after_welcome() {
        let mut peer = server_with_timetable();
        let mut client = ClientSession::new();
        client.connected();
        let welcome = ServerFrame::Welcome { docs: vec![peer.id.clone()] };
        exchange(&mut client, &mut peer, vec![welcome]);
        let t: Timetable = read(client.document(&peer.id).unwrap()).unwrap().unwrap();
        assert_eq!(t.sessions["s1"].subject, "Algorithmique");
    }

    #[test]
    fn server_change_reaches_client_and_local_edit_is_acknowledged() {
        let mut peer = server_with_timetable();
        let id = peer.id.clone();
        let mut client = ClientSession::new();
        client.connected();
        exchange(&mut client, &mut peer, vec![ServerFrame::Welcome { docs: vec![id.clone()] }]);

        let mut t: Timetable = read(&peer.doc).unwrap().unwrap();
        t.sessions.get_mut("s1").unwrap().status = SessionStatus::Cancelled;
        write(&mut peer.doc, &t).unwrap();
        let pushed = peer.push();
        exchange(&mut client, &mut peer, pushed);
        let seen: Timetable = read(client.document(&id).unwrap()).unwrap().unwrap();
        assert_eq!(seen.sessions["s1"].status, SessionStatus::Cancelled);

        let (_, out) = client.edit(&id, |doc| add_session(doc, "s2", "Réseaux")).unwrap();
        assert_eq!(client.pending(), 1);
        let replies = peer.handle(out.send);
        exchange(&mut client, &mut peer, replies);
        assert_eq!(client.pending(), 0, "the server's Ack releases the pending change");
        let server_view: Timetable = read(&peer.doc).unwrap().unwrap();
        assert!(server_view.sessions.contains_key("s2"));
    }

    #[test]
    fn an_acknowledgement_naming_another_devices_change_releases_once_that_change_arrives() {
        let mut peer = server_with_timetable();
        let id = peer.id.clone();
        let mut client = ClientSession::new();
        client.connected();
        exchange(&mut client, &mut peer, vec![ServerFrame::Welcome { docs: vec![id.clone()] }]);

        // Another device's change reaches the server but not this device yet.
        add_session(&mut peer.doc, "other-device", "Anglais");

        let (_, out) = client.edit(&id, |doc| add_session(doc, "mine", "Réseaux")).unwrap();
        assert_eq!(client.pending(), 1);
        // The server answers Ack (its heads include the other device's change) before the Sync
        // that brings that change.
        let replies = peer.handle(out.send);
        assert!(matches!(replies.first(), Some(ServerFrame::Ack { .. })));
        exchange(&mut client, &mut peer, replies);
        assert_eq!(client.pending(), 0, "the waiting acknowledgement is resolved");
        let seen: Timetable = read(client.document(&id).unwrap()).unwrap().unwrap();
        assert!(seen.sessions.contains_key("other-device") && seen.sessions.contains_key("mine"));
    }

    #[test]
    fn welcome_without_a_document_drops_it() {
        let mut peer = server_with_timetable();
        let mut client = ClientSession::new();
        client.connected();
        let welcome = ServerFrame::Welcome { docs: vec![peer.id.clone()] };
        exchange(&mut client, &mut peer, vec![welcome]);
        let out = client.receive(ServerFrame::Welcome { docs: vec![] }).unwrap();
        assert_eq!(out.dropped, vec![peer.id.clone()]);
        assert!(client.document(&peer.id).is_none());
    }

    #[test]
    fn two_offline_replicas_converge_with_both_edits() {
        let peer = server_with_timetable();
        let saved = peer.doc.save();
        let mut a = Automerge::load(&saved).unwrap();
        let mut b = Automerge::load(&saved).unwrap();
        add_session(&mut a, "from-a", "Maths");
        let mut tb: Timetable = read(&b).unwrap().unwrap();
        tb.sessions.get_mut("s1").unwrap().rooms = vec!["C3".into()];
        write(&mut b, &tb).unwrap();

        let (mut sa, mut sb) = (sync::State::new(), sync::State::new());
        for _ in 0..20 {
            let m1 = a.generate_sync_message(&mut sa);
            if let Some(m) = m1.clone() {
                b.receive_sync_message(&mut sb, m).unwrap();
            }
            let m2 = b.generate_sync_message(&mut sb);
            if let Some(m) = m2.clone() {
                a.receive_sync_message(&mut sa, m).unwrap();
            }
            if m1.is_none() && m2.is_none() {
                break;
            }
        }
        assert_eq!(a.get_heads(), b.get_heads());
        let merged: Timetable = read(&a).unwrap().unwrap();
        assert!(merged.sessions.contains_key("from-a"));
        assert_eq!(merged.sessions["s1"].rooms, vec!["C3".to_string()]);
        assert_eq!(merged, read::<Timetable>(&b).unwrap().unwrap());
    }

    #[test]
    fn a_reset_drops_the_copy_and_its_history_then_syncs_the_new_epoch_from_empty() {
        let mut peer = server_with_timetable();
        let id = peer.id.clone();
        let mut client = ClientSession::new();
        client.connected();
        exchange(&mut client, &mut peer, vec![ServerFrame::Welcome { docs: vec![id.clone()] }]);
        // A local edit the server never sees, and a server history the rebuild drops.
        let (_, out) = client.edit(&id, |doc| add_session(doc, "mine", "Réseaux")).unwrap();
        drop(out);
        assert_eq!(client.pending(), 1);
        let old: Vec<ChangeHash> =
            client.document(&id).unwrap().get_changes(&[]).iter().map(|c| c.hash()).collect();

        // The server rebuilds the document: same value, one new change, epoch 1.
        let value: Timetable = read(&peer.doc).unwrap().unwrap();
        let mut rebuilt = Automerge::new();
        write(&mut rebuilt, &value).unwrap();
        peer.doc = rebuilt;
        peer.state = sync::State::new();

        let out = client.receive(ServerFrame::Reset { doc: id.clone(), epoch: 1 }).unwrap();
        assert_eq!(out.reset, vec![id.clone()]);
        assert!(out.changed.is_empty(), "no empty content to show");
        assert_eq!(out.send[0], ClientFrame::Reset { doc: id.clone(), epoch: 1 });
        assert_eq!(client.epoch(&id), 1);
        assert_eq!(client.pending(), 0, "the dropped copy's changes are not pending any more");
        assert!(client.document(&id).unwrap().get_heads().is_empty());

        let replies = peer.handle(out.send);
        exchange(&mut client, &mut peer, replies);
        let doc = client.document(&id).unwrap();
        assert_eq!(doc.get_heads(), peer.doc.get_heads(), "the copy is the new epoch's");
        assert!(old.iter().all(|h| doc.get_change_by_hash(h).is_none()), "no old change left");
        let seen: Timetable = read(doc).unwrap().unwrap();
        assert_eq!(seen, value);

        // The same epoch again only restarts the sync: nothing is dropped.
        let out = client.receive(ServerFrame::Reset { doc: id.clone(), epoch: 1 }).unwrap();
        assert!(out.reset.is_empty());
        assert_eq!(out.send[0], ClientFrame::Reset { doc: id.clone(), epoch: 1 });
        assert_eq!(client.document(&id).unwrap().get_heads(), peer.doc.get_heads());
    }

    #[test]
    fn garbage_sync_payload_is_an_error() {
        let mut client = ClientSession::new();
        let err = client
            .receive(ServerFrame::Sync {
                doc: "timetable:g".parse().unwrap(),
                data: vec![0xde, 0xad],
            })
            .unwrap_err();
        assert!(matches!(err, SyncError::BadMessage { .. }));
    }
}
