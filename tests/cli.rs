//! The CLI as users run it: the real binary on real files.

use std::path::Path;
use std::process::Output;

mod common;
use common::{arraylint, run_in, run_stdin, stdout};

fn codes(out: &Output) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON output: {e}: {}", stdout(out)));
    json.as_array()
        .expect("an array")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

const BAD: &str = "class A:\n    def __array__(self, dtype=None):\n        return None\n";

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn exit_codes() {
    let dir = project(&[("bad.py", BAD), ("good.py", "x = 1\n")]);
    assert_eq!(
        run_in(dir.path(), &["check", "good.py"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run_in(dir.path(), &["check", "bad.py"]).status.code(),
        Some(1)
    );
    assert_eq!(
        run_in(dir.path(), &["check", "--exit-zero", "bad.py"])
            .status
            .code(),
        Some(0)
    );
    let missing = run_in(dir.path(), &["check", "nope.py"]);
    assert_eq!(missing.status.code(), Some(2));
    // Reported as io-error (AL002), as Ruff reports E902, and as the error it is.
    assert!(stdout(&missing).contains("nope.py:1:1: AL002 no such file or directory"));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.py"));
    assert_eq!(
        run_in(dir.path(), &["check", "--select", "XX9"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run_in(dir.path(), &["check", "--no-such-flag"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn no_subcommand_means_check() {
    let dir = project(&[("bad.py", BAD)]);
    let implicit = run_in(dir.path(), &["bad.py", "--output-format", "concise"]);
    let explicit = run_in(
        dir.path(),
        &["check", "bad.py", "--output-format", "concise"],
    );
    assert_eq!(implicit.status.code(), Some(1));
    assert_eq!(stdout(&implicit), stdout(&explicit));
    // With no arguments at all it checks the current directory.
    assert_eq!(run_in(dir.path(), &[]).status.code(), Some(1));
}

#[test]
fn selectors_take_codes_prefixes_and_all() {
    let dir = project(&[("bad.py", BAD)]);
    let json = |args: &[&str]| {
        let mut all = vec!["check", "bad.py", "--output-format", "json"];
        all.extend_from_slice(args);
        codes(&run_in(dir.path(), &all))
    };
    assert_eq!(json(&[]), vec!["AL101", "AL105"]);
    assert_eq!(json(&["--select", "AL101"]), vec!["AL101"]);
    assert_eq!(json(&["--select", "AL10"]), vec!["AL101", "AL105"]);
    assert_eq!(
        json(&["--select", "AL1", "--ignore", "AL105"]),
        vec!["AL101"]
    );
    assert_eq!(
        json(&["--select", "AL6", "--extend-select", "AL105"]),
        vec!["AL105"]
    );
    assert_eq!(
        json(&["--select", "ALL", "--ignore", "AL1"]),
        Vec::<String>::new()
    );
    assert_eq!(json(&["--select", "al101"]), vec!["AL101"]);
}

#[test]
fn noqa_forms() {
    let text = "\
class A:
    def __array__(self, dtype=None):  # noqa: AL101
        return None  # NOQA
class B:
    def __array__(self, dtype=None):  # noqa:AL102
        return []  # noqa: E501, AL105
class C:
    def __array__(self, dtype=None):  # noqa
        s = '# noqa'; return None
";
    let dir = project(&[("a.py", text)]);
    let out = run_in(dir.path(), &["check", "a.py", "--output-format", "json"]);
    // B's AL101 is not suppressed by a noqa for another code; C's string is not a comment.
    assert_eq!(codes(&out), vec!["AL101", "AL105"]);

    let codes_in = |text: &str| {
        let dir = project(&[("a.py", text)]);
        codes(&run_in(
            dir.path(),
            &["check", "a.py", "--output-format", "json"],
        ))
    };
    assert_eq!(
        codes_in(&format!("# arraylint: noqa: AL105\n{BAD}")),
        vec!["AL101"]
    );
    // Also in code that no rule reads (a helper's body, which is not parsed).
    assert_eq!(
        codes_in(&format!(
            "def helper():\n    x = 1\n    # arraylint: noqa: AL105\n    return x\n{BAD}"
        )),
        vec!["AL101"]
    );
    let file_level = format!("{BAD}# ArrayLint: NoQA\n");
    let dir = project(&[("a.py", &file_level)]);
    assert_eq!(
        run_in(dir.path(), &["check", "a.py"]).status.code(),
        Some(0)
    );
}

#[test]
fn syntax_errors_are_reported_and_not_suppressed() {
    let text = "class A:\n    def __array__(self, copy=None:  # noqa\n        pass\nclass B:\n    def __array__(self): ...\n";
    let dir = project(&[("a.py", text)]);
    let out = run_in(dir.path(), &["check", "a.py", "--output-format", "json"]);
    assert_eq!(codes(&out), vec!["AL001", "AL101", "AL102"]);
}

#[test]
fn syntax_errors_are_reported_in_the_code_arraylint_reads() {
    // The protocol member's error counts; one in a body no rule looks at (blanked before
    // parsing) does not, with or without the pre-filter.
    let text = "class A:\n    def __array__(self, dtype=None, copy=None):\n        return self.x(copy) +\n\n    def unrelated(self):\n        return 1 +\n";
    let dir = project(&[("a.py", text)]);
    for extra in [None, Some("--no-prefilter")] {
        let mut args = vec!["check", "a.py", "--output-format", "json"];
        args.extend(extra);
        let out = run_in(dir.path(), &args);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let rows: Vec<(String, u64)> = json
            .as_array()
            .expect("an array")
            .iter()
            .map(|d| {
                let code = d["code"].as_str().unwrap_or_default().to_string();
                (code, d["location"]["row"].as_u64().unwrap_or_default())
            })
            .collect();
        assert_eq!(rows, vec![("AL001".to_string(), 3)], "{extra:?}");
    }
}

#[test]
fn stdin() {
    let out = run_stdin(
        Path::new("."),
        &[
            "check",
            "-",
            "--stdin-filename",
            "pkg/mod.py",
            "--output-format",
            "json",
        ],
        BAD.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(codes(&out), vec!["AL101", "AL105"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json[0]["filename"], "pkg/mod.py");
}

#[test]
fn fix_on_stdin_prints_the_fixed_source() {
    let out = run_stdin(
        Path::new("."),
        &["check", "--fix", "--unsafe-fixes", "-", "-q"],
        BAD.as_bytes(),
    );
    assert!(
        stdout(&out).contains("def __array__(self, dtype=None, copy=None):"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn output_file_and_format_from_the_environment() {
    let dir = project(&[("bad.py", BAD)]);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "bad.py",
            "--output-format",
            "json",
            "-o",
            "out.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let written = std::fs::read(dir.path().join("out.json")).expect("output file written");
    let json: serde_json::Value = serde_json::from_slice(&written).expect("json");
    assert_eq!(json.as_array().map(Vec::len), Some(2));

    let out = arraylint()
        .current_dir(dir.path())
        .env("ARRAYLINT_OUTPUT_FORMAT", "json")
        .args(["check", "bad.py"])
        .output()
        .expect("runs");
    assert_eq!(codes(&out), vec!["AL101", "AL105"]);
}

#[test]
fn show_files_lists_python_files_only() {
    let dir = project(&[
        ("a.py", "x = 1\n"),
        ("b.pyi", "x: int\n"),
        ("c.txt", "no"),
        ("sub/d.py", ""),
    ]);
    let out = run_in(dir.path(), &["check", "--show-files"]);
    assert_eq!(out.status.code(), Some(0));
    let mut listed: Vec<String> = stdout(&out).lines().map(|l| l.replace('\\', "/")).collect();
    listed.sort();
    assert_eq!(listed, vec!["a.py", "b.pyi", "sub/d.py"]);
}

#[test]
fn prefilter_never_changes_the_output_over_the_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let with = run_in(root, &["check", "fixtures", "--output-format", "json"]);
    let without = run_in(
        root,
        &[
            "check",
            "fixtures",
            "--output-format",
            "json",
            "--no-prefilter",
        ],
    );
    assert!(!with.stdout.is_empty());
    assert_eq!(stdout(&with), stdout(&without));
}

#[test]
fn rule_pages() {
    let out = arraylint().args(["rule", "AL101"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("# AL101: array-missing-copy"));
    let out = arraylint()
        .args(["rule", "AL101", "--output-format", "json"])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["name"], "array-missing-copy");
    let out = arraylint()
        .args(["rule", "--all", "--output-format", "json"])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        json.as_array().map(Vec::len),
        Some(arraylint::registry::Rule::ALL.len())
    );
    assert_eq!(
        arraylint()
            .args(["rule", "AL999"])
            .output()
            .expect("runs")
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn version() {
    let out = arraylint().arg("--version").output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn closest_config_wins_and_flags_override() {
    let dir = project(&[
        ("pyproject.toml", "[tool.arraylint]\nignore = [\"AL105\"]\n"),
        ("bad.py", BAD),
        ("sub/arraylint.toml", "select = [\"AL105\"]\n"),
        ("sub/bad.py", BAD),
        ("other/pyproject.toml", "[project]\nname = \"x\"\n"),
        ("other/bad.py", BAD),
    ]);
    let json = |args: &[&str]| {
        let mut all = vec!["check", "--output-format", "json"];
        all.extend_from_slice(args);
        codes(&run_in(dir.path(), &all))
    };
    assert_eq!(json(&["bad.py"]), vec!["AL101"]);
    assert_eq!(json(&["sub/bad.py"]), vec!["AL105"]);
    // A pyproject.toml without [tool.arraylint] is skipped: the root's config applies.
    assert_eq!(json(&["other/bad.py"]), vec!["AL101"]);
    assert_eq!(json(&["bad.py", "--select", "AL105"]), vec!["AL105"]);
    assert_eq!(json(&["bad.py", "--isolated"]), vec!["AL101", "AL105"]);
}

#[test]
fn configuration_errors_exit_2_naming_the_file() {
    let dir = project(&[
        ("pyproject.toml", "[tool.arraylint]\nselct = [\"AL1\"]\n"),
        ("a.py", BAD),
    ]);
    let out = run_in(dir.path(), &["check", "a.py"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pyproject.toml") && err.contains("selct"),
        "{err}"
    );

    let dir = project(&[
        ("arraylint.toml", "select = [\"AL1\"\nignore = 3\n"),
        ("a.py", BAD),
    ]);
    let out = run_in(dir.path(), &["check", "a.py"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("arraylint.toml") && err.contains("line"),
        "{err}"
    );
}

#[test]
fn excludes_and_force_exclude() {
    let dir = project(&[
        ("build/bad.py", BAD),
        ("venv/bad.py", BAD),
        ("ok.py", "x = 1\n"),
    ]);
    assert_eq!(run_in(dir.path(), &["check"]).status.code(), Some(0));
    // Named explicitly, an excluded file is checked unless --force-exclude.
    assert_eq!(
        run_in(dir.path(), &["check", "build/bad.py"]).status.code(),
        Some(1)
    );
    assert_eq!(
        run_in(dir.path(), &["check", "--force-exclude", "build/bad.py"])
            .status
            .code(),
        Some(0)
    );
    // --exclude replaces the defaults.
    assert_eq!(
        run_in(dir.path(), &["check", "--exclude", "venv"])
            .status
            .code(),
        Some(1)
    );
    let gitignored = project(&[(".gitignore", "gen/\n"), ("gen/bad.py", BAD)]);
    assert_eq!(run_in(gitignored.path(), &["check"]).status.code(), Some(0));
    assert_eq!(
        run_in(gitignored.path(), &["check", "--no-respect-gitignore"])
            .status
            .code(),
        Some(1)
    );
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A warning (AL602, with an unsafe fix).
const WARN: &str = "import numpy as np\ny = np.array(x, copy=False)\n";
/// An info finding only (the legacy notice of AL217).
const INFO: &str = "class S:\n    @property\n    def __array_struct__(self):\n        return self._make_capsule()\n";

#[test]
fn the_summary_counts_what_it_names() {
    let dir = project(&[("bad.py", BAD), ("warn.py", WARN), ("info.py", INFO)]);
    for format in ["full", "concise"] {
        let out = run_in(
            dir.path(),
            &["check", "bad.py", "warn.py", "--output-format", format],
        );
        assert_eq!(out.status.code(), Some(1));
        let text = stdout(&out);
        assert!(text.contains("Found 2 errors, 1 warning.\n"), "{text}");
        // The severity is shown for what is not an error, and only for that.
        assert!(text.contains("warn.py:2:5: AL602 warning: "), "{text}");
        assert!(text.contains("bad.py:2:9: AL101 `__array__`"), "{text}");
    }
    let out = run_in(
        dir.path(),
        &["check", "warn.py", "--output-format", "concise"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("Found 1 warning.\n"),
        "{}",
        stdout(&out)
    );
    // Info findings are shown, named apart from the count, and do not fail the run.
    for format in ["full", "concise"] {
        let out = run_in(dir.path(), &["check", "info.py", "--output-format", format]);
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        let text = stdout(&out);
        assert!(text.contains("info.py:3:9: AL217 info: "), "{text}");
        assert!(
            text.contains("All checks passed!\n1 info finding (does not fail the check).\n"),
            "{text}"
        );
        assert!(!text.contains("Found"), "{text}");
    }
    let out = run_in(
        dir.path(),
        &["check", "bad.py", "info.py", "--output-format", "concise"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("Found 2 errors.\n1 info finding (does not fail the check).\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn fix_only_says_what_was_fixed_and_what_is_left() {
    let dir = project(&[("bad.py", BAD), ("warn.py", WARN)]);
    let out = run_in(dir.path(), &["check", "--fix-only", "bad.py", "warn.py"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "No errors fixed (2 errors, 1 warning remaining; \
         2 fixes available with `--unsafe-fixes`).\n"
    );
    let out = run_in(
        dir.path(),
        &["check", "--fix-only", "--unsafe-fixes", "bad.py", "warn.py"],
    );
    assert_eq!(out.status.code(), Some(0));
    // AL101's fix leaves AL104 (copy never read) and AL105 behind.
    assert_eq!(
        stdout(&out),
        "Fixed 1 error, 1 warning (1 error, 1 warning remaining).\n"
    );
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let fixed = std::fs::read_to_string(dir.path().join("warn.py")).expect("read");
    assert!(fixed.contains("np.asarray(x)"), "{fixed}");
}

#[test]
fn diff_says_what_it_would_fix_on_stdout_only() {
    let dir = project(&[("bad.py", BAD), ("warn.py", WARN), ("good.py", "x = 1\n")]);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--diff",
            "--unsafe-fixes",
            "bad.py",
            "warn.py",
            "good.py",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("--- a/bad.py\n"), "{text}");
    assert!(
        text.ends_with("\nWould fix 1 error, 1 warning.\n"),
        "{text}"
    );
    // The findings that remain are not listed: the diff is the output.
    assert!(!text.contains("AL105"), "{text}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("warn.py")).expect("read"),
        WARN
    );
    // Nothing to fix: exit 0, even with findings left, as Ruff.
    for args in [&["good.py"][..], &["bad.py", "warn.py"]] {
        let mut all = vec!["check", "--diff"];
        all.extend_from_slice(args);
        let out = run_in(dir.path(), &all);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {}", stderr(&out));
        assert!(!stdout(&out).contains("---"), "{}", stdout(&out));
    }
    let out = run_in(dir.path(), &["check", "--diff", "bad.py"]);
    assert_eq!(
        stdout(&out),
        "No errors would be fixed (1 fix available with `--unsafe-fixes`).\n"
    );
}

#[test]
fn a_missing_path_among_several_is_reported_and_the_others_checked() {
    let dir = project(&[("bad.py", BAD), ("good.py", "x = 1\n")]);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "good.py",
            "nope.py",
            "bad.py",
            "--output-format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(codes(&out), vec!["AL101", "AL105", "AL002"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json[2]["filename"], "nope.py");
    assert_eq!(
        stderr(&out),
        "arraylint: error: nope.py: no such file or directory\n"
    );
    // With io-error off, it is still said; and no "All checks passed!".
    let out = run_in(
        dir.path(),
        &["check", "good.py", "nope.py", "--select", "AL1"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nope.py: no such file or directory"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stdout(&out).contains("All checks passed"),
        "{}",
        stdout(&out)
    );
    // `--fix` still fixes the files that are there.
    let out = run_in(
        dir.path(),
        &["check", "--fix", "--unsafe-fixes", "nope.py", "bad.py"],
    );
    assert_eq!(out.status.code(), Some(2));
    let fixed = std::fs::read_to_string(dir.path().join("bad.py")).expect("read");
    assert!(fixed.contains("copy=None"), "{fixed}");
    // `--show-files` lists what is there and names what is not.
    let out = run_in(dir.path(), &["check", "--show-files", "good.py", "nope.py"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "good.py\n");
    assert!(stderr(&out).contains("nope.py"), "{}", stderr(&out));
}

#[test]
fn no_python_files_is_a_warning_not_a_pass() {
    let dir = project(&[("docs/readme.md", "# no Python here\n")]);
    let out = run_in(dir.path(), &["check", "docs"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "arraylint: warning: No Python files found under the given path(s)\n"
    );
    // Quiet and silent keep it quiet, as Ruff.
    for flag in ["-q", "-s"] {
        let out = run_in(dir.path(), &["check", flag, "docs"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{flag}");
    }
    // Machine formats still get their (empty) document.
    let out = run_in(dir.path(), &["check", "docs", "--output-format", "json"]);
    assert_eq!(codes(&out), Vec::<String>::new());
}

#[test]
fn named_files_of_a_kind_not_checked_are_said() {
    let notebook = format!(
        "{{\"nbformat\": 4, \"cells\": [{{\"cell_type\": \"code\", \"source\": {}}}]}}\n",
        serde_json::to_string(BAD).expect("json")
    );
    let dir = project(&[
        ("nb.ipynb", &notebook),
        ("ext.pyx", BAD),
        ("notes.txt", BAD),
        ("script", BAD),
        ("ok.py", "x = 1\n"),
    ]);
    // Notebooks are a kind that is checked (issue 16).
    let out = run_in(
        dir.path(),
        &["check", "nb.ipynb", "--output-format", "concise"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("nb.ipynb:cell 1:2:9: AL101"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stderr(&out), "");
    let out = run_in(dir.path(), &["check", "notes.txt", "ok.py"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("notes.txt: `.txt` files are not checked"),
        "{err}"
    );
    assert_eq!(stdout(&out), "All checks passed!\n");
    // Also when it is standard input that is named so; nothing checked, no summary.
    let out = run_stdin(
        Path::new("."),
        &["check", "-", "--stdin-filename", "notes.txt"],
        BAD.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr(&out),
        "arraylint: warning: notes.txt: `.txt` files are not checked (arraylint checks `.py`, `.pyw`, `.pyi`, `.ipynb`, `.pyx`, `.pxd`, `.pxi`)\n"
    );
    assert_eq!(stdout(&out), "");
    // Cython files are a kind that is checked (issue 15), named or from standard input.
    let out = run_in(
        dir.path(),
        &["check", "ext.pyx", "--output-format", "concise"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("ext.pyx:2:9: AL101"),
        "{}",
        stdout(&out)
    );
    let out = run_stdin(
        Path::new("."),
        &[
            "check",
            "-",
            "--stdin-filename",
            "ext.pyx",
            "--output-format",
            "concise",
        ],
        BAD.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("ext.pyx:2:9: AL101"),
        "{}",
        stdout(&out)
    );
    // A script without an extension is Python, as in Ruff.
    assert_eq!(
        run_in(dir.path(), &["check", "script"]).status.code(),
        Some(1)
    );
    // Walking a directory reads only the kinds that are checked, without a word: the
    // notebook and the `.pyx`, not the `.txt`.
    let out = run_in(dir.path(), &["check", ".", "--output-format", "concise"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let text = stdout(&out);
    let files: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(": AL"))
        .filter_map(|line| line.split(':').next())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(files, ["ext.pyx", "nb.ipynb"], "{text}");
}

#[test]
fn config_with_isolated_is_a_usage_error() {
    let dir = project(&[("arraylint.toml", "select = [\"AL1\"]\n"), ("bad.py", BAD)]);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--config",
            "arraylint.toml",
            "--isolated",
            "bad.py",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--config") && err.contains("--isolated"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
}

#[test]
fn rule_by_name_and_unknown_rules() {
    for name in ["array-missing-copy", "Array-Missing-Copy", "al101"] {
        let out = arraylint().args(["rule", name]).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{name}");
        assert!(
            stdout(&out).starts_with("# AL101: array-missing-copy"),
            "{name}"
        );
    }
    let out = arraylint()
        .args(["rule", "array-mising-copy"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `array-missing-copy` (AL101)?"),
        "{}",
        stderr(&out)
    );
    let out = arraylint()
        .args(["rule", "nonsense"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`nonsense` is neither a rule code") && !err.contains("did you mean"),
        "{err}"
    );
}
