//! Helpers the integration tests share: the real binary with a clean environment, and
//! snapshots. Each test crate uses what it needs.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The binary, with no output format or test hook inherited from the environment.
pub fn arraylint() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_arraylint"));
    cmd.env_remove("ARRAYLINT_OUTPUT_FORMAT")
        .env_remove("ARRAYLINT_TEST_EDIT_BEFORE_WRITE")
        .env("NO_COLOR", "1");
    cmd
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    arraylint()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The binary run in `dir` with `input` on its standard input.
pub fn run_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = arraylint()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    // Write from a thread: a large input would fill the pipe while the child's output does.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("the binary finishes");
    writer.join().expect("the writer thread");
    out
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Compare `actual` with `tests/snapshots/name`, or rewrite it under `UPDATE_SNAPSHOTS=1`.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|value| value == "1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read {}: {error}; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
            .unified_diff()
            .header("expected", "actual")
            .to_string();
        panic!("{name} differs from its snapshot (UPDATE_SNAPSHOTS=1 rewrites it):\n{diff}");
    }
}
