//! Cartable's build and test pipeline, run as `cargo xtask <command>`:
//!
//! - `build [--wasm-opt]`: the UI and engine wasm modules, wasm-bindgen glue, then `dist/`
//!   (hashed assets, templates filled in, service worker stamped, `.br`/`.gz`, `build.json`) and
//!   a size table;
//! - `run [-- server args…]`: `build`, then the server on `127.0.0.1:8080` with the demo data;
//! - `bench sync [--devices N] [--writers N]`: the sync benchmark against the real server binary
//!   (figures beside the DESIGN §10 targets);
//! - `bench push [--subscriptions N] [--rounds N]`: the Web Push fan-out benchmark;
//! - `bench app [--runs N] [--wasm-opt]`: the app shell's compressed sizes and its offline cold
//!   start in headless Chromium (4× CPU throttling), beside the DESIGN §10 targets;
//! - `test [--no-browser]`: formatting, clippy (native and wasm32), the wasm32 check of `shared`,
//!   every native test, the build, the server build and the browser suite.
//!
//! Layout: `cmd` (running commands), `build` (tools and wasm), `dist` (writing `dist/`),
//! `report` (size table), `run`, `test`, `bench`.

mod bench;
mod build;
mod cmd;
mod dist;
mod fake_push;
mod report;
mod run;
mod test;

use std::ffi::OsString;
use std::process::ExitCode;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  build [--wasm-opt]        build the app into dist/ and print its sizes
  run [-- <server args>]    build, then start the server on 127.0.0.1:8080 with the demo data
  bench sync [--devices N] [--writers N]
                            the sync benchmark (release build of server and bench_sync)
  bench push [--subscriptions N] [--rounds N]
                            the Web Push fan-out benchmark (server and bench_push)
  bench app [--runs N] [--wasm-opt]
                            app shell sizes and offline cold starts in headless Chromium
  test [--no-browser]       every check: fmt, clippy, wasm32 checks, tests, build, browser suite
";

fn main() -> ExitCode {
    match dispatch(std::env::args_os().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: Vec<OsString>) -> Result<()> {
    let mut args = args.into_iter();
    let Some(command) = args.next() else {
        print!("{USAGE}");
        bail!("no command given");
    };
    let rest: Vec<OsString> = args.collect();
    match command.to_str() {
        Some("build") => {
            let opts = build::BuildOptions {
                wasm_opt: flags(&rest, &["--wasm-opt"])?.contains(&"--wasm-opt"),
            };
            build::build(opts).map(|_| ())
        }
        Some("run") => {
            let (ours, forwarded) = match rest.iter().position(|a| a == "--") {
                Some(i) => (rest[..i].to_vec(), rest[i + 1..].to_vec()),
                None => (rest, Vec::new()),
            };
            let opts = build::BuildOptions {
                wasm_opt: flags(&ours, &["--wasm-opt"])?.contains(&"--wasm-opt"),
            };
            run::run_server(opts, forwarded)
        }
        Some("test") => {
            let opts = test::TestOptions {
                no_browser: flags(&rest, &["--no-browser"])?.contains(&"--no-browser"),
            };
            test::test(opts)
        }
        Some("bench") => bench::bench(&rest),
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            print!("{USAGE}");
            bail!("unknown command {:?}", command)
        }
    }
}

/// The flags of `args`, each of which must be one of `known`.
fn flags<'a>(args: &[OsString], known: &[&'a str]) -> Result<Vec<&'a str>> {
    args.iter()
        .map(|a| match known.iter().find(|k| a == **k) {
            Some(k) => Ok(*k),
            None => {
                print!("{USAGE}");
                bail!("unknown argument {a:?}")
            }
        })
        .collect()
}
