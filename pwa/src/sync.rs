//! The engine (feature `engine`), run by the engine worker module: owns the `/sync` WebSocket
//! and the Automerge documents, drives [`ClientSession`], and keeps IndexedDB's `docs`,
//! `pending`, `views` and `meta/sync` up to date for the UI.
//!
//! Flow: `Start` loads every stored document into the session and connects to
//! `ws(s)://<host>/sync`. Each binary frame from the server goes through
//! [`ClientSession::receive`]; the frames it returns are sent at once, and the documents it
//! reports changed are saved (bytes, pending hashes, view model) in one IndexedDB transaction,
//! after which `view_updated` is posted to the UI. The status is `syncing` while frames flow,
//! `online` after [`QUIET_MS`] without any ([`AWAIT_REPLY_MS`] when the engine sent the last
//! one): that is a completed sync; `offline` when the socket is closed. A closed socket is reopened with [`Backoff`], or at once on `Reconnect`; a socket
//! that fails to open makes the engine ask `/api/me`, and a `401` ends in `signed_out`.
//! A `Blocked` error frame (block period) posts `blocked` and stops the reconnections until the
//! UI, having seen the period lifted in `GET /api/me`, sends `Reconnect`.
//!
//! Everything runs on the worker's single thread: the state is one thread-local [`Engine`],
//! borrowed briefly by each callback and never across an `await`. Commands are handled one at a
//! time, in order, so that `Stop { clear }` followed by `Start` cannot interleave.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::str::FromStr;

use automerge::ChangeHash;
use automerge::{Automerge, ReadDoc};
use cartable_shared::announcements::Announcements;
use cartable_shared::edits;
use cartable_shared::engine::{Connection, EngineCommand, EngineEvent, SyncStatus};
use cartable_shared::gradebook::Gradebook;
use cartable_shared::grades::Grades;
use cartable_shared::homework::Homework;
use cartable_shared::ids::{DocId, DocKind};
use cartable_shared::library::Library;
use cartable_shared::me::MyLayer;
use cartable_shared::protocol::{ErrorCode, ServerFrame};
use cartable_shared::sync::{ClientSession, Outcome, read, remove_from_list, write};
use cartable_shared::thread::Thread;
use cartable_shared::timetable::Timetable;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, DedicatedWorkerGlobalScope, MessageEvent, WebSocket};

use crate::backoff::Backoff;
use crate::intents::{self, Target};
use crate::store::{DocWrite, Queues, Store};
use crate::web;

/// Time without any frame after which a sync counts as complete, milliseconds.
pub const QUIET_MS: i32 = 300;

/// Time without any frame after the engine itself sent one: the server's answer (if it has one)
/// is given longer to arrive before the sync counts as complete, milliseconds.
pub const AWAIT_REPLY_MS: i32 = 1_500;

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::default());
    /// Commands not yet handled, and whether a task is handling them.
    static QUEUE: RefCell<(VecDeque<EngineCommand>, bool)> = const { RefCell::new((VecDeque::new(), false)) };
}

