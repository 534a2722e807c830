//! A city's own files, by one rule: the README's "first incident" run literally (init, the
//! contacts edited, cd, check, start/run/exercise by id) uses the city's `playbooks/` and the
//! `divisions.yaml` beside them, never the embedded example.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::hikeshi;
use serde_json::Value;

/// The town's own mail domain and name, put in where the example had 例示市's (the police's
/// and the platform's example addresses become `….kakuu.lg.jp` ones too).
const DOMAIN: &str = "town.kakuu.lg.jp";
/// What every address of the town's directory ends with.
const REAL: &str = "kakuu.lg.jp";
const TOWN: &str = "架空町";
/// Friday 22:05 JST.
const NIGHT: &str = "2026-11-20T22:05:00+09:00";

/// `hikeshi` in `cwd` as 田中 at [`NIGHT`].
fn in_dir(cwd: &Path) -> common::Hikeshi {
    let mut cmd = hikeshi();
    cmd.current_dir(cwd)
        .env("HIKESHI_TIME", NIGHT)
        .env("HIKESHI_OPERATOR", "田中");
    cmd
}

/// Runs hikeshi in `cwd` and gives its standard output, failing the test on failure.
fn ok(cwd: &Path, args: &[&str]) -> String {
    let out = in_dir(cwd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "hikeshi {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The README's first steps: `init my-city`, the city's own contacts put into
/// `my-city/playbooks/divisions.yaml` (every example address and the example organisation
/// replaced), then `check` inside `my-city`. Gives the temporary folder and `my-city`.
fn city() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "my-city"]);
    let divisions = tmp.path().join("my-city/playbooks/divisions.yaml");
    let text = std::fs::read_to_string(&divisions)
        .unwrap()
        .replace("city.example.jp", DOMAIN)
        .replace("example.jp", REAL)
        .replace("例示市", TOWN);
    std::fs::write(&divisions, text).unwrap();
    let city = tmp.path().join("my-city");
    ok(&city, &["check"]);
    (tmp, city)
}

/// Every .eml in an incident's outbox: goes only to the town's addresses, names the town in
/// its subject, and never mentions the example organisation. Gives how many there are.
fn assert_town_mail(incident: &Path) -> usize {
    let mut files: Vec<PathBuf> = std::fs::read_dir(incident.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no mail in {}", incident.display());
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let message = mail_parser::MessageParser::default()
            .parse(&bytes)
            .unwrap_or_else(|| panic!("{} does not parse", file.display()));
        let to: Vec<String> = message
            .to()
            .into_iter()
            .flat_map(|a| a.iter())
            .filter_map(|a| a.address().map(str::to_string))
            .collect();
        assert!(!to.is_empty(), "{} has no recipient", file.display());
        for address in &to {
            assert!(
                address.ends_with(REAL),
                "{} goes to {address}, not to the town",
                file.display()
            );
        }
        let subject = message.subject().unwrap_or_default();
        assert!(
            subject.contains(TOWN),
            "{}: the subject {subject:?} does not name {TOWN}",
            file.display()
        );
        let body = message.body_text(0).unwrap_or_default();
        assert!(
            !body.contains("例示市") && !body.contains("example.jp"),
            "{} still speaks of the example city:\n{body}",
            file.display()
        );
    }
    files.len()
}

fn status(city: &Path, incident: &Path) -> Value {
    let out = ok(city, &["status", &incident.display().to_string(), "--json"]);
    serde_json::from_str(&out).unwrap()
}

