//! The exercise score: each step against its target time, each division's notification
//! against its deadline, steps skipped or forced. A pure function of the incident's state, so
//! the screen, the autopilot and the report all show the same figure.
//!
//! The score starts at 100 and loses, for each:
//! - step with a target done after it: 5 (目標超過)
//! - step with a target not done at the end: 10 (未完了)
//! - step skipped: 5 (省略)
//! - step completed or decided by force (a deviation): 5 (強制)
//! - division notified after the deadline (the step's target, else its playbook deadline): 2
//! - division never notified (nor reached by phone): 5
//!
//! and never goes below 0.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::incident::{IncidentState, StepStatus};
use crate::lang::{Lang, Text};
use crate::playbook::{Playbook, StepKind};
use crate::tr;

/// How a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepVerdict {
    /// Done within its target.
    OnTime,
    /// Done after its target.
    Late,
    /// Has a target and was not done.
    Missed,
    /// Done; it has no target.
    Done,
    /// Not done; it has no target.
    Open,
    /// Skipped.
    Skipped,
    /// Did not apply under the decisions taken.
    NotApplicable,
}

/// One step's line in the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepScore {
    /// Step id.
    pub step: String,
    /// Step title.
    pub title: String,
    /// Target, in seconds from the start.
    pub target_seconds: Option<i64>,
    /// When it was done (or skipped), in seconds from the start.
    pub actual_seconds: Option<i64>,
    /// How it did.
    pub verdict: StepVerdict,
    /// Completed or decided by force.
    pub forced: bool,
}

/// How a division's notification did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeVerdict {
    /// Delivered (or phoned) by the deadline, or there is no deadline.
    OnTime,
    /// Delivered after the deadline.
    Late,
    /// Never delivered nor phoned.
    NotSent,
}

/// One division's notification by one notify step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeScore {
    /// The notify step.
    pub step: String,
    /// The division or role.
    pub to: String,
    /// The deadline, if any.
    pub deadline: Option<DateTime<FixedOffset>>,
    /// When it was first delivered or phoned.
    pub reached: Option<DateTime<FixedOffset>>,
    /// How it did.
    pub verdict: NoticeVerdict,
}

/// What costs points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    /// A step done after its target.
    LateStep,
    /// A step with a target not done.
    MissedStep,
    /// A skipped step.
    SkippedStep,
    /// A forced step.
    ForcedStep,
    /// A division notified late.
    LateNotice,
    /// A division never notified.
    MissingNotice,
}

impl PenaltyKind {
    /// Every kind, in the order the formula lists them.
    pub const ALL: [PenaltyKind; 6] = [
        PenaltyKind::LateStep,
        PenaltyKind::MissedStep,
        PenaltyKind::SkippedStep,
        PenaltyKind::ForcedStep,
        PenaltyKind::LateNotice,
        PenaltyKind::MissingNotice,
    ];

    /// Points lost for each.
    pub fn points(self) -> u32 {
        match self {
            PenaltyKind::LateStep | PenaltyKind::SkippedStep | PenaltyKind::ForcedStep => 5,
            PenaltyKind::MissedStep => 10,
            PenaltyKind::LateNotice => 2,
            PenaltyKind::MissingNotice => 5,
        }
    }

    /// A short name.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            PenaltyKind::LateStep => Text::new("目標超過", "late steps"),
            PenaltyKind::MissedStep => Text::new("未完了", "steps not done"),
            PenaltyKind::SkippedStep => Text::new("省略", "skipped"),
            PenaltyKind::ForcedStep => Text::new("強制", "forced"),
            PenaltyKind::LateNotice => Text::new("通知遅れ", "late notices"),
            PenaltyKind::MissingNotice => Text::new("通知なし", "notices not sent"),
        }
        .get(lang)
    }
}

/// Points lost for one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Penalty {
    /// What.
    pub kind: PenaltyKind,
    /// How many.
    pub count: u32,
    /// Points each.
    pub points: u32,
}

/// The score of an exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    /// 0–100.
    pub total: u32,
    /// Every step, in playbook order.
    pub steps: Vec<StepScore>,
    /// Every division of every notify step that applied.
    pub notices: Vec<NoticeScore>,
    /// Points lost, by kind (all kinds, zero counts included).
    pub penalties: Vec<Penalty>,
}

/// The score a perfect run starts from.
pub const FULL_MARKS: u32 = 100;

impl Score {
    /// How the total is computed, with the counts filled in:
    /// `100 - 5x1（目標超過） - 10x0（未完了） … = 95` (ASCII operators, so it lines up in
    /// any terminal).
    pub fn formula(&self, lang: Lang) -> String {
        let mut out = FULL_MARKS.to_string();
        for p in &self.penalties {
            let (points, count, label) = (p.points, p.count, p.kind.label(lang));
            out.push_str(&tr!(
                lang,
                " - {points}x{count}（{label}）",
                " - {points}x{count} ({label})"
            ));
        }
        format!("{out} = {}", self.total)
    }

