//! The parts people play in an incident (運用管理者, 広報担当課, …) and the words an
//! organisation of each kind uses for itself (市・町・村…). The stock playbooks name parts and
//! words, never one city's division names; each directory says who plays each part.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::tr;

/// A part a stock playbook names: the seeds' own roles, and the divisions in charge of a
/// function. A town says in `parts:` which of its divisions or roles plays each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockPart {
    /// The name playbooks use.
    pub name: &'static str,
    /// What the part does, and the clause it comes from (Japanese).
    pub ja: &'static str,
    /// The same in English.
    pub en: &'static str,
}

impl StockPart {
    /// What the part does, in `lang`.
    pub fn what(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ja => self.ja,
            Lang::En => self.en,
        }
    }

    /// The stock part of this name.
    pub fn named(name: &str) -> Option<&'static StockPart> {
        STOCK_PARTS.iter().find(|p| p.name == name)
    }
}

/// Every part the stock playbooks name, the seeds' roles first.
pub const STOCK_PARTS: [StockPart; 11] = [
    StockPart {
        name: "運用管理者",
        ja: "公式アカウント、共通設定及び参加者の管理責任者。広報担当課長をもってあてる（流山市ガイドライン「アカウントの管理及び運用について」）",
        en: "responsible for the official accounts, their settings and members; the head of public relations (Nagareyama, account management)",
    },
    StockPart {
        name: "投稿管理者",
        ja: "投稿の内容に係る管理責任者。投稿発信元の所属長をもってあてる（流山市ガイドライン「アカウントの管理及び運用について」）",
        en: "responsible for what is posted; the head of the posting division (Nagareyama, account management)",
    },
    StockPart {
        name: "セキュリティ監督者",
        ja: "セキュリティ事項に係る監督者。電算担当課長をもってあてる（流山市ガイドライン「アカウントの管理及び運用について」）",
        en: "oversees security; the head of IT (Nagareyama, account management)",
    },
    StockPart {
        name: "アカウント管理者",
        ja: "ユーザーアカウント管理者（原則2名）。パスワード変更・通報等の実作業を担う（宇部市ガイドライン4(1)・7(1)〜(3)）",
        en: "the account's administrators (two in principle), who change passwords and report to platforms (Ube 4(1), 7(1)-(3))",
    },
    StockPart {
        name: "発信管理者",
        ja: "コンテンツの公開、修正及び削除を承認する者（宇部市ガイドライン5）",
        en: "approves publishing, correcting and deleting content (Ube 5)",
    },
    StockPart {
        name: "所属長",
        ja: "事案を発見又は報告した職員の所属長。状況を確認し、必要に応じて上司に報告する（武蔵野市ガイドラインFAQ）",
        en: "the head of the division of the staff member who found or reported the incident (Musashino FAQ)",
    },
    StockPart {
        name: "広報担当課",
        ja: "広報・報道対応の窓口、全庁の公式アカウントの総括、アカウント管理者一覧表の提出先（宇部市ガイドライン4(5)・7(5)の広報広聴課）",
        en: "public relations and the press; oversees all official accounts; receives the account register (Ube 4(5), 7(5))",
    },
    StockPart {
        name: "情報セキュリティ担当課",
        ja: "情報セキュリティ対策基準の所管課。不正アクセスの報告先（宇部市ガイドライン7(5)のデジタル推進課）",
        en: "owns the information security standard; told of a takeover (Ube 7(5))",
    },
    StockPart {
        name: "危機管理担当課",
        ja: "危機管理指針の所管課。不正アクセスの報告先、災害時の情報発信の調整（宇部市ガイドライン7(5)の防災危機管理課）",
        en: "owns the crisis management guideline; told of a takeover; coordinates disaster information (Ube 7(5))",
    },
    StockPart {
        name: "秘書担当課",
        ja: "首長・副首長への報告の窓口（ガイドラインに定めのない実務）",
        en: "the channel to the mayor and deputy mayor (practice; the guidelines do not say)",
    },
    StockPart {
        name: "人事担当課",
        ja: "職員の服務・懲戒の所管課（地方公務員法第33条等。ガイドラインに定めのない実務）",
        en: "owns staff conduct and discipline (Local Public Service Act art. 33; practice)",
    },
];

