//! `bench_push`: the Web Push fan-out benchmark of issue 5, run by `cargo xtask bench push`.
//! Prints figures beside the target of DESIGN §10; a measurement, not a pass/fail test.
//!
//! ```text
//! bench_push --server target/server/cartable-server [--subscriptions 10000] [--rounds 5]
//! ```
//!
//! 1. A push sink starts in this process on loopback: a plain HTTP/1.1 server (axum) that
//!    answers every `POST /push/<n>` with `201`, like a push service, and notes when each
//!    request arrived. It keeps the bodies and `Authorization` headers of a sample of devices.
//! 2. A data directory is prepared with the server's own library: the demo institution, then
//!    `--subscriptions` student accounts in `l2-info-a`, each with one push subscription whose
//!    endpoint is the sink and whose keys are a real P-256 key pair made here (so that the
//!    sample can be decrypted), written directly with the store's dao; and a session of the
//!    demo teacher.
//! 3. The real server binary runs as a child process with `--push-allow <sink>`.
//! 4. `--rounds` times, the teacher cancels another session over the HTTP API; the time from
//!    sending that request to each push arriving at the sink is measured, until every device
//!    got it. Then the sampled messages are decrypted with their devices' keys and their VAPID
//!    tokens verified.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cartable_shared::api::SessionChange;
use cartable_shared::ids::{DocId, GroupId, SubscriptionId, UserId};
use cartable_shared::me::{ME_SCHEMA, MyLayer};
use cartable_shared::notify::{Level, NotificationSettings};
use cartable_shared::roles::Role;
use cartable_shared::timetable::{SessionStatus, Timetable};
use cartable_sync_server::demo;
use cartable_sync_server::services::auth::SessionToken;
use cartable_sync_server::services::hub::{build_document, stored_history};
use cartable_sync_server::services::push::outbox::PushPrefs;
use cartable_sync_server::store::{NewUser, PushSubscriptionRow, StoredChange};
use cartable_tests::bench::{Server, percentile};
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256PublicKey};
use web_push_native::jwt_simple::claims::NoCustomClaims;
use web_push_native::p256::elliptic_curve::rand_core::{OsRng, RngCore};
use web_push_native::{Auth, p256};

const TEACHER: &str = "paul.durand";
/// Devices whose messages are kept and decrypted, per round.
const SAMPLE: usize = 20;
/// Bound on one round.
const ROUND_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug)]
struct Args {
    server: PathBuf,
    subscriptions: usize,
    rounds: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args { server: PathBuf::new(), subscriptions: 10_000, rounds: 5 };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--server" => args.server = value()?.into(),
            "--subscriptions" => args.subscriptions = value()?.parse()?,
            "--rounds" => args.rounds = value()?.parse()?,
            other => {
                bail!(
                    "unknown argument {other}; usage: bench_push --server PATH [--subscriptions N] [--rounds N]"
                )
            }
        }
    }
    if args.server.as_os_str().is_empty() {
        bail!("--server PATH (the cartable-server binary) is required");
    }
    if args.subscriptions == 0 || args.rounds == 0 {
        bail!("--subscriptions and --rounds must be at least 1");
    }
    Ok(args)
}

// ---------------------------------------------------------------------------------------------
// The sink

/// What the sink saw.
#[derive(Debug, Default)]
struct Sink {
    received: AtomicUsize,
    /// Arrival times of every request. A std mutex: held to push one instant.
    arrivals: Mutex<Vec<Instant>>,
    /// Device numbers whose requests are kept.
    sampled: HashSet<usize>,
    /// (device, Authorization header, body) of the sampled requests.
    kept: Mutex<Vec<(usize, String, Vec<u8>)>>,
    /// Statuses other than a well-formed push (for the report).
    malformed: AtomicUsize,
}

async fn receive(
    State(sink): State<Arc<Sink>>,
    UrlPath(device): UrlPath<usize>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let now = Instant::now();
    let well_formed = headers.get("content-encoding").is_some_and(|v| v == "aes128gcm")
        && headers.contains_key("ttl")
        && headers.contains_key("authorization");
    if !well_formed {
        sink.malformed.fetch_add(1, Ordering::Relaxed);
    }
    sink.arrivals.lock().unwrap_or_else(|p| p.into_inner()).push(now);
    if sink.sampled.contains(&device) {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        sink.kept.lock().unwrap_or_else(|p| p.into_inner()).push((device, auth, body.to_vec()));
    }
    sink.received.fetch_add(1, Ordering::Relaxed);
    StatusCode::CREATED
}

async fn start_sink(sink: Arc<Sink>) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = Router::new().route("/push/{device}", post(receive)).with_state(sink);
    // The sink's server task: lives as long as the benchmark process.
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(addr)
}

// ---------------------------------------------------------------------------------------------
// Preparation

/// A device's private key and auth secret, to decrypt what it received.
struct DeviceKeys {
    secret: p256::SecretKey,
    auth: [u8; 16],
}

