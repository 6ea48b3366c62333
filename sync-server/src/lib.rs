//! Cartable's sync server: the HTTP API, the `/sync` WebSocket, the SQLite store and the static
//! app, in one process.
//!
//! Layout (layers point one way):
//! - [`routes`]: axum handlers, the `Origin` check, security and cache headers;
//! - [`services`]: the rules — authentication, the document hub (one actor per document,
//!   fan-out), a `/sync` connection, timetable edits, calendar feeds (iCalendar import into
//!   timetables, each user's private export);
//! - [`store`]: SQLite (WAL, one writer, a few readers, a schema ladder);
//! - [`demo`]: the demo institution of `--demo`.
//!
//! A typical flow: a device signs in (`POST /api/login`, a session cookie), opens `/sync`,
//! receives `Welcome` with the documents it may read, and exchanges Automerge sync messages
//! with the actor of each document. A teacher's change (over `/sync` or
//! `POST /api/timetable/...`) is checked on a fork, appended to SQLite, applied, acknowledged
//! and fanned out to every other connected device of the document.
//!
//! ```no_run
//! # async fn start() -> Result<(), Box<dyn std::error::Error>> {
//! use cartable_sync_server::{AppState, Config, run};
//! let config = Config {
//!     listen: "127.0.0.1:0".parse()?,
//!     data_dir: "./data".into(),
//!     dist_dir: "./dist".into(),
//!     demo: true,
//!     public_url: None,
//!     push_allow: vec![],
//!     max_upload_bytes: cartable_sync_server::services::files::DEFAULT_MAX_UPLOAD,
//!     feed_allow: vec![],
//!     feed_refresh: std::time::Duration::from_secs(3600),
//! };
//! let listener = tokio::net::TcpListener::bind(config.listen).await?;
//! let state = AppState::open(config).await?;
//! run(listener, state, async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(()) }
//! ```

pub mod demo;
pub mod routes;
pub mod services;
pub mod store;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use services::auth::Auth;
use services::hub::Hub;
use services::push::vapid::VapidKey;
use services::{Clock, SystemClock};
use store::blobs::Blobs;
use store::{Store, StoreError};

/// Name of the database file in the data directory.
pub const DATABASE_FILE: &str = "cartable.sqlite3";

/// How long [`run`] waits for open WebSockets to close after the shutdown signal.
const SOCKET_DRAIN: Duration = Duration::from_secs(5);

/// The server's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (used by the binary to bind, and to decide whether the session
    /// cookie needs `Secure`).
    pub listen: SocketAddr,
    /// Directory of the database (created if missing).
    pub data_dir: PathBuf,
    /// Directory of the built app (`index.html`, `assets/`…); may be missing.
    pub dist_dir: PathBuf,
    /// Demo mode: seed an empty database with the demo institution, accept demo passwords.
    pub demo: bool,
    /// The URL users reach the server at, e.g. `https://ent.example.fr` (behind a proxy).
    pub public_url: Option<String>,
    /// Origins (`scheme://host[:port]`) of push services accepted besides the known ones
    /// (`--push-allow`, e.g. a fake push service on loopback in tests). Exact match.
    pub push_allow: Vec<String>,
    /// Largest file upload accepted, in bytes (`--max-upload-mib`).
    pub max_upload_bytes: u64,
    /// Origins (`scheme://host[:port]`) of calendar feeds fetched even though they resolve to
    /// private or loopback addresses (`--feed-allow`, e.g. a test feed on loopback). Exact.
    pub feed_allow: Vec<String>,
    /// How often each calendar feed is fetched; zero: only on demand.
    pub feed_refresh: Duration,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The file directory could not be opened.
    #[error("cannot open the file directory under {path}: {source}")]
    Files {
        /// The data directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database could not be opened or upgraded.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// The public URL is not an `http(s)://` URL.
    #[error("invalid public URL {0:?}: expected http://host[:port] or https://host[:port]")]
    PublicUrl(String),
    /// A `--push-allow` value is not an `http(s)://host[:port]` origin.
    #[error("invalid push origin {0:?}: expected http(s)://host[:port]")]
    PushAllow(String),
    /// A `--feed-allow` value is not an `http(s)://host[:port]` origin.
    #[error("invalid feed origin {0:?}: expected http(s)://host[:port]")]
    FeedAllow(String),
    /// The VAPID key could not be loaded or created.
    #[error("{0}")]
    Vapid(#[from] services::push::vapid::VapidError),
    /// Seeding the demo institution failed.
    #[error("demo data: {0}")]
    Demo(#[from] demo::SeedError),
    /// A start-up task failed.
    #[error("start-up task failed: {0}")]
    Task(String),
}

/// Everything the handlers share. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<StateInner>,
}

#[derive(Debug)]
struct StateInner {
    config: Config,
    store: Store,
    /// Uploaded files on disk.
    blobs: Blobs,
    hub: Hub,
    clock: Arc<dyn Clock>,
    /// Cancelled when the server shuts down; parent of every connection's token and watched by
    /// every document actor. Cancelled by [`run`] when its shutdown future completes.
    shutdown: CancellationToken,
    /// Tracks the `/sync` socket tasks so that [`run`] can wait for them to close. Closed by
    /// [`run`] after the listener stops.
    sockets: TaskTracker,
    /// `scheme://host[:port]` of the public URL, if configured.
    public_origin: Option<String>,
    /// Whether the session cookie carries `Secure`.
    cookie_secure: bool,
    /// The VAPID key pair of Web Push.
    vapid: Arc<VapidKey>,
    /// `config.push_allow`, normalised.
    push_allow: Vec<String>,
    /// `config.feed_allow`, normalised.
    feed_allow: Vec<String>,
    /// Serialises calendar feed imports (see [`services::feeds::Feeds::imports`]); lives as
    /// long as the state.
    feed_imports: tokio::sync::Mutex<()>,
}

/// `scheme://host[:port]` of an `http(s)` URL, lower-cased, without path.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{authority}"))
}

