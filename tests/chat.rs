//! Chat channels end to end: the real binary posting to a real HTTP server on 127.0.0.1
//! (tests/support/webhookd.py) that records every request and answers 200, 429, 500, 404 or
//! not at all. Each kind's payload, the webhook signature, retries that deliver once, a hung
//! server, and the URL kept out of everything the incident writes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The test server is Python's http.server, started the way the SMTP tests start theirs.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};

use common::webhook::WebhookServer;
use common::{fixture, hikeshi};
use serde_json::Value;

/// Friday 22:05 JST.
const NIGHT: &str = "2026-11-20T22:05:00+09:00";
/// Part of every URL: found nowhere in the incident folder, the outbox or the report.
const SECRET: &str = "T0ken-5ecret";
const HMAC_KEY: &str = "hmac-key-for-tests";

/// Writes hikeshi.toml in `dir` with four channels posting to `server` at `paths` (`ok`,
/// `busy-1`, …): koho-lw (LINE WORKS, url_env), koho-teams (Teams, url_file), joho-slack
/// (Slack), kiki-hook (webhook, signed). Returns the environment the URLs are read from.
fn configure(
    dir: &Path,
    server: &WebhookServer,
    paths: [&str; 4],
    more_toml: &str,
) -> Vec<(String, String)> {
    let url = |path: &str, name: &str| server.url(&format!("{path}/{SECRET}-{name}"));
    std::fs::write(
        dir.join("teams.url"),
        format!("{}\n", url(paths[1], "teams")),
    )
    .unwrap();
    std::fs::write(
        dir.join("hikeshi.toml"),
        format!(
            "[channels.koho-lw]\nkind = \"line-works\"\nurl_env = \"HK_LW_URL\"\n\n\
             [channels.koho-teams]\nkind = \"teams\"\nurl_file = \"teams.url\"\n\n\
             [channels.joho-slack]\nkind = \"slack\"\nurl_env = \"HK_SLACK_URL\"\ntimeout_secs = 2\n\n\
             [channels.kiki-hook]\nkind = \"webhook\"\nurl_env = \"HK_HOOK_URL\"\nsecret_env = \"HK_HOOK_SECRET\"\n\n\
             {more_toml}"
        ),
    )
    .unwrap();
    vec![
        ("HK_LW_URL".to_string(), url(paths[0], "lw")),
        ("HK_SLACK_URL".to_string(), url(paths[2], "slack")),
        ("HK_HOOK_URL".to_string(), url(paths[3], "hook")),
        ("HK_HOOK_SECRET".to_string(), HMAC_KEY.to_string()),
    ]
}

struct Chat {
    dir: tempfile::TempDir,
    incident: PathBuf,
    server: WebhookServer,
    env: Vec<(String, String)>,
}

impl Chat {
    /// An incident of the chat fixture (`extra`: more `start` flags), with `detect` done, and
    /// hikeshi.toml's channels posting to the test server (see [`configure`]).
    fn start(extra: &[&str], paths: [&str; 4], more_toml: &str) -> Chat {
        Chat::start_titled("公式X乗っ取り", extra, paths, more_toml)
    }

    /// [`Chat::start`] with the incident titled `title`.
    fn start_titled(title: &str, extra: &[&str], paths: [&str; 4], more_toml: &str) -> Chat {
        let dir = tempfile::tempdir().unwrap();
        let server = WebhookServer::start(dir.path(), HMAC_KEY);
        let env = configure(dir.path(), &server, paths, more_toml);
        let output = hikeshi()
            .current_dir(dir.path())
            .env("HIKESHI_TIME", NIGHT)
            .env("HIKESHI_OPERATOR", "田中")
            .args(["start"])
            .arg(fixture("chat/playbook.yaml"))
            .args(["--title", title, "--account", "@city_official"])
            .args(["--platform", "x"])
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let last = String::from_utf8(output.stdout).unwrap();
        let incident = dir.path().join(last.lines().last().unwrap());
        let chat = Chat {
            dir,
            incident,
            server,
            env,
        };
        chat.ok(&["done", "INC", "detect"]);
        chat
    }

