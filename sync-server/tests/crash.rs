//! Crash test (issue 3, "Durability"): the real `cartable-server` binary under a load of writes
//! is killed with SIGKILL mid-way, restarted on the same data directory, and must still hold
//! every change it acknowledged, and a database that passes `PRAGMA integrity_check`.
//!
//! The writer is the demo teacher `paul.durand`, editing the note of one session of
//! `timetable:l2-info-a` through the shared sans-IO `ClientSession` (the app engine's code),
//! with a window of changes in flight while the server's `Ack`s are read. A change counts as
//! acknowledged once the session no longer lists it as unacknowledged. A fresh device then syncs
//! from the restarted server and every acknowledged change hash must be in its document.
//!
//! Every wait is bounded; the child process is killed by a `Drop` guard.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ObjType, ROOT, ReadDoc};
use cartable_shared::api::LoginRequest;
use cartable_shared::ids::DocId;
use cartable_shared::protocol::{ClientFrame, ServerFrame};
use cartable_shared::sync::ClientSession;
use cartable_shared::timetable::Timetable;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use support::ServerProcess;

thread_local! {
    /// Frames sent and received by this test's client, by direction and kind: printed when the
    /// server reports an error, to tell a storm of frames (the server's `RateLimited`) from
    /// what the load alone sends.
    static TRAFFIC: std::cell::RefCell<std::collections::BTreeMap<String, usize>> =
        std::cell::RefCell::default();
}

fn count(direction: &str, frame: &impl std::fmt::Debug) {
    let text = format!("{frame:?}");
    let kind: String = text.chars().take_while(char::is_ascii_alphanumeric).collect();
    TRAFFIC.with(|t| *t.borrow_mut().entry(format!("{direction} {kind}")).or_default() += 1);
}

/// What [`count`] counted so far on this thread.
fn traffic() -> String {
    TRAFFIC.with(|t| format!("{:?}", t.borrow()))
}

