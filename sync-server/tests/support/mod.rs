//! What the process-level tests of the server binary share: the binary as a child process.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Bound on waiting for the server to print its address, and for it to stop.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The server binary as a child process; killed and reaped on drop.
pub struct ServerProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts `cartable-server --demo` over `data_dir`, logging to `log`, and waits (bounded)
    /// for its `listening on http://ADDR` line.
    pub fn start(data_dir: &Path, log: PathBuf) -> ServerProcess {
        Self::start_with(data_dir, log, &[])
    }

    /// [`ServerProcess::start`] with more command-line arguments.
    pub fn start_with(data_dir: &Path, log: PathBuf, args: &[&str]) -> ServerProcess {
        let log_file = std::fs::File::create(&log).expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_cartable-server"))
            .args(["--listen", "127.0.0.1:0", "--demo", "--data-dir"])
            .arg(data_dir)
            .arg("--dist")
            .arg(data_dir.join("no-such-dist"))
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("spawn cartable-server");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the child's stdout until it closes (the child exits); forwards each line.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = ServerProcess { child, addr: "0.0.0.0:0".parse().unwrap(), log };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|e| {
                panic!(
                    "no `listening on` line within {START_TIMEOUT:?} ({e}); log:\n{}",
                    server.log_text()
                )
            });
            if let Some(addr) = line.strip_prefix("listening on http://") {
                server.addr = addr.trim().parse().expect("address");
                return server;
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL, then reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM (graceful shutdown), then wait for the exit, bounded; returns whether it exited
    /// successfully.
    pub fn terminate(&mut self) -> bool {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.success();
            }
            assert!(Instant::now() < deadline, "the server did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}
