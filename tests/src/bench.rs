//! What the benchmark binaries share: the server binary as a child process, percentiles.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// Opens the server's state over `dir` with the demo institution (no listener), for a bench
/// to write its accounts with the store's dao before starting the binary over the same
/// directory.
pub async fn open_demo(dir: &Path) -> anyhow::Result<cartable_sync_server::AppState> {
    let config = cartable_sync_server::Config {
        listen: "127.0.0.1:0".parse()?,
        data_dir: dir.to_path_buf(),
        dist_dir: dir.join("no-dist"),
        demo: true,
        public_url: None,
        push_allow: vec![],
        max_upload_bytes: cartable_sync_server::services::files::DEFAULT_MAX_UPLOAD,
        feed_allow: vec![],
        feed_refresh: Duration::ZERO,
    };
    cartable_sync_server::AppState::open(config).await.map_err(|e| anyhow::anyhow!("open: {e}"))
}

/// The real server binary, running as a child process over a data directory (logging to
/// `server.log` in it); killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `binary --demo` over `dir` and waits (at most a minute) for its address.
    pub fn start(binary: &Path, dir: &Path) -> anyhow::Result<Server> {
        Self::start_with(binary, dir, &[])
    }

    /// [`Server::start`] with more command-line arguments.
    pub fn start_with(binary: &Path, dir: &Path, args: &[&str]) -> anyhow::Result<Server> {
        let log = std::fs::File::create(dir.join("server.log"))?;
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0", "--demo", "--data-dir"])
            .arg(dir)
            .arg("--dist")
            .arg(dir.join("no-dist"))
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let stdout = child.stdout.take().context("stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        // Forwards the child's stdout lines; ends when the child closes it.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server { child, addr: "0.0.0.0:0".parse()? };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).context("the server did not print its address")?;
            if let Some(a) = line.strip_prefix("listening on http://") {
                server.addr = a.trim().parse()?;
                return Ok(server);
            }
        }
    }

    /// Resident memory of the server process, in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .context("no VmRSS")
    }

    /// Peak resident memory of the server process so far, in KiB.
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .context("no VmHWM")
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `p` quantile (0.0–1.0) of sorted durations; zero for none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}