/// The changes of `user`'s `me` document holding the essential notification level.
fn essential_me_changes(user: &UserId) -> Vec<StoredChange> {
    let mut doc = automerge::Automerge::new();
    let mut layer = MyLayer { schema: ME_SCHEMA, user: user.to_string(), ..MyLayer::default() };
    layer.notifications.level = Level::Essential;
    cartable_shared::sync::write(&mut doc, &layer).expect("a plain layer reconciles");
    stored_history(&doc)
}

struct Prepared {
    teacher: String,
    sessions: Vec<String>,
    keys: HashMap<usize, DeviceKeys>,
}

async fn prepare(
    dir: &Path,
    n: usize,
    sink: SocketAddr,
    sampled: &HashSet<usize>,
) -> anyhow::Result<Prepared> {
    let state = cartable_tests::bench::open_demo(dir).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let group: GroupId = demo::GROUP.parse().map_err(|e| anyhow!("{e:?}"))?;
    // Each device's key pair (the public half goes to the server, like `pushManager.subscribe`).
    let mut keys = HashMap::new();
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let secret = p256::SecretKey::random(&mut OsRng);
        let mut auth = [0u8; 16];
        OsRng.fill_bytes(&mut auth);
        let mut id = [0u8; 16];
        OsRng.fill_bytes(&mut id);
        let user: UserId = format!("bench.p{i:05}").parse().map_err(|e| anyhow!("{e:?}"))?;
        rows.push(PushSubscriptionRow {
            id: hex::encode(id).parse::<SubscriptionId>().map_err(|e| anyhow!("{e:?}"))?,
            user,
            endpoint: format!("http://{sink}/push/{i}"),
            p256dh: secret.public_key().to_sec1_bytes().to_vec(),
            auth: auth.to_vec(),
            label: "bench".into(),
            created_ms: now,
        });
        if sampled.contains(&i) {
            keys.insert(i, DeviceKeys { secret, auth });
        }
    }
    let store = state.store().clone();
    let essential = PushPrefs {
        notifications: NotificationSettings { level: Level::Essential, ..Default::default() },
        hidden_courses: Vec::new(),
    };
    let teacher = tokio::task::spawn_blocking(move || {
        store.write_blocking(|dao| {
            for row in &rows {
                dao.insert_user(&NewUser {
                    id: &row.user,
                    display_name: "Bench student",
                    role: Role::Student,
                    password_hash: "!",
                    demo: false,
                    created_ms: now,
                })?;
                dao.add_membership(&row.user, &group)?;
                dao.insert_push_subscription(row)?;
                // Each student chose the essential level: the cancellation is pushed, and the
                // demo's homework-due-tomorrow reminder (intermediate, sent from 16:00 Paris
                // time on the eve of a due date) does not add a round of 10,000 pushes to the
                // measure, nor fail its one-push-per-device check in the evening.
                let me = DocId::me(&row.user);
                dao.create_document(&me, now)?;
                dao.append_changes(&me, &essential_me_changes(&row.user))?;
                dao.cache_push_settings(&row.user, &essential.to_json())?;
            }
            let token = SessionToken::generate();
            let teacher: UserId = TEACHER.parse().expect("user id");
            dao.insert_session(
                &token.hash(),
                &teacher,
                now,
                now + 86_400_000,
                Some("bench"),
                None,
            )?;
            Ok::<_, cartable_sync_server::store::StoreError>(token.as_str().to_owned())
        })
    })
    .await??;
    let tid: DocId = format!("timetable:{}", demo::GROUP).parse().map_err(|e| anyhow!("{e:?}"))?;
    let stored =
        state.store().read_blocking(|dao| dao.load_document(&tid))?.context("no demo timetable")?;
    let doc = build_document(&tid, &stored).map_err(|e| anyhow!("{e}"))?;
    let t: Timetable = cartable_shared::sync::read(&doc)?.context("empty timetable")?;
    let after = now + 2 * 86_400_000;
    let mut sessions: Vec<(&String, i64)> = t
        .sessions
        .iter()
        .filter(|(_, s)| s.status == SessionStatus::Scheduled && s.start_ms > after)
        .map(|(id, s)| (id, s.start_ms))
        .collect();
    sessions.sort_by_key(|(_, start)| *start);
    let sessions = sessions.into_iter().map(|(id, _)| id.clone()).collect();
    drop(state);
    Ok(Prepared { teacher, sessions, keys })
}

