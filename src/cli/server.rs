//! `arraylint server`: the language server over stdio (the code lives in `src/lsp/`).
//! PROVISIONAL until the lsp branch lands.

use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    anyhow::bail!("the language server is not built yet")
}