const TEACHER: &str = "paul.durand";
const TEACHER_PASSWORD: &str = "enseignant-demo";
const DOC: &str = "timetable:l2-info-a";
/// Bound on any single network wait.
const NET_TIMEOUT: Duration = Duration::from_secs(15);
/// Changes kept in flight (sent, not yet acknowledged) by the writer.
const WINDOW: usize = 16;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn bounded<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(NET_TIMEOUT, fut).await.unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// Signs in as the demo teacher and opens `/sync`.
async fn connect(server: &ServerProcess) -> Socket {
    let http = reqwest::Client::builder().timeout(NET_TIMEOUT).build().unwrap();
    let resp = http
        .post(server.url("/api/login"))
        .json(&LoginRequest { login: TEACHER.into(), password: TEACHER_PASSWORD.into() })
        .send()
        .await
        .expect("login request");
    assert_eq!(resp.status(), reqwest::StatusCode::OK, "login of {TEACHER}");
    let cookie = resp
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("cartable_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let mut req = format!("ws://{}/sync", server.addr).into_client_request().unwrap();
    req.headers_mut().insert("cookie", format!("cartable_session={cookie}").parse().unwrap());
    let (socket, _) = bounded("websocket upgrade", tokio_tungstenite::connect_async(req))
        .await
        .expect("websocket upgrade");
    socket
}

async fn send_all(socket: &mut Socket, frames: Vec<ClientFrame>) {
    for f in frames {
        count("sent", &f);
        bounded("send", socket.send(Message::Binary(f.encode().into()))).await.expect("send");
    }
}

/// Receives one server frame; `None` once the connection is closed.
async fn next_frame(socket: &mut Socket) -> Option<ServerFrame> {
    loop {
        match bounded("next frame", socket.next()).await {
            None | Some(Err(_)) => return None,
            Some(Ok(Message::Binary(b))) => {
                let frame = ServerFrame::decode(&b).expect("frame");
                count("received", &frame);
                return Some(frame);
            }
            Some(Ok(Message::Close(_))) => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// Handles frames until `done` holds for the session (bounded overall).
async fn until(
    socket: &mut Socket,
    session: &mut ClientSession,
    what: &str,
    mut done: impl FnMut(&ClientSession) -> bool,
) {
    let deadline = Instant::now() + NET_TIMEOUT;
    while !done(session) {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        let frame = next_frame(socket).await.unwrap_or_else(|| panic!("closed before {what}"));
        let out = session.receive(frame).expect("apply frame");
        assert!(out.errors.is_empty(), "server errors: {:?}; frames: {}", out.errors, traffic());
        send_all(socket, out.send).await;
    }
}

fn has_content(session: &ClientSession, doc: &DocId) -> bool {
    session.document(doc).is_some_and(|d| d.length(ROOT) > 0)
}

/// The id of a session the teacher gives (any session if none names him).
fn teachers_session(doc: &Automerge) -> String {
    let t: Timetable = cartable_shared::sync::read(doc).unwrap().expect("timetable content");
    t.sessions
        .iter()
        .find(|(_, s)| s.teachers.iter().any(|n| n == "Paul Durand"))
        .or_else(|| t.sessions.iter().next())
        .map(|(id, _)| id.clone())
        .expect("a session")
}

/// Sets the note of session `sid` to `note`: one small change.
fn set_note(doc: &mut Automerge, sid: &str, note: String) {
    let (_, sessions) = doc.get(ROOT, "sessions").unwrap().expect("sessions");
    let (_, session) = doc.get(&sessions, sid).unwrap().expect("session");
    debug_assert!(matches!(doc.object_type(&session), Ok(ObjType::Map)));
    let mut tx = doc.transaction();
    tx.put(&session, "note", note).unwrap();
    tx.commit();
}

struct LoadResult {
    /// Every change written, in order.
    written: Vec<ChangeHash>,
    /// The changes acknowledged by the server when it was killed.
    acked: Vec<ChangeHash>,
}

/// When to kill the server.
#[derive(Clone, Copy)]
enum KillAt {
    /// Once this many changes are acknowledged.
    Acks(usize),
    /// Right after the acknowledgement of the change that makes the document pass
    /// `COMPACT_AFTER` stored changes: the server starts compacting it at that moment.
    CompactionStart,
}

/// Writes up to `total` changes with [`WINDOW`] in flight; SIGKILLs the server as soon as the
/// `kill` point is reached (writes continue up to that moment).
async fn write_then_kill(server: &mut ServerProcess, kill: KillAt, total: usize) -> LoadResult {
    let doc: DocId = DOC.parse().unwrap();
    let mut socket = connect(server).await;
    let mut session = ClientSession::new();
    session.connected();
    until(&mut socket, &mut session, "the timetable arrives", |s| has_content(s, &doc)).await;
    let sid = teachers_session(session.document(&doc).unwrap());
    let kill_after = match kill {
        KillAt::Acks(n) => n,
        KillAt::CompactionStart => {
            // A fresh database has never been compacted: it stores each change of the document.
            let stored = session.document(&doc).unwrap().get_changes(&[]).len();
            let compact_after = cartable_sync_server::services::hub::COMPACT_AFTER as usize;
            (compact_after + 1).saturating_sub(stored).max(1)
        }
    };

    let mut written = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    // Set once the kill point is reached: the window is then filled once more, so that the
    // kill lands while writes are in flight (the server may acknowledge a whole window at once).
    let mut killing = false;
    loop {
        assert!(Instant::now() < deadline, "the write load did not finish in time");
        while written.len() < total && session.unacked(&doc).len() < WINDOW {
            let n = written.len();
            let before = session.document(&doc).unwrap().get_heads();
            let (_, out) = session
                .edit(&doc, |d| set_note(d, &sid, format!("crash test change {n}")))
                .expect("the document is held");
            let after = session.document(&doc).unwrap();
            let new: Vec<ChangeHash> =
                after.get_changes(&before).iter().map(|c| c.hash()).collect();
            assert_eq!(new.len(), 1, "one change per edit");
            written.extend(new);
            send_all(&mut socket, out.send).await;
        }
        if killing {
            // Snapshot first, then kill: everything in `acked` was acknowledged before the kill.
            let pending: std::collections::BTreeSet<ChangeHash> =
                session.unacked(&doc).into_iter().collect();
            let acked = written.iter().copied().filter(|h| !pending.contains(h)).collect();
            server.kill();
            return LoadResult { written, acked };
        }
        let frame = next_frame(&mut socket).await.expect("the server closed the connection");
        let out = session.receive(frame).expect("apply frame");
        assert!(
            out.errors.is_empty(),
            "server errors: {:?}; frames: {}; after {} written; server log:\n{}",
            out.errors,
            traffic(),
            written.len(),
            server.log_text()
        );
        send_all(&mut socket, out.send).await;
        let pending = session.unacked(&doc).len();
        let acked_count = written.len() - pending;
        killing = acked_count >= kill_after || (written.len() == total && pending == 0);
    }
}

/// Restarts the server, checks every acknowledged change is served to a fresh device, stops
/// it gracefully and checks the database file. Returns how many written changes survived.
async fn restart_and_check(data_dir: &Path, logs: &Path, load: &LoadResult, run: &str) -> usize {
    let mut server = ServerProcess::start(data_dir, logs.join(format!("{run}-restart.log")));
    let health = reqwest::get(server.url("/healthz")).await.expect("healthz");
    assert_eq!(health.status(), reqwest::StatusCode::OK, "healthz after restart");

    let doc: DocId = DOC.parse().unwrap();
    let mut socket = connect(&server).await;
    let mut device = ClientSession::new();
    device.connected();
    until(&mut socket, &mut device, "every acknowledged change is on a fresh device", |s| {
        s.document(&doc)
            .is_some_and(|d| load.acked.iter().all(|h| d.get_change_by_hash(h).is_some()))
    })
    .await;
    let held = device.document(&doc).unwrap();
    let survived = load.written.iter().filter(|h| held.get_change_by_hash(h).is_some()).count();
    // The timetable still reads as a timetable.
    let t: Timetable = cartable_shared::sync::read(held).unwrap().expect("timetable");
    assert_eq!(t.group, "l2-info-a");
    let _ = bounded("close", socket.close(None)).await;

    assert!(server.terminate(), "the restarted server did not exit cleanly on SIGTERM");
    let log = server.log_text();
    assert!(!log.contains("panicked"), "the restarted server panicked:\n{log}");
    assert!(!log.contains("ERROR"), "the restarted server logged errors:\n{log}");
    drop(server);

    let db = rusqlite::Connection::open(data_dir.join("cartable.sqlite3")).expect("open db");
    let check: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok", "PRAGMA integrity_check");
    survived
}

async fn crash_and_recover(run: &str, kill: KillAt, total: usize) {
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(data.path(), logs.path().join(format!("{run}.log")));
    let load = write_then_kill(&mut server, kill, total).await;
    let killed_log = server.log_text();
    drop(server);
    if let KillAt::Acks(kill_after) = kill {
        assert!(
            load.acked.len() >= kill_after,
            "only {} changes were acknowledged before the kill",
            load.acked.len()
        );
    }
    assert!(load.written.len() > load.acked.len(), "the kill should land while writes are pending");
    let survived = restart_and_check(data.path(), logs.path(), &load, run).await;
    let compactions = killed_log.matches("document compacted").count();
    eprintln!(
        "{run}: written {}, acknowledged before SIGKILL {}, present after restart {} \
         (compactions completed before the kill: {compactions})",
        load.written.len(),
        load.acked.len(),
        survived
    );
    assert!(survived >= load.acked.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_write_load_loses_no_acknowledged_change() {
    crash_and_recover("mid-load", KillAt::Acks(100), 400).await;
}

/// Past [`cartable_sync_server::services::hub::COMPACT_AFTER`] stored changes the document is
/// compacted in the background while writes go on: the kill lands as that compaction starts
/// (the log of the killed run tells whether it had completed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_as_a_compaction_starts_loses_no_acknowledged_change() {
    let compact_after = cartable_sync_server::services::hub::COMPACT_AFTER as usize;
    crash_and_recover("compaction", KillAt::CompactionStart, compact_after + 400).await;
}