    /// How many of one kind.
    pub fn count(&self, kind: PenaltyKind) -> u32 {
        self.penalties
            .iter()
            .find(|p| p.kind == kind)
            .map_or(0, |p| p.count)
    }
}

/// Scores an exercise as it stands at `now` (the close, for a closed one). `None` when no
/// exercise has begun on the incident.
pub fn score(
    state: &IncidentState,
    playbook: &Playbook,
    now: DateTime<FixedOffset>,
) -> Option<Score> {
    let run = state.run.as_ref()?;
    let start = state.started_at?;
    let end = state.closed.as_ref().map_or(now, |c| c.at);
    let seconds = |t: DateTime<FixedOffset>| (t - start).num_seconds();
    let mut counts = [0u32; 6];
    let mut add = |kind: PenaltyKind| {
        if let Some(i) = PenaltyKind::ALL.iter().position(|k| *k == kind) {
            counts[i] += 1;
        }
    };

    let mut steps = Vec::new();
    let mut notices = Vec::new();
    for &ix in playbook.graph.order() {
        let Some(step) = playbook.graph.step(ix) else {
            continue;
        };
        let Some(record) = state.step(ix) else {
            continue;
        };
        let target = run.target(&step.id);
        let status = state.status_of(ix);
        let forced = status == StepStatus::Done && record.forced.is_some();
        let (actual, verdict) = match status {
            StepStatus::NotApplicable => (None, StepVerdict::NotApplicable),
            StepStatus::Skipped => (
                record.skipped.as_ref().map(|r| seconds(r.at)),
                StepVerdict::Skipped,
            ),
            // A step is judged by its first completion: re-opening it later (an inject's
            // complication, or the participants' second thoughts) does not move it.
            _ if record.first_done.is_some() || status == StepStatus::Done => {
                let at = record
                    .first_done
                    .or(record.done.as_ref().map(|d| d.at))
                    .map(seconds);
                let verdict = match (target, at) {
                    (Some(t), Some(a)) if a > t => StepVerdict::Late,
                    (Some(_), _) => StepVerdict::OnTime,
                    (None, _) => StepVerdict::Done,
                };
                (at, verdict)
            }
            StepStatus::Done | StepStatus::Ready | StepStatus::Pending => (
                None,
                if target.is_some() {
                    StepVerdict::Missed
                } else {
                    StepVerdict::Open
                },
            ),
        };
        match verdict {
            StepVerdict::Late => add(PenaltyKind::LateStep),
            StepVerdict::Missed => add(PenaltyKind::MissedStep),
            StepVerdict::Skipped => add(PenaltyKind::SkippedStep),
            _ => {}
        }
        if forced {
            add(PenaltyKind::ForcedStep);
        }
        steps.push(StepScore {
            step: step.id.clone(),
            title: step.title.clone(),
            target_seconds: target,
            actual_seconds: actual,
            verdict,
            forced,
        });

        if let StepKind::Notify(notify) = &step.kind
            && status != StepStatus::NotApplicable
        {
            let deadline = match target {
                // A target from a damaged journal may be out of range: then there is none.
                Some(t) => {
                    chrono::TimeDelta::try_seconds(t).and_then(|d| start.checked_add_signed(d))
                }
                None => state.view(playbook, ix, end).due_at,
            };
            // A phone call counts from the moment the step could be done, with or without mail.
            let from = record.first_ready.unwrap_or(start);
            let by_fact = notify.to_facts.iter().filter_map(|f| state.facts.get(f));
            for to in notify.to.iter().chain(by_fact) {
                let by_mail = state
                    .messages
                    .iter()
                    .filter(|m| {
                        // An answer to a reply tells nobody of the incident.
                        m.step == step.id
                            && m.letter.answers.is_none()
                            && (m.letter.to == *to || m.letter.also.contains(to))
                    })
                    .filter_map(|m| {
                        [m.sent_at(), m.called.as_ref().map(|c| c.at)]
                            .into_iter()
                            .flatten()
                            .min()
                    })
                    .min();
                let by_phone = state
                    .calls
                    .iter()
                    // A call to whoever plays the part reaches it (総務課 for 広報担当課).
                    .filter(|c| {
                        playbook.holder_of(&c.division) == playbook.holder_of(to) && c.at >= from
                    })
                    .map(|c| c.at)
                    .min();
                let reached = [by_mail, by_phone].into_iter().flatten().min();
                let verdict = match (reached, deadline) {
                    (None, _) => NoticeVerdict::NotSent,
                    (Some(r), Some(d)) if r > d => NoticeVerdict::Late,
                    _ => NoticeVerdict::OnTime,
                };
                match verdict {
                    NoticeVerdict::Late => add(PenaltyKind::LateNotice),
                    NoticeVerdict::NotSent => add(PenaltyKind::MissingNotice),
                    NoticeVerdict::OnTime => {}
                }
                notices.push(NoticeScore {
                    step: step.id.clone(),
                    to: to.clone(),
                    deadline,
                    reached,
                    verdict,
                });
            }
        }
    }
    let penalties: Vec<Penalty> = PenaltyKind::ALL
        .iter()
        .zip(counts)
        .map(|(kind, count)| Penalty {
            kind: *kind,
            count,
            points: kind.points(),
        })
        .collect();
    let lost: u32 = penalties
        .iter()
        .map(|p| p.count.saturating_mul(p.points))
        .fold(0, u32::saturating_add);
    Some(Score {
        total: FULL_MARKS.saturating_sub(lost),
        steps,
        notices,
        penalties,
    })
}

