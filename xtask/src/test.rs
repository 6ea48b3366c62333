//! `cargo xtask test`: every check, in order, stopping at the first failure, then a summary
//! with per-step timings. A step skipped by a flag is reported as SKIPPED, never as passed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::build::{self, BuildOptions};
use crate::cmd::{self, command, run, step};
use crate::fake_push;

pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
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
    // The browser suite runs the debug server: `cargo test` has built it already, and the suite
    // measures behaviour, not speed (the `server` profile costs minutes of CI for nothing here).
    let server_bin = cmd::target_dir().join("debug").join("cartable-server");
    let dist = cmd::root().join("dist");
    let mut browser = step_of("browser suite (Chromium, playwright-core)", move || {
        browser_suite(&server_bin, &dist)
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
        step_of("cargo test --workspace (with the fake push service's venv)", || {
            let python = fake_push::ensure_venv()?;
            run(command("cargo", ["test", "--workspace"]).env(fake_push::PYTHON_ENV, python))
        }),
        step_of("build (dist/)", || build::build(BuildOptions::default()).map(|_| ())),
        step_of("build the server (debug)", || {
            // `--workspace` keeps the feature set `cargo test --workspace` used, so this reuses
            // its build instead of compiling the dependencies again for one package.
            run(command("cargo", ["build", "--workspace", "--bins"]))
        }),
        browser,
    ];

    let results = run_steps(steps);
    println!();
    print!("{}", summary(&results));
    if let Some(r) = results.iter().find(|r| r.outcome == Outcome::Failed) {
        bail!("step `{}` failed: {}", r.name, r.note.as_deref().unwrap_or("?"));
    }
    Ok(())
}

/// What became of one step.
#[derive(Debug)]
struct StepResult {
    name: &'static str,
    outcome: Outcome,
    took: Duration,
    /// The error of a failed step, the flag that skipped a step.
    note: Option<String>,
}

/// Runs `steps` in order; after a failure the rest are not run.
fn run_steps(steps: Vec<Step>) -> Vec<StepResult> {
    let mut results = Vec::new();
    let mut failed = false;
    for s in steps {
        let (outcome, took, note) = if failed {
            (Outcome::NotRun, Duration::ZERO, None)
        } else if let Some(flag) = s.skip {
            println!();
            println!("==> SKIPPED: {} (because of {flag}) — this run does NOT cover it", s.name);
            (Outcome::Skipped, Duration::ZERO, Some(format!("skipped by {flag}")))
        } else {
            println!();
            step(&format!("[test] {}", s.name));
            let start = Instant::now();
            match (s.body)() {
                Ok(()) => (Outcome::Passed, start.elapsed(), None),
                Err(e) => {
                    failed = true;
                    (Outcome::Failed, start.elapsed(), Some(format!("{e:#}")))
                }
            }
        };
        results.push(StepResult { name: s.name, outcome, took, note });
    }
    results
}

/// The table of steps with their timings, and a closing line that counts only passed steps
/// as passed.
fn summary(results: &[StepResult]) -> String {
    let mut out = String::from("==> summary of cargo xtask test\n");
    let mut total = Duration::ZERO;
    for r in results {
        total += r.took;
        let label = match r.outcome {
            Outcome::Passed => "ok",
            Outcome::Failed => "FAILED",
            Outcome::Skipped => "SKIPPED",
            Outcome::NotRun => "not run",
        };
        let time = match r.outcome {
            Outcome::Passed | Outcome::Failed => format!("{:>7.1} s", r.took.as_secs_f64()),
            Outcome::Skipped | Outcome::NotRun => "      -  ".into(),
        };
        out.push_str(&format!("  {label:<8} {time}  {}\n", r.name));
        if let Some(note) = &r.note {
            let note = note.lines().next().unwrap_or_default();
            out.push_str(&format!("  {:<8} {:>9}  └ {note}\n", "", ""));
        }
    }
    out.push_str(&format!("  total    {:>7.1} s\n", total.as_secs_f64()));
    let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    let (passed, failed, skipped, not_run) = (
        count(Outcome::Passed),
        count(Outcome::Failed),
        count(Outcome::Skipped),
        count(Outcome::NotRun),
    );
    if skipped > 0 {
        out.push_str(&format!(
            "  WARNING: {skipped} step(s) SKIPPED: this run is NOT a full test run\n"
        ));
    }
    if not_run > 0 {
        out.push_str(&format!("  {not_run} step(s) not run after the failure\n"));
    }
    out.push_str(&format!("steps: {passed} passed, {failed} failed, {skipped} skipped\n"));
    out
}

/// Chromium and the npm packages of `tests/browser` (pinned by its lockfile); returns that
/// folder.
pub(crate) fn browser_deps() -> Result<PathBuf> {
    ensure_chromium()?;
    let dir = cmd::root().join("tests").join("browser");
    if dir.join("package-lock.json").exists() {
        step("installing the browser suite's npm packages (npm ci)…");
        run(command("npm", ["ci", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    } else {
        step("installing the browser suite's npm packages (npm install: no lockfile)…");
        run(command("npm", ["install", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    }
    Ok(dir)
}

/// Chromium, the npm packages of `tests/browser`, then `node --test` on the suite.
fn browser_suite(server_bin: &Path, dist: &Path) -> Result<()> {
    let dir = browser_deps()?;
    let files = suite_files(&dir.join("tests"))?;
    step(&format!("running the browser suite ({} files)…", files.len()));
    let mut cmd = command("node", ["--test", "--test-reporter=spec", "--test-concurrency=1"]);
    cmd.args(&files)
        .current_dir(&dir)
        .env("CARTABLE_SERVER_BIN", server_bin)
        .env("CARTABLE_DIST", dist)
        .env("CHROMIUM_PATH", CHROMIUM)
        .env(fake_push::PYTHON_ENV, fake_push::ensure_venv()?);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skipped_step_is_reported_as_skipped_never_as_passed() {
        let mut skipped = step_of("browser", || bail!("must not run"));
        skipped.skip = Some("--no-browser");
        let results = run_steps(vec![step_of("fmt", || Ok(())), skipped]);
        assert_eq!(results[1].outcome, Outcome::Skipped);
        let text = summary(&results);
        assert!(text.contains("SKIPPED") && text.contains("NOT a full test run"), "{text}");
        assert!(text.ends_with("steps: 1 passed, 0 failed, 1 skipped\n"), "{text}");
    }

    #[test]
    fn the_first_failure_stops_the_run_and_names_the_error() {
        let ran_after = std::rc::Rc::new(std::cell::Cell::new(false));
        let flag = ran_after.clone();
        let results = run_steps(vec![
            step_of("clippy", || bail!("`cargo clippy` failed (exit status: 101)")),
            step_of("tests", move || {
                flag.set(true);
                Ok(())
            }),
        ]);
        assert!(!ran_after.get(), "a step after a failure must not run");
        assert_eq!(results[0].outcome, Outcome::Failed);
        assert_eq!(results[1].outcome, Outcome::NotRun);
        let text = summary(&results);
        assert!(text.contains("FAILED") && text.contains("exit status: 101"), "{text}");
        assert!(text.ends_with("steps: 0 passed, 1 failed, 0 skipped\n"), "{text}");
    }
}
