//! Workspace-level test harness for Cartable.
//!
//! - [`TestServer`] runs the real server (`cartable_sync_server::run`) in-process on
//!   `127.0.0.1:0` over a temporary data directory with the demo institution, and can be stopped
//!   and started again on the same directory.
//! - [`Account`] signs in over real HTTP and keeps the session cookie.
//! - [`SyncClient`] speaks the `/sync` protocol over a real WebSocket, driving the same
//!   `cartable_shared::sync::ClientSession` as the app's engine.
//!
//! Every network wait in here is bounded by [`TIMEOUT`].

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use cartable_shared::api::{LoginRequest, Me};
use cartable_shared::ids::DocId;
use cartable_shared::protocol::{ClientFrame, ServerFrame};
use cartable_shared::sync::{ClientSession, Outcome};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Message, http};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub use cartable_sync_server::demo;

pub mod bench;
pub mod fake_push;

/// The bound on every network wait of a test.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Awaits `fut` for at most [`TIMEOUT`].
pub async fn bounded<T>(what: &str, fut: impl Future<Output = T>) -> anyhow::Result<T> {
    tokio::time::timeout(TIMEOUT, fut).await.map_err(|_| anyhow!("timed out: {what}"))
}

/// The real server, in-process, on a loopback port of its own.
#[derive(Debug)]
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    data_dir: PathBuf,
    /// Kept so the directory lives as long as the first server over it.
    _temp: Option<tempfile::TempDir>,
    /// Tells the server to shut down; taken by [`TestServer::stop`] or on drop.
    shutdown: Option<oneshot::Sender<()>>,
    /// The server task; awaited by [`TestServer::stop`], aborted on drop.
    task: Option<JoinHandle<std::io::Result<()>>>,
    /// The running server's state, for tests that run one of its jobs at a chosen moment.
    state: cartable_sync_server::AppState,
}

impl TestServer {
    /// Starts a server with the demo institution over a fresh temporary directory.
    pub async fn start() -> anyhow::Result<Self> {
        let temp = tempfile::tempdir()?;
        let dir = temp.path().to_path_buf();
        let mut server = Self::start_in(&dir).await?;
        server._temp = Some(temp);
        Ok(server)
    }

    /// Starts a server over an existing data directory (a restart).
    pub async fn start_in(data_dir: &Path) -> anyhow::Result<Self> {
        Self::start_in_with(data_dir, Vec::new()).await
    }

    /// [`TestServer::start`] accepting push endpoints of `push_allow` origins too
    /// (`--push-allow`, e.g. a fake push service on loopback).
    pub async fn start_with(push_allow: Vec<String>) -> anyhow::Result<Self> {
        let temp = tempfile::tempdir()?;
        let dir = temp.path().to_path_buf();
        let mut server = Self::start_in_with(&dir, push_allow).await?;
        server._temp = Some(temp);
        Ok(server)
    }

    /// [`TestServer::start_in`] accepting push endpoints of `push_allow` origins too.
    pub async fn start_in_with(data_dir: &Path, push_allow: Vec<String>) -> anyhow::Result<Self> {
        Self::start_configured(data_dir, |c| c.push_allow = push_allow).await
    }

    /// [`TestServer::start`] with uploads limited to `max_upload_bytes`.
    pub async fn start_with_upload_limit(max_upload_bytes: u64) -> anyhow::Result<Self> {
        let temp = tempfile::tempdir()?;
        let dir = temp.path().to_path_buf();
        let mut server =
            Self::start_configured(&dir, |c| c.max_upload_bytes = max_upload_bytes).await?;
        server._temp = Some(temp);
        Ok(server)
    }

    /// [`TestServer::start_with`] on a clock the test moves (quiet hours, scheduled jobs).
    pub async fn start_with_clock(
        push_allow: Vec<String>,
        clock: std::sync::Arc<dyn cartable_sync_server::services::Clock>,
    ) -> anyhow::Result<Self> {
        let temp = tempfile::tempdir()?;
        let dir = temp.path().to_path_buf();
        let mut server =
            Self::start_configured_at(&dir, clock, |c| c.push_allow = push_allow).await?;
        server._temp = Some(temp);
        Ok(server)
    }

    /// Starts a server over `data_dir` with the test configuration changed by `configure`.
    pub async fn start_configured(
        data_dir: &Path,
        configure: impl FnOnce(&mut cartable_sync_server::Config),
    ) -> anyhow::Result<Self> {
        let clock = std::sync::Arc::new(cartable_sync_server::services::SystemClock);
        Self::start_configured_at(data_dir, clock, configure).await
    }