    fn run_at(&self, time: &str, args: &[&str]) -> std::process::Output {
        let mut cmd = hikeshi();
        cmd.current_dir(self.dir.path())
            .env("HIKESHI_TIME", time)
            .env("HIKESHI_OPERATOR", "田中")
            .env("HIKESHI_CONFIG", self.dir.path().join("hikeshi.toml"));
        // The test server is on this machine: no proxy of the environment may take the posts.
        for var in ["http_proxy", "https_proxy", "all_proxy"] {
            cmd.env_remove(var).env_remove(var.to_uppercase());
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        common::run_on(cmd, &self.incident, args)
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.run_at(NIGHT, args)
    }

    fn ok(&self, args: &[&str]) -> String {
        common::succeeded(args, self.run(args))
    }

    fn outbox(&self) -> Vec<Value> {
        let out = self.ok(&["outbox", "INC", "--json"]);
        let v: Value = serde_json::from_str(&out).unwrap();
        v["messages"].as_array().unwrap().clone()
    }

    fn post(&self, channel: &str) -> Value {
        self.outbox()
            .into_iter()
            .find(|m| m["channel"] == channel)
            .unwrap_or_else(|| panic!("no post to {channel}"))
    }
}

/// The text of each block of a Teams card, its runs joined; every block is a RichTextBlock
/// of TextRuns, which Adaptive Cards never read as Markdown.
fn card_lines(card: &Value) -> Vec<String> {
    card["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|block| {
            assert_eq!(block["type"], "RichTextBlock", "{block}");
            block["inlines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|run| {
                    assert_eq!(run["type"], "TextRun", "{run}");
                    run["text"].as_str().unwrap()
                })
                .collect::<String>()
        })
        .collect()
}

/// Every Teams card a test made, posted or kept in the outbox, is checked against the
/// Adaptive Card 1.4 schema when the test's incident is dropped (unless it already failed).
impl Drop for Chat {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let mut messages: Vec<Value> = self
            .server
            .requests()
            .iter()
            .filter(|r| r["path"].as_str().unwrap().ends_with("-teams"))
            .map(body)
            .collect();
        let outbox = self.incident.join("outbox");
        for entry in std::fs::read_dir(&outbox).into_iter().flatten() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                if v["type"] == "message" {
                    messages.push(v);
                }
            }
        }
        for message in &messages {
            for attachment in message["attachments"].as_array().unwrap() {
                common::webhook::assert_valid_adaptive_card(&attachment["content"]);
            }
        }
    }
}

fn body(request: &Value) -> Value {
    serde_json::from_str(request["body"].as_str().unwrap()).unwrap()
}

