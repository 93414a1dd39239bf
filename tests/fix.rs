//! Fix snapshots and the CLI's fix modes.
//!
//! Every `fixtures/fix/CODE.py` is fixed with all rules and unsafe fixes, and must give
//! `fixtures/fix/CODE.fixed.py` exactly; fixing that again must change nothing. The CLI
//! tests run the real binary on a temporary copy.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use arraylint::registry::{Rule, RuleSet};

/// The rules whose fixes must have a snapshot pair.
const PAIRS_REQUIRED: &[&str] = &["AL101", "AL102", "AL201", "AL401", "AL501", "AL602"];

fn fix_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("fix")
}

/// The `before` files of every pair, by rule code (the file stem).
fn pairs() -> Vec<(String, PathBuf, PathBuf)> {
    let mut pairs = Vec::new();
    for entry in std::fs::read_dir(fix_dir()).expect("fixtures/fix is readable") {
        let path = entry.expect("entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.ends_with(".fixed.py") || !name.ends_with(".py") {
            continue;
        }
        let code = name.trim_end_matches(".py").to_string();
        let fixed = fix_dir().join(format!("{code}.fixed.py"));
        pairs.push((code, path, fixed));
    }
    pairs.sort();
    pairs
}

#[test]
fn every_pair_fixes_to_its_snapshot_and_is_idempotent() {
    let pairs = pairs();
    let codes: Vec<&str> = pairs.iter().map(|(code, ..)| code.as_str()).collect();
    for required in PAIRS_REQUIRED {
        assert!(
            codes.contains(required),
            "no fix pair for {required}: {codes:?}"
        );
    }
    let mut failures = Vec::new();
    for (code, before_path, fixed_path) in &pairs {
        let rule = Rule::from_code(code).unwrap_or_else(|| panic!("{code} names a rule"));
        let before = std::fs::read_to_string(before_path).expect("before file is UTF-8");
        let expected = std::fs::read_to_string(fixed_path)
            .unwrap_or_else(|_| panic!("{} has no {code}.fixed.py", before_path.display()));
        let outcome = arraylint::fix::fix_text(&before, before_path, RuleSet::all(), true);
        assert_eq!(outcome.refused, None, "{code}: the fix was refused");
        assert!(
            outcome.fixed.get(&rule).copied().unwrap_or(0) > 0,
            "{code}: the pair applies no {code} fix ({:?})",
            outcome.fixed
        );
        if outcome.text != expected {
            failures.push(format!(
                "{code}: fixed text differs from {}\n--- got ---\n{}",
                fixed_path.display(),
                outcome.text
            ));
            continue;
        }
        let again = arraylint::fix::fix_text(&expected, fixed_path, RuleSet::all(), true);
        assert_eq!(
            again.text, expected,
            "{code}: fixing the fixed file changed it"
        );
        assert_eq!(
            again.fixed_count(),
            0,
            "{code}: fixes left in the fixed file: {:?}",
            again.fixed
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every fix offered on the rule fixtures (violations and look-alikes of every rule)
/// gives valid Python: the engine refuses a result that does not re-parse, and a rule
/// must not offer one.
#[test]
fn no_fixture_gets_a_fix_the_engine_refuses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures/ is readable") {
        let path = entry.expect("entry").path();
        if !path.extension().is_some_and(|e| e == "py" || e == "pyi") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let outcome = arraylint::fix::fix_text(&text, &path, RuleSet::all(), true);
        assert_eq!(outcome.refused, None, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures");
}

/// A producer with a safe fix (AL102: `dtype=None`) and an unsafe one (AL401), in CRLF.
const PRODUCER: &str = "import numpy as np\r\n\r\n\r\nclass Producer:\r\n    def __array__(self, copy=None):\r\n        return np.array(self._data, copy=copy)\r\n\r\n    def __dlpack__(self, stream=None):\r\n        return self._data.__dlpack__(stream=stream)\r\n\r\n    def __dlpack_device__(self):\r\n        return (1, 0)\r\n";

fn arraylint(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_arraylint"))
        .current_dir(dir)
        .args(["check", "--isolated"])
        .args(args)
        .output()
        .expect("the binary runs")
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("temp dir is readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn cli_diff_writes_nothing_and_fix_rewrites_atomically() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("producer.py");
    std::fs::write(&file, PRODUCER).expect("write the producer");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let before = std::fs::metadata(&file).expect("metadata");

    // `--diff`: a unified diff on stdout, the file untouched.
    let diff = arraylint(dir.path(), &["--diff", "producer.py"]);
    let stdout = String::from_utf8_lossy(&diff.stdout);
    assert!(stdout.contains("--- a/producer.py"), "{stdout}");
    assert!(stdout.contains("+++ b/producer.py"), "{stdout}");
    assert!(stdout.contains("@@ "), "{stdout}");
    assert!(
        stdout.contains("-    def __array__(self, copy=None):"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+    def __array__(self, dtype=None, copy=None):"),
        "{stdout}"
    );
    // The unsafe AL401 fix is not part of a plain `--diff`.
    assert!(!stdout.contains("max_version=None"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), PRODUCER);
    let after_diff = std::fs::metadata(&file).expect("metadata");
    assert_eq!(after_diff.ino(), before.ino());
    assert_eq!(after_diff.mtime_nsec(), before.mtime_nsec());
    assert_eq!(entries(dir.path()), ["producer.py"]);

    // `--fix`: the safe fix is written by replacing the file, keeping mode and CRLF.
    let fix = arraylint(dir.path(), &["--fix", "producer.py"]);
    assert!(
        fix.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&fix.stderr)
    );
    let fixed = std::fs::read_to_string(&file).expect("read");
    assert_eq!(
        fixed,
        PRODUCER.replace(
            "def __array__(self, copy=None)",
            "def __array__(self, dtype=None, copy=None)"
        )
    );
    assert!(
        !fixed.replace("\r\n", "").contains('\n'),
        "a bare LF crept in: {fixed:?}"
    );
    let after_fix = std::fs::metadata(&file).expect("metadata");
    assert_eq!(after_fix.permissions().mode() & 0o777, 0o640);
    // Written beside the file and renamed over it: a new inode, no temporary left.
    assert_ne!(after_fix.ino(), before.ino());
    assert_eq!(entries(dir.path()), ["producer.py"]);

    // A second `--fix` has nothing to do and does not rewrite the file.
    let again = arraylint(dir.path(), &["--fix", "producer.py"]);
    assert!(again.status.code().is_some_and(|c| c <= 1));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), fixed);
    assert_eq!(
        std::fs::metadata(&file).expect("metadata").ino(),
        after_fix.ino()
    );

    // `--unsafe-fixes` then applies AL401's, still in CRLF.
    let unsafe_fix = arraylint(dir.path(), &["--fix", "--unsafe-fixes", "producer.py"]);
    assert!(unsafe_fix.status.code().is_some_and(|c| c <= 1));
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(
        text.contains("def __dlpack__(self, stream=None, *, max_version=None, dl_device=None, copy=None):\r\n"),
        "{text}"
    );
    assert_eq!(
        std::fs::metadata(&file)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777,
        0o640
    );
}

/// AL102's fix adds a parameter: safe on an implementation, unsafe on a declaration,
/// where the signature is what type checkers hold subclasses and callers to.
#[test]
fn al102_fix_is_unsafe_on_declarations() {
    use arraylint::diagnostic::Applicability;
    let text = "import abc\n\n\nclass Base(abc.ABC):\n    @abc.abstractmethod\n    def __array__(self, *, copy=None): ...\n\n\nclass Impl:\n    def __array__(self, *, copy=None):\n        return self._a\n";
    let found: Vec<_> = arraylint::lint_source(text, Path::new("m.py"), RuleSet::all())
        .into_iter()
        .filter(|d| d.rule == Rule::ArrayMissingDtype)
        .map(|d| d.fix.map(|fix| fix.applicability))
        .collect();
    assert_eq!(
        found,
        [Some(Applicability::Unsafe), Some(Applicability::Safe)]
    );
}
