//! `arraylint verify`. PROVISIONAL until the verify branch lands.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// `module:attr` or `path/to/file.py:attr`.
    pub targets: Vec<String>,
}

pub fn run(_args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("verify is not built yet")
}
