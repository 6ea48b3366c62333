//! `bench_sync`: the sync benchmark of issue 3, run by `cargo xtask bench sync`. Prints figures
//! beside the targets of DESIGN §10; it is a measurement, not a pass/fail test.
//!
//! ```text
//! bench_sync --server target/server/cartable-server [--devices 1000] [--writers 100]
//!            [--connecting 100] [--rounds 20] [--write-secs 10]
//! ```
//!
//! 1. A data directory is prepared with the server's own library: the demo institution (a
//!    semester of timetable for `l2-info-a`), then `--devices` student accounts in that group
//!    and `--writers` student accounts each owning a `me:<user>` document, written directly with
//!    the store's dao. Sessions are inserted directly too (random tokens, stored as their
//!    SHA-256 like a login does), so the figures measure sync and not Argon2.
//! 2. The real server binary runs as a child process on loopback.
//! 3. (a) initial sync: the devices connect, at most `--connecting` at a time (a device holds
//!    its slot from the TCP connect until it holds the full timetable); time until all hold it,
//!    and bytes received per device. (c) the server's RSS with one device connected and with
//!    all of them, idle. (b) fan-out: the demo teacher changes a session over the HTTP API,
//!    `--rounds` times, 300 ms apart; latency from sending the request to each device applying
//!    the change, and the spread after the first device of the round got it.
//!    (d) `--writers` devices each write their own `me` document as fast as acknowledgements
//!    allow (32 changes in flight each) for `--write-secs`; acknowledged changes per second.
//!
//! Devices are cheap so that 10,000 fit in one process: a device keeps no Automerge document
//! of its own. All devices start from the same empty document, so the client side of the sync
//! protocol is a deterministic function of (the device's current state, the bytes received).
//! That function is computed for real — `receive_sync_message` then `generate_sync_message` on
//! a real Automerge document and sync state, exactly what `ClientSession` does — the first time
//! a device meets a given (state, message) pair, and remembered in a shared table. Every other
//! device that receives a message compares it **byte for byte** with the one that was applied
//! before taking the remembered transition and sending the remembered reply; a message that
//! differs in any byte is applied for real. So every device really receives, checks and answers
//! its own sync messages, and a device counts as synced only when the heads of the document its
//! messages build equal the server's heads. The writers, which need documents of their own,
//! drive the full `ClientSession`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ROOT, ReadDoc};
use cartable_shared::api::SessionChange;
use cartable_shared::ids::{DocId, GroupId, UserId};
use cartable_shared::me::{ME_SCHEMA, MyLayer};
use cartable_shared::protocol::{ClientFrame, ServerFrame};
use cartable_shared::roles::Role;
use cartable_shared::sync::ClientSession;
use cartable_shared::timetable::{SessionStatus, Timetable};
use cartable_sync_server::services::auth::SessionToken;
use cartable_sync_server::services::hub::build_document;
use cartable_sync_server::store::NewUser;
use cartable_sync_server::{DATABASE_FILE, demo};
use cartable_tests::bench::{Server, percentile};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

const TIMETABLE: &str = "timetable:l2-info-a";
const TEACHER: &str = "paul.durand";
/// Changes in flight per writer.
const WRITE_WINDOW: usize = 32;

#[derive(Debug)]
struct Args {
    server: PathBuf,
    devices: usize,
    writers: usize,
    connecting: usize,
    rounds: usize,
    write_secs: u64,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        server: PathBuf::new(),
        devices: 1000,
        writers: 100,
        connecting: 100,
        rounds: 20,
        write_secs: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--server" => args.server = value()?.into(),
            "--devices" => args.devices = value()?.parse()?,
            "--writers" => args.writers = value()?.parse()?,
            "--connecting" => args.connecting = value()?.parse()?,
            "--rounds" => args.rounds = value()?.parse()?,
            "--write-secs" => args.write_secs = value()?.parse()?,
            other => bail!(
                "unknown argument {other}; usage: bench_sync --server PATH [--devices N] \
                 [--writers N] [--connecting N] [--rounds N] [--write-secs S]"
            ),
        }
    }
    if args.server.as_os_str().is_empty() {
        bail!("--server PATH (the cartable-server binary) is required");
    }
    if args.devices == 0 {
        bail!("--devices must be at least 1");
    }
    Ok(args)
}

