//! Each problem's one-line message, in Japanese and English side by side.

use super::{list, seconds, shape_name, syntax_message, thing};
use crate::diagnostic::Problem;
use crate::lang::Lang;
use crate::tr;

impl Problem {
    /// The one-line message, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Problem::Unreadable { reason } => tr!(
                lang,
                "ファイルを読めません: {reason}",
                "cannot read the file: {reason}"
            ),
            Problem::TooLarge { bytes, limit } => tr!(
                lang,
                "ファイルが大きすぎます（{bytes} バイト、上限 {limit} バイト）",
                "the file is too large ({bytes} bytes; the limit is {limit} bytes)"
            ),
            Problem::NotUtf8 => tr!(
                lang,
                "UTF-8 ではない文字コードが含まれています",
                "the file is not valid UTF-8"
            ),
            Problem::TabIndent => tr!(
                lang,
                "インデントにタブ文字が使われています",
                "a tab character is used for indentation"
            ),
            Problem::Syntax { detail } => syntax_message(detail, lang),
            Problem::ResourceLimit { detail } => tr!(
                lang,
                "入れ子・エイリアス・サイズが上限を超えています",
                "nesting, aliases or size exceed the limit: {detail}"
            ),
            Problem::UnknownField { field, .. } => {
                tr!(lang, "未知の項目 `{field}`", "unknown field `{field}`")
            }
            Problem::MissingField { field } => tr!(
                lang,
                "必須の項目 `{field}` がありません",
                "missing field `{field}`"
            ),
            Problem::WrongType { expected, found } => {
                let want = shape_name(expected, lang);
                match found {
                    Some(f) if f != expected => {
                        let f = shape_name(f, lang);
                        tr!(
                            lang,
                            "値の型が違います: {want}を書くところに{f}が書かれています",
                            "wrong type: expected {want}, found {f}"
                        )
                    }
                    _ => tr!(
                        lang,
                        "値の型が違います: ここには{want}を書きます",
                        "wrong type: expected {want}"
                    ),
                }
            }
            Problem::UnknownVariant { value, .. } => {
                tr!(lang, "使えない値 `{value}`", "unknown value `{value}`")
            }
            Problem::DuplicateKey { key } => tr!(
                lang,
                "項目 `{key}` が重複しています",
                "duplicate key `{key}`"
            ),
            Problem::EmptyPlaybook => tr!(
                lang,
                "手順（`steps`）が1つもありません",
                "the playbook has no steps"
            ),
            Problem::InvalidId { what } => {
                let name = thing(what);
                tr!(
                    lang,
                    "{name}の id に使えない文字があります",
                    "invalid {what} id"
                )
            }
            Problem::DuplicateStep { id, first_line } => tr!(
                lang,
                "手順 id `{id}` が重複しています（最初の定義は {first_line} 行目）",
                "duplicate step id `{id}` (first defined on line {first_line})"
            ),
            Problem::DuplicateId {
                what,
                id,
                first_line,
            } => {
                let name = thing(what);
                tr!(
                    lang,
                    "{name}の id `{id}` が重複しています（最初の定義は {first_line} 行目）",
                    "duplicate {what} id `{id}` (first defined on line {first_line})"
                )
            }
            Problem::UnknownStep { id, .. } => {
                tr!(lang, "手順 `{id}` は存在しません", "unknown step `{id}`")
            }
            Problem::Cycle { path } => {
                let (ja, en) = (path.join(" → "), path.join(" -> "));
                tr!(
                    lang,
                    "手順が循環しています: {ja}",
                    "the steps form a cycle: {en}"
                )
            }
            Problem::UnknownRecipient { name, .. } => tr!(
                lang,
                "通知先 `{name}` は divisions.yaml にありません",
                "unknown division or role `{name}`"
            ),
            Problem::UnknownRole { name, .. } => tr!(
                lang,
                "役割・部署 `{name}` は divisions.yaml にありません",
                "unknown role or division `{name}`"
            ),
            Problem::ConditionSyntax { condition } => tr!(
                lang,
                "条件 `{condition}` を解釈できません",
                "cannot parse the condition `{condition}`"
            ),
            Problem::WhenNotDecision { step } => tr!(
                lang,
                "`when` の `{step}` は判断（`decision`）の手順ではありません",
                "`when` refers to `{step}`, which is not a decision"
            ),
            Problem::WhenUnknownDecision { name, .. } => tr!(
                lang,
                "`when` の判断 `{name}` は存在しません",
                "`when` refers to an unknown decision `{name}`"
            ),
            Problem::WhenUnknownOption {
                decision, option, ..
            } => tr!(
                lang,
                "判断 `{decision}` に選択肢 `{option}` はありません",
                "decision `{decision}` has no option `{option}`"
            ),
            Problem::WhenUndecidable { step, decision } => tr!(
                lang,
                "手順 `{step}` の条件は判断 `{decision}` によりますが、`{decision}` は前提の手順に含まれていません",
                "step `{step}` depends on decision `{decision}`, which is not among its prerequisites"
            ),
            Problem::Unreachable { step } => tr!(
                lang,
                "手順 `{step}` はどの判断結果でも実施されることがありません",
                "step `{step}` is not applicable under any decision outcome"
            ),
            Problem::BadDuration { text } => tr!(
                lang,
                "時間の指定 `{text}` が不正です",
                "invalid duration `{text}`"
            ),
            Problem::BadDate { text } => {
                tr!(lang, "日付 `{text}` が不正です", "invalid date `{text}`")
            }
            Problem::UnknownPlaceholder { name, .. } => tr!(
                lang,
                "差し込み項目 `{{{{{name}}}}}` はありません",
                "unknown placeholder `{{{{{name}}}}}`"
            ),
            Problem::UnknownFilter { filter, .. } => tr!(
                lang,
                "書式 `|{filter}` はありません",
                "unknown filter `|{filter}`"
            ),
            Problem::FilterNeedsTime { name, filter } => tr!(
                lang,
                "書式 `|{filter}` は日時の差し込み項目にだけ使えます（`{{{{{name}}}}}` は日時ではありません）",
                "the filter `|{filter}` applies to dates and times only (`{{{{{name}}}}}` is not one)"
            ),
            Problem::UnknownFact { name, .. } => tr!(
                lang,
                "事実 `{name}` は手順書の `facts:` にありません",
                "the playbook declares no fact `{name}` under `facts:`"
            ),
            Problem::FactNotOfKind { name, field, kind } => tr!(
                lang,
                "`{field}` の事実 `{name}` は、種類が `{kind}` の事実でなければなりません",
                "the fact `{name}` in `{field}` must be of kind `{kind}`"
            ),
            Problem::ApproverNotAPerson { name } => tr!(
                lang,
                "`{name}` は部署・役割・担当の名前です。承認は本人の氏名で記録されるため、この名前の承認はすべて拒否されます",
                "`{name}` names a division, role or part; approvals are recorded under a person's name, so every approval by it would be refused"
            ),
            Problem::BadFactValue { name } => tr!(
                lang,
                "事実 `{name}` の値として使えません",
                "not a valid value for the fact `{name}`"
            ),
            Problem::BranchUnknownOption { field, option, .. } => tr!(
                lang,
                "`{field}` の `{option}` は、前提の手順にある判断の選択肢ではありません",
                "`{option}` in `{field}` is not an option of a decision among the step's prerequisites"
            ),
            Problem::BranchAmbiguous { field, decisions } => tr!(
                lang,
                "`{field}` の選択肢がどの判断のものか決まりません（候補: {}）",
                "the options in `{field}` fit several decisions ({})",
                list(decisions)
            ),
            Problem::BranchNotCovered {
                field,
                decision,
                missing,
            } => tr!(
                lang,
                "`{field}` に判断 `{decision}` の選択肢 {} の値がなく、`default` もありません",
                "`{field}` gives no value for {} of decision `{decision}`, and no `default`",
                list(missing)
            ),
            Problem::UnknownBase { name, .. } => tr!(
                lang,
                "`extends` の手順書 `{name}` が見つかりません",
                "the playbook to extend, `{name}`, cannot be found"
            ),
            Problem::ExtendsChain => tr!(
                lang,
                "`extends` する手順書が、さらに別の手順書を `extends` しています",
                "the playbook extended extends another one"
            ),
            Problem::RemovalWithoutReason { step } => tr!(
                lang,
                "手順 `{step}` を除く理由（`reason`）がありません",
                "no `reason` for removing step `{step}`"
            ),
            Problem::OverlayWithoutBase { field } => tr!(
                lang,
                "`{field}` は `extends` する手順書にだけ書けます",
                "`{field}` belongs to a playbook that `extends` another"
            ),
            Problem::ApprovedInNotAnApproval { step } => tr!(
                lang,
                "`approved_in` の `{step}` は、この手順の前提にある決裁（`kind: approval`）の手順ではありません",
                "`approved_in` names `{step}`, which is not an approval step among this step's prerequisites"
            ),
            Problem::PracticeNeedsReason => tr!(
                lang,
                "`basis: practice` の手順には、理由を1行で `basis_reason` に書きます",
                "a step with `basis: practice` needs a one-line `basis_reason`"
            ),
            Problem::ReasonWithoutPractice => tr!(
                lang,
                "`basis_reason` は `basis: practice` の手順にだけ書きます",
                "`basis_reason` belongs to steps with `basis: practice`"
            ),
            Problem::DepartureNeedsReason => tr!(
                lang,
                "`departs_from` の手順には、従わない理由を1行で `departure_reason` に書きます",
                "a step with `departs_from` needs a one-line `departure_reason`"
            ),
            Problem::ReasonWithoutDeparture => tr!(
                lang,
                "`departure_reason` は `departs_from` のある手順にだけ書きます",
                "`departure_reason` belongs to steps with `departs_from`"
            ),
            Problem::FollowedAndDeparted { clause } => tr!(
                lang,
                "`{clause}` が `source`（従う）と `departs_from`（従わない）の両方にあります",
                "`{clause}` is both followed (`source`) and departed from (`departs_from`)"
            ),
            Problem::FactIsBuiltIn { name } => tr!(
                lang,
                "事実 `{name}` は組み込みの差し込み項目と同じ名前です",
                "the fact `{name}` has the name of a built-in placeholder"
            ),
            Problem::InvalidFactName { name } => tr!(
                lang,
                "事実の名前 `{name}` に使えない文字があります",
                "invalid fact name `{name}`"
            ),
            Problem::PlaceholderOnlyInMail { name } => tr!(
                lang,
                "差し込み項目 `{{{{{name}}}}}` は通知メール（`notify`）の中でだけ使えます",
                "the placeholder `{{{{{name}}}}}` exists only in notify mail"
            ),
            Problem::UnclosedPlaceholder => tr!(
                lang,
                "`{{{{` に対応する `}}}}` がありません",
                "`{{{{` without a closing `}}}}`"
            ),
            Problem::FieldNotForKind { field, kind } => tr!(
                lang,
                "項目 `{field}` は `kind: {kind}` の手順には使えません",
                "field `{field}` does not apply to `kind: {kind}`"
            ),
            Problem::MissingForKind { field, kind } => tr!(
                lang,
                "`kind: {kind}` の手順には項目 `{field}` が必要です",
                "`kind: {kind}` needs the field `{field}`"
            ),
            Problem::PlatformNotListed { platform } => tr!(
                lang,
                "プラットフォーム `{platform}` は `platforms` にありません",
                "platform `{platform}` is not listed in `platforms`"
            ),
            Problem::UnknownSource { id, .. } => tr!(
                lang,
                "出典 `{id}` は `sources` にありません",
                "source document `{id}` is not listed in `sources`"
            ),
            Problem::BadCitation { citation } => tr!(
                lang,
                "出典 `{citation}` に条項がありません",
                "citation `{citation}` names no clause"
            ),
            Problem::NoSeverities => tr!(
                lang,
                "`severity: true` ですが、`severities` が定義されていません",
                "`severity: true`, but the playbook defines no `severities`"
            ),
            Problem::SecondSeverityDecision { first } => tr!(
                lang,
                "重大度の判断は `{first}` で既に定義されています",
                "the severity decision is already `{first}`"
            ),
            Problem::DuplicateMilestone { milestone, first } => tr!(
                lang,
                "`milestone: {milestone}` は手順 `{first}` に既に付いています（1つの手順書で各1つ）",
                "`milestone: {milestone}` is already on step `{first}` (one step per milestone)"
            ),
            Problem::TooManyOptions { limit } => tr!(
                lang,
                "選択肢が多すぎます（上限 {limit}）",
                "too many options (the limit is {limit})"
            ),
            Problem::UnknownDivision { name, .. } => tr!(
                lang,
                "部署 `{name}` はありません",
                "unknown division `{name}`"
            ),
            Problem::UnfilledPart { part, needed_by } if needed_by.is_empty() => tr!(
                lang,
                "`{part}` を担う部署・役割が divisions.yaml の `parts` にありません",
                "divisions.yaml does not say who plays `{part}` (`parts`)"
            ),
            Problem::UnfilledPart { part, needed_by } => tr!(
                lang,
                "`{part}` を担う部署・役割が divisions.yaml の `parts` にありません（必要な手順: {}）",
                "divisions.yaml does not say who plays `{part}` (`parts`; needed by {})",
                needed_by.join(", ")
            ),
            Problem::UnknownPartHolder { part, name, .. } => tr!(
                lang,
                "`{part}` を担う `{name}` は部署・役割にありません",
                "`{name}`, named to play `{part}`, is no division or role"
            ),
            Problem::MissingOrganizationWords { missing } => tr!(
                lang,
                "団体の種類が分からないため、公表文で使う語（{}）が決まりません",
                "the organisation's kind is unknown, so the words its texts use ({}) are not known",
                list(missing)
            ),
            Problem::AccountOwnerDiffers {
                account,
                register,
                directory,
            } => tr!(
                lang,
                "アカウント `{account}` の所管は、一覧表では `{register}`、連絡先（divisions.yaml）では `{directory}` です",
                "account `{account}` is owned by `{register}` in the register but by `{directory}` in the directory (divisions.yaml)"
            ),
            Problem::AccountNotInDirectory { account, .. } => tr!(
                lang,
                "アカウント `{account}` は、連絡先（divisions.yaml）のどの部署の `accounts:` にもありません",
                "account `{account}` is in no division's `accounts:` in the directory (divisions.yaml)"
            ),
            Problem::AccountNotRegistered { account, division } => tr!(
                lang,
                "`{division}` の公式アカウント `{account}`（divisions.yaml）が一覧表にありません",
                "`{division}`'s official account `{account}` (divisions.yaml) is not in the register"
            ),
            Problem::SecretInRegister { field } => tr!(
                lang,
                "一覧表にパスワードやリカバリーコードを書いてはいけません（`{field}`）",
                "the register must not hold a password or recovery codes (`{field}`)"
            ),
            Problem::BadEmail { address } => tr!(
                lang,
                "メールアドレス `{address}` が不正です",
                "invalid mail address `{address}`"
            ),
            Problem::ControlInHeader { field } => tr!(
                lang,
                "`{field}` に改行や制御文字があります（メールのヘッダーになるため使えません）",
                "`{field}` contains a line break or control character (it becomes a mail header)"
            ),
            Problem::ReviewOverdue { reviewed, due } => tr!(
                lang,
                "見直し期限（{due}）を過ぎています（最終見直し {reviewed}）",
                "the playbook was due for review on {due} (last reviewed {reviewed})"
            ),
            Problem::ClaimNeedsOneOf { step } => tr!(
                lang,
                "投稿 `{step}` の claims の文には `done:` か `when:` のどちらか一方が要ります",
                "a claim of post `{step}` needs one of `done:` and `when:`"
            ),
            Problem::ClaimWithoutDependency { step, act, phrase } => tr!(
                lang,
                "投稿 `{step}` の文面は「{phrase}」と手順 `{act}` の実施を述べていますが、その手順を待ちません",
                "the statement of post `{step}` says \"{phrase}\" (the act of step `{act}`) but does not wait for that step"
            ),
            Problem::PostTooLong {
                step,
                platform,
                count,
                max,
            } => tr!(
                lang,
                "このシナリオの値では、投稿 `{step}` が {platform} の上限を超えます（{count}／{max}）",
                "with this scenario's values, post `{step}` is over {platform}'s limit ({count} of {max})"
            ),
            Problem::UnfinishedStatement { step, mark } => tr!(
                lang,
                "投稿 `{step}` の文面に書き換える箇所「{mark}」があります。このままでは投稿できません",
                "the statement of post `{step}` holds a mark to fill in (\"{mark}\"); it cannot be posted as it is"
            ),
            Problem::NoSource { step } => tr!(
                lang,
                "手順 `{step}` に根拠（`source`）がありません",
                "step `{step}` cites no guideline clause (`source`)"
            ),
            Problem::DeadlineBeforePrerequisites {
                step,
                due_seconds,
                chain_seconds,
            } => {
                let due = seconds(*due_seconds, lang);
                let chain = seconds(*chain_seconds, lang);
                tr!(
                    lang,
                    "手順 `{step}` の期限（開始から {due}）が、前提の手順の期限を順に足した時間（開始から {chain}）より早くなっています",
                    "step `{step}` is due {due} after the start, but the deadlines of its prerequisites add up to {chain}"
                )
            }
            Problem::ScenarioPlaybook { name, .. } => tr!(
                lang,
                "シナリオの手順書 `{name}` が見つかりません",
                "the scenario's playbook `{name}` cannot be found"
            ),
            Problem::WrongStepKind { step, expected } => tr!(
                lang,
                "手順 `{step}` は {expected} の手順ではありません",
                "step `{step}` is not a {expected} step"
            ),
            Problem::UnknownChoice { step, option, .. } => tr!(
                lang,
                "判断 `{step}` に選択肢 `{option}` はありません",
                "decision `{step}` has no option `{option}`"
            ),
        }
    }
}