    /// [`TestServer::start_configured`] on the given clock.
    pub async fn start_configured_at(
        data_dir: &Path,
        clock: std::sync::Arc<dyn cartable_sync_server::services::Clock>,
        configure: impl FnOnce(&mut cartable_sync_server::Config),
    ) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut config = cartable_sync_server::Config {
            listen: addr,
            data_dir: data_dir.to_path_buf(),
            dist_dir: data_dir.join("no-dist"),
            demo: true,
            public_url: None,
            push_allow: Vec::new(),
            max_upload_bytes: cartable_sync_server::services::files::DEFAULT_MAX_UPLOAD,
            feed_allow: Vec::new(),
            feed_refresh: Duration::ZERO,
        };
        configure(&mut config);
        let state = cartable_sync_server::AppState::open_with_clock(config, clock)
            .await
            .map_err(|e| anyhow!("server failed to open: {e}"))?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(cartable_sync_server::run(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        Ok(Self {
            addr,
            data_dir: data_dir.to_path_buf(),
            _temp: None,
            shutdown: Some(tx),
            task: Some(task),
            state,
        })
    }

    /// The running server's state (store, file store, hub, clock).
    pub fn state(&self) -> &cartable_sync_server::AppState {
        &self.state
    }

    /// The data directory, to start another server over it.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// `http://127.0.0.1:port` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Shuts the server down gracefully and waits for it; returns the temporary directory
    /// (if this server owned it) so that a restart can reuse it.
    pub async fn stop(mut self) -> anyhow::Result<Option<tempfile::TempDir>> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            bounded("server shutdown", task).await???;
        }
        Ok(self._temp.take())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A signed-in account: an HTTP client holding the session cookie.
#[derive(Debug)]
pub struct Account {
    /// Who signed in.
    pub me: Me,
    /// The `cartable_session` cookie value.
    pub cookie: String,
    http: reqwest::Client,
    base: String,
}

/// An HTTP client for tests, without cookie store (cookies are handled explicitly).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(TIMEOUT).build().expect("http client")
}

/// `POST /api/login`; the raw answer, for tests of failures.
pub async fn login_raw(server: &TestServer, login: &str, password: &str) -> reqwest::Response {
    http()
        .post(server.url("/api/login"))
        .json(&LoginRequest { login: login.into(), password: password.into() })
        .send()
        .await
        .expect("login request")
}

/// `POST /api/login` with a `User-Agent`; the raw answer.
pub async fn login_raw_as(
    server: &TestServer,
    login: &str,
    password: &str,
    user_agent: &str,
) -> reqwest::Response {
    http()
        .post(server.url("/api/login"))
        .header(reqwest::header::USER_AGENT, user_agent)
        .json(&LoginRequest { login: login.into(), password: password.into() })
        .send()
        .await
        .expect("login request")
}

/// The password of a demo account.
pub fn demo_password(login: &str) -> anyhow::Result<&'static str> {
    demo::ACCOUNTS
        .iter()
        .find(|a| a.login == login)
        .map(|a| a.password)
        .with_context(|| format!("no demo account {login}"))
}

impl Account {
    /// Signs in; fails unless the server answers 200 with a session cookie.
    pub async fn login(server: &TestServer, login: &str, password: &str) -> anyhow::Result<Self> {
        Self::from_response(server, login, login_raw(server, login, password).await).await
    }

    /// Signs in from a device that names itself `user_agent`.
    pub async fn login_as_device(
        server: &TestServer,
        login: &str,
        user_agent: &str,
    ) -> anyhow::Result<Self> {
        let resp = login_raw_as(server, login, demo_password(login)?, user_agent).await;
        Self::from_response(server, login, resp).await
    }

