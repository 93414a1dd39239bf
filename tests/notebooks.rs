//! Jupyter notebooks, as users check them: the real binary on the notebooks in
//! `fixtures/notebooks/` (written by nbformat itself, and one as other writers leave them).
//! Expected output per format lives in `tests/snapshots/notebook_*`; `UPDATE_SNAPSHOTS=1`
//! rewrites it. `tests/notebooks/run.sh` loads the fixed notebooks with nbformat.

use std::path::{Path, PathBuf};

mod common;
use common::{assert_snapshot, run_in, run_stdin, stdout};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/notebooks").join(name)
}

#[test]
fn every_format_names_the_cell() {
    let formats = [
        ("full", "notebook_full.txt"),
        ("concise", "notebook_concise.txt"),
        ("json", "notebook_json.json"),
        ("json-lines", "notebook_json_lines.jsonl"),
        ("github", "notebook_github.txt"),
        ("sarif", "notebook_sarif.json"),
    ];
    let root_uri = format!("file://{}", root().display());
    for (format, snapshot) in formats {
        let out = run_in(
            root(),
            &[
                "check",
                "--isolated",
                "fixtures/notebooks/findings.ipynb",
                "--output-format",
                format,
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{format}");
        // SARIF names files by absolute URI: the checkout's place is not part of the output.
        let mut text = stdout(&out).replace(&root_uri, "file://ROOT");
        if format == "sarif" {
            // Only the results: the rule catalogue is `tests/snapshots/sarif.json`'s.
            let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
            text = serde_json::to_string_pretty(&sarif["runs"][0]["results"]).unwrap() + "\n";
        }
        assert_snapshot(snapshot, &text);
    }
}

#[test]
fn only_python_code_cells_are_read() {
    let out = run_in(
        root(),
        &[
            "check",
            "--isolated",
            "--output-format",
            "json",
            "fixtures/notebooks/findings.ipynb",
            "fixtures/notebooks/string_sources.ipynb",
        ],
    );
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let at: Vec<(String, u64, u64)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["filename"].as_str().unwrap();
            let name = Path::new(file).file_name().unwrap().to_string_lossy();
            (
                name.into_owned(),
                f["cell"].as_u64().unwrap(),
                f["location"]["row"].as_u64().unwrap(),
            )
        })
        .collect();
    let cells: Vec<u64> = at.iter().map(|(_, cell, _)| *cell).collect();
    // Cell 1 is markdown, 4 raw, 5 `%%bash`, all mentioning `__array__`; string_sources'
    // cell 4 is SQL (VS Code's `languageId`). None is read.
    assert!(
        !at.iter()
            .any(|(name, cell, _)| name == "findings.ipynb" && [1, 4, 5].contains(cell)),
        "{at:?}"
    );
    assert!(!at
        .iter()
        .any(|(name, cell, _)| name == "string_sources.ipynb" && *cell == 4));
    // Findings in several cells, rows counted in the cell; the `# noqa: AL602` line of
    // cell 6 (row 5) is not reported, its twin on row 4 is.
    assert!(
        cells.contains(&3) && cells.contains(&6) && cells.contains(&7),
        "{at:?}"
    );
    assert!(at.contains(&("findings.ipynb".into(), 6, 4)), "{at:?}");
    assert!(!at.contains(&("findings.ipynb".into(), 6, 5)), "{at:?}");
    // `# arraylint: noqa: AL101` in string_sources' first cell holds for every cell.
    assert!(!findings.as_array().unwrap().iter().any(
        |f| f["code"] == "AL101" && f["filename"].as_str().unwrap().contains("string_sources")
    ));
}