/// `12分` / `1時間5分`, or `12m` / `1h 5m`, for seconds from the start.
fn offset(seconds: i64, lang: Lang) -> String {
    chrono::TimeDelta::try_seconds(seconds).map_or_else(
        || "-".to_string(),
        |d| crate::playbook::duration::format_duration(d, lang),
    )
}

impl StepVerdict {
    /// A short word.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            StepVerdict::OnTime => Text::new("目標内", "on time"),
            StepVerdict::Late => Text::new("目標超過", "late"),
            StepVerdict::Missed => Text::new("未完了", "not done"),
            StepVerdict::Done => Text::new("完了", "done"),
            StepVerdict::Open => Text::new("未実施", "open"),
            StepVerdict::Skipped => Text::new("省略", "skipped"),
            StepVerdict::NotApplicable => Text::new("対象外", "not applicable"),
        }
        .get(lang)
    }
}

impl NoticeVerdict {
    /// A short word.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            NoticeVerdict::OnTime => Text::new("期限内", "on time"),
            NoticeVerdict::Late => Text::new("期限超過", "late"),
            NoticeVerdict::NotSent => Text::new("未送達", "not sent"),
        }
        .get(lang)
    }
}

impl Score {
    /// The score as plain lines, for a terminal or the screen: the total, the formula, each
    /// step with a target, anything skipped or forced, and each late or missing notice.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        let (total, formula) = (self.total, self.formula(lang));
        let mut out = vec![
            tr!(
                lang,
                "得点 {total} / {FULL_MARKS}",
                "score {total} / {FULL_MARKS}"
            ),
            tr!(lang, "計算: {formula}", "formula: {formula}"),
        ];
        for s in &self.steps {
            let shown = s.target_seconds.is_some() || s.forced || s.verdict == StepVerdict::Skipped;
            if !shown {
                continue;
            }
            let target = s
                .target_seconds
                .map_or_else(|| "-".to_string(), |t| offset(t, lang));
            let actual = s
                .actual_seconds
                .map_or_else(|| "-".to_string(), |t| offset(t, lang));
            let mark = match s.verdict {
                StepVerdict::OnTime | StepVerdict::Done if !s.forced => "OK",
                StepVerdict::NotApplicable => "--",
                _ => "NG",
            };
            let (step, title, verdict) = (&s.step, &s.title, s.verdict.label(lang));
            out.push(if s.forced {
                tr!(
                    lang,
                    "{mark} {step} {title} : 目標 {target} / 実際 {actual} ({verdict}・強制)",
                    "{mark} {step} {title} : target {target} / actual {actual} ({verdict}, forced)"
                )
            } else {
                tr!(
                    lang,
                    "{mark} {step} {title} : 目標 {target} / 実際 {actual} ({verdict})",
                    "{mark} {step} {title} : target {target} / actual {actual} ({verdict})"
                )
            });
        }
        for n in &self.notices {
            if n.verdict == NoticeVerdict::OnTime {
                continue;
            }
            let deadline = n
                .deadline
                .map_or_else(|| "-".into(), |d| crate::clock::format_jst(d, false));
            let reached = n
                .reached
                .map_or_else(|| "-".into(), |d| crate::clock::format_jst(d, false));
            let (step, to, verdict) = (&n.step, &n.to, n.verdict.label(lang));
            out.push(tr!(
                lang,
                "NG {step} -> {to} : 期限 {deadline} / 送達 {reached} ({verdict})",
                "NG {step} -> {to} : deadline {deadline} / reached {reached} ({verdict})"
            ));
        }
        out
    }
}