    async fn from_response(
        server: &TestServer,
        login: &str,
        resp: reqwest::Response,
    ) -> anyhow::Result<Self> {
        if resp.status() != reqwest::StatusCode::OK {
            bail!("login of {login} answered {}", resp.status());
        }
        let cookie = resp
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("cartable_session="))
            .and_then(|v| v.split(';').next())
            .context("no cartable_session cookie in the login answer")?
            .to_owned();
        let me: Me = resp.json().await?;
        Ok(Self { me, cookie, http: http(), base: server.url("") })
    }

    /// Signs in as one of the demo accounts, by login.
    pub async fn demo(server: &TestServer, login: &str) -> anyhow::Result<Self> {
        let account = demo::ACCOUNTS
            .iter()
            .find(|a| a.login == login)
            .with_context(|| format!("no demo account {login}"))?;
        Self::login(server, account.login, account.password).await
    }

    /// A request builder carrying the session cookie.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.base, path))
            .header(reqwest::header::COOKIE, format!("cartable_session={}", self.cookie))
    }

    /// Opens a `/sync` connection with this account's session.
    pub async fn sync(&self, server: &TestServer) -> anyhow::Result<SyncClient> {
        SyncClient::connect(server, Some(&self.cookie), None).await
    }

    /// Opens a `/sync` connection and waits until every document of the `Welcome` has been
    /// received and the server has nothing more to send.
    pub async fn synced(&self, server: &TestServer) -> anyhow::Result<SyncClient> {
        let mut client = self.sync(server).await?;
        client.settle().await?;
        Ok(client)
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A device speaking the sync protocol over a real WebSocket.
#[derive(Debug)]
pub struct SyncClient {
    socket: Socket,
    /// The device's documents, exactly as the app's engine keeps them.
    pub session: ClientSession,
    /// The documents listed by the server's last `Welcome`.
    pub welcome: Option<Vec<DocId>>,
    /// Every error frame received, in order.
    pub errors: Vec<(Option<DocId>, cartable_shared::protocol::ErrorCode, String)>,
    /// Bytes of Automerge sync messages received, by document.
    pub sync_bytes: std::collections::BTreeMap<DocId, usize>,
    /// Every frame received, in order.
    pub frames: Vec<ServerFrame>,
    /// The code of the server's close frame, once [`SyncClient::closed_by_server`] saw one.
    pub close_code: Option<u16>,
}

/// Builds the WebSocket upgrade request for `/sync`.
pub fn sync_request(
    server: &TestServer,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> http::Request<()> {
    let mut req = format!("ws://{}/sync", server.addr).into_client_request().expect("request");
    if let Some(c) = cookie {
        req.headers_mut().insert("cookie", format!("cartable_session={c}").parse().unwrap());
    }
    if let Some(o) = origin {
        req.headers_mut().insert("origin", o.parse().unwrap());
    }
    req
}

impl SyncClient {
    /// Connects to `/sync` with an optional session cookie and `Origin` header.
    pub async fn connect(
        server: &TestServer,
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> anyhow::Result<Self> {
        Self::open(server, cookie, origin, ClientSession::new()).await
    }

    /// Connects to `/sync` as a device that already holds `session`'s documents (a reconnect).
    pub async fn connect_with(
        server: &TestServer,
        cookie: Option<&str>,
        session: ClientSession,
    ) -> anyhow::Result<Self> {
        Self::open(server, cookie, None, session).await
    }

    async fn open(
        server: &TestServer,
        cookie: Option<&str>,
        origin: Option<&str>,
        mut session: ClientSession,
    ) -> anyhow::Result<Self> {
        let (socket, _) = bounded(
            "websocket upgrade",
            tokio_tungstenite::connect_async(sync_request(server, cookie, origin)),
        )
        .await??;
        session.connected();
        Ok(Self {
            socket,
            session,
            welcome: None,
            errors: Vec::new(),
            sync_bytes: Default::default(),
            frames: Vec::new(),
            close_code: None,
        })
    }

    /// Closes the connection and hands back the device's documents, for a reconnect.
    pub async fn disconnect(mut self) -> anyhow::Result<ClientSession> {
        let _ = bounded("close", self.socket.close(None)).await?;
        // Let the server see the close frame before the caller reconnects.
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while let Some(Ok(_)) = self.socket.next().await {}
        })
        .await;
        self.session.disconnected();
        Ok(self.session)
    }

    /// Handles frames until every document of the `Welcome` has content and no frame has
    /// arrived for a short while.
    pub async fn settle(&mut self) -> anyhow::Result<()> {
        self.until("every welcomed document has content", |c| {
            c.welcome.as_ref().is_some_and(|docs| {
                docs.iter()
                    .all(|d| c.session.document(d).is_some_and(|doc| !doc.get_heads().is_empty()))
            })
        })
        .await?;
        self.quiet(Duration::from_millis(300)).await
    }

    /// Handles frames until none arrives for `gap` (at most [`TIMEOUT`] overall).
    pub async fn quiet(&mut self, gap: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            if tokio::time::Instant::now() > deadline {
                bail!("the server kept sending for {TIMEOUT:?}");
            }
            match tokio::time::timeout(gap, self.socket.next()).await {
                Err(_) => return Ok(()),
                Ok(None) => bail!("connection closed while settling"),
                Ok(Some(msg)) => self.handle(msg?).await?,
            }
        }
    }

    /// Whether the server closes the connection within [`TIMEOUT`] (frames before the close
    /// are handled). The close code, if the server sent one, is kept in `close_code`.
    pub async fn closed_by_server(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        while tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(TIMEOUT, self.socket.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => {
                    self.close_code = frame.map(|f| u16::from(f.code));
                    return true;
                }
                Err(_) | Ok(None) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(msg))) => {
                    let _ = self.handle(msg).await;
                }
            }
        }
        false
    }

    /// Handles one WebSocket message; returns the frame if it was one.
    async fn handle(&mut self, msg: Message) -> anyhow::Result<()> {
        if let Message::Binary(bytes) = msg {
            let frame = ServerFrame::decode(&bytes)?;
            self.record(&frame);
            let out = self.session.receive(frame)?;
            self.errors.extend(out.errors.iter().cloned());
            self.send_all(out.send).await?;
        }
        Ok(())
    }

    fn record(&mut self, frame: &ServerFrame) {
        match frame {
            ServerFrame::Welcome { docs } => self.welcome = Some(docs.clone()),
            ServerFrame::Sync { doc, data } => {
                *self.sync_bytes.entry(doc.clone()).or_default() += data.len();
            }
            _ => {}
        }
        self.frames.push(frame.clone());
    }

    /// Sends a raw binary frame (for forged or malformed input).
    pub async fn send_raw(&mut self, bytes: Vec<u8>) -> anyhow::Result<()> {
        bounded("send", self.socket.send(Message::Binary(bytes.into()))).await??;
        Ok(())
    }

    async fn send_all(&mut self, frames: Vec<ClientFrame>) -> anyhow::Result<()> {
        for f in frames {
            self.send_raw(f.encode()).await?;
        }
        Ok(())
    }

    /// Receives and handles one frame; `Ok(None)` when the server closed the connection.
    pub async fn step(&mut self) -> anyhow::Result<Option<(ServerFrame, Outcome)>> {
        loop {
            let msg = match bounded("next frame", self.socket.next()).await? {
                None => return Ok(None),
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(m)) => m,
            };
            match msg {
                Message::Binary(bytes) => {
                    let frame = ServerFrame::decode(&bytes)?;
                    self.record(&frame);
                    let out = self.session.receive(frame.clone())?;
                    self.errors.extend(out.errors.iter().cloned());
                    let send = out.send.clone();
                    self.send_all(send).await?;
                    return Ok(Some((frame, out)));
                }
                Message::Close(_) => return Ok(None),
                _ => continue,
            }
        }
    }

    /// Handles frames until `done` holds (checked after each frame), within [`TIMEOUT`] overall.
    pub async fn until(
        &mut self,
        what: &str,
        mut done: impl FnMut(&SyncClient) -> bool,
    ) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        while !done(self) {
            if tokio::time::Instant::now() > deadline {
                bail!("timed out waiting until {what}");
            }
            if self.step().await?.is_none() {
                bail!("connection closed while waiting until {what}");
            }
        }
        Ok(())
    }

    /// Handles frames until a typed document is readable and `done` holds for it.
    pub async fn until_doc<T: autosurgeon::Hydrate>(
        &mut self,
        doc: &DocId,
        mut done: impl FnMut(&T) -> bool,
    ) -> anyhow::Result<T> {
        let doc_id = doc.clone();
        self.until(&format!("{doc} matches"), |c| c.read::<T>(&doc_id).is_some_and(|t| done(&t)))
            .await?;
        Ok(self.read(doc).expect("checked above"))
    }

    /// The typed content of a document held by this device.
    pub fn read<T: autosurgeon::Hydrate>(&self, doc: &DocId) -> Option<T> {
        self.session.document(doc).and_then(|d| cartable_shared::sync::read(d).ok().flatten())
    }

    /// Applies a local edit and sends the resulting frames.
    pub async fn edit(
        &mut self,
        doc: &DocId,
        f: impl FnOnce(&mut automerge::Automerge),
    ) -> anyhow::Result<()> {
        let (_, out) = self.session.edit(doc, f).with_context(|| format!("{doc} is not held"))?;
        self.send_all(out.send).await
    }

    /// Closes the connection.
    pub async fn close(mut self) -> anyhow::Result<()> {
        let _ = bounded("close", self.socket.close(None)).await?;
        Ok(())
    }
}