// ---------------------------------------------------------------------------------------------
// Preparation

/// What the bench needs to know about the prepared data directory.
struct Prepared {
    devices: Vec<String>,
    writers: Vec<(UserId, String)>,
    teacher: String,
    timetable_heads: Vec<ChangeHash>,
    /// A session of the timetable the teacher changes in the fan-out rounds.
    session: String,
}

fn new_session(dao: &cartable_sync_server::store::Dao<'_>, user: &UserId, now: i64) -> String {
    let token = SessionToken::generate();
    dao.insert_session(
        &token.hash(),
        user,
        now,
        now + 86_400_000,
        Some("bench"),
        Some("127.0.0.1"),
    )
    .expect("insert session");
    token.as_str().to_owned()
}

async fn prepare(dir: &Path, devices: usize, writers: usize) -> anyhow::Result<Prepared> {
    let state = cartable_tests::bench::open_demo(dir).await?;
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    let group: GroupId = demo::GROUP.parse().map_err(|e| anyhow!("{e:?}"))?;
    let store = state.store().clone();
    let (device_tokens, writer_ids, teacher) = tokio::task::spawn_blocking(move || {
        store.write_blocking(|dao| {
            let mut device_tokens = Vec::with_capacity(devices);
            for i in 0..devices {
                let id: UserId = format!("bench.d{i:05}").parse().expect("user id");
                dao.insert_user(&NewUser {
                    id: &id,
                    display_name: "Bench device",
                    role: Role::Student,
                    password_hash: "!",
                    demo: false,
                    created_ms: now,
                })?;
                dao.add_membership(&id, &group)?;
                device_tokens.push(new_session(dao, &id, now));
            }
            let mut writer_ids = Vec::with_capacity(writers);
            for i in 0..writers {
                let id: UserId = format!("bench.w{i:03}").parse().expect("user id");
                dao.insert_user(&NewUser {
                    id: &id,
                    display_name: "Bench writer",
                    role: Role::Student,
                    password_hash: "!",
                    demo: false,
                    created_ms: now,
                })?;
                let token = new_session(dao, &id, now);
                writer_ids.push((id, token));
            }
            let teacher = new_session(dao, &TEACHER.parse().expect("id"), now);
            Ok::<_, cartable_sync_server::store::StoreError>((device_tokens, writer_ids, teacher))
        })
    })
    .await??;
    // Each writer's `me` document (a no-op if the server already created it).
    for (id, _) in &writer_ids {
        let doc_id: DocId = format!("me:{id}").parse().map_err(|e| anyhow!("{e:?}"))?;
        let mut doc = Automerge::new();
        let layer = MyLayer { schema: ME_SCHEMA, user: id.to_string(), ..MyLayer::default() };
        cartable_shared::sync::write(&mut doc, &layer)?;
        state.hub().create(&doc_id, &doc, now).await.map_err(|e| anyhow!("create: {e}"))?;
    }
    let tid: DocId = TIMETABLE.parse().map_err(|e| anyhow!("{e:?}"))?;
    let stored = state
        .store()
        .read_blocking(|dao| dao.load_document(&tid))?
        .context("the demo timetable is missing")?;
    let doc = build_document(&tid, &stored).map_err(|e| anyhow!("{e}"))?;
    let t: Timetable = cartable_shared::sync::read(&doc)?.context("empty timetable")?;
    let session = t
        .sessions
        .iter()
        .find(|(_, s)| {
            s.status == SessionStatus::Scheduled && s.teachers.iter().any(|n| n == "Paul Durand")
        })
        .or_else(|| t.sessions.iter().next())
        .map(|(id, _)| id.clone())
        .context("no session")?;
    let timetable_heads = doc.get_heads();
    println!(
        "timetable {TIMETABLE}: {} sessions, {} changes, {} bytes saved",
        t.sessions.len(),
        doc.get_changes(&[]).len(),
        doc.save().len()
    );
    drop(state);
    Ok(Prepared { devices: device_tokens, writers: writer_ids, teacher, timetable_heads, session })
}

