//! hikeshi (火消し): an incident-response runbook engine for social-media crises at Japanese
//! municipalities and public bodies.
//!
//! Playbooks for 不正アクセス, なりすまし and 炎上 are written in YAML and compiled into checked
//! step graphs ([`playbook`]); divisions and roles come from `divisions.yaml` ([`directory`]).
//! The binary is a thin shell over [`cli`].
//!
//! ```
//! use hikeshi::directory::Directory;
//! use hikeshi::playbook::{CompileOptions, Limits, SourceFile, compile_source};
//!
//! let divisions = SourceFile::new(
//!     "divisions.yaml",
//!     "organization: 例示市\ndivisions:\n  - id: 広報広聴課\n    email: koho@city.example.jp\n",
//! );
//! let directory = Directory::load(&divisions, &Limits::default()).expect("valid divisions");
//! let playbook = SourceFile::new(
//!     "example.yaml",
//!     "id: example\ntitle: 例\nsteps:\n  - id: report\n    title: 報告\n    kind: notify\n    to: [広報広聴課]\n    subject: \"{{title}}\"\n    body: 本文\n    due: 30m\n",
//! );
//! let compiled = compile_source(&playbook, &directory, &CompileOptions::default())
//!     .expect("the playbook compiles");
//! assert_eq!(compiled.playbook.graph.len(), 1);
//! assert_eq!(compiled.playbook.graph.critical_duration(), chrono::TimeDelta::minutes(30));
//!
//! // A typo is an error with its position and a hint.
//! let typo = SourceFile::new("typo.yaml", "id: t\ntitle: 例\nsteps:\n  - id: a\n    title: 確認\n    kind: action\n    after: [b]\n");
//! let diagnostics = compile_source(&typo, &directory, &CompileOptions::default()).unwrap_err();
//! let error = diagnostics.iter().find(|d| d.is_error()).expect("an error");
//! assert_eq!((error.position.line, error.position.column), (7, 13));
//! assert_eq!(error.hint(hikeshi::Lang::En).as_deref(), Some("`after` lists ids of steps defined under `steps:`"));
//! ```

pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod diagnostic;
pub mod digest;
pub mod directory;
pub mod exercise;
pub mod incident;
pub mod journal;
pub mod lang;
pub mod notify;
pub mod platform;
pub mod playbook;
pub mod register;
pub mod report;
pub mod source;
pub mod stock;
pub mod summary;
pub mod text;
pub mod tui;

pub use lang::{Lang, Text};