/// Every file under `dir`, read as bytes, that contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            if String::from_utf8_lossy(&bytes).contains(needle) {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn each_kind_gets_the_payload_its_service_expects_and_the_url_stays_secret() {
    let chat = Chat::start(&[], ["ok", "ok", "ok", "ok"], "[proxy]\nurl = \"direct\"\n");
    let out = chat.ok(&["notify", "INC", "first-report"]);
    // Three mails (to the outbox: no [smtp]) and three posts: 広報広聴課 has two channels,
    // 情報政策課 one, 発信管理者 none.
    assert!(out.contains("6 通を送信します"), "{out}");
    assert!(out.contains("完了（全員に送達）: first-report"), "{out}");
    let requests = chat.server.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");

    // LINE WORKS: title and body.text, in Japanese, with what is asked and where from.
    let lw = body(&chat.server.to("/ok/T0ken-5ecret-lw")[0]);
    assert_eq!(
        lw["title"],
        "【第一報】公式X乗っ取り（@city_official）広報広聴課御中"
    );
    let text = lw["body"]["text"].as_str().unwrap();
    assert!(text.contains("広報広聴課 御中"), "{text}");
    assert!(text.contains("お願い: 内容を確認し、30分以内に"), "{text}");
    assert!(
        text.contains("手順: 第一報を送る（first-report）"),
        "{text}"
    );
    assert!(text.contains("事案: 公式X乗っ取り（"), "{text}");
    assert_eq!(lw.as_object().unwrap().len(), 2, "{lw}");

    // Teams (Workflows): a message with one Adaptive Card attachment.
    let teams = body(&chat.server.to("/ok/T0ken-5ecret-teams")[0]);
    assert_eq!(teams["type"], "message");
    let attachment = &teams["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachment["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.4");
    common::webhook::assert_valid_adaptive_card(card);
    let blocks = card_lines(card);
    assert_eq!(blocks[0], lw["title"].as_str().unwrap());
    // Each line of the notice is a block of its own (Teams joins a TextBlock's single line
    // breaks into one paragraph), the facts under it.
    assert_eq!(blocks[1], "広報広聴課 御中");
    let number = blocks
        .iter()
        .position(|b| b.starts_with("事案番号: "))
        .unwrap();
    assert!(blocks[number + 1].starts_with("手順: "), "{blocks:#?}");
    assert!(
        blocks
            .iter()
            .any(|b| b.starts_with("お願い: 内容を確認し、30分以内に")),
        "{blocks:#?}"
    );

    // Slack: fallback text and blocks of plain text.
    let slack = body(&chat.server.to("/ok/T0ken-5ecret-slack")[0]);
    assert!(slack["text"].as_str().unwrap().contains("情報政策課御中"));
    let blocks = slack["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["type"], "plain_text");
    assert_eq!(blocks[1]["type"], "section");
    assert!(
        blocks[1]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("情報政策課 御中")
    );
    assert_eq!(blocks[3]["type"], "context");
    for r in &requests {
        assert_eq!(r["headers"]["content-type"], "application/json");
        // Only the generic webhook is signed.
        assert!(r["signature_ok"].is_null(), "{r}");
    }

    // The outbox lists the posts as messages like mail, delivered, with the kind and name.
    let post = chat.post("koho-teams");
    assert_eq!(post["address"], "teams:koho-teams");
    assert_eq!(post["state"], "sent");
    assert_eq!(post["transport"], "teams");
    assert!(post["reply"].as_str().unwrap().starts_with("HTTP 200"));
    assert!(post["file"].as_str().unwrap().ends_with(".json"));
    let listing = chat.ok(&["outbox", "INC"]);
    assert!(
        listing.contains("広報広聴課 チャット teams:koho-teams"),
        "{listing}"
    );

    // The generic webhook: hikeshi's JSON, signed over the timestamp and the body.
    chat.ok(&["notify", "INC", "second-report"]);
    let hook = chat.server.to("/ok/T0ken-5ecret-hook");
    assert_eq!(hook.len(), 1);
    assert_eq!(hook[0]["signature_ok"], true, "{}", hook[0]);
    let json = body(&hook[0]);
    assert_eq!(json["format"], 1);
    assert_eq!(json["to"], "危機管理課");
    assert_eq!(json["step"]["id"], "second-report");
    assert_eq!(json["exercise"], false);
    let key = json["idempotency_key"].as_str().unwrap();
    assert_eq!(hook[0]["headers"]["idempotency-key"], key);
    assert_eq!(chat.post("kiki-hook")["message_id"], key);

    // Neither the URL nor the secret is anywhere the incident keeps, the report included.
    let report_file = chat.incident.join("report.md");
    chat.ok(&[
        "report",
        "INC",
        "--format",
        "md",
        "-o",
        report_file.to_str().unwrap(),
    ]);
    let report = std::fs::read_to_string(chat.incident.join("report.md")).unwrap();
    assert!(report.contains("チャット投稿 teams:koho-teams"), "{report}");
    for needle in [SECRET, HMAC_KEY, "127.0.0.1"] {
        let found = files_containing(&chat.incident, needle);
        assert!(found.is_empty(), "{needle} written in {found:?}");
    }
}

#[test]
fn a_busy_or_failing_service_is_retried_and_gets_each_post_once() {
    let chat = Chat::start(&[], ["busy-1", "ok", "fail-1", "ok"], "");
    let out = chat.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let busy = chat.post("koho-lw");
    assert_eq!(busy["state"], "failed");
    assert!(
        busy["last_error"].as_str().unwrap().contains("429"),
        "{busy}"
    );
    // Retry-After (120 s) is longer than the first backoff (15 s): it is respected.
    assert_eq!(busy["next_retry"], "2026-11-20T22:07:00+09:00");
    let failing = chat.post("joho-slack");
    assert_eq!(failing["state"], "failed");
    assert!(failing["last_error"].as_str().unwrap().contains("500"));
    assert_eq!(failing["next_retry"], "2026-11-20T22:05:15+09:00");
    assert!(
        !failing["last_error"].as_str().unwrap().contains(SECRET),
        "{failing}"
    );

    // Before their time, nothing is due; `outbox --retry` sends them now.
    let out = chat.ok(&["outbox", "INC", "--retry"]);
    assert!(out.contains("2 通を再送します"), "{out}");
    assert_eq!(chat.post("koho-lw")["state"], "sent");
    assert_eq!(chat.post("joho-slack")["state"], "sent");
    // Each service answered 200 once; the attempts carried the same payload.
    for prefix in ["/busy-1/", "/fail-1/"] {
        let got = chat.server.to(prefix);
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(got[0]["body"], got[1]["body"]);
    }
    // Nothing is sent again.
    chat.ok(&["outbox", "INC", "--retry"]);
    assert_eq!(chat.server.requests().len(), 5);
}

#[test]
fn a_hung_service_times_out_and_is_retried() {
    let chat = Chat::start(&[], ["ok", "ok", "hang-1", "ok"], "");
    let started = std::time::Instant::now();
    let out = chat.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let hung = chat.post("joho-slack");
    assert_eq!(hung["state"], "failed", "{hung}");
    let error = hung["last_error"].as_str().unwrap();
    assert!(error.contains("no answer within 2 s"), "{error}");
    assert!(!error.contains(SECRET), "{error}");
    chat.ok(&["outbox", "INC", "--retry"]);
    assert_eq!(chat.post("joho-slack")["state"], "sent");
    assert_eq!(chat.server.to("/hang-1/").len(), 2);
}

#[test]
fn a_deleted_webhook_or_a_missing_url_fails_permanently_and_visibly_and_mail_goes_on() {
    let mut chat = Chat::start(&[], ["gone", "ok", "ok", "ok"], "");
    chat.env.retain(|(k, _)| k != "HK_SLACK_URL");
    let out = chat.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let gone = chat.post("koho-lw");
    assert_eq!(gone["state"], "failed_permanent", "{gone}");
    assert!(gone["last_error"].as_str().unwrap().contains("404"));
    let unset = chat.post("joho-slack");
    assert_eq!(unset["state"], "failed_permanent", "{unset}");
    assert!(
        unset["last_error"]
            .as_str()
            .unwrap()
            .contains("HK_SLACK_URL (url_env) is not set")
    );
    // The mail and the other post were delivered.
    let sent = chat
        .outbox()
        .iter()
        .filter(|m| m["state"] == "sent")
        .count();
    assert_eq!(sent, 4);
    let listing = chat.ok(&["outbox", "INC"]);
    assert!(listing.contains("再送しない"), "{listing}");
}

#[test]
fn a_drill_marks_its_posts_and_sends_them_nowhere() {
    let chat = Chat::start(&["--exercise"], ["ok", "ok", "ok", "ok"], "");
    chat.ok(&["notify", "INC", "first-report"]);
    assert!(
        chat.server.requests().is_empty(),
        "a drill's post left the machine"
    );
    let post = chat.post("koho-lw");
    assert_eq!(post["transport"], "file");
    assert!(post["subject"].as_str().unwrap().starts_with("【訓練】"));
    let saved: Value = serde_json::from_slice(
        &std::fs::read(chat.incident.join(post["file"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    assert!(saved["title"].as_str().unwrap().starts_with("【訓練】"));
    assert!(
        saved["body"]["text"]
            .as_str()
            .unwrap()
            .starts_with("【訓練】これは訓練")
    );
}

#[test]
fn a_channel_hikeshi_toml_does_not_define_stops_the_step_before_anything_is_queued() {
    let chat = Chat::start(&[], ["ok", "ok", "ok", "ok"], "");
    let toml = chat.dir.path().join("hikeshi.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace("[channels.koho-lw]", "[channels.other]"),
    )
    .unwrap();
    let out = chat.run(&["--lang", "en", "notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hikeshi.toml has no [channels.koho-lw]"),
        "{stderr}"
    );
    assert!(chat.outbox().is_empty());
    assert!(chat.server.requests().is_empty());
}

#[test]
fn a_url_in_hikeshi_toml_is_refused_without_showing_it() {
    let chat = Chat::start(&[], ["ok", "ok", "ok", "ok"], "");
    let toml = chat.dir.path().join("hikeshi.toml");
    std::fs::write(
        &toml,
        format!("[channels.x]\nkind = \"slack\"\nurl = \"https://hooks.example/{SECRET}\"\n"),
    )
    .unwrap();
    let out = chat.run(&["--lang", "en", "outbox", "INC"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("url_env"), "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
}

#[test]
fn posts_go_through_the_configured_proxy() {
    // The test server stands in for the city's proxy: the post's target is a port where
    // nothing listens, so it arrives only if it went through the proxy.
    let proxy_dir = tempfile::tempdir().unwrap();
    let proxy = WebhookServer::start(proxy_dir.path(), "");
    let chat = Chat::start(
        &[],
        ["ok", "ok", "ok", "ok"],
        &format!("[proxy]\nurl = \"{}\"\n", proxy.url("")),
    );
    let mut chat = chat;
    let nowhere = format!(
        "http://127.0.0.1:{}/via-proxy/{SECRET}",
        common::smtp::free_port()
    );
    for (k, v) in &mut chat.env {
        if k == "HK_LW_URL" || k == "HK_SLACK_URL" {
            *v = nowhere.clone();
        }
    }
    chat.ok(&["notify", "INC", "first-report"]);
    let through = proxy.requests();
    assert_eq!(through.len(), 3, "{through:#?}");
    assert!(chat.server.requests().is_empty());
    assert!(through.iter().any(|r| {
        r["path"]
            .as_str()
            .unwrap()
            .ends_with("/via-proxy/T0ken-5ecret")
    }));
}

#[test]
fn an_exercise_posts_to_the_channels_only_with_live_or_its_old_name_live_mail() {
    let dir = tempfile::tempdir().unwrap();
    let server = WebhookServer::start(dir.path(), HMAC_KEY);
    let env = configure(dir.path(), &server, ["ok", "ok", "ok", "ok"], "");
    let play = |flag: Option<&str>| -> Value {
        let mut cmd = hikeshi();
        cmd.current_dir(dir.path())
            .env("HIKESHI_CONFIG", dir.path().join("hikeshi.toml"))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args(["exercise", "--autopilot", "--json"])
            .arg(fixture("chat/drill.yaml"));
        for var in ["http_proxy", "https_proxy", "all_proxy"] {
            cmd.env_remove(var).env_remove(var.to_uppercase());
        }
        cmd.args(flag);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // Without --live nothing leaves the machine, though [channels] is set up.
    let quiet = play(None);
    assert!(quiet["messages"].as_u64().unwrap() > 0);
    assert!(
        server.requests().is_empty(),
        "a drill's post left the machine"
    );

    for (flag, round) in [("--live", 1), ("--live-mail", 2)] {
        play(Some(flag));
        let requests = server.requests();
        // first-report (3 posts) and second-report (1) of each live run.
        assert_eq!(requests.len(), 4 * round, "{flag}: {requests:#?}");
        for r in &requests {
            let text = r["body"].as_str().unwrap();
            assert!(text.contains("【訓練】"), "{flag}: {text}");
        }
        let hook = server.to("/ok/T0ken-5ecret-hook");
        assert_eq!(body(hook.last().unwrap())["exercise"], true);
    }
}

/// Every text in a report file: the file itself for html/md/csv/json, every part of the zip
/// for docx/xlsx (read with Python's zipfile, the XML as it is).
fn report_text(chat: &Chat, format: &str) -> String {
    let out = chat.run(&["report", "INC", "--format", format, "-o", "-"]);
    assert!(out.status.success(), "{format}: {out:?}");
    if format == "docx" || format == "xlsx" {
        common::smtp::run_python(
            "import io, sys, zipfile\n\
             z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\n\
             print('\\n'.join(z.read(n).decode('utf-8', 'replace') for n in z.namelist() if n.endswith('.xml')))",
            &out.stdout,
        )
    } else {
        String::from_utf8(out.stdout).unwrap()
    }
}

/// Issue 30 item 4: a chat post is on record as taken by its service, never by a mail
/// server, and a mail written to the outbox as written there, in every report format.
#[test]
fn the_record_says_which_service_took_each_post_in_every_report_format() {
    let chat = Chat::start(&[], ["ok", "ok", "ok", "ok"], "[proxy]\nurl = \"direct\"\n");
    chat.ok(&["notify", "INC", "first-report"]);
    chat.ok(&["notify", "INC", "second-report"]);
    for format in ["html", "md", "csv", "json", "docx", "xlsx"] {
        let text = report_text(&chat, format);
        for said in [
            "が Teams に受け付けられた",
            "が Slack に受け付けられた",
            "が LINE WORKS に受け付けられた",
            "が 連携先システム（webhook） に受け付けられた",
            "を送信箱（outbox）に保存",
        ] {
            assert!(text.contains(said), "{format}: no {said:?}");
        }
        // No [smtp] here: nothing was accepted by a mail server.
        assert!(!text.contains("メールサーバー"), "{format}: a mail server?");
    }
    let out = chat.run(&["--lang", "en", "report", "INC", "--format", "md", "-o", "-"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("accepted by Teams"), "{text}");
    assert!(!text.contains("mail server"), "{text}");
}

/// Issue 30 item 3: what is typed into a title reaches no chat service as markup, a link or a
/// mention: Slack gets `&`, `<`, `>` escaped in every text field (its top-level `text` too),
/// Teams gets TextRuns (never Markdown), and every card validates against Adaptive Card 1.4.
#[test]
fn nothing_typed_is_read_as_markup_a_link_or_a_mention() {
    let title = "[罠](https://evil.example/x) <!channel> **太字** <at>全員</at> & 1. 一覧";
    let chat = Chat::start_titled(
        title,
        &[],
        ["ok", "ok", "ok", "ok"],
        "[proxy]\nurl = \"direct\"\n",
    );
    chat.ok(&["notify", "INC", "first-report"]);

    let slack = body(&chat.server.to("/ok/T0ken-5ecret-slack")[0]);
    let mut texts = vec![slack["text"].as_str().unwrap().to_string()];
    for block in slack["blocks"].as_array().unwrap() {
        if let Some(text) = block["text"]["text"].as_str() {
            assert_eq!(block["text"]["type"], "plain_text", "{block}");
            texts.push(text.to_string());
        }
        for element in block["elements"].as_array().into_iter().flatten() {
            texts.push(element["text"].as_str().unwrap().to_string());
        }
    }
    assert!(texts[0].contains("&lt;!channel&gt;"), "{texts:#?}");
    assert!(
        texts[0].contains("&lt;at&gt;全員&lt;/at&gt; &amp; 1."),
        "{texts:#?}"
    );
    for text in &texts {
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        assert!(
            !text
                .replace("&amp;", "")
                .replace("&lt;", "")
                .replace("&gt;", "")
                .contains('&')
        );
    }

    let teams = body(&chat.server.to("/ok/T0ken-5ecret-teams")[0]);
    let card = &teams["attachments"][0]["content"];
    common::webhook::assert_valid_adaptive_card(card);
    // Only TextRuns: the title and the facts are shown as typed, none of it as Markdown.
    let lines = card_lines(card);
    assert!(lines[0].contains(title), "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("事案: ") && l.contains(title)),
        "{lines:#?}"
    );
    let raw = teams.to_string();
    assert!(
        !raw.contains("\"type\":\"TextBlock\"") && !raw.contains("\"type\":\"FactSet\""),
        "{raw}"
    );

    // LINE WORKS shows text as it is: the same words, within its limit.
    let lw = body(&chat.server.to("/ok/T0ken-5ecret-lw")[0]);
    assert!(lw["title"].as_str().unwrap().contains(title));
}

/// Issue 30 item 8: a service's answer is read only as far as its first few KiB. A service
/// that answers 200 with a body without end has taken the post: the post is sent, not held
/// until its timeout (2 s for joho-slack) and failed, and the answer is not kept whole.
#[test]
fn an_endless_answer_is_cut_and_the_post_counts_as_taken() {
    let chat = Chat::start(
        &[],
        ["ok", "ok", "endless", "ok"],
        "[proxy]\nurl = \"direct\"\n",
    );
    let out = chat.run(&["notify", "INC", "first-report"]);
    assert!(out.status.success(), "{out:?}");
    let post = chat.post("joho-slack");
    assert_eq!(post["state"], "sent", "{post}");
    let reply = post["reply"].as_str().unwrap();
    assert!(reply.starts_with("HTTP 200 OK xxxx"), "{reply}");
    assert!(reply.len() < 300, "{}", reply.len());
}

/// Issue 30 item 8: a service's answer comes from outside and never reaches the terminal
/// raw: escape sequences and a right-to-left override are shown escaped by `notify` and in
/// the outbox listing.
#[test]
fn a_services_answer_is_shown_with_its_control_characters_escaped() {
    let chat = Chat::start(
        &[],
        ["ok", "ok", "evil", "ok"],
        "[proxy]\nurl = \"direct\"\n",
    );
    let notify = chat.run(&["notify", "INC", "first-report"]);
    let listing = chat.run(&["outbox", "INC"]);
    for out in [&notify, &listing] {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("HTTP 404"), "{text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
        assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{text}");
        assert!(text.contains("\\u{202e}gnp.exe"), "{text}");
    }
}