#[test]
fn a_file_level_noqa_in_the_first_cell_covers_the_notebook() {
    let out = run_in(
        root(),
        &["check", "--isolated", "fixtures/notebooks/noqa_file.ipynb"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Without the directive the same code is reported.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("noqa_file.ipynb")).unwrap();
    let path = dir.path().join("nb.ipynb");
    std::fs::write(&path, text.replace("# arraylint: noqa", "# a comment")).unwrap();
    let out = run_in(dir.path(), &["check", "--isolated", "nb.ipynb"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("nb.ipynb:cell 2:2:9: AL101"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_notebooks_are_al002_and_the_run_goes_on() {
    let out = run_in(
        root(),
        &[
            "check",
            "--isolated",
            "--output-format",
            "concise",
            "fixtures/notebooks/not_json.ipynb",
            "fixtures/notebooks/nbformat3.ipynb",
            "fixtures/notebooks/findings.ipynb",
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("not_json.ipynb:1:1: AL002 the file is not valid JSON: EOF while parsing"),
        "{text}"
    );
    assert!(
        text.contains(
            "nbformat3.ipynb:1:1: AL002 the notebook is nbformat 3; arraylint reads nbformat 4"
        ),
        "{text}"
    );
    assert!(text.contains("findings.ipynb:cell 3:2:9: AL101"), "{text}");
}

#[test]
fn a_notebook_without_a_protocol_word_is_not_parsed() {
    // Not JSON at all, but no needle either: as AL001 in a Python file, nothing is said,
    // with the pre-filter or without it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plain.ipynb"), "{ not json, x = 1").unwrap();
    for extra in [None, Some("--no-prefilter")] {
        let mut args = vec!["check", "--isolated", "plain.ipynb"];
        args.extend(extra);
        let out = run_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    }
}

/// `check --fix --unsafe-fixes` on `NAME.ipynb` in `dir`.
fn fix_in(dir: &Path, name: &str) -> std::process::Output {
    let file = format!("{name}.ipynb");
    run_in(
        dir,
        &[
            "check",
            "--isolated",
            "--fix",
            "--unsafe-fixes",
            "-q",
            &file,
        ],
    )
}

/// Fix a copy of the fixture; the result must be `NAME.fixed.ipynb` byte for byte, and
/// fixing again must change nothing.
fn fix_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.ipynb"));
    std::fs::copy(fixture(&format!("{name}.ipynb")), &path).unwrap();
    let out = fix_in(dir.path(), name);
    // 1 where findings remain, 0 where none does; never an error.
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, path)
}

#[test]
fn fixes_go_back_into_their_cells_byte_for_byte() {
    for (name, edited) in [("findings", [2usize, 5]), ("string_sources", [1, 2])] {
        let (dir, path) = fix_copy(name);
        let fixed = std::fs::read(&path).unwrap();
        let expected = std::fs::read(fixture(&format!("{name}.fixed.ipynb"))).unwrap();
        assert!(
            fixed == expected,
            "{name}: {}",
            String::from_utf8_lossy(&fixed)
        );
        // Outside the edited cells' sources, nothing changed: the same JSON once those
        // are taken out, and the same bytes before the first and after the last.
        let original = std::fs::read(fixture(&format!("{name}.ipynb"))).unwrap();
        let without_edited = |bytes: &[u8]| {
            let mut value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            for cell in edited {
                value["cells"][cell]["source"] = serde_json::Value::Null;
            }
            value
        };
        assert_eq!(without_edited(&original), without_edited(&fixed), "{name}");
        // Idempotent.
        let again = fix_in(dir.path(), name);
        assert_ne!(again.status.code(), Some(2));
        assert!(
            std::fs::read(&path).unwrap() == fixed,
            "{name}: a second --fix changed it"
        );
    }
}

#[test]
fn diff_shows_each_changed_cell_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nb.ipynb");
    std::fs::copy(fixture("findings.ipynb"), &path).unwrap();
    let out = run_in(dir.path(), &["check", "--isolated", "--diff", "nb.ipynb"]);
    assert_eq!(out.status.code(), Some(1));
    // Safe fixes only: AL102's here. Unsafe ones join with `--unsafe-fixes`, in cell 6 too.
    let unsafe_fixes = run_in(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--diff",
            "--unsafe-fixes",
            "nb.ipynb",
        ],
    );
    let unsafe_diff = stdout(&unsafe_fixes);
    assert!(unsafe_diff.contains("--- a/nb.ipynb:cell 6\n+++ b/nb.ipynb:cell 6\n"));
    assert!(unsafe_diff.contains("\n-y = np.array(x, copy=False)\n+y = np.asarray(x)\n"));
    // The IPython lines around the fix are shown as they are in the cell.
    assert!(
        unsafe_diff.contains("\n files = !ls\n np.zeros?\n"),
        "{unsafe_diff}"
    );
    assert_eq!(
        stdout(&out),
        "--- a/nb.ipynb:cell 3\n+++ b/nb.ipynb:cell 3\n@@ -1,3 +1,3 @@\n class Wrapper:\n-    def __array__(self):\n+    def __array__(self, dtype=None):\n         return np.asarray(self.data)\n\
         Would fix 1 error (2 additional fixes available with `--unsafe-fixes`).\n"
    );
    assert!(std::fs::read(&path).unwrap() == std::fs::read(fixture("findings.ipynb")).unwrap());
}

#[test]
fn fix_from_stdin_prints_the_fixed_notebook() {
    let original = std::fs::read(fixture("findings.ipynb")).unwrap();
    let args = [
        "check",
        "--isolated",
        "--fix",
        "--unsafe-fixes",
        "--stdin-filename",
        "nb.ipynb",
        "-",
    ];
    let out = run_stdin(root(), &args, &original);
    assert!(out.stdout == std::fs::read(fixture("findings.fixed.ipynb")).unwrap());
}

#[test]
fn include_decides_which_files_the_walk_checks() {
    let dir = tempfile::tempdir().unwrap();
    let notebook = std::fs::read_to_string(fixture("findings.ipynb")).unwrap();
    for (name, text) in [
        ("a.py", "x = 1\n"),
        ("b.pyi", "x: int\n"),
        ("nb.ipynb", notebook.as_str()),
        ("tool.py3", "x = 1\n"),
        ("notes.txt", "x\n"),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let files = |config: Option<&str>| {
        let mut args = vec!["check", "--show-files"];
        if let Some(config) = config {
            std::fs::write(dir.path().join("arraylint.toml"), config).unwrap();
        } else {
            args.push("--isolated");
        }
        let out = run_in(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{config:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut listed: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
        listed.sort();
        listed
    };
    assert_eq!(files(None), ["a.py", "b.pyi", "nb.ipynb"]);
    assert_eq!(files(Some("include = [\"*.py\"]\n")), ["a.py"]);
    assert_eq!(
        files(Some("extend-include = [\"*.py3\"]\n")),
        ["a.py", "b.pyi", "nb.ipynb", "tool.py3"]
    );
    // Validated like the other keys.
    std::fs::write(dir.path().join("arraylint.toml"), "include = \"*.py\"\n").unwrap();
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("include"), "{stderr}");
    std::fs::write(
        dir.path().join("arraylint.toml"),
        "extend-include = [\"a[\"]\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("extend-include") && stderr.contains("invalid glob"),
        "{stderr}"
    );
}
