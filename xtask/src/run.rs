//! `cargo xtask run`: build, then start the server on the demo data.

use std::ffi::OsString;
use std::process::Command;

use anyhow::{Context, Result};

use crate::build::{self, BuildOptions};
use crate::cmd::{self, command, run, step};

/// Builds the server binary (profile `server`) and returns its path.
pub(crate) fn build_server() -> Result<std::path::PathBuf> {
    step("building the server (profile `server`)…");
    run(command("cargo", ["build", "--profile", "server", "-p", "cartable-sync-server"]))?;
    Ok(cmd::target_dir().join("server").join("cartable-server"))
}

/// Builds everything and replaces this process with the server; `extra` is forwarded.
pub(crate) fn run_server(opts: BuildOptions, extra: Vec<OsString>) -> Result<()> {
    let dist = build::build(opts)?;
    let server = build_server()?;
    let mut cmd = Command::new(&server);
    cmd.args(["--listen", "127.0.0.1:8080", "--data-dir", "./data", "--dist"])
        .arg(&dist)
        .arg("--demo")
        .args(extra)
        .current_dir(cmd::root());
    step(&format!("starting {} (Ctrl-C stops it)…", server.display()));
    exec(cmd)
}

#[cfg(unix)]
fn exec(mut cmd: Command) -> Result<()> {
    use std::os::unix::process::CommandExt;
    let err = cmd.exec();
    Err(err).with_context(|| format!("could not start {}", cmd.get_program().to_string_lossy()))
}

#[cfg(not(unix))]
fn exec(mut cmd: Command) -> Result<()> {
    let status = cmd.status().context("could not start the server")?;
    anyhow::ensure!(status.success(), "the server exited with {status}");
    Ok(())
}