// ---------------------------------------------------------------------------------------------
// The server process

/// User + system CPU time of a process so far (`/proc/<pid>/stat`, clock ticks of 1/100 s).
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds used by the server and by this process since the last call.
struct CpuMeter {
    server: String,
    last: (f64, f64),
}

impl CpuMeter {
    fn new(server: &Server) -> Self {
        let server = server.id().to_string();
        let last = (cpu_secs(&server), cpu_secs("self"));
        CpuMeter { server, last }
    }

    fn lap(&mut self) -> (f64, f64) {
        let now = (cpu_secs(&self.server), cpu_secs("self"));
        let lap = (now.0 - self.last.0, now.1 - self.last.1);
        self.last = now;
        lap
    }
}

// ---------------------------------------------------------------------------------------------
// Cheap devices: a shared table of client-side transitions

/// A client-side state: a real document and sync state that some devices are in.
struct ClientState {
    doc: Automerge,
    sync: sync::State,
}

/// One computed transition: from a state, on a received message (or on `Welcome`), to a state,
/// with the reply to send.
struct Transition {
    input: Vec<u8>,
    next: u32,
    reply: Option<Arc<Vec<u8>>>,
    heads: Arc<Vec<ChangeHash>>,
}

/// Key of a transition: the state, the message length, and a sample of its bytes (the full
/// message is compared before a transition is taken).
type Key = (u32, usize, [u8; 64]);

/// Where a transition leads: the next state, the reply to send, the document's heads.
type Step = (u32, Option<Arc<Vec<u8>>>, Arc<Vec<ChangeHash>>);

#[derive(Default)]
struct Table {
    states: Vec<ClientState>,
    transitions: HashMap<Key, Vec<Transition>>,
    computed: u64,
}

/// The shared table. A std mutex: held for a lookup, or for the one real computation of a
/// transition that every waiting device then reuses; never across an await.
#[derive(Clone)]
struct Devices(Arc<Mutex<Table>>);

fn key(state: u32, input: &[u8]) -> Key {
    let mut sample = [0u8; 64];
    let head = input.len().min(32);
    sample[..head].copy_from_slice(&input[..head]);
    let tail = input.len().min(32);
    sample[32..32 + tail].copy_from_slice(&input[input.len() - tail..]);
    (state, input.len(), sample)
}

impl Devices {
    fn new() -> Self {
        let table = Table {
            states: vec![ClientState { doc: Automerge::new(), sync: sync::State::new() }],
            ..Table::default()
        };
        Devices(Arc::new(Mutex::new(table)))
    }

    /// From `state`, on `input` (a received sync message; empty for the first message after
    /// `Welcome`): the next state, the reply, and the document's heads.
    fn step(&self, state: u32, input: &[u8]) -> anyhow::Result<Step> {
        let k = key(state, input);
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(hit) = t.transitions.get(&k).and_then(|v| v.iter().find(|x| x.input == input)) {
            return Ok((hit.next, hit.reply.clone(), hit.heads.clone()));
        }
        // Computed for real, as `ClientSession` does.
        let from = &t.states[state as usize];
        let mut doc = from.doc.fork();
        let mut sync_state = from.sync.clone();
        if !input.is_empty() {
            let msg = sync::Message::decode(input)?;
            doc.receive_sync_message(&mut sync_state, msg)?;
        }
        let reply = doc.generate_sync_message(&mut sync_state).map(|m| Arc::new(m.encode()));
        let heads = Arc::new(doc.get_heads());
        let next = t.states.len() as u32;
        t.states.push(ClientState { doc, sync: sync_state });
        t.computed += 1;
        t.transitions.entry(k).or_default().push(Transition {
            input: input.to_vec(),
            next,
            reply: reply.clone(),
            heads: heads.clone(),
        });
        Ok((next, reply, heads))
    }
}

