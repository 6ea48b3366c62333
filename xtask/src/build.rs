//! `cargo xtask build`: the app's wasm modules (the students' UI, the engine worker, the staff's
//! publishing views) and the administration page's, wasm-bindgen, then `dist/`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::cmd::{self, command, output, run, step};
use crate::dist::{self, Sources};
use crate::report;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Must equal the `wasm-bindgen` crate version pinned in the workspace.
const WASM_BINDGEN_VERSION: &str = "0.2.130";

/// Options of `cargo xtask build`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct BuildOptions {
    /// Run `wasm-opt -Oz` on both modules (off by default: measured here it shrinks the raw
    /// files by 5–8 % but never the compressed download, see STACK.md).
    pub(crate) wasm_opt: bool,
}

/// Builds `dist/` and prints its size table.
pub(crate) fn build(opts: BuildOptions) -> Result<PathBuf> {
    ensure_tools()?;
    step("building the UI, publishing and administration modules (wasm32, release, no Automerge)…");
    run(command(
        "cargo",
        [
            "build",
            "-p",
            "cartable-pwa",
            "--release",
            "--target",
            WASM_TARGET,
            "--bin",
            "ui",
            "--bin",
            "admin",
            "--bin",
            "publish",
        ],
    ))?;
    step("building the engine module (wasm32, release, feature `engine`)…");
    run(command(
        "cargo",
        [
            "build",
            "-p",
            "cartable-pwa",
            "--release",
            "--target",
            WASM_TARGET,
            "--bin",
            "engine",
            "--features",
            "engine",
        ],
    ))?;

    let wasm_dir = cmd::target_dir().join(WASM_TARGET).join("release");
    let bindgen = cmd::target_dir().join("xtask").join("wasm-bindgen");
    for module in ["ui", "engine", "admin", "publish"] {
        step(&format!(
            "generating the JS glue of the {module} module (wasm-bindgen --target web)…"
        ));
        let out = bindgen.join(module);
        if out.exists() {
            fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))?;
        }
        let input = wasm_dir.join(format!("{module}.wasm"));
        let mut cmd = command("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir"]);
        cmd.arg(&out).arg(&input);
        run(&mut cmd)?;
        if opts.wasm_opt {
            wasm_opt(&out.join(format!("{module}_bg.wasm")))?;
        }
    }

    let root = cmd::root();
    let dist_dir = root.join("dist");
    step(&format!(
        "writing {} (hashed assets, templates, service worker, .br/.gz)…",
        dist_dir.display()
    ));
    let dist = dist::write_dist(&Sources::of_repo(&root, &bindgen), &dist_dir)?;
    step(&format!("build {} written to {}", dist.build_id, dist_dir.display()));
    print!("{}", report::size_table(&dist));
    Ok(dist_dir)
}

/// The wasm32 target and the wasm-bindgen CLI of the pinned version.
fn ensure_tools() -> Result<()> {
    step("checking the wasm32 target and wasm-bindgen CLI…");
    let installed = output(&mut command("rustup", ["target", "list", "--installed"]));
    let has_target = match &installed {
        Some(list) => list.lines().any(|l| l.trim() == WASM_TARGET),
        // No rustup: look in the sysroot.
        None => output(&mut command("rustc", ["--print", "sysroot"]))
            .is_some_and(|s| Path::new(&s).join("lib/rustlib").join(WASM_TARGET).is_dir()),
    };
    if has_target {
        println!("    {WASM_TARGET}: installed");
    } else {
        if installed.is_none() {
            bail!("the {WASM_TARGET} target is missing and rustup is not available to add it");
        }
        run(&mut command("rustup", ["target", "add", WASM_TARGET]))?;
    }
    let version = output(&mut command("wasm-bindgen", ["--version"]));
    let wanted = format!("wasm-bindgen {WASM_BINDGEN_VERSION}");
    if version
        .as_deref()
        .is_some_and(|v| v.split_whitespace().take(2).collect::<Vec<_>>().join(" ") == wanted)
    {
        println!("    {wanted}: installed");
    } else {
        println!(
            "    wasm-bindgen CLI is {}; installing {WASM_BINDGEN_VERSION} (about 2 minutes)…",
            version.as_deref().unwrap_or("absent")
        );
        // Without --locked: the CLI's lockfile names a crate version the registry here lacks.
        run(&mut command(
            "cargo",
            ["install", "wasm-bindgen-cli", "--version", &format!("={WASM_BINDGEN_VERSION}")],
        ))?;
    }
    Ok(())
}

/// `wasm-opt -Oz` in place. `strip = true` removes the target-features section, so the
/// features the Rust output uses are enabled explicitly.
fn wasm_opt(wasm: &Path) -> Result<()> {
    if !cmd::on_path("wasm-opt") {
        bail!(
            "--wasm-opt was given but no wasm-opt is installed (npm binaryen@132; Debian's crashes on Yew)"
        );
    }
    step(&format!("optimising {} with wasm-opt -Oz…", wasm.display()));
    let mut cmd = command(
        "wasm-opt",
        [
            "-Oz",
            "--enable-bulk-memory",
            "--enable-bulk-memory-opt",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
            "-o",
        ],
    );
    cmd.arg(wasm).arg(wasm);
    run(&mut cmd)
}
