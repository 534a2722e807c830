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

use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Output};

use assert_cmd::assert::{Assert, OutputAssertExt};

/// A run of the `hikeshi` binary: `assert_cmd`'s command, started again when Wine failed to
/// start it (see [`started`]). Only the builder methods the tests use are here, so a chain
/// never falls through to an `assert` that would not start again.
pub struct Hikeshi(assert_cmd::Command);

impl Hikeshi {
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Self {
        self.0.arg(arg);
        self
    }

    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.0.args(args);
        self
    }

    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        self.0.env(key, value);
        self
    }

    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.0.envs(vars);
        self
    }

    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Self {
        self.0.env_remove(key);
        self
    }

    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.0.current_dir(dir);
        self
    }

    pub fn write_stdin(&mut self, input: impl Into<Vec<u8>>) -> &mut Self {
        self.0.write_stdin(input);
        self
    }

    pub fn timeout(&mut self, timeout: std::time::Duration) -> &mut Self {
        self.0.timeout(timeout);
        self
    }

    /// Runs it to the end.
    pub fn output(&mut self) -> io::Result<Output> {
        started(|| self.0.output())
    }

    /// Runs it to the end, for assertions (a failure shows the command, as assert_cmd's
    /// own does); a run that could not start fails the test.
    pub fn assert(&mut self) -> Assert {
        match self.output() {
            Ok(output) => output
                .assert()
                .append_context("command", format!("{:?}", self.0)),
            Err(e) => panic!("hikeshi could not be started: {e}\n{:?}", self.0),
        }
    }
}

/// The `hikeshi` binary with no `HIKESHI_*` variables set.
pub fn hikeshi() -> Hikeshi {
    let mut cmd = Hikeshi(assert_cmd::cargo::cargo_bin_cmd!("hikeshi"));
    for (key, _) in std::env::vars() {
        if key.starts_with("HIKESHI_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// `start()` again, up to four more times, while it fails with Windows' ERROR_INTERNAL_ERROR
/// (1359). Wine (Debian's 8.0, under load: about one test binary run in sixteen on a 2-core
/// machine) now and then loses a new process before it has started, and CreateProcess then
/// says only that; the program never ran, so starting it again repeats nothing. (`output`
/// and `spawn` wait for nothing but the process's own end, which does not fail so; a kill
/// racing a process's exit, which Wine also reports as 1359, is never retried here.) Any
/// other error, and every error on Linux, is returned as it came. A moment's pause lets a
/// loaded Wine catch up.
pub fn started<T>(mut start: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    const ERROR_INTERNAL_ERROR: i32 = 1359;
    let mut again = 4;
    loop {
        match start() {
            Err(e)
                if cfg!(windows) && e.raw_os_error() == Some(ERROR_INTERNAL_ERROR) && again > 0 =>
            {
                eprintln!(
                    "Wine lost a new process before it started (ERROR_INTERNAL_ERROR): again"
                );
                again -= 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            result => return result,
        }
    }
}

/// `spawn` and `output` of a std command, started again as [`started`] says.
pub trait StartAgain {
    fn spawn_again(&mut self) -> io::Result<Child>;
    fn output_again(&mut self) -> io::Result<Output>;
}

impl StartAgain for std::process::Command {
    fn spawn_again(&mut self) -> io::Result<Child> {
        started(|| self.spawn())
    }

    fn output_again(&mut self) -> io::Result<Output> {
        started(|| self.output())
    }
}

/// `hikeshi` in `cwd`, acting as 田中 at `time` (HIKESHI_TIME fixes the clock).
pub fn hikeshi_at(cwd: &Path, time: &str) -> Hikeshi {
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
pub fn run_on(mut cmd: Hikeshi, incident: &Path, args: &[&str]) -> Output {
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