/// What kind of body the organisation is: the words its public texts use for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum OrganizationKind {
    /// 市.
    #[serde(rename = "市")]
    City,
    /// 町.
    #[serde(rename = "町")]
    Town,
    /// 村.
    #[serde(rename = "村")]
    Village,
    /// 特別区.
    #[serde(rename = "区")]
    Ward,
    /// 都.
    #[serde(rename = "都")]
    Metropolis,
    /// 道.
    #[serde(rename = "道")]
    Hokkaido,
    /// 府.
    #[serde(rename = "府")]
    UrbanPrefecture,
    /// 県.
    #[serde(rename = "県")]
    Prefecture,
    /// Any other public body (一部事務組合, 社会福祉協議会, …): its words must be given.
    #[serde(rename = "その他")]
    Other,
}

impl OrganizationKind {
    /// The kind an organisation's name ends with (`架空町` → 町), if it ends with one.
    pub fn from_name(name: &str) -> Option<OrganizationKind> {
        Some(match name.trim().chars().last()? {
            '市' => OrganizationKind::City,
            '町' => OrganizationKind::Town,
            '村' => OrganizationKind::Village,
            '区' => OrganizationKind::Ward,
            '都' => OrganizationKind::Metropolis,
            '道' => OrganizationKind::Hokkaido,
            '府' => OrganizationKind::UrbanPrefecture,
            '県' => OrganizationKind::Prefecture,
            _ => return None,
        })
    }

    /// The kind as written in `divisions.yaml`.
    pub fn word(self) -> &'static str {
        match self {
            OrganizationKind::City => "市",
            OrganizationKind::Town => "町",
            OrganizationKind::Village => "村",
            OrganizationKind::Ward => "区",
            OrganizationKind::Metropolis => "都",
            OrganizationKind::Hokkaido => "道",
            OrganizationKind::UrbanPrefecture => "府",
            OrganizationKind::Prefecture => "県",
            OrganizationKind::Other => "その他",
        }
    }

    /// The words of this kind, or `None` for [`OrganizationKind::Other`] (they must be given).
    pub fn words(self) -> Option<OrganizationWords> {
        let (org_kind, head, residents) = match self {
            OrganizationKind::City => ("市", "市長", "市民"),
            OrganizationKind::Town => ("町", "町長", "町民"),
            OrganizationKind::Village => ("村", "村長", "村民"),
            OrganizationKind::Ward => ("区", "区長", "区民"),
            OrganizationKind::Metropolis => ("都", "知事", "都民"),
            OrganizationKind::Hokkaido => ("道", "知事", "道民"),
            OrganizationKind::UrbanPrefecture => ("府", "知事", "府民"),
            OrganizationKind::Prefecture => ("県", "知事", "県民"),
            OrganizationKind::Other => return None,
        };
        Some(OrganizationWords {
            org_kind: org_kind.to_string(),
            head: head.to_string(),
            deputy_head: format!("副{head}"),
            residents: residents.to_string(),
        })
    }
}

/// The words the stock public texts use for the organisation, as `{{org_kind}}`,
/// `{{head}}`, `{{deputy_head}}` and `{{residents}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationWords {
    /// The character it names itself by after 本: 市 (本市), 町, 村, 県, 会 (本会)…
    pub org_kind: String,
    /// Its head: 市長, 町長, 知事, 会長…
    pub head: String,
    /// The head's deputy: 副市長, 副町長, 副知事…
    pub deputy_head: String,
    /// The people it serves: 市民, 町民, 県民, 利用者…
    pub residents: String,
}

/// The words as written in `divisions.yaml` (`words:`), each overriding the kind's.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationWordsDef {
    /// The character it names itself by after 本 (`市`, `町`, `会`): 「本{{org_kind}}職員」.
    #[serde(default)]
    pub org_kind: Option<String>,
    /// Its head (`町長`, `知事`, `会長`).
    #[serde(default)]
    pub head: Option<String>,
    /// The head's deputy (`副町長`, `副知事`, `副会長`).
    #[serde(default)]
    pub deputy_head: Option<String>,
    /// The people it serves (`町民`, `県民`, `利用者`).
    #[serde(default)]
    pub residents: Option<String>,
}

