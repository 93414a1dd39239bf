//! `arraylint server`: the language server over stdio (the code lives in `src/lsp/`).

use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    crate::lsp::run_stdio()?;
    Ok(ExitCode::SUCCESS)
}