/// What a device reports to the bench.
#[derive(Debug)]
enum Event {
    /// The device holds the full timetable (its heads equal the server's).
    Synced { bytes: u64, took: Duration },
    /// The device's timetable changed (after its initial sync).
    Changed { at: Instant },
    /// The device failed.
    Failed(String),
}

fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0)
}

type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

async fn open_socket(addr: SocketAddr, token: &str) -> anyhow::Result<Socket> {
    let mut req = format!("ws://{addr}/sync").into_client_request()?;
    req.headers_mut().insert("cookie", format!("cartable_session={token}").parse()?);
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let (socket, _) =
        tokio_tungstenite::client_async_with_config(req, tcp, Some(ws_config())).await?;
    Ok(socket)
}

/// One reading device, for the whole run.
async fn device(
    addr: SocketAddr,
    token: String,
    table: Devices,
    target: Arc<Vec<ChangeHash>>,
    slots: Arc<Semaphore>,
    events: mpsc::UnboundedSender<Event>,
) {
    let permit = slots.acquire_owned().await.expect("semaphore");
    let started = Instant::now();
    if let Err(e) = run_device(addr, &token, &table, &target, permit, started, &events).await {
        let _ = events.send(Event::Failed(format!("{e:#}")));
    }
}

async fn run_device(
    addr: SocketAddr,
    token: &str,
    table: &Devices,
    target: &[ChangeHash],
    permit: tokio::sync::OwnedSemaphorePermit,
    started: Instant,
    events: &mpsc::UnboundedSender<Event>,
) -> anyhow::Result<()> {
    let mut socket = open_socket(addr, token).await?;
    let timetable: DocId = TIMETABLE.parse().map_err(|e| anyhow!("{e:?}"))?;
    let mut states: HashMap<DocId, u32> = HashMap::new();
    let mut permit = Some(permit);
    let mut bytes = 0u64;
    while let Some(msg) = socket.next().await {
        let data = match msg? {
            Message::Binary(b) => b,
            Message::Close(_) => break,
            _ => continue,
        };
        if permit.is_some() {
            bytes += data.len() as u64;
        }
        match ServerFrame::decode(&data)? {
            ServerFrame::Welcome { docs } => {
                for doc in docs {
                    let (next, reply, _) = table.step(0, &[])?;
                    states.insert(doc.clone(), next);
                    if let Some(r) = reply {
                        let frame = ClientFrame::Sync { doc, data: r.to_vec() };
                        socket.send(Message::Binary(frame.encode().into())).await?;
                    }
                }
            }
            ServerFrame::Sync { doc, data } => {
                let state = *states.get(&doc).context("sync for a document not welcomed")?;
                let before = table.0.lock().unwrap_or_else(|p| p.into_inner()).states
                    [state as usize]
                    .doc
                    .get_heads();
                let (next, reply, heads) = table.step(state, &data)?;
                states.insert(doc.clone(), next);
                if let Some(r) = reply {
                    let frame = ClientFrame::Sync { doc: doc.clone(), data: r.to_vec() };
                    socket.send(Message::Binary(frame.encode().into())).await?;
                }
                if doc == timetable && *heads != before {
                    if permit.is_some() {
                        if heads.as_slice() == target {
                            permit = None;
                            let _ = events.send(Event::Synced { bytes, took: started.elapsed() });
                        }
                    } else {
                        let _ = events.send(Event::Changed { at: Instant::now() });
                    }
                }
            }
            ServerFrame::Error { code, message, .. } => {
                bail!("server error {code:?}: {message}");
            }
            ServerFrame::Ack { .. } | ServerFrame::Revoked { .. } | ServerFrame::Reset { .. } => {}
        }
    }
    bail!("the server closed the connection")
}

