//! arraylint: find bugs in Python code that implements or consumes the array protocols.
//!
//! See ARCHITECTURE.md at the repository root for the map of this crate.

pub mod descriptor;
pub mod diagnostic;
pub mod lsp;
pub mod registry;
pub mod render;
pub mod settings;
pub mod value;

/// Where rule pages are published; `Rule::url` appends `/CODE.md`.
pub const DOCS_BASE_URL: &str = "https://github.com/arraylint/arraylint/blob/main/rules";
