//! A real pseudo-terminal for the screen tests: a tmux server of its own (its socket in the
//! test's folder), keys sent and the screen read back.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    pub fn new(dir: &Path, cwd: &Path) -> Tmux {
        let t = Tmux {
            socket: dir.join("tmux.sock"),
        };
        let ok = t
            .cmd()
            .args([
                "new-session",
                "-d",
                "-s",
                "h",
                "-x",
                "110",
                "-y",
                "34",
                "-c",
            ])
            .arg(cwd)
            .args(["bash", "--norc", "--noprofile"])
            .status()
            .expect("tmux is installed (.ci/run installs it)");
        assert!(ok.success());
        t
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-u").arg("-S").arg(&self.socket);
        c.env("LANG", "C.UTF-8");
        c
    }

    pub fn keys(&self, keys: &[&str]) {
        let ok = self
            .cmd()
            .args(["send-keys", "-t", "h"])
            .args(keys)
            .status()
            .unwrap();
        assert!(ok.success());
    }

    pub fn type_line(&self, line: &str) {
        let ok = self
            .cmd()
            .args(["send-keys", "-t", "h", "-l", line])
            .status()
            .unwrap();
        assert!(ok.success());
        self.keys(&["Enter"]);
    }

    pub fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "h"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits (bounded) until the screen shows `text`. The bound is generous: it returns as
    /// soon as the text is there, and a loaded 2-core CI machine can take seconds to start a
    /// debug binary.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (bounded) until the screen no longer shows `text`: a key sent right after
    /// Escape could otherwise reach the program in the same read and be taken for Alt+key.
    pub fn wait_gone(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if !screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "screen still shows {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Presses `keys` as a person does, until the screen shows `text`: a key the screen
    /// held (pressed a moment after the screen moved on, by one's own act or another's)
    /// says so; the person looks, and presses it again.
    pub fn press_until(&self, keys: &[&str], text: &str) -> String {
        const HELD: &str = "このキーは実行しませんでした";
        let deadline = Instant::now() + Duration::from_secs(60);
        self.keys(keys);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if screen.contains(HELD) {
                self.keys(&["Escape"]);
                self.wait_gone(HELD);
                // The person reads the message before pressing again: a key at once would
                // be a key still repeating, held too.
                std::thread::sleep(hikeshi::tui::app::KEY_QUIET);
                self.keys(keys);
            }
            assert!(
                Instant::now() < deadline,
                "screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().args(["kill-server"]).status();
    }
}