fn with<R>(f: impl FnOnce(&mut Engine) -> R) -> R {
    ENGINE.with(|e| f(&mut e.borrow_mut()))
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// The open (or opening) socket and the callbacks that must live as long as it.
struct Socket {
    ws: WebSocket,
    opened: bool,
    _onopen: Closure<dyn FnMut()>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onclose: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    fn shut(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

#[derive(Default)]
struct Engine {
    store: Option<Store>,
    /// A user is signed in and the engine should keep syncing.
    running: bool,
    /// Bumped by every `Stop`: work started before it must not touch storage or the UI.
    generation: u32,
    session: ClientSession,
    socket: Option<Socket>,
    /// Bumped by every new socket: events of an older socket are ignored.
    socket_seq: u32,
    status: SyncStatus,
    backoff: Backoff,
    reconnect_timer: Option<i32>,
    quiet_timer: Option<i32>,
    /// The server reported an error since the last quiet period.
    error_in_burst: bool,
    /// The server keeps this user out (block period): no reconnection until `Reconnect`.
    blocked: bool,
    dirty: BTreeSet<DocId>,
    dropped: BTreeSet<DocId>,
    /// The user's edits waiting for their document (the `me` document before the first sync
    /// brought it): kept in IndexedDB (`meta/intents`) and applied, in order, once it is here.
    /// Never applied to an empty document: that would create a second root competing with
    /// the server's.
    intents: Vec<EngineCommand>,
    /// `intents` changed since it was last written to IndexedDB.
    intents_dirty: bool,
    /// The user's edits applied to their document whose changes the server has not
    /// acknowledged yet, kept in IndexedDB (`meta/unacked`): if the server resets the document
    /// (a new epoch), they are queued again in `intents` and applied to the new copy.
    unacked: Vec<intents::Unacked>,
    /// `unacked` changed since it was last written to IndexedDB.
    unacked_dirty: bool,
    /// Documents whose local changes the server refused: they are reloaded from the server
    /// (the refused changes discarded, as the protocol asks).
    /// Each with the server's message, for the UI.
    refused: BTreeMap<DocId, String>,
    flushing: bool,
    /// Keeps the timer callbacks alive until they fire.
    timers: Vec<Closure<dyn FnMut()>>,
}

/// Installs the worker's message handler. Called by the engine module's `main`.
pub fn run() {
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        let Some(json) = e.data().as_string() else { return };
        match serde_json::from_str::<EngineCommand>(&json) {
            Ok(cmd) => enqueue(cmd),
            Err(err) => web::warn(&format!("engine: unreadable command: {err}")),
        }
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The worker lives as long as the page.
    onmessage.forget();
    post(&EngineEvent::Ready);
}

fn enqueue(cmd: EngineCommand) {
    let start = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.0.push_back(cmd);
        !std::mem::replace(&mut q.1, true)
    });
    if start {
        wasm_bindgen_futures::spawn_local(async {
            while let Some(cmd) = QUEUE.with(|q| {
                let mut q = q.borrow_mut();
                let next = q.0.pop_front();
                q.1 = next.is_some();
                next
            }) {
                handle(cmd).await;
            }
        });
    }
}

fn post(event: &EngineEvent) {
    if let Ok(json) = serde_json::to_string(event) {
        let _ = scope().post_message(&JsValue::from_str(&json));
    }
}

async fn handle(cmd: EngineCommand) {
    match cmd {
        EngineCommand::Start => start().await,
        EngineCommand::Reconnect => {
            if with(|e| e.running && e.socket.is_none()) {
                with(|e| {
                    cancel_timer(&mut e.reconnect_timer);
                    e.backoff.reset();
                    e.blocked = false;
                });
                connect();
            }
        }
        EngineCommand::NetworkLost => network_lost(),
        EngineCommand::Stop { clear } => stop(clear).await,
        intent => edit(intent),
    }
}

/// The browser reported the network gone: drop the socket and show offline; the backoff (or
/// `Reconnect` when the network returns) opens a new one.
fn network_lost() {
    let closed = with(|e| {
        let Some(socket) = e.socket.take() else { return false };
        socket.shut();
        e.session.disconnected();
        cancel_timer(&mut e.quiet_timer);
        set_connection(e, Connection::Offline);
        true
    });
    if closed {
        publish_status();
        schedule_reconnect();
    }
}

/// A user's edit: applied at once to its document if the device holds it (saved, and sent when
/// connected), otherwise queued durably until the document arrives.
fn edit(cmd: EngineCommand) {
    let changed = with(|e| {
        if !e.running {
            web::warn("engine: an edit arrived while no one is signed in; ignored");
            return false;
        }
        let waiting = e.intents.iter().any(|q| intents::target(q) == intents::target(&cmd));
        if !waiting && try_apply(e, &cmd) {
            // Applied: the document is dirty and will be saved with its pending changes.
        } else {
            e.intents.push(cmd);
            e.intents_dirty = true;
        }
        update_pending(e)
    });
    if changed {
        publish_status();
    }
    let seq = with(|e| e.socket.as_ref().filter(|s| s.opened).map(|_| e.socket_seq));
    if let Some(seq) = seq {
        arm_quiet_timer(seq, AWAIT_REPLY_MS);
    }
    schedule_flush();
}

/// The document an intent edits, if the device holds it with content.
fn intent_doc(e: &Engine, cmd: &EngineCommand) -> Option<DocId> {
    let doc = match intents::target(cmd) {
        Target::Me => e.session.documents().find(|d| d.kind() == DocKind::Me).cloned()?,
        Target::Thread(t) => DocId::new(DocKind::Thread, t).ok()?,
        Target::Doc(d) => d.parse().ok()?,
        Target::None => return None,
    };
    let has_content = e.session.document(&doc).is_some_and(|d| d.length(automerge::ROOT) > 0);
    has_content.then_some(doc)
}

/// Applies an intent to its document; `false` if the document is not here yet. An intent
/// that cannot be applied to the document it finds (a schema it does not know) is dropped
/// with a warning.
fn try_apply(e: &mut Engine, cmd: &EngineCommand) -> bool {
    let Some(doc) = intent_doc(e, cmd) else { return false };
    let before: BTreeSet<ChangeHash> = e.session.unacked(&doc).into_iter().collect();
    let result = e.session.edit(&doc, |am: &mut Automerge| -> Result<(), String> {
        match intents::target(cmd) {
            Target::Me => {
                if let EngineCommand::SetCourseHidden { subject, hidden: false } = cmd {
                    // Delete the items themselves (see `remove_from_list`) before the layer is
                    // written back.
                    remove_from_list(am, "hidden_courses", subject).map_err(|e| e.to_string())?;
                }
                let mut layer: MyLayer =
                    read(am).map_err(|e| e.to_string())?.ok_or("empty document")?;
                intents::apply_to_layer(&mut layer, cmd);
                write(am, &layer).map_err(|e| e.to_string())
            }
            Target::Thread(_) => {
                let mut thread: Thread =
                    read(am).map_err(|e| e.to_string())?.ok_or("empty document")?;
                intents::apply_to_thread(&mut thread, cmd);
                write(am, &thread).map_err(|e| e.to_string())
            }
            Target::Doc(_) => match cmd {
                EngineCommand::Edit { edit, .. } => {
                    edits::apply_to_doc(am, &doc, edit).map_err(|e| e.to_string())
                }
                _ => Ok(()),
            },
            Target::None => Ok(()),
        }
    });
    match result {
        Some((Ok(()), out)) => {
            let hashes: Vec<String> = e
                .session
                .unacked(&doc)
                .into_iter()
                .filter(|h| !before.contains(h))
                .map(|h| h.to_string())
                .collect();
            if !hashes.is_empty() {
                let command = cmd.clone();
                e.unacked.push(intents::Unacked { doc: doc.to_string(), hashes, command });
                e.unacked_dirty = true;
            }
            apply(e, out);
        }
        Some((Err(err), _)) => {
            web::warn(&format!("engine: cannot apply an edit to {doc}: {err}"));
            post(&EngineEvent::EditRefused { doc, message: err });
        }
        None => return false,
    }
    true
}

/// Applies the queued intents whose document is now here. Edits of one document keep their
/// order (one that must still wait holds back the later ones of the same document); an edit
/// waiting for a document that never comes does not hold back those of other documents.
fn drain_intents(e: &mut Engine) {
    if e.intents.is_empty() {
        return;
    }
    let queued = std::mem::take(&mut e.intents);
    let before = queued.len();
    let mut rest: Vec<EngineCommand> = Vec::new();
    for cmd in queued {
        let blocked = rest.iter().any(|q| intents::target(q) == intents::target(&cmd));
        if blocked || !try_apply(e, &cmd) {
            rest.push(cmd);
        }
    }
    if rest.len() != before {
        e.intents_dirty = true;
    }
    e.intents = rest;
}

/// Recomputes the pending count (unacknowledged changes plus queued edits); whether it changed.
/// Applied edits whose changes are all acknowledged are forgotten.
fn update_pending(e: &mut Engine) -> bool {
    let session = &e.session;
    let still = |doc: &str, hash: &str| {
        doc.parse::<DocId>()
            .is_ok_and(|d| session.unacked(&d).iter().any(|h| h.to_string() == hash))
    };
    if intents::release(&mut e.unacked, still) {
        e.unacked_dirty = true;
    }
    let pending = (e.session.pending() + e.intents.len()) as u32;
    std::mem::replace(&mut e.status.pending, pending) != pending
}

async fn store() -> Option<Store> {
    if let Some(s) = with(|e| e.store.clone()) {
        return Some(s);
    }
    match Store::open().await {
        Ok(s) => {
            with(|e| e.store = Some(s.clone()));
            Some(s)
        }
        Err(err) => {
            web::error(&format!("engine: cannot open IndexedDB: {err}"));
            None
        }
    }
}

async fn start() {
    if with(|e| e.running) {
        // Already syncing (a second tab's UI, or a repeated start): just make sure of the socket.
        if with(|e| e.socket.is_none() && e.reconnect_timer.is_none()) {
            connect();
        }
        post(&EngineEvent::Status(with(|e| e.status)));
        return;
    }
    let mut session = ClientSession::new();
    let mut last_sync_ms = None;
    let mut queued = Vec::new();
    let mut applied = Vec::new();
    if let Some(store) = store().await {
        match store.docs().await {
            Ok(docs) => {
                for d in docs {
                    let hashes = d.pending.iter().filter_map(|h| ChangeHash::from_str(h).ok());
                    if let Err(err) = session.restore(d.doc.clone(), &d.bytes, hashes) {
                        web::warn(&format!("engine: stored {} is unreadable: {err}", d.doc));
                    }
                    session.set_epoch(&d.doc, d.epoch);
                }
            }
            Err(err) => web::warn(&format!("engine: cannot read stored documents: {err}")),
        }
        last_sync_ms = store.sync_status().await.ok().flatten().and_then(|s| s.last_sync_ms);
        match store.intents().await {
            Ok(list) => queued = list,
            Err(err) => web::warn(&format!("engine: cannot read queued edits: {err}")),
        }
        match store.unacked_json().await {
            Ok(Some(json)) => match serde_json::from_str(&json) {
                Ok(list) => applied = list,
                Err(err) => web::warn(&format!("engine: unreadable unacknowledged edits: {err}")),
            },
            Ok(None) => {}
            Err(err) => web::warn(&format!("engine: cannot read unacknowledged edits: {err}")),
        }
    }
    with(|e| {
        e.status = SyncStatus {
            connection: Connection::Offline,
            last_sync_ms,
            pending: session.pending() as u32,
        };
        e.session = session;
        e.intents = queued;
        e.unacked = applied;
        e.running = true;
        e.backoff.reset();
        drain_intents(e);
        update_pending(e);
    });
    schedule_flush();
    post(&EngineEvent::Status(with(|e| e.status)));
    connect();
}

async fn stop(clear: bool) {
    let store = with(|e| {
        e.running = false;
        e.generation = e.generation.wrapping_add(1);
        if let Some(s) = e.socket.take() {
            s.shut();
        }
        cancel_timer(&mut e.reconnect_timer);
        cancel_timer(&mut e.quiet_timer);
        e.session = ClientSession::new();
        e.dirty.clear();
        e.dropped.clear();
        e.intents.clear();
        e.intents_dirty = false;
        e.unacked.clear();
        e.unacked_dirty = false;
        e.status = SyncStatus::default();
        e.store.clone()
    });
    if let Some(store) = store {
        let result = if clear {
            store.clear_sync_data().await
        } else {
            store.set_sync_status(&SyncStatus::default()).await
        };
        if let Err(err) = result {
            web::warn(&format!("engine: cannot clear local data: {err}"));
        }
    }
    post(&EngineEvent::Status(SyncStatus::default()));
}

fn sync_url() -> Option<String> {
    let location = scope().location();
    let scheme = if location.protocol() == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}/sync", location.host()))
}