// ---------------------------------------------------------------------------------------------
// Writers: full ClientSessions on their own `me` documents

async fn send(socket: &mut Socket, frames: Vec<ClientFrame>) -> anyhow::Result<()> {
    for f in frames {
        socket.send(Message::Binary(f.encode().into())).await?;
    }
    Ok(())
}

async fn writer(
    addr: SocketAddr,
    user: UserId,
    token: String,
    acked: Arc<AtomicU64>,
    stop: Arc<tokio::sync::Notify>,
    errors: Arc<AtomicU64>,
) -> anyhow::Result<()> {
    let doc: DocId = format!("me:{user}").parse().map_err(|e| anyhow!("{e:?}"))?;
    let mut socket = open_socket(addr, &token).await?;
    let mut session = ClientSession::new();
    session.connected();
    // Initial sync: until the document has content.
    while session.document(&doc).is_none_or(|d| d.length(ROOT) == 0) {
        let Some(msg) = socket.next().await else { bail!("closed during initial sync") };
        if let Message::Binary(b) = msg? {
            let out = session.receive(ServerFrame::decode(&b)?)?;
            send(&mut socket, out.send).await?;
        }
    }
    let mut n = 0u64;
    let stopped = stop.notified();
    tokio::pin!(stopped);
    loop {
        while session.unacked(&doc).len() < WRITE_WINDOW {
            n += 1;
            let (_, out) = session
                .edit(&doc, |d| {
                    let (_, notes) = d.get(ROOT, "notes").ok().flatten().expect("notes");
                    let mut tx = d.transaction();
                    tx.put(&notes, format!("k{}", n % 64), format!("note {n}")).expect("put");
                    tx.commit();
                })
                .context("the me document is held")?;
            send(&mut socket, out.send).await?;
        }
        let msg = tokio::select! {
            () = &mut stopped => return Ok(()),
            msg = socket.next() => msg,
        };
        let Some(msg) = msg else { bail!("the server closed the connection") };
        let Message::Binary(b) = msg? else { continue };
        let before = session.unacked(&doc).len();
        let out = session.receive(ServerFrame::decode(&b)?)?;
        let after = session.unacked(&doc).len();
        acked.fetch_add(before.saturating_sub(after) as u64, Ordering::Relaxed);
        errors.fetch_add(out.errors.len() as u64, Ordering::Relaxed);
        send(&mut socket, out.send).await?;
    }
}

