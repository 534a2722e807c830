//! `hikeshi verify`: the hash chain, the frozen files, the times, and the journal's tail
//! against witnesses (copies of its head in mail and earlier reports).

use std::path::PathBuf;

use super::super::context::{Context, say};
use super::super::{Error, Outcome};
use crate::clock::format_jst;
use crate::incident::witness::{self, Finding};
use crate::incident::{self, IncidentRecord, files};
use crate::journal;
use crate::tr;

pub(super) fn verify(ctx: &Context, name: &str, witnesses: &[PathBuf]) -> Result<Outcome, Error> {
    let dir = incident::resolve(name, &ctx.incidents)?;
    // Loading checks the hash chain, that every entry is a known event, and that the frozen
    // playbook and divisions files are the ones the start recorded.
    let record = IncidentRecord::load(&dir)?;
    let lang = ctx.lang;
    // An exercise's frozen scenario must still be the one it began with.
    if let Some(scenario) = record.frozen_scenario()
        && !scenario.verified
    {
        return Err(Error::ScenarioChanged(scenario.path));
    }
    let first = record.first_hash.as_deref().unwrap_or("-");
    let last = &record.head;
    let entries = record.entries;
    say(&tr!(
        lang,
        "OK: {entries} 件の記録のハッシュ連鎖を確認しました（最初 {first}、最後 {last}）",
        "ok: the hash chain of {entries} entries is intact (first {first}, last {last})"
    ))?;
    if let Some(torn) = &record.torn {
        let bytes = torn.bytes;
        say(&tr!(
            lang,
            "注意: 末尾に書きかけの {bytes} バイトがあります（異常終了の跡。次の書き込み時に journal.torn へ移します）",
            "note: {bytes} torn bytes at the end (from a crash; moved to journal.torn on the next write)"
        ))?;
    }
    let replay = journal::read(&dir.join(files::JOURNAL))?;
    for o in journal::out_of_order(&replay.entries) {
        let (seq, time) = (o.seq, format_jst(o.time, true));
        let (before, before_time) = (o.after.0, format_jst(o.after.1, true));
        say(&tr!(
            lang,
            "注意: 記録 {seq} の時刻（{time}）が記録 {before} の時刻（{before_time}）より前です（時刻の逆行: 時計の狂いか、--allow-earlier-time での記録か、書き換え）",
            "warning: entry {seq} ({time}) is earlier than entry {before} ({before_time}): the record's time runs backwards (a clock set wrong, a record made with --allow-earlier-time, or an edit)"
        ))?;
    }
    // An exercise's story may be dated ahead; a real incident's record may not.
    let computer = crate::clock::Clock::now(&crate::clock::SystemClock);
    let ahead = if record.state.exercise {
        Vec::new()
    } else {
        journal::ahead_of(&replay.entries, computer)
    };
    for e in &ahead {
        let (seq, time, now) = (e.seq, format_jst(e.time, true), format_jst(computer, true));
        say(&tr!(
            lang,
            "注意: 記録 {seq} の時刻（{time}）がこの PC の時計（{now}）より7日以上先です（時計の狂いか HIKESHI_TIME での記録か、書き換え）。これより後の記録は、ほかの PC からは時刻の逆行として拒否されます",
            "warning: entry {seq} ({time}) is dated more than a week ahead of this computer's clock ({now}): a clock set wrong, HIKESHI_TIME, or an edit; every later entry from another computer would be refused as earlier than it"
        ))?;
    }
    if witnesses.is_empty() {
        return Ok(Outcome::Success);
    }
    let verdict = witness::check_files(&record.id, &replay.entries, witnesses)
        .map_err(|(path, source)| Error::Witness { path, source })?;
    for path in &verdict.without_heads {
        let path = path.display();
        say(&tr!(
            lang,
            "注意: {path} に記録の控え（X-Hikeshi-Journal など）がありません",
            "note: no head of a journal (X-Hikeshi-Journal, …) found in {path}"
        ))?;
    }
    for c in &verdict.contradictions {
        let (path, line, seq, hash) = (c.file.display(), c.head.line, c.head.seq, &c.head.hash);
        say(&match &c.finding {
            Finding::Missing { last } => tr!(
                lang,
                "不一致: {path}:{line} の控えは記録 {seq}（{hash}）を示していますが、記録は {last} で終わっています。控えの作成後に記録の末尾が削られています",
                "MISMATCH: {path}:{line} holds entry {seq} ({hash}), but the journal ends at {last}: it was cut back after this copy was made"
            ),
            Finding::Differs { found } => tr!(
                lang,
                "不一致: {path}:{line} の控えの記録 {seq} は {hash} ですが、記録では {found} です。控えの作成後に記録が書き換えられています",
                "MISMATCH: {path}:{line} holds entry {seq} as {hash}, but the journal has {found}: it was rewritten after this copy was made"
            ),
            Finding::Holds | Finding::OtherIncident => continue,
        })?;
    }
    let (held, other) = (verdict.held, verdict.other);
    if !verdict.contradictions.is_empty() {
        return Err(Error::WitnessMismatch {
            count: verdict.contradictions.len(),
        });
    }
    if held == 0 {
        return Err(Error::NoWitness { other });
    }
    say(&tr!(
        lang,
        "OK: {held} 件の控えと記録が一致しました（他の事案の控え {other} 件は対象外）",
        "ok: the journal holds all {held} head(s) found in the witnesses ({other} of other incidents left aside)"
    ))?;
    Ok(Outcome::Success)
}