impl OrganizationWordsDef {
    /// The kind's words with these overriding them; `None` when a word is neither given
    /// nor known from the kind.
    pub fn over(
        &self,
        kind: Option<OrganizationKind>,
    ) -> Result<OrganizationWords, Vec<&'static str>> {
        let base = kind.and_then(OrganizationKind::words);
        let pick =
            |given: &Option<String>, base: Option<&String>| given.clone().or_else(|| base.cloned());
        let org_kind = pick(&self.org_kind, base.as_ref().map(|b| &b.org_kind));
        let head = pick(&self.head, base.as_ref().map(|b| &b.head));
        // A head given without its deputy: the deputy of that head, not of the kind's.
        let deputy_head = match (&self.deputy_head, &self.head) {
            (Some(d), _) => Some(d.clone()),
            (None, Some(h)) => Some(format!("副{h}")),
            (None, None) => base.as_ref().map(|b| b.deputy_head.clone()),
        };
        let residents = pick(&self.residents, base.as_ref().map(|b| &b.residents));
        match (org_kind, head, deputy_head, residents) {
            (Some(org_kind), Some(head), Some(deputy_head), Some(residents)) => {
                Ok(OrganizationWords {
                    org_kind,
                    head,
                    deputy_head,
                    residents,
                })
            }
            (s, h, d, r) => Err([
                (s.is_none(), "org_kind"),
                (h.is_none(), "head"),
                (d.is_none(), "deputy_head"),
                (r.is_none(), "residents"),
            ]
            .into_iter()
            .filter_map(|(missing, name)| missing.then_some(name))
            .collect()),
        }
    }
}

/// Who plays a part in this directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartHolder {
    /// The part's name, as playbooks use it.
    pub part: String,
    /// The division or role that plays it.
    pub played_by: String,
}

/// The part's description for `check` and `show`: the stock one, or nothing for a town's own.
pub fn describe(part: &str, lang: Lang) -> Option<&'static str> {
    StockPart::named(part).map(|p| p.what(lang))
}

/// "広報担当課（総務課）": a part with who plays it, or the name alone when it is no part.
pub fn label(name: &str, holder: &str, lang: Lang) -> String {
    if name == holder {
        name.to_string()
    } else {
        tr!(lang, "{name}（{holder}）", "{name} ({holder})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_follows_the_name_and_gives_its_words() {
        let town = OrganizationKind::from_name("架空町");
        assert_eq!(town, Some(OrganizationKind::Town));
        let words = OrganizationWordsDef::default().over(town);
        assert_eq!(
            words.map(|w| (w.org_kind, w.head, w.deputy_head, w.residents)),
            Ok(("町".into(), "町長".into(), "副町長".into(), "町民".into()))
        );
        assert_eq!(OrganizationKind::from_name("美祢市社会福祉協議会"), None);
        assert_eq!(
            OrganizationWordsDef::default()
                .over(Some(OrganizationKind::Other))
                .map(|w| w.head),
            Err(vec!["org_kind", "head", "deputy_head", "residents"])
        );
        let given = OrganizationWordsDef {
            org_kind: Some("本会".into()),
            head: Some("会長".into()),
            deputy_head: None,
            residents: Some("利用者".into()),
        };
        assert_eq!(
            given.over(None).map(|w| w.deputy_head),
            Ok("副会長".to_string())
        );
    }

    #[test]
    fn a_head_given_brings_its_own_deputy() {
        let given = OrganizationWordsDef {
            head: Some("管理者".into()),
            ..OrganizationWordsDef::default()
        };
        let words = given.over(Some(OrganizationKind::Prefecture));
        assert_eq!(words.map(|w| w.deputy_head), Ok("副管理者".to_string()));
    }

    #[test]
    fn prefectures_are_headed_by_a_governor() {
        let words = OrganizationKind::Prefecture
            .words()
            .map(|w| (w.head, w.residents));
        assert_eq!(words, Some(("知事".into(), "県民".into())));
    }
}