// ---------------------------------------------------------------------------------------------

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let dir = tempfile::Builder::new().prefix("cartable-bench-").tempdir()?;
    let n = args.devices;
    println!(
        "bench sync: {n} devices ({} connecting at once), {} writers, {} fan-out rounds",
        args.connecting, args.writers, args.rounds
    );
    let fds = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).and_then(|v| v.parse::<usize>().ok()))
        })
        .unwrap_or(0);
    if fds != 0 && fds < n + args.writers + 256 {
        bail!(
            "the open-file limit ({fds}) is too low for {n} devices: raise it (ulimit -n {})",
            n + args.writers + 1024
        );
    }

    let t = Instant::now();
    let prepared = prepare(dir.path(), n + 1, args.writers).await?;
    println!(
        "prepared {} in {:.1} s",
        dir.path().join(DATABASE_FILE).display(),
        t.elapsed().as_secs_f64()
    );
    let server = Server::start(&args.server, dir.path())?;
    let addr = server.addr;
    let target = Arc::new(prepared.timetable_heads.clone());
    let table = Devices::new();
    let (tx, mut events) = mpsc::unbounded_channel();

    // A first device alone: loads the document, so that the memory baseline holds it.
    let mut tokens = prepared.devices.into_iter();
    let probe = tokens.next().expect("one device");
    tokio::spawn(device(
        addr,
        probe,
        table.clone(),
        target.clone(),
        Arc::new(Semaphore::new(1)),
        tx.clone(),
    ));
    match tokio::time::timeout(Duration::from_secs(30), events.recv()).await {
        Ok(Some(Event::Synced { .. })) => {}
        other => bail!("the first device did not sync: {other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_one = server.rss_kib()?;

    // (a) initial sync of N devices.
    eprintln!("… initial sync of {n} devices");
    let mut cpu = CpuMeter::new(&server);
    let slots = Arc::new(Semaphore::new(args.connecting));
    let start = Instant::now();
    for token in tokens {
        tokio::spawn(device(addr, token, table.clone(), target.clone(), slots.clone(), tx.clone()));
    }
    let mut synced = 0usize;
    let mut bytes = Vec::with_capacity(n);
    let mut per_device = Vec::with_capacity(n);
    let deadline = Instant::now() + Duration::from_secs(300);
    while synced < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Some(Event::Synced { bytes: b, took })) => {
                synced += 1;
                bytes.push(b);
                per_device.push(took);
                if synced.is_multiple_of(1000) {
                    eprintln!("  {synced} synced after {:.1} s", start.elapsed().as_secs_f64());
                }
            }
            Ok(Some(Event::Failed(e))) => bail!("a device failed during initial sync: {e}"),
            Ok(Some(Event::Changed { .. })) => {}
            Ok(None) | Err(_) => bail!("only {synced} of {n} devices synced in 300 s"),
        }
    }
    let initial = start.elapsed();
    let cpu_initial = cpu.lap();
    per_device.sort();
    let mean_bytes = bytes.iter().sum::<u64>() / bytes.len() as u64;

    // (c) memory with every device connected and idle.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_all = server.rss_kib()?;
    let per_device_kib = (rss_all.saturating_sub(rss_one)) as f64 / n as f64;

    // (b) fan-out.
    eprintln!("… fan-out: {} changes by the teacher", args.rounds);
    cpu.lap();
    let fanout_start = Instant::now();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let mut latencies = Vec::with_capacity(n * args.rounds);
    let mut http_times = Vec::new();
    // Per round, each device's delay after the first device of the round got the change.
    let mut spreads = Vec::with_capacity(n * args.rounds);
    for round in 0..args.rounds {
        // Changes are occasional: let the devices' answers to the previous one settle first.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let body = SessionChange::ChangeRoom { rooms: vec![format!("Bench-{round}")], note: None };
        let t0 = Instant::now();
        let resp = http
            .post(format!(
                "http://{addr}/api/timetable/{}/sessions/{}",
                demo::GROUP,
                prepared.session
            ))
            .header("cookie", format!("cartable_session={}", prepared.teacher))
            .header("origin", format!("http://{addr}"))
            .json(&body)
            .send()
            .await?;
        http_times.push(t0.elapsed());
        if !resp.status().is_success() {
            bail!("the teacher's change answered {}: {}", resp.status(), resp.text().await?);
        }
        let mut got = 0usize;
        let mut round_latencies = Vec::with_capacity(n);
        let deadline = Instant::now() + Duration::from_secs(60);
        // Every device, the first one (the memory baseline's) included.
        while got < n + 1 {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, events.recv()).await {
                Ok(Some(Event::Changed { at })) => {
                    got += 1;
                    round_latencies.push(at.saturating_duration_since(t0));
                }
                Ok(Some(Event::Failed(e))) => bail!("a device failed during fan-out: {e}"),
                Ok(Some(Event::Synced { .. })) => {}
                Ok(None) | Err(_) => {
                    bail!("round {round}: only {got} of {} devices got the change", n + 1)
                }
            }
        }
        if round == 0 {
            eprintln!("  first change reached every device in {}", ms(t0.elapsed()));
        }
        let first = round_latencies.iter().min().copied().unwrap_or_default();
        spreads.extend(round_latencies.iter().map(|l| *l - first));
        latencies.extend(round_latencies);
    }
    latencies.sort();
    spreads.sort();
    http_times.sort();
    let cpu_fanout = cpu.lap();
    let fanout_wall = fanout_start.elapsed();

    // (d) writers.
    eprintln!("… {} writers for {} s", args.writers, args.write_secs);
    let acked = Arc::new(AtomicU64::new(0));
    let write_errors = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(tokio::sync::Notify::new());
    let mut writers = Vec::new();
    for (user, token) in prepared.writers {
        writers.push(tokio::spawn(writer(
            addr,
            user,
            token,
            acked.clone(),
            stop.clone(),
            write_errors.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_secs(2)).await; // warm-up: connect, first sync
    let a0 = acked.load(Ordering::Relaxed);
    cpu.lap();
    let w0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.write_secs)).await;
    let a1 = acked.load(Ordering::Relaxed);
    let window = w0.elapsed();
    let cpu_write = cpu.lap();
    stop.notify_waiters();
    let mut writer_failures = Vec::new();
    for w in writers {
        match tokio::time::timeout(Duration::from_secs(10), w).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => writer_failures.push(format!("{e:#}")),
            Ok(Err(e)) => writer_failures.push(e.to_string()),
            Err(_) => writer_failures.push("did not stop".into()),
        }
    }
    let rate = (a1 - a0) as f64 / window.as_secs_f64();
    let computed = table.0.lock().unwrap_or_else(|p| p.into_inner()).computed;

    println!();
    println!("| measure | measured | target (DESIGN §10) |");
    println!("|---|---|---|");
    println!(
        "| initial sync, {n} devices, {} connecting at once | all synced in {:.2} s (per device p50 {}, p99 {}) | 10,000 ≤ 5 s |",
        args.connecting,
        initial.as_secs_f64(),
        ms(percentile(&per_device, 0.5)),
        ms(percentile(&per_device, 0.99)),
    );
    println!("| bytes received per device (initial sync) | {mean_bytes} B | — |");
    println!(
        "| one change → all {} devices ({} rounds) | p50 {}, p99 {}, max {} | p99 ≤ 100 ms at 10,000 |",
        n + 1,
        args.rounds,
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(percentile(&latencies, 1.0)),
    );
    println!(
        "| server memory per connected idle device | {per_device_kib:.1} KiB (RSS {} MiB with 1 device, {} MiB with {n}) | ≤ 50 KB |",
        rss_one / 1024,
        rss_all / 1024
    );
    println!(
        "| {} writers on {} documents | {rate:.0} acknowledged changes/s over {:.1} s | ≥ 10,000 |",
        args.writers,
        args.writers,
        window.as_secs_f64()
    );
    println!();
    println!(
        "teacher's HTTP request: p50 {}, max {}; client transitions computed for real: {computed}; \
         writer errors: {}; writer failures: {}",
        ms(percentile(&http_times, 0.5)),
        ms(percentile(&http_times, 1.0)),
        write_errors.load(Ordering::Relaxed),
        writer_failures.len()
    );
    println!(
        "fan-out spread (each device after the first device of its round): p50 {}, p99 {}, max {}",
        ms(percentile(&spreads, 0.5)),
        ms(percentile(&spreads, 0.99)),
        ms(percentile(&spreads, 1.0)),
    );
    let busy = |(server, client): (f64, f64), secs: f64| {
        format!("server {server:.2} s, bench {client:.2} s of CPU in {secs:.2} s")
    };
    println!("CPU, initial sync: {}", busy(cpu_initial, initial.as_secs_f64()));
    println!("CPU, fan-out rounds: {}", busy(cpu_fanout, fanout_wall.as_secs_f64()));
    println!(
        "CPU, writers: {} → {:.0} acknowledged changes per server CPU-second",
        busy(cpu_write, window.as_secs_f64()),
        (a1 - a0) as f64 / cpu_write.0.max(0.01)
    );
    println!(
        "load average: {}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    if let Some(f) = writer_failures.first() {
        println!("first writer failure: {f}");
    }
    drop(server);
    Ok(())
}