/// Whether an origin's host is a loopback name or address.
fn is_loopback_origin(origin: &str) -> bool {
    let authority = origin.split_once("://").map_or(origin, |(_, a)| a);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `Secure` is left out only when the server is reached over plain http on loopback.
fn cookie_secure(config: &Config, public_origin: Option<&str>) -> bool {
    match public_origin {
        Some(o) => !(o.starts_with("http://") && is_loopback_origin(o)),
        None => !config.listen.ip().is_loopback(),
    }
}

impl AppState {
    /// Opens (or creates) the database in the data directory, brings its schema up to date,
    /// and seeds the demo institution if `config.demo` and the database is empty.
    pub async fn open(config: Config) -> Result<AppState, StartError> {
        Self::open_with_clock(config, Arc::new(SystemClock)).await
    }

    /// [`AppState::open`] with another clock (tests).
    pub async fn open_with_clock(
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<AppState, StartError> {
        let public_origin = match &config.public_url {
            Some(url) => Some(origin_of(url).ok_or_else(|| StartError::PublicUrl(url.clone()))?),
            None => None,
        };
        let push_allow = config
            .push_allow
            .iter()
            .map(|o| {
                services::push::endpoint::normalise_origin(o)
                    .ok_or_else(|| StartError::PushAllow(o.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let feed_allow = config
            .feed_allow
            .iter()
            .map(|o| {
                services::push::endpoint::normalise_origin(o)
                    .ok_or_else(|| StartError::FeedAllow(o.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let dir = config.data_dir.clone();
        std::fs::create_dir_all(&dir)
            .map_err(|source| StartError::DataDir { path: dir.clone(), source })?;
        let key_dir = dir.clone();
        let vapid = tokio::task::spawn_blocking(move || VapidKey::load_or_create(&key_dir))
            .await
            .map_err(|e| StartError::Task(e.to_string()))??;
        let path = dir.join(DATABASE_FILE);
        let store = tokio::task::spawn_blocking(move || Store::open(&path))
            .await
            .map_err(|e| StartError::Task(e.to_string()))??;
        let files_dir = dir.clone();
        let blobs = tokio::task::spawn_blocking(move || Blobs::open(&files_dir))
            .await
            .map_err(|e| StartError::Task(e.to_string()))?
            .map_err(|source| StartError::Files { path: dir.clone(), source })?;
        if config.demo {
            demo::seed(&store, &blobs, clock.now_ms()).await?;
        }
        let shutdown = CancellationToken::new();
        let hub = Hub::with_clock(store.clone(), shutdown.clone(), clock.clone());
        let created = services::sync::ensure_me_documents(&store, clock.now_ms()).await?;
        if created > 0 {
            tracing::info!(created, "me documents created");
        }
        let books = services::gradebook::refresh_rosters(&hub, &store, clock.now_ms())
            .await
            .map_err(|e| StartError::Task(format!("gradebooks: {e}")))?;
        if books > 0 {
            tracing::info!(created = books, "gradebooks created");
        }
        let cookie_secure = cookie_secure(&config, public_origin.as_deref());
        tracing::info!(
            data_dir = %config.data_dir.display(),
            demo = config.demo,
            cookie_secure,
            "state opened"
        );
        Ok(AppState {
            inner: Arc::new(StateInner {
                config,
                store,
                blobs,
                hub,
                clock,
                shutdown,
                sockets: TaskTracker::new(),
                public_origin,
                cookie_secure,
                vapid: Arc::new(vapid),
                push_allow,
                feed_allow,
                feed_imports: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Uploaded files on disk.
    pub fn blobs(&self) -> &Blobs {
        &self.inner.blobs
    }

    /// The document hub.
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    /// The authentication service.
    pub fn auth(&self) -> Auth<'_> {
        Auth {
            store: &self.inner.store,
            clock: &*self.inner.clock,
            demo_mode: self.inner.config.demo,
        }
    }

    /// The token cancelled at shutdown.
    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    /// The tracker of `/sync` socket tasks.
    pub fn sockets(&self) -> &TaskTracker {
        &self.inner.sockets
    }

    /// This server's public origin, if configured.
    pub fn public_origin(&self) -> Option<&str> {
        self.inner.public_origin.as_deref()
    }

    /// Whether the session cookie carries `Secure`.
    pub fn cookie_secure(&self) -> bool {
        self.inner.cookie_secure
    }

    /// The VAPID key pair of Web Push.
    pub fn vapid(&self) -> &VapidKey {
        &self.inner.vapid
    }

    /// The VAPID `sub` claim: the public URL when it is `https`, else a `mailto:` address of
    /// its host (push services want a way to reach the operator).
    pub fn push_contact(&self) -> String {
        match self.public_origin() {
            Some(o) if o.starts_with("https://") => o.to_owned(),
            Some(o) => {
                let host = o.split_once("://").map_or(o, |(_, h)| h);
                let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
                format!("mailto:postmaster@{host}")
            }
            None => "mailto:postmaster@localhost".to_owned(),
        }
    }

    /// The push worker of this server (see [`services::push::worker`]).
    pub fn push_worker(&self) -> services::push::worker::PushWorker {
        let sender = services::push::sender::Sender::new(
            self.inner.vapid.clone(),
            self.push_contact(),
            self.inner.push_allow.clone(),
        );
        services::push::worker::PushWorker::new(
            self.inner.store.clone(),
            self.inner.clock.clone(),
            self.inner.hub.push_wake().clone(),
            sender,
            self.inner.shutdown.clone(),
        )
    }

    /// Origins of push services accepted besides the known ones (normalised `--push-allow`).
    pub fn push_allow(&self) -> &[String] {
        &self.inner.push_allow
    }

    /// The calendar feed service.
    pub fn feeds(&self) -> services::feeds::Feeds<'_> {
        services::feeds::Feeds {
            store: &self.inner.store,
            hub: &self.inner.hub,
            clock: &*self.inner.clock,
            allow: &self.inner.feed_allow,
            imports: &self.inner.feed_imports,
        }
    }

    /// `scheme://host[:port]` users reach this server at: the public URL's origin, or the
    /// listening address.
    pub fn origin(&self) -> String {
        self.public_origin()
            .map_or_else(|| format!("http://{}", self.inner.config.listen), str::to_owned)
    }
}

/// The router of the whole server, for [`run`] or for tests (`tower::ServiceExt::oneshot`).
pub fn app(state: AppState) -> axum::Router {
    routes::router(state)
}

/// Serves `listener` until `shutdown` completes, then stops accepting, closes every open
/// WebSocket (close code 1001), waits for them (a few seconds at most) and returns.
///
/// An [`AppState`] serves one `run`: its shutdown is final (open a new state to serve again
/// over the same data directory).
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let token = state.shutdown_token().clone();
    let trigger = token.clone();
    // Turns the caller's shutdown future into a cancellation; ends with it, or when the server
    // stops for another reason (the token is then cancelled below).
    tokio::spawn(async move {
        tokio::select! {
            () = shutdown => trigger.cancel(),
            () = trigger.cancelled() => {}
        }
    });
    // The calendar feed scheduler; ends when the token is cancelled (shutdown).
    let feeds = tokio::spawn(services::feeds::schedule(
        state.clone(),
        state.config().feed_refresh,
        token.clone(),
    ));
    // The guest accounts' clean-up; ends when the token is cancelled (shutdown).
    let guests = tokio::spawn(services::guests::schedule(state.clone(), token.clone()));
    // The clean-up of files nothing references any more; ends with the token.
    let unused_files =
        tokio::spawn(services::files::unused::schedule(state.clone(), token.clone()));
    // The push worker: expands the outbox and sends; ends when the server shuts down.
    let push = tokio::spawn(state.push_worker().run());
    // The gradebook publisher; ends when the server shuts down.
    let gradebooks = tokio::spawn(
        services::gradebook::Publisher::new(
            state.hub().clone(),
            state.store().clone(),
            state.inner.clock.clone(),
            token.clone(),
        )
        .run(),
    );
    let service = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let signal = token.clone();
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(async move { signal.cancelled().await })
        .await;
    token.cancel();
    if tokio::time::timeout(SOCKET_DRAIN, feeds).await.is_err() {
        tracing::warn!("the calendar feed scheduler did not stop in time");
    }
    if tokio::time::timeout(SOCKET_DRAIN, guests).await.is_err() {
        tracing::warn!("the guest account clean-up did not stop in time");
    }
    if tokio::time::timeout(SOCKET_DRAIN, unused_files).await.is_err() {
        tracing::warn!("the clean-up of unused files did not stop in time");
    }
    if tokio::time::timeout(SOCKET_DRAIN, push).await.is_err() {
        tracing::warn!("the push worker did not stop in time");
    }
    if tokio::time::timeout(SOCKET_DRAIN, gradebooks).await.is_err() {
        tracing::warn!("the gradebook publisher did not stop in time");
    }
    let sockets = state.sockets();
    sockets.close();
    if tokio::time::timeout(SOCKET_DRAIN, sockets.wait()).await.is_err() {
        tracing::warn!(open = sockets.len(), "some sync connections did not close in time");
    }
    tracing::info!("server stopped");
    served
}

#[cfg(test)]
mod tests;
