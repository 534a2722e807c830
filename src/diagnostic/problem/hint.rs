//! Each problem's hint: what would fix it, in Japanese and English side by side.

use super::{did_you_mean, list, seconds};
use crate::diagnostic::Problem;
use crate::lang::Lang;
use crate::tr;

impl Problem {
    /// A hint on how to fix it, in `lang`.
    pub fn hint(&self, lang: Lang) -> Option<String> {
        let text = match self {
            Problem::TooLarge { .. } => tr!(
                lang,
                "手順書を分割するか、正しいファイルか確認してください",
                "split the playbook, or check that this is the right file"
            ),
            Problem::NotUtf8 => tr!(
                lang,
                "Shift_JIS などで保存されていないか確認し、UTF-8 で保存し直してください",
                "save the file as UTF-8 (not Shift_JIS)"
            ),
            Problem::TabIndent => tr!(
                lang,
                "YAML のインデントには半角スペースを使ってください",
                "YAML indentation must use spaces"
            ),
            Problem::Syntax { .. } => tr!(
                lang,
                "インデントのずれ、閉じていない引用符、`: ` を含む値の引用符漏れを確認してください",
                "check indentation, unclosed quotes, and values containing `: ` that need quotes"
            ),
            Problem::ResourceLimit { .. } => tr!(
                lang,
                "深すぎる入れ子やエイリアス（*）の多用をやめてください",
                "remove the deep nesting or the heavy use of aliases (*)"
            ),
            Problem::UnknownField {
                suggestion,
                expected,
                ..
            } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| tr!(lang, "使える項目: {}", "allowed here: {}", list(expected))),
            Problem::UnknownVariant {
                suggestion,
                expected,
                ..
            } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| tr!(lang, "使える値: {}", "allowed values: {}", list(expected))),
            Problem::MissingField { field } => {
                tr!(lang, "`{field}:` を追加してください", "add `{field}:`")
            }
            Problem::DuplicateKey { .. } => {
                tr!(lang, "どちらか一方を削除してください", "remove one of them")
            }
            Problem::EmptyPlaybook => tr!(
                lang,
                "`steps:` に少なくとも1つの手順を書いてください",
                "add at least one step under `steps:`"
            ),
            Problem::InvalidId { .. } => tr!(
                lang,
                "半角英小文字・数字・ハイフンを使ってください（例: `change-password`）",
                "use lower-case ASCII letters, digits and hyphens (e.g. `change-password`)"
            ),
            Problem::DuplicateStep { .. } | Problem::DuplicateId { .. } => tr!(
                lang,
                "どちらかの id を変更してください",
                "rename one of them"
            ),
            Problem::UnknownStep { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "`after` には steps に定義した手順の id を書いてください",
                        "`after` lists ids of steps defined under `steps:`"
                    )
                }),
            Problem::Cycle { .. } => tr!(
                lang,
                "どれかの手順の `after` から循環の原因となる手順を外してください",
                "remove one of these prerequisites from an `after` list"
            ),
            Problem::UnfilledPart { part, .. } => tr!(
                lang,
                "divisions.yaml の `parts` に `{part}: 部署名` を書いてください（部署・役割の id。1つの課が複数を担ってもよい）",
                "add `{part}: DIVISION` under `parts` in divisions.yaml (a division or role id; one division may play several parts)"
            ),
            Problem::UnknownPartHolder { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "`divisions` 又は `roles` の id を書いてください",
                        "name the id of an entry under `divisions` or `roles`"
                    )
                }),
            Problem::MissingOrganizationWords { .. } => tr!(
                lang,
                "divisions.yaml に `organization_kind: 市`（町・村・区・都・道・府・県）を書くか、`その他` なら `words:` に org_kind・head・deputy_head・residents を書いてください",
                "in divisions.yaml, add `organization_kind: 市` (町, 村, 区, 都, 道, 府, 県), or for `その他` give org_kind, head, deputy_head and residents under `words:`"
            ),
            Problem::UnknownRecipient { suggestion, .. }
            | Problem::UnknownRole { suggestion, .. }
            | Problem::UnknownDivision { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "divisions.yaml の `divisions` 又は `roles` に追加してください",
                        "add it to `divisions` or `roles` in divisions.yaml"
                    )
                }),
            Problem::ConditionSyntax { .. } => tr!(
                lang,
                "`判断id == 選択肢id`、`!=`、`判断id in [a, b]` の形で書いてください",
                "write `decision == option`, `!=`, or `decision in [a, b]`"
            ),
            Problem::WhenNotDecision { .. } => tr!(
                lang,
                "`when` には `kind: decision` の手順の id を書いてください",
                "`when` must name a step of `kind: decision`"
            ),
            Problem::WhenUnknownDecision { suggestion, .. } => did_you_mean(lang, suggestion)?,
            Problem::WhenUnknownOption {
                options,
                suggestion,
                ..
            } => did_you_mean(lang, suggestion)
                .map(|d| {
                    tr!(
                        lang,
                        "{d}（条件には選択肢の id を書きます）",
                        "{d} (conditions name an option's id)"
                    )
                })
                .unwrap_or_else(|| tr!(lang, "選択肢: {}", "options: {}", list(options))),
            Problem::WhenUndecidable { decision, .. } => tr!(
                lang,
                "`after` に `{decision}`（またはその後の手順）を加えてください",
                "add `{decision}` (or a step after it) to `after`"
            ),
            Problem::Unreachable { .. } => tr!(
                lang,
                "`when` の条件と前提の手順の条件が両立しません。条件を見直してください",
                "its `when` contradicts the conditions of its prerequisites"
            ),
            Problem::BadDuration { .. } => tr!(
                lang,
                "`15m`、`2h`、`1d`、`1h30m` のように書いてください（s, m, h, d, w）",
                "write e.g. `15m`, `2h`, `1d`, `1h30m` (units s, m, h, d, w)"
            ),
            Problem::BadDate { .. } => tr!(
                lang,
                "`2026-11-23` の形で書いてください",
                "write the date as `2026-11-23`"
            ),
            Problem::UnknownPlaceholder {
                suggestion,
                available,
                ..
            } => did_you_mean(lang, suggestion).unwrap_or_else(|| {
                let all = available
                    .iter()
                    .map(|p| format!("{{{{{p}}}}}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                tr!(
                    lang,
                    "使える差し込み項目: {all}（事案ごとの事実は先頭の `facts:` で宣言します）",
                    "placeholders: {all} (declare the incident's own facts under `facts:`)"
                )
            }),
            Problem::UnknownFilter {
                suggestion,
                available,
                ..
            } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| tr!(lang, "使える書式: {}", "filters: {}", list(available))),
            Problem::FilterNeedsTime { .. } => tr!(
                lang,
                "日時の項目（`started_at`、`now`、`kind: datetime` の事実）に付けるか、書式を外してください",
                "use it on `started_at`, `now` or a `kind: datetime` fact, or remove it"
            ),
            Problem::UnknownFact { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "手順書の `facts:` で宣言された名前を書いてください",
                        "use a name declared under the playbook's `facts:`"
                    )
                }),
            Problem::ApproverNotAPerson { .. } => tr!(
                lang,
                "訓練の承認者の氏名を書くか（例: 発信管理者（訓練））、`approver:` を省いてください（役割名に「（訓練）」を付けた名前になります）",
                "write the exercise approver's name (e.g. 発信管理者（訓練）), or leave `approver:` out (the role's name marked （訓練） is used)"
            ),
            Problem::BadFactValue { .. } => tr!(
                lang,
                "事実の `kind` に合う値にしてください（URL は https://…、日時は 2026-11-27 22:00、choice は options のいずれか）",
                "give a value of the fact's `kind` (a URL is https://…, a date-time 2026-11-27 22:00, a choice one of its options)"
            ),
            Problem::BranchUnknownOption { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "キーには前提の手順（`after`）にある判断の選択肢の id か `default` を書きます",
                        "keys are option ids of a decision among the step's prerequisites (`after`), or `default`"
                    )
                }),
            Problem::BranchAmbiguous { .. } => tr!(
                lang,
                "どちらかの判断の選択肢の id を変え、区別できるようにしてください",
                "rename the options of one decision so that they can be told apart"
            ),
            Problem::BranchNotCovered { .. } => tr!(
                lang,
                "残りの選択肢の値を書くか、`default:` を加えてください",
                "give the other options a value, or add `default:`"
            ),
            Problem::UnknownBase { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "標準の手順書の id（`flaming` など）か、この手順書と同じフォルダのファイル名（`base.yaml`）を書いてください",
                        "name a stock playbook id (`flaming` …) or a file beside this one (`base.yaml`)"
                    )
                }),
            Problem::ExtendsChain => tr!(
                lang,
                "元の手順書を直接 `extends` してください（`extends` は1段まで）",
                "extend the original playbook directly (one level of `extends`)"
            ),
            Problem::RemovalWithoutReason { .. } => tr!(
                lang,
                "`remove: [{{id: 手順id, reason: 理由}}]` の形で書いてください",
                "write `remove: [{{id: step-id, reason: why}}]`"
            ),
            Problem::OverlayWithoutBase { .. } => tr!(
                lang,
                "`extends: flaming` のように元の手順書を書くか、手順を `steps` に直接書いてください",
                "add `extends: flaming` (the playbook adapted), or write the steps under `steps`"
            ),
            Problem::ApprovedInNotAnApproval { .. } => tr!(
                lang,
                "文案を決裁する `kind: approval` の手順を `after` に加え、その id を書いてください",
                "name a `kind: approval` step that approves the text, and put it in `after`"
            ),
            Problem::PracticeNeedsReason => tr!(
                lang,
                "例: `basis_reason: 各社の通報フォームの実務による（ガイドラインに定めなし）`",
                "e.g. `basis_reason: the platforms' own report forms (no guideline says so)`"
            ),
            Problem::ReasonWithoutPractice => tr!(
                lang,
                "`basis: practice` を加えるか、`basis_reason` を削除してください",
                "add `basis: practice`, or remove `basis_reason`"
            ),
            Problem::DepartureNeedsReason => tr!(
                lang,
                "例: `departure_reason: 定期的な変更は求めない（NISC・NIST SP 800-63B）`",
                "e.g. `departure_reason: no periodic change (NIST SP 800-63B)`"
            ),
            Problem::ReasonWithoutDeparture => tr!(
                lang,
                "`departs_from` に従わない規定を書くか、`departure_reason` を削除してください",
                "list the clauses in `departs_from`, or remove `departure_reason`"
            ),
            Problem::FollowedAndDeparted { .. } => tr!(
                lang,
                "規定に従うなら `departs_from` から、従わないなら `source` から除いてください",
                "remove it from `departs_from` if the step follows it, from `source` if not"
            ),
            Problem::FactIsBuiltIn { .. } => tr!(
                lang,
                "別の名前にしてください（例: `fake_account`）",
                "choose another name (e.g. `fake_account`)"
            ),
            Problem::InvalidFactName { .. } => tr!(
                lang,
                "半角英小文字・数字・アンダースコアを使ってください（例: `fake_account`）",
                "use lower-case ASCII letters, digits and underscores (e.g. `fake_account`)"
            ),
            Problem::PlaceholderOnlyInMail { .. } => tr!(
                lang,
                "宛先の名前は、公表文や下書きでは直接書いてください",
                "write the addressee's name out in statements and drafts"
            ),
            Problem::UnclosedPlaceholder => tr!(
                lang,
                "`{{{{title}}}}` のように閉じてください",
                "close it like `{{{{title}}}}`"
            ),
            Problem::FieldNotForKind { .. } => tr!(
                lang,
                "`kind` が正しいか、項目を削除すべきか確認してください",
                "check the step's `kind`, or remove the field"
            ),
            Problem::MissingForKind { field, .. } => {
                tr!(lang, "`{field}:` を追加してください", "add `{field}:`")
            }
            Problem::PlatformNotListed { platform } => tr!(
                lang,
                "`platforms` に `{platform}` を加えるか、この記述を削除してください",
                "add `{platform}` to `platforms`, or remove this guidance"
            ),
            Problem::UnknownSource { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "先頭の `sources:` に文書を追加してください",
                        "add the document to `sources:` at the top"
                    )
                }),
            Problem::BadCitation { .. } => tr!(
                lang,
                "`文書id 条項` の形で書いてください（例: `ube 7(1)`）",
                "write `document-id clause`, e.g. `ube 7(1)`"
            ),
            Problem::NoSeverities => tr!(
                lang,
                "先頭に `severities:` を定義するか、`options:` を書いてください",
                "define `severities:`, or list `options:`"
            ),
            Problem::SecondSeverityDecision { .. } => tr!(
                lang,
                "重大度は1つの判断で決め、見直しは同じ判断の再判断で行ってください",
                "decide severity in one step; re-decide that step to change it"
            ),
            Problem::DuplicateMilestone { first, .. } => tr!(
                lang,
                "完了した時点がその節目となる1つの手順にだけ付け、`{first}` かこの手順のどちらかから外してください",
                "mark only the step whose completion is that moment: remove it from `{first}` or from this step"
            ),
            Problem::TooManyOptions { .. } => {
                tr!(lang, "判断を分割してください", "split the decision")
            }
            Problem::AccountOwnerDiffers { register, .. } => tr!(
                lang,
                "所管が変わったなら、divisions.yaml の `accounts:` を `{register}` に移してください",
                "if the owner changed, move the account to `{register}`'s `accounts:` in divisions.yaml"
            ),
            Problem::AccountNotInDirectory { division, .. } => tr!(
                lang,
                "divisions.yaml の `{division}` の `accounts:` に加えると、事案の所属課がこのアカウントから決まります",
                "add it to `{division}`'s `accounts:` in divisions.yaml, so an incident on it finds its owner"
            ),
            Problem::AccountNotRegistered { .. } => tr!(
                lang,
                "一覧表（accounts.yaml）に加えてください。閉鎖したなら `status: closed` で残します（宇部市ガイドライン4(5)）",
                "add it to the register (accounts.yaml); a closed account stays with `status: closed`"
            ),
            Problem::SecretInRegister { .. } => tr!(
                lang,
                "削除し、保管場所だけを `password_kept` / `recovery_codes_kept` に書いてください（例: 情報セキュリティ担当課の金庫）。書いたパスワードは漏えいしたものとして変更してください",
                "remove it and write only where it is kept in `password_kept` / `recovery_codes_kept` (e.g. the security division's safe); change a password written here as leaked"
            ),
            Problem::BadEmail { .. } => tr!(
                lang,
                "`koho@city.example.jp` の形で書いてください",
                "write e.g. `koho@city.example.jp`"
            ),
            Problem::ControlInHeader { .. } => tr!(
                lang,
                "1 行で書いてください（YAML の `|` や `\\n` を使わない）",
                "write it on one line (no `|` block or `\\n` in YAML)"
            ),
            Problem::ReviewOverdue { .. } => tr!(
                lang,
                "内容を見直し、`reviewed:` を見直した日付に更新してください",
                "review the playbook and set `reviewed:` to the review date"
            ),
            Problem::ClaimNeedsOneOf { .. } => tr!(
                lang,
                "手順が済んだら言う文は `done: 手順`、判断の答えによる文は `when: 判断 == 選択肢` と書いてください",
                "write `done: STEP` for a sentence said once a step is done, `when: DECISION == OPTION` for one said by a decision's answer"
            ),
            Problem::ClaimWithoutDependency { act, .. } => tr!(
                lang,
                "`after:` に `{act}` を加えて待つか、その文を `claims:` に移して `done: {act}` としてください（実施されるまで省くか、`otherwise` の文に代わります）",
                "add `{act}` to `after:` to wait for it, or move the sentence to `claims:` with `done: {act}` (left out, or said as its `otherwise`, until it is done)"
            ),
            Problem::PostTooLong { .. } => tr!(
                lang,
                "文面（手順書の statement）を短くするか、シナリオの事実を短くしてください。訓練ではこの投稿は完了できません",
                "shorten the statement (the playbook's) or the scenario's facts: in the drill this post cannot be completed"
            ),
            Problem::UnfinishedStatement { .. } => tr!(
                lang,
                "インシデントごとに変わる内容は事実（`facts:`）として宣言し、`{{{{名前}}}}` で差し込んでください。そうすれば投稿の前に記録を求められます",
                "declare what changes with each incident as a fact (`facts:`) and write `{{{{name}}}}`: the post then asks for it before it goes out"
            ),
            Problem::NoSource { .. } => tr!(
                lang,
                "根拠となるガイドラインの条項を `source: [ube 7(1)]` のように書くか、実務による手順なら `basis: practice` と理由（`basis_reason`）を書いてください",
                "cite the guideline clause, e.g. `source: [ube 7(1)]`, or for practice write `basis: practice` with a `basis_reason`"
            ),
            Problem::DeadlineBeforePrerequisites {
                due_seconds,
                chain_seconds,
                ..
            } => {
                let due = seconds(*due_seconds, lang);
                let over = seconds(chain_seconds - due_seconds, lang);
                tr!(
                    lang,
                    "開始からの期限は守るべき時限です。前提の手順の期限を合わせて {over} 縮め、{due} 以内に収めてください",
                    "a deadline from the start is a duty: shorten the prerequisites' deadlines by {over} in all, so that they fit in {due}"
                )
            }
            Problem::ScenarioPlaybook { looked, .. } => tr!(
                lang,
                "手順書の id（例: `unauthorized-access`）かファイルを書いてください。探した場所: {}",
                "name a playbook id (e.g. `unauthorized-access`) or file; looked in: {}",
                looked.join(", ")
            ),
            Problem::WrongStepKind { expected, .. } => tr!(
                lang,
                "種類が {expected} の手順の id を書いてください",
                "name a step whose kind is {expected}"
            ),
            Problem::UnknownChoice { options, .. } => {
                tr!(lang, "選択肢: {}", "options: {}", list(options))
            }
            Problem::FactNotOfKind { name, kind, .. } => tr!(
                lang,
                "`facts:` で `{name}` に `kind: {kind}` を指定するか、`kind: {kind}` の事実を書いてください",
                "give `{name}` `kind: {kind}` under `facts:`, or name a fact of kind {kind}"
            ),
            Problem::WrongType { expected, .. } => match expected.as_str() {
                "list" => tr!(
                    lang,
                    "リストは `[a, b]` か、各行を `- ` で始めて書きます",
                    "a list is `[a, b]` or lines starting with `- `"
                ),
                "mapping" => tr!(
                    lang,
                    "対応表は `項目: 値` の行で書きます",
                    "a mapping is `key: value` lines"
                ),
                "text" => tr!(
                    lang,
                    "1つの値を書きます（`: ` や `[`、`{{` で始まる値は引用符で囲みます）",
                    "write one value (quote a value with `: ` in it or starting with `[` or `{{`)"
                ),
                _ => return None,
            },
            Problem::Unreadable { .. } => return None,
        };
        Some(text)
    }
}
