//! `cargo xtask run`: build, then start the server on the demo data.

use std::ffi::OsString;
use std::path::Path;
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
    cmd.args(server_args(&dist, extra)).current_dir(cmd::root());
    step(&format!("starting {} (Ctrl-C stops it)…", server.display()));
    exec(cmd)
}

/// The defaults (`--listen 127.0.0.1:8080 --data-dir ./data --dist <dist> --demo`) followed by
/// `extra`; a default whose flag `extra` gives is left out (the server refuses a repeated flag).
fn server_args(dist: &Path, extra: Vec<OsString>) -> Vec<OsString> {
    let given = |flag: &str| {
        extra.iter().any(|a| {
            let a = a.to_string_lossy();
            a == flag || a.starts_with(&format!("{flag}="))
        })
    };
    let defaults: [(&str, Option<OsString>); 4] = [
        ("--listen", Some("127.0.0.1:8080".into())),
        ("--data-dir", Some("./data".into())),
        ("--dist", Some(dist.as_os_str().to_owned())),
        ("--demo", None),
    ];
    let mut args = Vec::new();
    for (flag, value) in defaults {
        if !given(flag) {
            args.push(OsString::from(flag));
            args.extend(value);
        }
    }
    args.extend(extra);
    args
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Vec<String> {
        let extra = extra.iter().map(OsString::from).collect();
        server_args(Path::new("/r/dist"), extra)
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn the_server_starts_on_the_demo_data_by_default() {
        assert_eq!(
            args(&[]),
            ["--listen", "127.0.0.1:8080", "--data-dir", "./data", "--dist", "/r/dist", "--demo"]
        );
    }

    #[test]
    fn forwarded_flags_replace_the_defaults() {
        assert_eq!(
            args(&["--listen=0.0.0.0:9000", "--demo", "false", "--public-url", "https://x"]),
            [
                "--data-dir",
                "./data",
                "--dist",
                "/r/dist",
                "--listen=0.0.0.0:9000",
                "--demo",
                "false",
                "--public-url",
                "https://x"
            ]
        );
    }
}
