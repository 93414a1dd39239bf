//! Configuration: `[tool.arraylint]` in pyproject.toml, `arraylint.toml`, `.arraylint.toml`;
//! the closest file to each checked file wins; CLI flags override.
//!
//! OWNED BY the settings work: see ARCHITECTURE.md "Contracts".
