//! Helpers shared by the integration tests: the real `hikeshi` binary, with a clean
//! environment so a developer's settings never change a result.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod engine;
pub mod given;
pub mod imap;
pub mod ooxml;
pub mod proxy;
pub mod smtp;
#[cfg(unix)]
pub mod tmux;
pub mod webhook;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `hikeshi` binary with no `HIKESHI_*` variables set.
pub fn hikeshi() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("hikeshi");
    for (key, _) in std::env::vars() {
        if key.starts_with("HIKESHI_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// `hikeshi` in `cwd`, acting as 田中 at `time` (HIKESHI_TIME fixes the clock).
pub fn hikeshi_at(cwd: &Path, time: &str) -> Command {
    let mut cmd = hikeshi();
    cmd.current_dir(cwd)
        .env("HIKESHI_TIME", time)
        .env("HIKESHI_OPERATOR", "田中");
    cmd
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A relative path written with `/` as hikeshi shows it on this platform (`\` on Windows).
pub fn native(path: &str) -> String {
    path.replace('/', std::path::MAIN_SEPARATOR_STR)
}

/// A path under `tests/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    root().join("tests").join("fixtures").join(relative)
}

/// Runs `hikeshi --lang en check --json PATH` and returns the diagnostics and the exit code.
pub fn check_json(path: &Path) -> (Vec<serde_json::Value>, i32) {
    let output = hikeshi()
        .args(["--lang", "en", "check", "--json"])
        .arg(path)
        .output()
        .expect("hikeshi runs");
    let diagnostics: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("check --json prints a JSON array");
    (diagnostics, output.status.code().unwrap_or(-1))
}

/// Every file under `dir`, at any depth.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Runs `cmd` with `args`, each `INC` in them standing for the incident's folder.
pub fn run_on(mut cmd: Command, incident: &Path, args: &[&str]) -> std::process::Output {
    for a in args {
        if *a == "INC" {
            cmd.arg(incident);
        } else {
            cmd.arg(a);
        }
    }
    cmd.output().unwrap()
}

/// The standard output of a run that must have succeeded; if it did not, the failure shows
/// the arguments and both outputs.
pub fn succeeded(args: &[&str], output: std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{args:?}: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Copies a folder and everything in it to `to` (made if missing).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
