//! The Python environment of the fake push service (`tests/fake_push/`): a venv under
//! `target/fake-push-venv` with the pinned packages of `tests/fake_push/requirements.txt`.
//! Needs only `python3` (with its `venv` module) and network access to PyPI the first time;
//! later runs reuse the venv while the requirements file is unchanged.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::cmd::{self, command, run, step};

/// The environment variable the tests read to find the venv's interpreter.
pub(crate) const PYTHON_ENV: &str = "CARTABLE_FAKE_PUSH_PYTHON";

/// Creates (or reuses) the venv and returns its `python`.
pub(crate) fn ensure_venv() -> Result<PathBuf> {
    let requirements = cmd::root().join("tests").join("fake_push").join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let venv = cmd::target_dir().join("fake-push-venv");
    let python = venv.join("bin").join("python");
    let stamp = venv.join("requirements.installed");
    if python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        println!("    fake push service venv: up to date ({})", venv.display());
        return Ok(python);
    }
    if !cmd::on_path("python3") {
        bail!(
            "python3 is missing: the fake push service of the tests needs it (with venv and pip)"
        );
    }
    step("installing the fake push service's Python packages (venv + pip)…");
    let _ = std::fs::remove_dir_all(&venv);
    run(command("python3", ["-m", "venv"]).arg(&venv))
        .context("python3 -m venv failed (Debian: apt-get install python3-venv)")?;
    run(command(python.to_string_lossy().as_ref(), ["-m", "pip", "install", "--quiet", "-r"])
        .arg(&requirements))?;
    std::fs::write(&stamp, wanted)?;
    Ok(python)
}