fn connect() {
    let Some(url) = sync_url() else { return };
    let ws = match WebSocket::new(&url) {
        Ok(ws) => ws,
        Err(err) => {
            web_sys::console::warn_2(&JsValue::from_str("engine: cannot open the socket"), &err);
            schedule_reconnect();
            return;
        }
    };
    ws.set_binary_type(BinaryType::Arraybuffer);
    let seq = with(|e| {
        e.socket_seq = e.socket_seq.wrapping_add(1);
        e.socket_seq
    });
    let onopen = Closure::<dyn FnMut()>::new(move || on_open(seq));
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
        match m.data().dyn_into::<ArrayBuffer>() {
            Ok(buf) => on_frame(seq, &Uint8Array::new(&buf).to_vec()),
            Err(_) => web::warn("engine: ignored a text frame"),
        }
    });
    let onclose = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| on_close(seq));
    ws.set_onopen(Some(onopen.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
    with(|e| {
        if let Some(old) = e.socket.take() {
            old.shut();
        }
        e.socket = Some(Socket {
            ws,
            opened: false,
            _onopen: onopen,
            _onmessage: onmessage,
            _onclose: onclose,
        });
    });
}

fn current(e: &Engine, seq: u32) -> bool {
    e.running && e.socket_seq == seq && e.socket.is_some()
}

fn on_open(seq: u32) {
    let changed = with(|e| {
        if !current(e, seq) {
            return None;
        }
        if let Some(s) = e.socket.as_mut() {
            s.opened = true;
        }
        e.session.connected();
        e.error_in_burst = false;
        Some(set_connection(e, Connection::Syncing))
    });
    if let Some(changed) = changed {
        if changed {
            publish_status();
        }
        arm_quiet_timer(seq, AWAIT_REPLY_MS);
    }
}

fn on_frame(seq: u32, bytes: &[u8]) {
    if !with(|e| current(e, seq)) {
        return;
    }
    let frame = match ServerFrame::decode(bytes) {
        Ok(f) => f,
        Err(err) => {
            web::warn(&format!("engine: undecodable frame: {err}"));
            return;
        }
    };
    let (status_changed, sent) = with(|e| {
        e.backoff.reset();
        let sent = match e.session.receive(frame) {
            Ok(out) => apply(e, out),
            Err(err) => {
                web::warn(&format!("engine: {err}"));
                e.error_in_burst = true;
                false
            }
        };
        drain_intents(e);
        let pending_changed = update_pending(e);
        (set_connection(e, Connection::Syncing) | pending_changed, sent)
    });
    if status_changed {
        publish_status();
    }
    arm_quiet_timer(seq, if sent { AWAIT_REPLY_MS } else { QUIET_MS });
    schedule_flush();
    if with(|e| !e.refused.is_empty()) {
        discard_refused();
    }
}

/// The server refused local changes of some documents: drop those documents' local state
/// (the refused changes with it) and sync again from scratch, so that the device holds
/// exactly what the server stored and nothing stays pending for ever.
fn discard_refused() {
    with(|e| {
        let empty = Automerge::new().save();
        for (doc, message) in std::mem::take(&mut e.refused) {
            web::warn(&format!("engine: the server refused local changes to {doc}; reloading it"));
            post(&EngineEvent::EditRefused { doc: doc.clone(), message });
            // The refused edits are not applied again.
            let name = doc.to_string();
            e.unacked.retain(|u| u.doc != name);
            e.unacked_dirty = true;
            let epoch = e.session.epoch(&doc);
            if let Err(err) = e.session.restore(doc.clone(), &empty, []) {
                web::warn(&format!("engine: cannot reset {doc}: {err}"));
            }
            e.session.set_epoch(&doc, epoch);
            e.dirty.insert(doc);
        }
        if let Some(s) = e.socket.take() {
            s.shut();
        }
        e.session.disconnected();
        update_pending(e);
    });
    publish_status();
    schedule_flush();
    // A new connection: the server's Welcome restarts the sync of every document.
    connect();
}

/// Sends the outcome's frames and records its changes; whether anything was sent.
fn apply(e: &mut Engine, out: Outcome) -> bool {
    let sent = !out.send.is_empty();
    if let Some(socket) = &e.socket {
        for frame in out.send {
            if let Err(err) = socket.ws.send_with_u8_array(&frame.encode()) {
                web_sys::console::warn_2(&JsValue::from_str("engine: send failed"), &err);
            }
        }
    }
    for d in out.changed.into_iter().chain(out.acked) {
        e.dropped.remove(&d);
        e.dirty.insert(d);
    }
    for d in out.dropped {
        let name = d.to_string();
        if e.unacked.iter().any(|u| u.doc == name) {
            e.unacked.retain(|u| u.doc != name);
            e.unacked_dirty = true;
        }
        e.dirty.remove(&d);
        e.dropped.insert(d);
    }
    for d in out.reset {
        // The copy and its history are gone: the edits not yet acknowledged go back to the
        // queue, to be applied to the new copy once it arrives. The emptied copy is saved now
        // (the old history leaves the device), its view stays until the new content arrives.
        if intents::requeue(&mut e.unacked, &d.to_string(), &mut e.intents) > 0 {
            e.unacked_dirty = true;
            e.intents_dirty = true;
        }
        e.dropped.remove(&d);
        e.dirty.insert(d);
    }
    for (doc, code, message) in out.errors {
        if code == ErrorCode::Forbidden
            && let Some(d) = &doc
            && !e.session.unacked(d).is_empty()
        {
            e.refused.insert(d.clone(), message.clone());
        }
        if code == ErrorCode::Blocked {
            // Not a network failure: the server closes the connection and the UI shows the
            // notice; reconnecting before the period is lifted would only be refused again.
            e.blocked = true;
            cancel_timer(&mut e.reconnect_timer);
            post(&EngineEvent::Blocked);
            continue;
        }
        let doc = doc.map(|d| d.to_string()).unwrap_or_default();
        web::warn(&format!("sync error from the server ({code:?}) {doc}: {message}"));
        e.error_in_burst = true;
    }
    sent
}

fn on_close(seq: u32) {
    let was = with(|e| {
        if !current(e, seq) {
            return None;
        }
        let opened = e.socket.take().is_some_and(|s| s.opened);
        e.session.disconnected();
        cancel_timer(&mut e.quiet_timer);
        set_connection(e, Connection::Offline);
        Some((opened, e.generation))
    });
    let Some((opened, generation)) = was else { return };
    publish_status();
    if opened {
        schedule_reconnect();
    } else {
        // Refused before the upgrade: an expired session, or no network at all.
        wasm_bindgen_futures::spawn_local(check_session(generation));
    }
}

async fn check_session(generation: u32) {
    let answer = web::api("GET", "/api/me", None).await;
    if with(|e| e.generation != generation || !e.running) {
        return;
    }
    match answer {
        Ok(a) if a.status == 401 => {
            with(|e| {
                e.running = false;
                cancel_timer(&mut e.reconnect_timer);
            });
            post(&EngineEvent::SignedOut);
        }
        _ => schedule_reconnect(),
    }
}

fn schedule_reconnect() {
    let delay = with(|e| {
        if !e.running || e.blocked || e.reconnect_timer.is_some() || e.socket.is_some() {
            return None;
        }
        Some(e.backoff.next_delay_ms(js_sys::Math::random()))
    });
    let Some(delay) = delay else { return };
    let id = set_timeout(delay as i32, || {
        let go = with(|e| {
            e.reconnect_timer = None;
            e.running && e.socket.is_none()
        });
        if go {
            connect();
        }
    });
    with(|e| e.reconnect_timer = id);
}

fn arm_quiet_timer(seq: u32, ms: i32) {
    with(|e| cancel_timer(&mut e.quiet_timer));
    let id = set_timeout(ms, move || {
        let changed = with(|e| {
            e.quiet_timer = None;
            if !current(e, seq) || !e.socket.as_ref().is_some_and(|s| s.opened) {
                return false;
            }
            if !std::mem::take(&mut e.error_in_burst) {
                e.status.last_sync_ms = Some(web::now_ms());
            }
            set_connection(e, Connection::Online);
            true
        });
        if changed {
            publish_status();
        }
    });
    with(|e| e.quiet_timer = id);
}

/// Sets the connection; whether the status changed.
fn set_connection(e: &mut Engine, c: Connection) -> bool {
    std::mem::replace(&mut e.status.connection, c) != c
}

/// Posts the status to the UI and stores it in `meta/sync`.
fn publish_status() {
    let (status, store) = with(|e| (e.status, e.store.clone()));
    post(&EngineEvent::Status(status));
    if let Some(store) = store {
        wasm_bindgen_futures::spawn_local(async move {
            // Runs after any earlier write of the status: the last one stored is the latest.
            let status = with(|e| e.status);
            let _ = store.set_sync_status(&status).await;
        });
    }
}

fn set_timeout(ms: i32, f: impl FnOnce() + 'static) -> Option<i32> {
    let mut f = Some(f);
    let closure = Closure::<dyn FnMut()>::new(move || {
        if let Some(f) = f.take() {
            f();
        }
    });
    let id = scope()
        .set_timeout_with_callback_and_timeout_and_arguments_0(closure.as_ref().unchecked_ref(), ms)
        .ok();
    with(|e| {
        // Fired timers' closures are dropped here, a few at a time.
        if e.timers.len() > 32 {
            e.timers.drain(..16);
        }
        e.timers.push(closure);
    });
    id
}

fn cancel_timer(timer: &mut Option<i32>) {
    if let Some(id) = timer.take() {
        scope().clear_timeout_with_handle(id);
    }
}

fn schedule_flush() {
    let start = with(|e| {
        let idle = !e.flushing
            && (!e.dirty.is_empty() || !e.dropped.is_empty() || e.intents_dirty || e.unacked_dirty);
        if idle {
            e.flushing = true;
        }
        idle
    });
    if start {
        wasm_bindgen_futures::spawn_local(flush());
    }
}

/// Saves changed documents and deletes dropped ones, then tells the UI; loops while more
/// changes arrived during the write. Writes of a burst of frames are coalesced.
async fn flush() {
    loop {
        let batch = with(|e| {
            if e.dirty.is_empty() && e.dropped.is_empty() && !e.intents_dirty && !e.unacked_dirty {
                e.flushing = false;
                return None;
            }
            let dirty = std::mem::take(&mut e.dirty);
            let dropped: Vec<DocId> = std::mem::take(&mut e.dropped).into_iter().collect();
            let writes: Vec<DocWrite> = dirty.into_iter().filter_map(|d| snapshot(e, d)).collect();
            let intents = std::mem::take(&mut e.intents_dirty)
                .then(|| serde_json::to_string(&e.intents).unwrap_or_else(|_| "[]".into()));
            let unacked = std::mem::take(&mut e.unacked_dirty)
                .then(|| serde_json::to_string(&e.unacked).unwrap_or_else(|_| "[]".into()));
            Some((writes, dropped, intents, unacked, e.generation, e.store.clone()))
        });
        let Some((writes, dropped, intents, unacked, generation, store)) = batch else { return };
        let Some(store) = store else { continue };
        let queues = Queues { intents: intents.as_deref(), unacked: unacked.as_deref() };
        if let Err(err) = store.write_docs(&writes, &dropped, queues).await {
            web::error(&format!("engine: cannot save documents: {err}"));
            continue;
        }
        if with(|e| e.generation != generation) {
            with(|e| e.flushing = false);
            return;
        }
        for w in writes.into_iter().filter(|w| w.view.is_some()) {
            post(&EngineEvent::ViewUpdated { doc: w.doc });
        }
        for doc in dropped {
            post(&EngineEvent::ViewDropped { doc });
        }
    }
}

fn snapshot(e: &Engine, doc: DocId) -> Option<DocWrite> {
    let bytes = e.session.save(&doc)?;
    let pending = e.session.unacked(&doc).iter().map(ToString::to_string).collect();
    let am = e.session.document(&doc)?;
    let view = match doc.kind() {
        DocKind::Timetable => view_json::<Timetable>(&doc, am),
        DocKind::Homework => view_json::<Homework>(&doc, am),
        DocKind::Grades => view_json::<Grades>(&doc, am),
        DocKind::Library => view_json::<Library>(&doc, am),
        DocKind::Announcements => view_json::<Announcements>(&doc, am),
        DocKind::Thread => view_json::<Thread>(&doc, am),
        DocKind::Me => view_json::<MyLayer>(&doc, am),
        DocKind::Gradebook => view_json::<Gradebook>(&doc, am),
    };
    let epoch = e.session.epoch(&doc);
    Some(DocWrite { doc, bytes, pending, view, epoch })
}

/// The view model of a document as JSON: its typed content; `None` while it is empty or when
/// it does not match its schema.
fn view_json<T: autosurgeon::Hydrate + serde::Serialize>(
    doc: &DocId,
    am: &Automerge,
) -> Option<String> {
    match read::<T>(am) {
        Ok(Some(v)) => serde_json::to_string(&v).ok(),
        Ok(None) => None,
        Err(err) => {
            web::warn(&format!("engine: {doc} does not match its schema: {err}"));
            None
        }
    }
}
