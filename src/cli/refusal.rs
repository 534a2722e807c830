//! A refusal on the command line: each value named by its flag or argument, each fix as the
//! command that does it. The core says what is wrong and what would fix it as data
//! ([`Field`], [`Remedy`]); only this file knows the command line it maps to.

use crate::incident::{Face, Field, Refusal, Remedy};
use crate::lang::Lang;
use crate::tr;

/// The command line's words for a refusal.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommandLine;

/// A refusal as the command line says it.
pub fn refused(refusal: &Refusal, lang: Lang) -> String {
    refusal.render(lang, &CommandLine)
}

impl Face for CommandLine {
    fn field(&self, field: Field, _: Lang) -> String {
        let flag = match field {
            Field::Title => "--title",
            Field::Operator => "--operator",
            Field::Account => "--account",
            Field::Severity => "--severity",
            Field::FactName => "FACT",
            Field::FactValue => "VALUE",
            Field::Step => "STEP",
            Field::Option => "OPTION",
            Field::Note => "--note",
            Field::Reason => "--reason",
            Field::Text => "TEXT",
            Field::Statement => "statements/",
            Field::By => "--by",
            Field::To => "--to",
            Field::Division => "DIVISION",
            Field::File => "FILE",
            Field::Url => "URL",
            Field::Review => "--good/--issues/--improvements",
            Field::Scenario => "SCENARIO",
            Field::Inject => "INJECT",
            Field::ReplyName => "From",
            Field::ReplyReason => "reason",
        };
        // Set off as code, so that it reads as what is typed in a sentence of either language.
        format!("`{flag}`")
    }

    fn remedy(&self, remedy: &Remedy, lang: Lang) -> Option<String> {
        Some(match remedy {
            Remedy::Start => tr!(
                lang,
                "`hikeshi start` で開始してください",
                "start it with `hikeshi start`"
            ),
            Remedy::ShowRecord => tr!(
                lang,
                "記録は `hikeshi status` で確認できます",
                "`hikeshi status` shows its record"
            ),
            Remedy::ListSteps => tr!(
                lang,
                "`hikeshi status` で手順の一覧を確認してください",
                "`hikeshi status` lists the steps"
            ),
            Remedy::DoFirst => tr!(lang, "先に実施してください", "do those first"),
            Remedy::Force => tr!(
                lang,
                "`--force --reason` で理由を記録して実施してください",
                "use --force --reason to record a deviation"
            ),
            Remedy::ForceClose => tr!(
                lang,
                "終了するには `--force --reason` で理由を記録してください",
                "use --force --reason to close anyway"
            ),
            Remedy::Reopen { step } => tr!(
                lang,
                "やり直すには `hikeshi reopen INCIDENT {step} --reason 理由` で再開してください",
                "use `hikeshi reopen INCIDENT {step} --reason TEXT` to do it again"
            ),
            Remedy::Decide { step } => tr!(
                lang,
                "`hikeshi decide INCIDENT {step} 選択肢` で判断してください",
                "answer it with `hikeshi decide INCIDENT {step} OPTION`"
            ),
            Remedy::Approve { step } => tr!(
                lang,
                "対面・電話で承認を得たら `hikeshi approve INCIDENT {step} --by 氏名` で記録してください",
                "record an approval given in person or by phone with `hikeshi approve INCIDENT {step} --by NAME`"
            ),
            Remedy::RequestApproval { step } => tr!(
                lang,
                "メールで依頼するなら `hikeshi request-approval INCIDENT {step}`",
                "ask by mail with `hikeshi request-approval INCIDENT {step}`"
            ),
            Remedy::Reason => tr!(
                lang,
                "変更するには `--reason` で理由を記録してください",
                "give --reason to change it"
            ),
            Remedy::Note => tr!(
                lang,
                "記録は `hikeshi note` を使ってください",
                "use `hikeshi note` for other records"
            ),
            Remedy::Notify { step } => tr!(
                lang,
                "`hikeshi notify INCIDENT {step}` で送信してください",
                "send it with `hikeshi notify INCIDENT {step}`"
            ),
            Remedy::Retry => tr!(
                lang,
                "`hikeshi outbox INCIDENT --retry` で再送できます",
                "`hikeshi outbox INCIDENT --retry` sends them again"
            ),
            Remedy::Call { to } => {
                let to = to.as_deref().unwrap_or(lang.pick("部署", "DIVISION"));
                tr!(
                    lang,
                    "電話で伝えたら `hikeshi call INCIDENT {to} --note 内容` で記録してください",
                    "if you tell them by phone, record it with `hikeshi call INCIDENT {to} --note TEXT`"
                )
            }
            Remedy::WithdrawAcknowledgement { message } => tr!(
                lang,
                "誤りなら `hikeshi ack INCIDENT {message} --withdraw --reason 理由` で取り消してください",
                "if that is wrong, withdraw it with `hikeshi ack INCIDENT {message} --withdraw --reason TEXT`"
            ),
            Remedy::ListMessages => tr!(
                lang,
                "`hikeshi outbox INCIDENT` で番号を確認してください",
                "`hikeshi outbox INCIDENT` lists them"
            ),
            Remedy::Facts { names } => {
                let first = names.first().map_or("NAME", String::as_str);
                tr!(
                    lang,
                    "`hikeshi fact INCIDENT {first}=値` で記録してください",
                    "record them with `hikeshi fact INCIDENT {first}=VALUE`"
                )
            }
            Remedy::FactsAtStart { names } => {
                let flags = names
                    .iter()
                    .map(|name| format!("--fact {name}=…"))
                    .collect::<Vec<_>>()
                    .join(" ");
                tr!(
                    lang,
                    "`{flags}` で指定してください",
                    "give them as `{flags}`"
                )
            }
            Remedy::EditStatement { step } => tr!(
                lang,
                "事案フォルダの statements/{step}.txt に投稿する文面を書き（画面の y で今の文面が保存されます）、直してから完了してください",
                "write the text to post in statements/{step}.txt of the incident folder (the screen's y saves the text as it is now), correct it, then complete the step"
            ),
            Remedy::AllowEarlierTime => tr!(
                lang,
                "このまま記録するには --allow-earlier-time を付けてください（検証と報告書に時刻の逆行として残ります）",
                "give --allow-earlier-time to record it anyway (verify and the report will show the time running backwards)"
            ),
            Remedy::StartExercise => tr!(
                lang,
                "訓練は `hikeshi exercise` で開始します",
                "exercises start with `hikeshi exercise`"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The core's refusal names no command; the command line adds the one that fixes it.
    #[test]
    fn a_refusal_s_remedy_is_a_command_line() {
        let refusal = Refusal::NotReady {
            step: "report".into(),
            waiting_for: vec!["detect".into()],
            forceable: true,
        };
        assert!(!refusal.message(Lang::En).contains("--force"));
        assert_eq!(
            refused(&refusal, Lang::En),
            "step `report` is not ready (waiting for detect); do those first, or use --force --reason to record a deviation"
        );
        let empty = Refusal::Empty {
            what: Field::Reason,
        };
        assert_eq!(
            empty.message(Lang::En),
            "the reason is empty; please give one"
        );
        assert_eq!(
            refused(&empty, Lang::En),
            "`--reason` is empty; please give one"
        );
    }
}
