//! A real HTTP server (Python's http.server, tests/support/webhookd.py) on 127.0.0.1 for the
//! chat channel tests: it answers 200, 429 with Retry-After, 500, 404 or not at all as the
//! path asks, and records every request it gets.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A running webhookd; stopped when dropped.
pub struct WebhookServer {
    child: Child,
    log: PathBuf,
    pub port: u16,
}

impl WebhookServer {
    /// Starts a server that records to `dir/requests-<n>.jsonl` and verifies signatures
    /// with `secret`.
    pub fn start(dir: &Path, secret: &str) -> WebhookServer {
        let log = dir.join("requests.jsonl");
        let mut child = Command::new("python3")
            .arg(super::root().join("tests/support/webhookd.py"))
            .arg("--log")
            .arg(&log)
            .arg("--secret")
            .arg(secret)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs (needed for the webhook test server)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the webhook test server did not start: {line:?}"));
        WebhookServer { child, log, port }
    }

    /// `http://127.0.0.1:PORT/PATH`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The requests to paths starting with `prefix`.
    pub fn to(&self, prefix: &str) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["path"].as_str().unwrap().starts_with(prefix))
            .collect()
    }
}

impl Drop for WebhookServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fails the test unless `card` (an Adaptive Card, the `content` of a Teams attachment)
/// validates against the Adaptive Card 1.4 schema vendored under
/// tests/support/adaptive-cards/ (Python's jsonschema, Draft 6 as the schema declares).
pub fn assert_valid_adaptive_card(card: &Value) {
    let schema = super::root().join("tests/support/adaptive-cards/adaptive-card-1.4.0.json");
    let script = format!(
        "import json, sys, jsonschema\n\
         schema = json.load(open({path:?}, encoding='utf-8'))\n\
         card = json.load(sys.stdin)\n\
         errors = sorted(jsonschema.Draft6Validator(schema).iter_errors(card), key=str)\n\
         print('\\n'.join(f'{{list(e.absolute_path)}}: {{e.message}}' for e in errors))",
        path = schema.display().to_string()
    );
    let out = super::smtp::run_python(&script, card.to_string().as_bytes());
    assert!(
        out.trim().is_empty(),
        "not a valid Adaptive Card 1.4:\n{out}\n{card:#}"
    );
}
