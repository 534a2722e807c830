//! The stock playbooks, divisions and config template, embedded in the binary so that an
//! installed `hikeshi` works anywhere, with no files beside it.

/// A file shipped inside the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockFile {
    /// File name, as `hikeshi init` writes it.
    pub name: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// The stock playbooks: 不正アクセス, なりすまし, 炎上, 誤投稿・誤情報の訂正, 職員の私的利用,
/// デマ・風評, 不適切なコメント, 委託業者の誤投稿・アカウントの事故, 首長等を装った偽の動画・音声,
/// 公式アカウントの凍結・削除、管理者の不在、休眠アカウント.
pub const PLAYBOOKS: [StockFile; 10] = [
    StockFile {
        name: "unauthorized-access.yaml",
        text: include_str!("../playbooks/unauthorized-access.yaml"),
    },
    StockFile {
        name: "impersonation.yaml",
        text: include_str!("../playbooks/impersonation.yaml"),
    },
    StockFile {
        name: "flaming.yaml",
        text: include_str!("../playbooks/flaming.yaml"),
    },
    StockFile {
        name: "correction.yaml",
        text: include_str!("../playbooks/correction.yaml"),
    },
    StockFile {
        name: "staff-conduct.yaml",
        text: include_str!("../playbooks/staff-conduct.yaml"),
    },
    StockFile {
        name: "rumor.yaml",
        text: include_str!("../playbooks/rumor.yaml"),
    },
    StockFile {
        name: "comments.yaml",
        text: include_str!("../playbooks/comments.yaml"),
    },
    StockFile {
        name: "contractor.yaml",
        text: include_str!("../playbooks/contractor.yaml"),
    },
    StockFile {
        name: "deepfake.yaml",
        text: include_str!("../playbooks/deepfake.yaml"),
    },
    StockFile {
        name: "account-lost.yaml",
        text: include_str!("../playbooks/account-lost.yaml"),
    },
];

/// The text of the stock playbook with this id (`flaming` …).
pub fn playbook(id: &str) -> Option<&'static str> {
    PLAYBOOKS
        .iter()
        .find(|f| f.name.strip_suffix(".yaml") == Some(id))
        .map(|f| f.text)
}

/// The ids of the stock playbooks.
pub fn ids() -> impl Iterator<Item = &'static str> {
    PLAYBOOKS
        .iter()
        .filter_map(|f| f.name.strip_suffix(".yaml"))
}

/// The stock exercise scenarios (机上訓練), one per playbook, in the playbooks' order.
pub const EXERCISES: [StockFile; 12] = [
    StockFile {
        name: "takeover-friday-night.yaml",
        text: include_str!("../playbooks/exercises/takeover-friday-night.yaml"),
    },
    StockFile {
        name: "fake-mayor-gift-campaign.yaml",
        text: include_str!("../playbooks/exercises/fake-mayor-gift-campaign.yaml"),
    },
    StockFile {
        name: "shelter-post-backlash.yaml",
        text: include_str!("../playbooks/exercises/shelter-post-backlash.yaml"),
    },
    StockFile {
        name: "wrong-shelter-heavy-rain.yaml",
        text: include_str!("../playbooks/exercises/wrong-shelter-heavy-rain.yaml"),
    },
    StockFile {
        name: "anonymous-staff-account.yaml",
        text: include_str!("../playbooks/exercises/anonymous-staff-account.yaml"),
    },
    StockFile {
        name: "earthquake-water-rumor.yaml",
        text: include_str!("../playbooks/exercises/earthquake-water-rumor.yaml"),
    },
    StockFile {
        name: "scam-link-comments.yaml",
        text: include_str!("../playbooks/exercises/scam-link-comments.yaml"),
    },
    StockFile {
        name: "former-agency-wrong-post.yaml",
        text: include_str!("../playbooks/exercises/former-agency-wrong-post.yaml"),
    },
    StockFile {
        name: "mayor-deepfake-benefit.yaml",
        text: include_str!("../playbooks/exercises/mayor-deepfake-benefit.yaml"),
    },
    StockFile {
        name: "bousai-account-locked-out.yaml",
        text: include_str!("../playbooks/exercises/bousai-account-locked-out.yaml"),
    },
    StockFile {
        name: "event-account-suspended.yaml",
        text: include_str!("../playbooks/exercises/event-account-suspended.yaml"),
    },
    StockFile {
        name: "dormant-campaign-takeover.yaml",
        text: include_str!("../playbooks/exercises/dormant-campaign-takeover.yaml"),
    },
];

/// The example directory of divisions and roles (addresses under example.jp).
pub const DIVISIONS: StockFile = StockFile {
    name: "divisions.yaml",
    text: include_str!("../playbooks/divisions.yaml"),
};

/// The example city's account register (アカウント管理者一覧表), beside its directory.
pub const ACCOUNTS: StockFile = StockFile {
    name: "accounts.yaml",
    text: include_str!("../playbooks/accounts.yaml"),
};

/// The overlays a town adapts the stock playbooks with (`extends`), and the town's directory
/// beside them (its own division names, each part played by one of them): `init` writes them
/// to `playbooks/examples/`.
pub const EXAMPLES: [StockFile; 4] = [
    StockFile {
        name: "divisions.yaml",
        text: include_str!("../playbooks/examples/divisions.yaml"),
    },
    StockFile {
        name: "flaming-town.yaml",
        text: include_str!("../playbooks/examples/flaming-town.yaml"),
    },
    StockFile {
        name: "impersonation-town.yaml",
        text: include_str!("../playbooks/examples/impersonation-town.yaml"),
    },
    StockFile {
        name: "unauthorized-access-town.yaml",
        text: include_str!("../playbooks/examples/unauthorized-access-town.yaml"),
    },
];

/// A commented `hikeshi.toml` for a municipality to adapt.
pub const CONFIG: StockFile = StockFile {
    name: "hikeshi.toml",
    text: include_str!("../playbooks/hikeshi.example.toml"),
};

/// The name under which embedded files appear in diagnostics.
pub fn display_name(file: &StockFile) -> String {
    format!("<embedded>/playbooks/{}", file.name)
}

/// The name under which embedded scenarios appear in diagnostics.
pub fn exercise_display_name(file: &StockFile) -> String {
    format!("<embedded>/playbooks/exercises/{}", file.name)
}