/// The absolute path of a file in the city, as the record keeps it.
fn absolute(city: &Path, relative: &str) -> String {
    std::path::absolute(city.join(common::native(relative)))
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn the_first_incident_started_by_id_mails_the_city_s_own_contacts() {
    let (_tmp, city) = city();
    let out = ok(
        &city,
        &[
            "start",
            "unauthorized-access",
            "--account",
            "@city_official",
            "--platform",
            "x",
        ],
    );
    let incident = city.join(out.lines().last().unwrap());
    let inc = incident.display().to_string();
    ok(&city, &["done", &inc, "detect"]);
    ok(&city, &["notify", &inc, "report-to-supervisor"]);
    assert_eq!(assert_town_mail(&incident), 4);

    // The record says where the playbook and the directory came from, and status shows it.
    let s = status(&city, &incident);
    let playbook = absolute(&city, "playbooks/unauthorized-access.yaml");
    let divisions = absolute(&city, "playbooks/divisions.yaml");
    assert_eq!(s["origin"]["playbook"], playbook.as_str());
    assert_eq!(s["origin"]["divisions"], divisions.as_str());
    let text = ok(&city, &["status", &inc]);
    assert!(
        text.contains(&playbook) && text.contains(&divisions),
        "{text}"
    );
    // The frozen directory is the city's.
    let frozen = std::fs::read_to_string(incident.join("divisions.yaml")).unwrap();
    assert!(frozen.contains(TOWN) && !frozen.contains("例示市"));
}

#[test]
fn an_exercise_by_stock_id_runs_on_the_city_s_files() {
    let (_tmp, city) = city();
    let out = ok(&city, &["exercise", "takeover-friday-night", "--autopilot"]);
    let incident = city.join(out.lines().last().unwrap().trim());
    assert!(incident.is_dir(), "{out}");
    assert!(assert_town_mail(&incident) > 4);
    let s = status(&city, &incident);
    assert_eq!(
        s["origin"]["playbook"],
        absolute(&city, "playbooks/unauthorized-access.yaml").as_str()
    );
    assert_eq!(
        s["origin"]["divisions"],
        absolute(&city, "playbooks/divisions.yaml").as_str()
    );
    // The scenario frozen is the city's copy (its file, not the embedded one).
    let exercise = ok(&city, &["list", "--exercises"]);
    assert!(
        exercise.contains(&common::native(
            "playbooks/exercises/takeover-friday-night.yaml"
        )),
        "{exercise}"
    );
}

#[test]
fn a_city_s_own_playbook_and_scenario_start_by_the_id_list_shows() {
    let (_tmp, city) = city();
    let playbooks = city.join("playbooks");
    // A playbook of the town's own, in a file not named after its id.
    let own = std::fs::read_to_string(playbooks.join("unauthorized-access.yaml"))
        .unwrap()
        .replace("id: unauthorized-access", "id: town-takeover");
    std::fs::write(playbooks.join("our-takeover.yaml"), own).unwrap();
    // A scenario of its own on it, also in a file named otherwise.
    let scenario = std::fs::read_to_string(playbooks.join("exercises/takeover-friday-night.yaml"))
        .unwrap()
        .replace("scenario: takeover-friday-night", "scenario: town-drill")
        .replace("playbook: unauthorized-access", "playbook: town-takeover");
    std::fs::write(playbooks.join("exercises/drill.yaml"), scenario).unwrap();

    let list = ok(&city, &["list"]);
    assert!(list.contains("town-takeover"), "{list}");
    let out = ok(
        &city,
        &["start", "town-takeover", "--account", "@city_official"],
    );
    let incident = city.join(out.lines().last().unwrap());
    assert_eq!(
        status(&city, &incident)["origin"]["playbook"],
        absolute(&city, "playbooks/our-takeover.yaml").as_str()
    );
    let shown = ok(&city, &["show", "town-takeover"]);
    assert!(
        shown.contains(&absolute(&city, "playbooks/our-takeover.yaml"))
            && shown.contains(&absolute(&city, "playbooks/divisions.yaml")),
        "{shown}"
    );

    let out = ok(&city, &["exercise", "town-drill", "--autopilot"]);
    let drill = city.join(out.lines().last().unwrap().trim());
    assert_eq!(status(&city, &drill)["playbook"]["id"], "town-takeover");
    assert_town_mail(&drill);
}

#[test]
fn a_name_found_nowhere_says_where_it_was_looked_for() {
    let (_tmp, city) = city();
    let out = in_dir(&city)
        .args(["--lang", "en", "start", "town-fire"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&common::native("playbooks/town-fire.yaml"))
            && err.contains("<embedded>/playbooks/town-fire.yaml")
            && err.contains("unauthorized-access"),
        "{err}"
    );
    let out = in_dir(&city)
        .args(["--lang", "en", "exercise", "town-fire", "--autopilot"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&common::native("playbooks/exercises/town-fire.yaml")),
        "{err}"
    );
}

/// `hikeshi` in `cwd` with `--lang en`: its exit status and standard error.
fn stderr_of(cwd: &Path, args: &[&str]) -> (bool, String) {
    let out = in_dir(cwd)
        .arg("--lang")
        .arg("en")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_real_incident_on_the_example_contacts_is_warned_about_before_mail_goes() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "my-city"]);
    let city = tmp.path().join("my-city");
    // Not edited: every address is an example one and the organisation is 例示市.
    let start = [
        "start",
        "unauthorized-access",
        "--account",
        "@city_official",
    ];
    let (started, err) = stderr_of(&city, &start);
    assert!(started, "{err}");
    let divisions = absolute(&city, "playbooks/divisions.yaml");
    assert!(
        err.contains("WARNING") && err.contains("例示市") && err.contains(&divisions),
        "{err}"
    );
    assert!(err.contains("koho@city.example.jp"), "{err}");
    let incident = std::fs::read_dir(city.join("incidents"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let inc = incident.display().to_string();
    ok(&city, &["done", &inc, "detect"]);
    let (sent, err) = stderr_of(&city, &["notify", &inc, "report-to-supervisor"]);
    assert!(sent, "{err}");
    assert!(err.contains("WARNING") && err.contains(&divisions), "{err}");

    // A drill on the same contacts is not warned about: its mail is marked and stays in
    // the outbox.
    let (drill, err) = stderr_of(&city, &[&start[..], &["--exercise"]].concat());
    assert!(drill && !err.contains("WARNING"), "{err}");

    // Addresses replaced but the organisation left: still said.
    let file = city.join("playbooks/divisions.yaml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("example.jp", REAL);
    std::fs::write(&file, text).unwrap();
    let (_, err) = stderr_of(&city, &start);
    assert!(
        err.contains("WARNING") && err.contains("例示市") && !err.contains("example.jp"),
        "{err}"
    );
    // Both replaced (the README's edit): nothing to say.
    let (_kept, town) = crate::city();
    let (_, err) = stderr_of(&town, &start);
    assert!(!err.contains("WARNING"), "{err}");
}

#[cfg(unix)] // used by the screen tests, which run in tmux
/// The one incident in the city's `incidents/`.
fn only_incident(city: &Path) -> PathBuf {
    let mut all: Vec<PathBuf> = std::fs::read_dir(city.join("incidents"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

/// The README's `run` by id, literally, on the screen in a real terminal: the incident is
/// the city's, the screen says nothing of example contacts, and the mail the screen sends
/// goes to the town.
#[cfg(unix)]
#[test]
fn the_readme_s_run_on_the_screen_uses_the_city_s_files() {
    let (tmp, city) = city();
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = common::tmux::Tmux::new(tmp.path(), &city);
    tmux.type_line(&format!(
        "HIKESHI_OPERATOR=田中 {} run unauthorized-access --account @city_official --platform x",
        bin.display()
    ));
    let screen = tmux.wait_for("進捗 0/26");
    assert!(!screen.contains("警告"), "{screen}");
    // Enter does the selected step (detect), then the next one offered: the first report (an
    // Enter right after the screen moved on is held, and pressed again).
    tmux.press_until(&["Enter"], "進捗 1/26");
    tmux.press_until(&["Enter"], "進捗 2/26");
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
    let incident = only_incident(&city);
    assert_eq!(assert_town_mail(&incident), 4);
    assert_eq!(
        status(&city, &incident)["origin"]["divisions"],
        absolute(&city, "playbooks/divisions.yaml").as_str()
    );
}

/// `hikeshi` alone in the city's folder starts the city's playbook with its directory.
#[cfg(unix)]
#[test]
fn the_launcher_in_the_city_s_folder_starts_the_city_s_playbook() {
    let (tmp, city) = city();
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = common::tmux::Tmux::new(tmp.path(), &city);
    tmux.type_line(&format!("HIKESHI_OPERATOR=田中 {}", bin.display()));
    // The city's playbooks in file order: account-lost, comments, contractor, correction,
    // deepfake, flaming, …
    tmux.wait_for("6. 開始: SNS公式アカウントの炎上対応");
    tmux.keys(&["6"]);
    tmux.wait_for("1 X");
    tmux.keys(&["1"]);
    tmux.wait_for("0/20");
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
    let s = status(&city, &only_incident(&city));
    assert_eq!(
        s["origin"]["playbook"],
        absolute(&city, "playbooks/flaming.yaml").as_str()
    );
    assert_eq!(
        s["origin"]["divisions"],
        absolute(&city, "playbooks/divisions.yaml").as_str()
    );
}

/// A real incident on the example directory: the screen says so as it opens.
#[cfg(unix)]
#[test]
fn the_screen_warns_as_it_opens_on_example_contacts() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "my-city"]);
    let city = tmp.path().join("my-city");
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = common::tmux::Tmux::new(tmp.path(), &city);
    tmux.type_line(&format!(
        "HIKESHI_OPERATOR=田中 {} run unauthorized-access --account @city_official --platform x",
        bin.display()
    ));
    tmux.wait_for("警告: 連絡先が例示のままです");
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
}

/// `extends:` follows the same rule: an id is the city's `ID.yaml` beside the overlay (so a
/// town's edit of its copy is what its overlays build on), else the stock playbook; a file
/// that extends its own id builds on the stock one.
#[test]
fn extends_names_the_city_s_copy_beside_the_overlay_then_the_stock_one() {
    let (_tmp, city) = city();
    let playbooks = city.join("playbooks");
    let base = playbooks.join("flaming.yaml");
    let edited = std::fs::read_to_string(&base).unwrap().replace(
        "title: 状況を確認し、記録する",
        "title: 町の当番が状況を確認し、記録する",
    );
    std::fs::write(&base, edited).unwrap();
    std::fs::write(
        playbooks.join("town-flaming.yaml"),
        "id: town-flaming\nextends: flaming\nchange:\n  - id: detect\n    due: 15m\n",
    )
    .unwrap();
    let shown = ok(&city, &["show", "town-flaming"]);
    assert!(
        shown.contains("町の当番が状況を確認し、記録する"),
        "{shown}"
    );
    ok(&city, &["check"]);

    // The city's flaming.yaml as an overlay of the stock flaming: not itself.
    std::fs::write(
        &base,
        "id: flaming\nextends: flaming\nchange:\n  - id: detect\n    due: 15m\n",
    )
    .unwrap();
    std::fs::remove_file(playbooks.join("town-flaming.yaml")).unwrap();
    let shown = ok(&city, &["show", "flaming"]);
    assert!(
        shown.contains("~ detect (action) 状況を確認し、記録する"),
        "{shown}"
    );
}

/// The city's chat channels are the city's directory's: a notify by id posts to the channel
/// its `divisions.yaml` gives the division (before, the stock directory was used, which has
/// none, while the city's channels were listed).
#[cfg(unix)]
#[test]
fn a_notify_by_id_posts_to_the_city_s_chat_channels() {
    let (tmp, city) = city();
    let server = common::webhook::WebhookServer::start(tmp.path(), "unused");
    let file = city.join("playbooks/divisions.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let with_channel = text.replacen(
        "  - id: 広報広聴課\n    kind: internal\n",
        "  - id: 広報広聴課\n    kind: internal\n    channels: [koho-slack]\n",
        1,
    );
    assert_ne!(text, with_channel);
    std::fs::write(&file, with_channel).unwrap();
    let config = city.join("hikeshi.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{toml}\n[channels.koho-slack]\nkind = \"slack\"\nurl_env = \"HK_SLACK_URL\"\n"),
    )
    .unwrap();
    let out = ok(
        &city,
        &[
            "start",
            "unauthorized-access",
            "--account",
            "@city_official",
        ],
    );
    let inc = city.join(out.lines().last().unwrap()).display().to_string();
    ok(&city, &["done", &inc, "detect"]);
    let out = in_dir(&city)
        .env("HK_SLACK_URL", server.url("koho"))
        .args(["notify", &inc, "report-to-supervisor"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let posts = server.to("/koho");
    assert_eq!(
        posts.len(),
        1,
        "{:?}\n{}",
        server.requests(),
        String::from_utf8_lossy(&out.stdout)
    );
}
