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

/// The stock playbooks: 不正アクセス, なりすまし, 炎上.
pub const PLAYBOOKS: [StockFile; 3] = [
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
];

/// The example directory of divisions and roles (addresses under example.jp).
pub const DIVISIONS: StockFile = StockFile {
    name: "divisions.yaml",
    text: include_str!("../playbooks/divisions.yaml"),
};

/// A commented `hikeshi.toml` for a municipality to adapt.
pub const CONFIG: StockFile = StockFile {
    name: "hikeshi.toml",
    text: include_str!("../playbooks/hikeshi.example.toml"),
};

/// The name under which embedded files appear in diagnostics.
pub fn display_name(file: &StockFile) -> String {
    format!("<embedded>/playbooks/{}", file.name)
}
