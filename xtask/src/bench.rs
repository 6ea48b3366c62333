//! `cargo xtask bench <what>`:
//!
//! - `sync [--devices N] [--writers N] [bench_sync options…]`: builds the server binary and the
//!   `bench_sync` binary of `cartable-tests` (both with the fast `server` profile), then runs the
//!   benchmark against the real server binary. See `tests/src/bin/bench_sync.rs`.
//! - `app [--runs N] [--wasm-opt]`: builds `dist/` and the server, then
//!   `tests/browser/bench/cold-start.mjs`: the app shell's compressed sizes, and offline cold
//!   starts (service worker, 4× CPU throttling) of the real app in headless Chromium after one
//!   online visit, as median / p90 from the navigation to the timetable shown.
//!
//! - `push [--subscriptions N] [--rounds N]`: builds the server and `bench_push`, then the Web
//!   Push fan-out of one cancellation to N subscriptions (a sink in the bench process). See
//!   `tests/src/bin/bench_push.rs`.
//!
//! All print figures beside the targets of DESIGN §10; neither fails on a missed target.

use std::ffi::OsString;

use anyhow::{Result, bail};

use crate::build::{self, BuildOptions};
use crate::cmd::{self, command, run, step};
use crate::test::{CHROMIUM, browser_deps};

const USAGE: &str = "usage: cargo xtask bench sync [--devices N] [--writers N] | bench app [--runs N] [--wasm-opt] \
     | bench push [--subscriptions N] [--rounds N]";

/// Runs `bench <what> [args…]`.
pub(crate) fn bench(args: &[OsString]) -> Result<()> {
    let Some((what, rest)) = args.split_first() else {
        bail!("{USAGE}");
    };
    match what.to_str() {
        Some("sync") => bench_sync(rest),
        Some("app") => bench_app(rest),
        Some("push") => bench_push(rest),
        _ => bail!("unknown benchmark {what:?}; known: sync, app, push\n{USAGE}"),
    }
}

fn build_server(extra: &[&str]) -> Result<()> {
    let mut args = vec![
        "build",
        "--profile",
        "server",
        "-p",
        "cartable-sync-server",
        "--bin",
        "cartable-server",
    ];
    args.extend_from_slice(extra);
    run(command("cargo", args))
}

fn bench_sync(rest: &[OsString]) -> Result<()> {
    step("building the server and bench_sync (profile `server`)…");
    build_server(&["-p", "cartable-tests", "--bin", "bench_sync"])?;
    let dir = cmd::target_dir().join("server");
    let mut bench = command(dir.join("bench_sync").to_string_lossy().as_ref(), ["--server"]);
    bench.arg(dir.join("cartable-server")).args(rest);
    step("running the sync benchmark…");
    run(bench)
}

fn bench_push(rest: &[OsString]) -> Result<()> {
    step("building the server and bench_push (profile `server`)…");
    build_server(&["-p", "cartable-tests", "--bin", "bench_push"])?;
    let dir = cmd::target_dir().join("server");
    let mut bench = command(dir.join("bench_push").to_string_lossy().as_ref(), ["--server"]);
    bench.arg(dir.join("cartable-server")).args(rest);
    step("running the push benchmark…");
    run(bench)
}

fn bench_app(rest: &[OsString]) -> Result<()> {
    let mut runs: Option<OsString> = None;
    let mut opts = BuildOptions::default();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.to_str() {
            Some("--wasm-opt") => opts.wasm_opt = true,
            Some("--runs") => match it.next() {
                Some(n) if n.to_str().is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n > 0)) => {
                    runs = Some(n.clone());
                }
                _ => bail!("--runs needs a positive number\n{USAGE}"),
            },
            _ => bail!("unknown argument {a:?}\n{USAGE}"),
        }
    }
    let dist = build::build(opts)?;
    step("building the server (profile `server`)…");
    build_server(&[])?;
    let dir = browser_deps()?;
    let mut node = command("node", ["bench/cold-start.mjs"]);
    if let Some(n) = runs {
        node.arg("--runs").arg(n);
    }
    node.current_dir(&dir)
        .env("CARTABLE_SERVER_BIN", cmd::target_dir().join("server").join("cartable-server"))
        .env("CARTABLE_DIST", &dist)
        .env("CHROMIUM_PATH", CHROMIUM);
    step("measuring the app: sizes and offline cold starts…");
    run(node)
}
