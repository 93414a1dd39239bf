//! `arraylint verify` where no extension is needed: interpreter selection failures must be
//! clear errors (exit 2). The verifier itself is tested end to end by scripts/test-python,
//! which builds the extension into a virtual environment.

use std::process::{Command, Output};

fn verify(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_arraylint"))
        .arg("verify")
        .args(args)
        .env_remove("VIRTUAL_ENV")
        .env_remove("ARRAYLINT_PYTHON")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn missing_interpreter_is_exit_2() {
    let out = verify(&["--python", "/no/such/python", "mod:attr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot run the Python interpreter `/no/such/python`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn interpreter_without_the_package_says_how_to_install_it() {
    // A fresh virtual environment has nothing installed: the real "package missing" case.
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let created = Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status();
    let Ok(status) = created else {
        eprintln!("python3 not available; skipping");
        return;
    };
    assert!(status.success(), "python3 -m venv failed");
    let python = venv.join("bin").join("python");
    let out = verify(&["--python", python.to_str().unwrap(), "mod:attr"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("does not have the `arraylint` Python package"),
        "{message}"
    );
    assert!(message.contains("pip install arraylint"), "{message}");
}

#[test]
fn targets_are_required() {
    let out = verify(&[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unknown_selector_is_exit_2_before_any_python_runs() {
    // The selection is checked first: the interpreter (which does not exist) is never run.
    let out = verify(&[
        "--python",
        "/no/such/python",
        "--select",
        "AL999",
        "mod:attr",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.contains("unknown rule selector `AL999`"),
        "{message}"
    );
    assert!(
        !message.contains("cannot run the Python interpreter"),
        "{message}"
    );
}

#[test]
fn broken_configuration_is_exit_2_before_any_python_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.arraylint]\nselect = [\"AL9\"]\nno-such-key = 1\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_arraylint"))
        .args(["verify", "--python", "/no/such/python", "mod:attr"])
        .current_dir(dir.path())
        .env_remove("VIRTUAL_ENV")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(message.contains("no-such-key"), "{message}");
    assert!(String::from_utf8_lossy(&out.stdout).is_empty());
    // --isolated ignores it: then the missing interpreter is the error.
    let out = Command::new(env!("CARGO_BIN_EXE_arraylint"))
        .args([
            "verify",
            "--isolated",
            "--python",
            "/no/such/python",
            "mod:attr",
        ])
        .current_dir(dir.path())
        .env_remove("VIRTUAL_ENV")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot run the Python interpreter"));
}
