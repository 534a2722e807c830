//! hikeshi (火消し): an incident-response runbook engine for social-media crises at Japanese
//! municipalities and public bodies.
//!
//! Playbooks for 不正アクセス, なりすまし and 炎上 are written in YAML and compiled into checked
//! step graphs ([`playbook`]); divisions and roles come from `divisions.yaml` ([`directory`]).
//! The binary is a thin shell over [`cli`].

pub mod catalog;
pub mod cli;
pub mod directory;
pub mod lang;
pub mod playbook;
pub mod stock;

pub use lang::Lang;
