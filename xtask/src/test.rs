//! `cargo xtask test`: every check, in order, stopping at the first failure, then a summary
//! with per-step timings. A step skipped by a flag is reported as SKIPPED, never as passed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::build::{self, BuildOptions};
use crate::cmd::{self, command, run, step};
use crate::run::build_server;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Options of `cargo xtask test`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TestOptions {
    /// Leave out the browser suite (quick local loops). Reported as SKIPPED.
    pub(crate) no_browser: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
    Skipped,
    NotRun,
}

type StepFn = Box<dyn FnOnce() -> Result<()>>;

struct Step {
    name: &'static str,
    /// `Some(reason)` when a flag leaves the step out.
    skip: Option<&'static str>,
    body: StepFn,
}

fn step_of(name: &'static str, body: impl FnOnce() -> Result<()> + 'static) -> Step {
    Step { name, skip: None, body: Box::new(body) }
}

/// Runs every step; fails at the first failing one.
pub(crate) fn test(opts: TestOptions) -> Result<()> {
    let wasm = "wasm32-unknown-unknown";
    let server_bin = cmd::target_dir().join("server").join("cartable-server");
    let dist = cmd::root().join("dist");
    let mut browser = step_of("browser suite (Chromium, playwright-core)", {
        let (server_bin, dist) = (server_bin.clone(), dist.clone());
        move || browser_suite(&server_bin, &dist)
    });
    if opts.no_browser {
        browser.skip = Some("--no-browser");
    }
    let steps = vec![
        step_of("cargo fmt --check", || run(command("cargo", ["fmt", "--all", "--check"]))),
        step_of("clippy (native, workspace)", || {
            run(command(
                "cargo",
                ["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
            ))
        }),
        step_of("clippy (wasm32, cartable-pwa + engine)", move || {
            run(command(
                "cargo",
                [
                    "clippy",
                    "-p",
                    "cartable-pwa",
                    "--target",
                    wasm,
                    "--features",
                    "engine",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            ))
        }),
        step_of("check shared (wasm32, no default features)", move || {
            run(command(
                "cargo",
                ["check", "-p", "cartable-shared", "--target", wasm, "--no-default-features"],
            ))
        }),
        step_of("check shared (wasm32, crdt + wasm)", move || {
            run(command(
                "cargo",
                [
                    "check",
                    "-p",
                    "cartable-shared",
                    "--target",
                    wasm,
                    "--no-default-features",
                    "--features",
                    "crdt,wasm",
                ],
            ))
        }),
        step_of("cargo test --workspace", || run(command("cargo", ["test", "--workspace"]))),
        step_of("build (dist/)", || build::build(BuildOptions::default()).map(|_| ())),
        step_of("build the server (profile server)", || build_server().map(|_| ())),
        browser,
    ];

    let mut results: Vec<(&'static str, Outcome, Duration, Option<String>)> = Vec::new();
    let mut failed = false;
    for s in steps {
        if failed {
            results.push((s.name, Outcome::NotRun, Duration::ZERO, None));
            continue;
        }
        if let Some(flag) = s.skip {
            println!();
            println!("==> SKIPPED: {} (because of {flag}) — this run does NOT cover it", s.name);
            results.push((s.name, Outcome::Skipped, Duration::ZERO, Some(flag.to_string())));
            continue;
        }
        println!();
        step(&format!("[test] {}", s.name));
        let start = Instant::now();
        let outcome = (s.body)();
        let took = start.elapsed();
        match outcome {
            Ok(()) => results.push((s.name, Outcome::Passed, took, None)),
            Err(e) => {
                failed = true;
                results.push((s.name, Outcome::Failed, took, Some(format!("{e:#}"))));
            }
        }
    }

    println!();
    println!("==> summary of cargo xtask test");
    let mut total = Duration::ZERO;
    for (name, outcome, took, note) in &results {
        total += *took;
        let label = match outcome {
            Outcome::Passed => "ok",
            Outcome::Failed => "FAILED",
            Outcome::Skipped => "SKIPPED",
            Outcome::NotRun => "not run",
        };
        let time = if *took > Duration::ZERO {
            format!("{:>7.1} s", took.as_secs_f64())
        } else {
            "      -  ".into()
        };
        println!("  {label:<8} {time}  {name}");
        if let Some(note) = note {
            let note = note.lines().next().unwrap_or_default();
            println!("  {:<8} {:>9}  └ {note}", "", "");
        }
    }
    println!("  total    {:>7.1} s", total.as_secs_f64());
    let count = |o: Outcome| results.iter().filter(|r| r.1 == o).count();
    let (passed, failed_n, skipped, not_run) = (
        count(Outcome::Passed),
        count(Outcome::Failed),
        count(Outcome::Skipped),
        count(Outcome::NotRun),
    );
    if skipped > 0 {
        println!("  WARNING: {skipped} step(s) SKIPPED: this run is not a full test run");
    }
    if not_run > 0 {
        println!("  {not_run} step(s) not run after the failure");
    }
    println!("steps: {passed} passed, {failed_n} failed, {skipped} skipped");
    if let Some((name, _, _, note)) = results.iter().find(|r| r.1 == Outcome::Failed) {
        bail!("step `{name}` failed: {}", note.as_deref().unwrap_or("?"));
    }
    Ok(())
}

/// Chromium, the npm packages of `tests/browser`, then `node --test` on the suite.
fn browser_suite(server_bin: &Path, dist: &Path) -> Result<()> {
    ensure_chromium()?;
    let dir = cmd::root().join("tests").join("browser");
    if dir.join("package-lock.json").exists() {
        step("installing the browser suite's npm packages (npm ci)…");
        run(command("npm", ["ci", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    } else {
        step("installing the browser suite's npm packages (npm install: no lockfile)…");
        run(command("npm", ["install", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    }
    let files = suite_files(&dir.join("tests"))?;
    step(&format!("running the browser suite ({} files)…", files.len()));
    let mut cmd = command("node", ["--test", "--test-reporter=spec", "--test-concurrency=1"]);
    cmd.args(&files)
        .current_dir(&dir)
        .env("CARTABLE_SERVER_BIN", server_bin)
        .env("CARTABLE_DIST", dist)
        .env("CHROMIUM_PATH", CHROMIUM);
    run(&mut cmd)
}

/// `tests/browser/tests/*.test.mjs`, sorted; none is an error (a suite that runs nothing
/// must not pass).
fn suite_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("the browser suite folder {} is missing", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no *.test.mjs file in {}", dir.display());
    }
    Ok(files)
}

/// Chromium and its driver from Debian, installed when missing and we are root.
fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        println!("    {CHROMIUM} and {CHROMEDRIVER}: installed");
        return Ok(());
    }
    let uid = cmd::output(Command::new("id").arg("-u")).unwrap_or_default();
    if uid != "0" {
        bail!(
            "{CHROMIUM} or {CHROMEDRIVER} is missing: install them with \
             `sudo apt-get install -y chromium chromium-driver` (Debian) and run again"
        );
    }
    step("installing Chromium and its driver (apt-get)…");
    run(command("apt-get", ["update"]).env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(command("apt-get", ["install", "-y", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    if !Path::new(CHROMIUM).exists() {
        bail!("apt-get installed chromium but {CHROMIUM} is still missing");
    }
    Ok(())
}