// ---------------------------------------------------------------------------------------------

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// Decrypts the kept messages and verifies their VAPID tokens; (decrypted, verified, total).
fn check_samples(
    kept: &[(usize, String, Vec<u8>)],
    keys: &HashMap<usize, DeviceKeys>,
    server_key: &str,
) -> anyhow::Result<(usize, usize, usize)> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (mut decrypted, mut verified) = (0, 0);
    for (device, authorization, body) in kept {
        let k = keys.get(device).context("a sampled device without keys")?;
        let plain =
            web_push_native::decrypt(body.clone(), &k.secret, &Auth::clone_from_slice(&k.auth))
                .map_err(|e| anyhow!("device {device}: {e}"))?;
        let json: serde_json::Value = serde_json::from_slice(&plain)?;
        if json["category"] == "class_cancelled" && json["url"].as_str().is_some() {
            decrypted += 1;
        }
        let (t, key) = authorization
            .strip_prefix("vapid t=")
            .and_then(|r| r.split_once(", k="))
            .context("not a vapid Authorization")?;
        if key == server_key {
            let public = ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(key)?)
                .map_err(|e| anyhow!("{e}"))?;
            if public.verify_token::<NoCustomClaims>(t, None).is_ok() {
                verified += 1;
            }
        }
    }
    Ok((decrypted, verified, kept.len()))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let n = args.subscriptions;
    let sampled: HashSet<usize> = (0..SAMPLE).map(|i| i * n / SAMPLE).collect();
    let sink = Arc::new(Sink { sampled: sampled.clone(), ..Sink::default() });
    let sink_addr = start_sink(sink.clone()).await?;
    let dir = tempfile::tempdir()?;
    eprintln!("preparing {n} students with a push subscription each…");
    let prepared = prepare(dir.path(), n, sink_addr, &sampled).await?;
    if prepared.sessions.len() < args.rounds {
        bail!("only {} sessions to cancel", prepared.sessions.len());
    }
    let origin = format!("http://{sink_addr}");
    let server = Server::start_with(&args.server, dir.path(), &["--push-allow", &origin])?;
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let server_key: serde_json::Value =
        http.get(format!("{base}/api/push/key")).send().await?.json().await?;
    let server_key = server_key["public_key"].as_str().context("public_key")?.to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = server.rss_kib()?;

    let mut totals = Vec::new();
    let mut latencies = Vec::new();
    for round in 0..args.rounds {
        let before = sink.received.load(Ordering::Relaxed);
        let session = &prepared.sessions[round];
        let url = format!("{base}/api/timetable/{}/sessions/{session}", demo::GROUP);
        let t0 = Instant::now();
        let resp = http
            .post(&url)
            .header("cookie", format!("cartable_session={}", prepared.teacher))
            .header("origin", &base)
            .json(&SessionChange::Cancel { note: None })
            .send()
            .await?;
        if !resp.status().is_success() {
            bail!("the cancellation was answered {}", resp.status());
        }
        let ack = t0.elapsed();
        let deadline = t0 + ROUND_TIMEOUT;
        while sink.received.load(Ordering::Relaxed) < before + n {
            if Instant::now() > deadline {
                bail!(
                    "round {}: only {} of {n} pushes within {ROUND_TIMEOUT:?}",
                    round + 1,
                    sink.received.load(Ordering::Relaxed) - before
                );
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let arrivals: Vec<Duration> = {
            let all = sink.arrivals.lock().unwrap_or_else(|p| p.into_inner());
            all[before..].iter().map(|a| a.duration_since(t0)).collect()
        };
        let mut sorted = arrivals.clone();
        sorted.sort();
        let last = *sorted.last().unwrap_or(&Duration::ZERO);
        println!(
            "round {}: {n} pushes, first after {}, last after {} ({:.0} messages/s; change acknowledged after {})",
            round + 1,
            ms(sorted[0]),
            ms(last),
            n as f64 / last.as_secs_f64(),
            ms(ack)
        );
        totals.push(last);
        latencies.extend(sorted);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let rss_after = server.rss_kib()?;
    let rss_peak = server.peak_rss_kib()?;
    let kept = sink.kept.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let (decrypted, verified, total) = check_samples(&kept, &prepared.keys, &server_key)?;
    totals.sort();
    latencies.sort();
    let extra = sink.received.load(Ordering::Relaxed) - n * args.rounds;
    println!();
    println!("== push fan-out: one cancellation to {n} subscriptions, {} rounds", args.rounds);
    println!(
        "  change → last push: median {}, p99 {} (target < 1.5 s for 10,000: npm web-push 12.3 s)",
        ms(percentile(&totals, 0.5)),
        ms(percentile(&totals, 0.99))
    );
    println!(
        "  throughput: {:.0} messages/s (median round)",
        n as f64 / percentile(&totals, 0.5).as_secs_f64()
    );
    println!(
        "  change → each push: p50 {}, p99 {}",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99))
    );
    println!(
        "  server memory: {} MiB before the rounds, {} MiB after, peak {} MiB",
        rss_idle / 1024,
        rss_after / 1024,
        rss_peak / 1024
    );
    println!(
        "  sample: {decrypted}/{total} messages decrypted with their device's key (class_cancelled), {verified}/{total} VAPID tokens verified"
    );
    println!(
        "  extra pushes: {extra}; malformed requests: {}",
        sink.malformed.load(Ordering::Relaxed)
    );
    if decrypted != total || verified != total || extra != 0 {
        bail!("the sink did not receive exactly one valid message per device and round");
    }
    Ok(())
}
