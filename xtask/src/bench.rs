//! `cargo xtask bench sync [--devices N] [--writers N] [bench_sync options…]`: builds the server
//! binary and the `bench_sync` binary of `cartable-tests` (both with the fast `server` profile),
//! then runs the benchmark against the real server binary. It prints figures beside the targets
//! of DESIGN §10; see `tests/src/bin/bench_sync.rs` for what is measured and how.

use std::ffi::OsString;

use anyhow::{Result, bail};

use crate::cmd::{self, command, run, step};

/// Runs `bench <what> [args…]`; every argument after `sync` goes to `bench_sync`.
pub(crate) fn bench(args: &[OsString]) -> Result<()> {
    let Some((what, rest)) = args.split_first() else {
        bail!("usage: cargo xtask bench sync [--devices N] [--writers N]");
    };
    if what != "sync" {
        bail!("unknown benchmark {what:?}; known: sync");
    }
    step("building the server and bench_sync (profile `server`)…");
    run(command(
        "cargo",
        [
            "build",
            "--profile",
            "server",
            "-p",
            "cartable-sync-server",
            "--bin",
            "cartable-server",
            "-p",
            "cartable-tests",
            "--bin",
            "bench_sync",
        ],
    ))?;
    let dir = cmd::target_dir().join("server");
    let mut bench = command(dir.join("bench_sync").to_string_lossy().as_ref(), ["--server"]);
    bench.arg(dir.join("cartable-server")).args(rest);
    step("running the sync benchmark…");
    run(bench)
}
