//! Input a linter meets in the wild and must survive: bad encodings, odd line endings,
//! huge and deeply nested files, things that are not files. Each case runs the real binary
//! on temporary files and pins down what it does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use arraylint::nesting::{depth_bound, MAX_NESTING};

mod common;
use common::{arraylint, run_in, run_stdin};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A finding as the JSON output gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    file: String,
    code: String,
    row: u64,
    column: u64,
    message: String,
}

fn findings(out: &Output) -> Vec<Finding> {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON output: {e}\nstdout: {}\nstderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    json.as_array()
        .expect("an array of findings")
        .iter()
        .map(|d| Finding {
            file: d["filename"].as_str().unwrap_or_default().to_string(),
            code: d["code"].as_str().unwrap_or_default().to_string(),
            row: d["location"]["row"].as_u64().unwrap_or_default(),
            column: d["location"]["column"].as_u64().unwrap_or_default(),
            message: d["message"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

fn check_json(dir: &Path, paths: &[&str]) -> (Output, Vec<Finding>) {
    let mut args = vec!["check", "--output-format", "json"];
    args.extend_from_slice(paths);
    let out = run_in(dir, &args);
    let found = findings(&out);
    (out, found)
}

/// `(code, row, column)` of every finding in `file`.
fn positions(found: &[Finding], file: &str) -> Vec<(String, u64, u64)> {
    found
        .iter()
        .filter(|f| f.file.ends_with(file))
        .map(|f| (f.code.clone(), f.row, f.column))
        .collect()
}

fn at(code: &str, row: u64, column: u64) -> (String, u64, u64) {
    (code.to_string(), row, column)
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write a test file");
    path
}

/// An `__array__` missing `copy` and `dtype` that returns a scalar: AL101 and AL102 on the
/// `def` (2:9), AL105 on the `return` (3:9); `--fix --unsafe-fixes` rewrites the `def`.
fn bad_class(newline: &str) -> String {
    [
        "class A:",
        "    def __array__(self):",
        "        return 1",
        "",
    ]
    .join(newline)
}

fn bad_class_findings() -> Vec<(String, u64, u64)> {
    vec![at("AL101", 2, 9), at("AL102", 2, 9), at("AL105", 3, 9)]
}

fn assert_no_crash(out: &Output, what: &str) {
    let stderr = text(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0..=2)) && !stderr.contains("overflow"),
        "{what}: exit {:?}\nstderr: {stderr}",
        out.status
    );
}

#[test]
fn invalid_utf8_is_al002_naming_byte_offset_line_and_column_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The bad byte is at offset 44: line 3, after `é = "` (5 characters, 6 bytes).
    write(
        dir.path(),
        "bad.py",
        b"class A:\n    def __array__(self): ...\n\xc3\xa9 = \"\xff\"\n",
    );
    write(dir.path(), "good.py", bad_class("\n"));
    let (out, found) = check_json(dir.path(), &["bad.py", "good.py"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let bad: Vec<&Finding> = found
        .iter()
        .filter(|f| f.file.ends_with("bad.py"))
        .collect();
    assert_eq!(bad.len(), 1, "{found:?}");
    assert_eq!(bad[0].code, "AL002");
    assert!(
        bad[0]
            .message
            .contains("byte 0xFF at offset 44 (line 3, column 6)"),
        "{}",
        bad[0].message
    );
    // The other file was still checked.
    assert_eq!(positions(&found, "good.py"), bad_class_findings());
}

#[test]
fn invalid_utf8_positions_count_cr_lines_and_skip_the_bom() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "cr.py", b"x = 1\ry = 2\r\nz = \xfe\n");
    write(dir.path(), "bom.py", b"\xef\xbb\xbfab\xfe\n");
    let (_, found) = check_json(dir.path(), &["cr.py", "bom.py"]);
    let message = |file: &str| {
        found
            .iter()
            .find(|f| f.file.ends_with(file))
            .map(|f| f.message.clone())
            .unwrap_or_default()
    };
    assert!(message("cr.py").contains("(line 3, column 5)"), "{found:?}");
    assert!(
        message("bom.py").contains("(line 1, column 3)"),
        "{found:?}"
    );
}

#[test]
fn a_bom_does_not_shift_columns_and_fix_keeps_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = format!("\u{feff}x.__array_interface__()\n{}", bad_class("\n"));
    let path = write(dir.path(), "bom.py", &source);
    let (_, found) = check_json(dir.path(), &["bom.py"]);
    let mut expected = vec![at("AL601", 1, 1)];
    expected.extend(
        bad_class_findings()
            .into_iter()
            .map(|(code, row, column)| (code, row + 1, column)),
    );
    assert_eq!(positions(&found, "bom.py"), expected);

    let out = run_in(dir.path(), &["check", "--fix", "--unsafe-fixes", "bom.py"]);
    assert_no_crash(&out, "fix with a BOM");
    let fixed = std::fs::read(&path).expect("read back");
    assert!(fixed.starts_with(b"\xef\xbb\xbf"), "the BOM was dropped");
    assert!(text(&fixed).contains("def __array__(self, dtype=None, copy=None):"));
}

#[test]
fn utf16_and_utf32_files_are_al002_saying_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = bad_class("\n");
    let utf16le: Vec<u8> = source.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be: Vec<u8> = source.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let utf32be: Vec<u8> = source
        .chars()
        .flat_map(|c| (c as u32).to_be_bytes())
        .collect();
    write(
        dir.path(),
        "le_bom.py",
        [&[0xFF, 0xFE][..], &utf16le].concat(),
    );
    write(
        dir.path(),
        "be_bom.py",
        [&[0xFE, 0xFF][..], &utf16be].concat(),
    );
    // Without a BOM it is valid UTF-8 (ASCII and NUL bytes), and would pass unchecked.
    write(dir.path(), "le_no_bom.py", &utf16le);
    write(
        dir.path(),
        "be32_bom.py",
        [&[0, 0, 0xFE, 0xFF][..], &utf32be].concat(),
    );
    let (out, found) = check_json(
        dir.path(),
        &["le_bom.py", "be_bom.py", "le_no_bom.py", "be32_bom.py"],
    );
    assert_eq!(out.status.code(), Some(1));
    for (file, width) in [
        ("le_bom.py", "UTF-16"),
        ("be_bom.py", "UTF-16"),
        ("le_no_bom.py", "UTF-16"),
        ("be32_bom.py", "UTF-32"),
    ] {
        let got: Vec<&Finding> = found.iter().filter(|f| f.file.ends_with(file)).collect();
        assert_eq!(got.len(), 1, "{file}: {found:?}");
        assert_eq!(got[0].code, "AL002", "{file}");
        assert!(got[0].message.contains(width), "{file}: {}", got[0].message);
    }
}

#[test]
fn crlf_and_lone_cr_positions_are_right_and_fix_keeps_the_endings() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, newline) in [("crlf.py", "\r\n"), ("cr.py", "\r")] {
        let path = write(dir.path(), name, bad_class(newline));
        let (_, found) = check_json(dir.path(), &[name]);
        assert_eq!(positions(&found, name), bad_class_findings(), "{name}");

        let out = run_in(dir.path(), &["check", "--fix", "--unsafe-fixes", name]);
        assert_no_crash(&out, name);
        let fixed = text(&std::fs::read(&path).expect("read back"));
        assert!(
            fixed.contains("def __array__(self, dtype=None, copy=None):"),
            "{name}: {fixed:?}"
        );
        let lines_kept = match newline {
            "\r\n" => fixed.matches("\r\n").count() == fixed.matches('\n').count(),
            _ => !fixed.contains('\n'),
        };
        assert!(lines_kept, "{name}: line endings changed: {fixed:?}");
        assert_eq!(fixed.matches(newline).count(), 3, "{name}: {fixed:?}");
    }
}

#[test]
fn tabs_and_form_feeds_count_one_column_each() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A form feed at the start of a line resets Python's indentation count; it is still a
    // character, so the column after it is 2.
    write(
        dir.path(),
        "ws.py",
        "class A:\n\tdef __array__(self, dtype=None, copy=None):\n\t\treturn 1\n\
         \x0cx.__array_interface__()\nif 1:\n\x0c    y.__array_interface__()\n",
    );
    let (out, found) = check_json(dir.path(), &["ws.py"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        positions(&found, "ws.py"),
        vec![
            at("AL104", 2, 6),
            at("AL105", 3, 3),
            at("AL601", 4, 2),
            at("AL601", 6, 6)
        ]
    );
    let path = write(dir.path(), "tabs.py", bad_class("\n").replace("    ", "\t"));
    let out = run_in(dir.path(), &["check", "--fix", "--unsafe-fixes", "tabs.py"]);
    assert_no_crash(&out, "fix with tabs");
    let fixed = text(&std::fs::read(&path).expect("read back"));
    assert!(fixed.contains("\tdef __array__(self, dtype=None, copy=None):\n\t\treturn 1"));
}

#[test]
fn null_bytes_are_al001_at_the_first_one_and_never_printed_raw() {
    let dir = tempfile::tempdir().expect("temp dir");
    // CPython refuses a NUL anywhere ("source code cannot contain null bytes"), even in a
    // comment, where the parser lets it pass.
    write(
        dir.path(),
        "comment.py",
        "x.__array_interface__()\n# a \0 comment\ny.__array_interface__()\n",
    );
    write(
        dir.path(),
        "code.py",
        "x.__array_interface__()\0\n\x1b[31m\n",
    );
    // No protocol named: not parsed, so not ours to judge (as for any syntax error).
    write(dir.path(), "plain.py", "x = 1\0\n");
    let (out, found) = check_json(dir.path(), &["comment.py", "code.py", "plain.py"]);
    assert_eq!(
        positions(&found, "comment.py"),
        vec![at("AL601", 1, 1), at("AL001", 2, 5), at("AL601", 3, 1)]
    );
    let null = found
        .iter()
        .find(|f| f.file.ends_with("comment.py") && f.code == "AL001")
        .expect("AL001");
    assert!(null.message.contains("null bytes"), "{}", null.message);
    // The NUL in code: one AL001 for the line (not an AL601 as well); the ESC line is the
    // parser's error, and the `[` it leaves open its EOF error on line 3.
    assert_eq!(
        positions(&found, "code.py")
            .iter()
            .map(|p| (p.0.as_str(), p.1))
            .collect::<Vec<_>>(),
        vec![("AL001", 1), ("AL001", 2), ("AL001", 3)]
    );
    assert!(positions(&found, "plain.py").is_empty());
    // The parser quotes the bad tokens; the terminal must not get them raw.
    let concise = run_in(
        dir.path(),
        &["check", "--output-format", "concise", "code.py"],
    );
    assert!(!concise.stdout.contains(&0), "{:?}", text(&concise.stdout));
    assert!(
        !concise.stdout.contains(&0x1b),
        "{:?}",
        text(&concise.stdout)
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn an_empty_file_passes_from_disk_stdin_and_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "empty.py", "");
    let out = run_in(dir.path(), &["check", "empty.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run_in(
        dir.path(),
        &["check", "--fix", "--unsafe-fixes", "empty.py"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(&path).expect("read back"), b"");
    let out = run_stdin(dir.path(), &["check", "--fix", "-"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_directory_named_like_a_python_file_is_walked_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("x.py/inner")).expect("mkdir");
    write(dir.path(), "x.py/inner/mod.py", bad_class("\n"));
    let (out, found) = check_json(dir.path(), &["x.py"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(positions(&found, "x.py/inner/mod.py"), bad_class_findings());
    assert!(found.iter().all(|f| f.code != "AL002"), "{found:?}");
    // Met while walking, it is a directory too.
    let (_, found) = check_json(dir.path(), &["."]);
    assert_eq!(positions(&found, "mod.py"), bad_class_findings());
    assert!(found.iter().all(|f| f.code != "AL002"), "{found:?}");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_al002_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink("loop_b.py", dir.path().join("loop_a.py")).expect("symlink");
    std::os::unix::fs::symlink("loop_a.py", dir.path().join("loop_b.py")).expect("symlink");
    write(dir.path(), "good.py", bad_class("\n"));
    // Named on the command line, and met while walking.
    for paths in [&["loop_a.py", "good.py"][..], &["."][..]] {
        let (out, found) = check_json(dir.path(), paths);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{paths:?}: {}",
            text(&out.stderr)
        );
        let loop_a: Vec<&Finding> = found
            .iter()
            .filter(|f| f.file.ends_with("loop_a.py"))
            .collect();
        assert_eq!(loop_a.len(), 1, "{paths:?}: {found:?}");
        assert_eq!(loop_a[0].code, "AL002");
        assert!(
            loop_a[0].message.to_lowercase().contains("symbolic link"),
            "{}",
            loop_a[0].message
        );
        assert_eq!(positions(&found, "good.py"), bad_class_findings());
    }
}

/// We run as root, so permissions block nothing. A symlink to `/proc/self/mem` opens
/// (it is the process's own memory) but reading offset 0 fails with EIO: a file that is
/// there and cannot be read.
#[cfg(target_os = "linux")]
#[test]
fn an_unreadable_file_is_al002_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("mem.py")).expect("symlink");
    write(dir.path(), "good.py", bad_class("\n"));
    let (out, found) = check_json(dir.path(), &["mem.py", "good.py"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let mem: Vec<&Finding> = found
        .iter()
        .filter(|f| f.file.ends_with("mem.py"))
        .collect();
    assert_eq!(mem.len(), 1, "{found:?}");
    assert_eq!(mem[0].code, "AL002");
    assert!(
        mem[0].message.contains("cannot read the file"),
        "{}",
        mem[0].message
    );
    assert_eq!(positions(&found, "good.py"), bad_class_findings());
}

#[test]
fn a_file_over_4_gib_is_al002_without_being_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Sparse: no disk is used, and the size check refuses it before any byte is read.
    let file = std::fs::File::create(dir.path().join("huge.py")).expect("create");
    file.set_len((1u64 << 32) + 10).expect("set the length");
    drop(file);
    let started = Instant::now();
    let (out, found) = check_json(dir.path(), &["huge.py"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "AL002");
    assert!(found[0].message.contains("4 GiB"), "{}", found[0].message);
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_path_that_does_not_exist_is_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "good.py", bad_class("\n"));
    let out = run_in(dir.path(), &["check", "good.py", "missing/nope.py"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("nope.py"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn invalid_toml_in_pyproject_is_exit_2_naming_the_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\n[tool.arraylint\nselect = [\"AL1\"]\n",
    );
    write(dir.path(), "good.py", bad_class("\n"));
    let out = run_in(dir.path(), &["check", "good.py"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("pyproject.toml:3"), "{stderr}");
}

#[test]
fn stdin_fix_prints_the_source_even_when_it_cannot_be_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    // An editor replaces its buffer with what `--fix -` prints: never nothing.
    let bad = b"class A:\n    def __array__(self):\n        x = '\xff'\n".to_vec();
    let out = run_stdin(dir.path(), &["check", "--fix", "-"], &bad);
    assert_eq!(out.stdout, bad, "stderr: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("AL002"), "{}", text(&out.stderr));
}

#[test]
fn stdin_fix_prints_the_source_of_an_excluded_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = bad_class("\n");
    let out = run_stdin(
        dir.path(),
        &[
            "check",
            "--fix",
            "--force-exclude",
            "--extend-exclude",
            "skipped.py",
            "--stdin-filename",
            "skipped.py",
            "-",
        ],
        source.as_bytes(),
    );
    assert_eq!(text(&out.stdout), source, "stderr: {}", text(&out.stderr));
}

#[test]
fn fix_never_clobbers_a_file_that_changed_on_disk_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "race.py", bad_class("\n"));
    let newer = "# saved by an editor meanwhile\n";
    let out = arraylint()
        .current_dir(dir.path())
        .env("ARRAYLINT_TEST_EDIT_BEFORE_WRITE", newer)
        .args(["check", "--fix", "--unsafe-fixes", "race.py"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("changed on disk"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read back"), newer);
    let entries: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, vec!["race.py".to_string()]);
}

/// Every kind of nesting, as a file of `n` levels (after a line that names a protocol, so
/// the file is parsed and AL001 is reported).
fn nested(kind: &str, n: usize) -> String {
    let body = match kind {
        "parentheses" => format!("y = {}1{}\n", "(".repeat(n), ")".repeat(n)),
        "lists" => format!("y = {}{}\n", "[".repeat(n), "]".repeat(n)),
        "dicts" => format!("y = {}1{}\n", "{1: ".repeat(n), "}".repeat(n)),
        "sets" => format!("y = {}1{}\n", "{".repeat(n), "}".repeat(n)),
        "tuples" => format!("y = {}1{}\n", "(1, ".repeat(n), ")".repeat(n)),
        "subscripts" => format!("y = x{}\n", "[0]".repeat(n)),
        "nested calls" => format!("y = {}{}\n", "f(".repeat(n), ")".repeat(n)),
        "call chains" => format!("y = f{}\n", "()".repeat(n)),
        "attributes" => format!("y = x{}\n", ".a".repeat(n)),
        "unary minus" => format!("y = {}1\n", "-".repeat(n)),
        "not" => format!("y = {}1\n", "not ".repeat(n)),
        "await" => format!("async def g():\n    y = {}x\n", "await ".repeat(n)),
        "binary chains" => format!("y = 1{}\n", " + 1".repeat(n)),
        "power chains" => format!("y = 1{}\n", " ** 1".repeat(n)),
        "comparison chains" => format!("y = 1{}\n", " < 1".repeat(n)),
        "boolean chains" => format!("y = 1{}\n", " and 1".repeat(n)),
        "conditional expressions" => format!("y = {}1\n", "1 if 1 else ".repeat(n)),
        "lambdas" => format!("y = {}1\n", "lambda: ".repeat(n)),
        "walrus" => format!("y = {}1{}\n", "(a := ".repeat(n), ")".repeat(n)),
        "starred" => format!("y = {}x{}\n", "[*".repeat(n), "]".repeat(n)),
        "generators" => format!("y = {}z{}\n", "(x for x in ".repeat(n), ")".repeat(n)),
        "f-strings" => format!("y = {}1{}\n", "f'{".repeat(n), "}'".repeat(n)),
        "classes" => blocks(n, |_| "class C:".into()),
        "defs" => blocks(n, |_| "def f(self):".into()),
        "ifs" => blocks(n, |_| "if x:".into()),
        "if/else" => {
            let mut s = String::new();
            for i in 0..n {
                let pad = " ".repeat(i);
                s += &format!("{pad}if x: pass\n{pad}else:\n");
            }
            s + &" ".repeat(n) + "pass\n"
        }
        "with and try" => blocks(n, |i| if i % 2 == 0 { "with x:" } else { "try:" }.into()),
        // Inside what the rules evaluate: descriptor getters, `__array__`'s return, the
        // DLPack device tuple (the evaluator and the validators recurse too).
        "getter tuples" => getter(&format!("{}3{}", "(".repeat(n), ",)".repeat(n)), "\"<f8\"", "3"),
        "getter dicts" => getter("(3,)", &format!("{}1{}", "{\"a\": ".repeat(n), "}".repeat(n)), "3"),
        "getter concatenation" => getter("(3,)", &format!("\"<f\"{}", " + \"\"".repeat(n)), "3"),
        "getter arithmetic" => getter("(3,)", "\"<f8\"", &format!("3{}", " + 0".repeat(n))),
        "__array__ returns" => format!(
            "class A:\n    def __array__(self, dtype=None, copy=None):\n        return {}{}\n",
            "[".repeat(n),
            "]".repeat(n)
        ),
        "__dlpack_device__ returns" => format!(
            "class D:\n    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):\n        return None\n\n    def __dlpack_device__(self):\n        return {}0{}\n",
            "(1, ".repeat(n),
            ")".repeat(n)
        ),
        other => panic!("unknown kind {other}"),
    };
    format!("x.__array_interface__()\n{body}")
}

/// A class whose `__array_interface__` getter returns these values.
fn getter(shape: &str, typestr: &str, version: &str) -> String {
    format!(
        "class P:\n    @property\n    def __array_interface__(self):\n        return {{\"shape\": {shape}, \"typestr\": {typestr}, \"data\": (0, False), \"version\": {version}}}\n"
    )
}

/// `n` nested blocks, one space deeper each (`try:` blocks close with `finally`).
fn blocks(n: usize, header: impl Fn(usize) -> String) -> String {
    let mut s = String::new();
    let mut closers = Vec::new();
    for i in 0..n {
        let head = header(i);
        closers.push((i, head.starts_with("try")));
        s += &" ".repeat(i);
        s += &head;
        s += "\n";
    }
    s += &" ".repeat(n);
    s += "pass\n";
    for (i, is_try) in closers.into_iter().rev() {
        if is_try {
            s += &format!("{}finally:\n{} pass\n", " ".repeat(i), " ".repeat(i));
        }
    }
    s
}

const KINDS: &[&str] = &[
    "parentheses",
    "lists",
    "dicts",
    "sets",
    "tuples",
    "subscripts",
    "nested calls",
    "call chains",
    "attributes",
    "unary minus",
    "not",
    "await",
    "binary chains",
    "power chains",
    "comparison chains",
    "boolean chains",
    "conditional expressions",
    "lambdas",
    "walrus",
    "starred",
    "generators",
    "f-strings",
    "classes",
    "defs",
    "ifs",
    "if/else",
    "with and try",
    "getter tuples",
    "getter dicts",
    "getter concatenation",
    "getter arithmetic",
    "__array__ returns",
    "__dlpack_device__ returns",
];

const LIMIT_MESSAGE: &str = "levels deep";

/// The most levels of `kind` arraylint still parses.
fn deepest_accepted(kind: &str) -> usize {
    let (mut accepted, mut refused) = (1usize, 10_000usize);
    assert!(depth_bound(&nested(kind, refused), MAX_NESTING) > MAX_NESTING);
    while refused - accepted > 1 {
        let mid = (accepted + refused) / 2;
        if depth_bound(&nested(kind, mid), MAX_NESTING) > MAX_NESTING {
            refused = mid;
        } else {
            accepted = mid;
        }
    }
    accepted
}

#[test]
fn ten_thousand_levels_of_any_nesting_are_al001_through_check_fix_and_stdin() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (i, kind) in KINDS.iter().enumerate() {
        let source = nested(kind, 10_000);
        let name = format!("deep{i}.py");
        let path = write(dir.path(), &name, &source);
        let check = run_in(dir.path(), &["check", "--output-format", "concise", &name]);
        let stdin = run_stdin(
            dir.path(),
            &["check", "--output-format", "concise", "-"],
            source.as_bytes(),
        );
        let fix = run_in(
            dir.path(),
            &[
                "check",
                "--fix",
                "--unsafe-fixes",
                "--output-format",
                "concise",
                &name,
            ],
        );
        for (how, out) in [("check", &check), ("stdin", &stdin), ("--fix", &fix)] {
            assert_no_crash(out, &format!("{kind} through {how}"));
            assert_eq!(out.status.code(), Some(1), "{kind} through {how}");
            let report = text(&out.stdout);
            assert!(
                report.contains("AL001") && report.contains(LIMIT_MESSAGE),
                "{kind} through {how}: {report}"
            );
        }
        assert_eq!(std::fs::read_to_string(&path).expect("read back"), source);
    }
}

#[test]
fn the_deepest_accepted_nesting_of_every_kind_fits_the_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (i, kind) in KINDS.iter().enumerate() {
        let depth = deepest_accepted(kind);
        let name = format!("deepest{i}.py");
        let source = nested(kind, depth);
        write(dir.path(), &name, &source);
        for args in [
            &["check", "--output-format", "concise", &name][..],
            &["check", "--fix", "--unsafe-fixes", "--diff", &name][..],
        ] {
            let out = run_in(dir.path(), args);
            assert_no_crash(&out, &format!("{kind} at {depth} levels"));
            assert!(
                !text(&out.stdout).contains(LIMIT_MESSAGE),
                "{kind} at {depth} levels was refused"
            );
        }
        let out = run_stdin(
            dir.path(),
            &["check", "--output-format", "concise", "-"],
            source.as_bytes(),
        );
        assert_no_crash(&out, &format!("{kind} at {depth} levels on stdin"));
    }
}

/// A clean producer class, padded to about 1 KiB.
const CLEAN_BLOCK: &str = "class Good:\n    \"\"\"A producer that follows the protocol.\"\"\"\n\n    def __array__(self, dtype=None, copy=None):\n        if copy is False:\n            raise ValueError(\"a copy is needed\")\n        return np.asarray(self.data, dtype=dtype)\n\n";

/// The peak memory of a child, from `wait4` (the std API does not report it).
#[cfg(unix)]
fn run_measured(cmd: &mut Command) -> (Option<i32>, Duration, u64) {
    let started = Instant::now();
    // Reaped by `wait4` below, which std's `Child` does not know about.
    #[allow(clippy::zombie_processes)]
    let child = cmd.spawn().expect("the binary runs");
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; the pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    // ru_maxrss is in KiB on Linux.
    let peak = u64::try_from(usage.ru_maxrss).unwrap_or_default() * 1024;
    (code, started.elapsed(), peak)
}

#[cfg(unix)]
#[test]
fn a_100_mb_file_finishes_with_the_last_line_located() {
    if std::env::var_os("ARRAYLINT_SKIP_BIG_FILE").is_some_and(|v| v == "1") {
        eprintln!("skipped: ARRAYLINT_SKIP_BIG_FILE=1");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.py");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let padding = format!("# {}\n", "padding ".repeat(110));
    let block = format!("{CLEAN_BLOCK}{padding}");
    let size = 100 * 1024 * 1024;
    let blocks = size / block.len() + 1;
    file.write_all(b"import numpy as np\n\n").expect("write");
    for _ in 0..blocks {
        file.write_all(block.as_bytes()).expect("write");
    }
    // The one violation, on the last lines.
    file.write_all(bad_class("\n").as_bytes()).expect("write");
    file.flush().expect("flush");
    drop(file);
    let lines_before_bad = 2 + blocks as u64 * block.matches('\n').count() as u64;
    let len = std::fs::metadata(&path).expect("stat").len();

    let output = dir.path().join("out.json");
    let mut cmd = arraylint();
    cmd.current_dir(dir.path())
        .args(["check", "--output-format", "json", "-o"])
        .arg(&output)
        .arg("big.py")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let (code, elapsed, peak) = run_measured(&mut cmd);
    eprintln!(
        "100 MB file: {len} bytes, {blocks} classes, checked in {:.1} s, peak RSS {} MiB",
        elapsed.as_secs_f64(),
        peak / (1024 * 1024)
    );
    assert_eq!(code, Some(1));
    let out = Output {
        status: std::process::ExitStatus::default(),
        stdout: std::fs::read(&output).expect("the report"),
        stderr: Vec::new(),
    };
    let expected: Vec<(String, u64, u64)> = bad_class_findings()
        .into_iter()
        .map(|(code, row, column)| (code, row + lines_before_bad, column))
        .collect();
    assert_eq!(positions(&findings(&out), "big.py"), expected);
    // Generous bounds that still catch quadratic time or a copy per pass.
    assert!(elapsed < Duration::from_secs(900), "took {elapsed:?}");
    assert!(peak < 4 * 1024 * 1024 * 1024, "peak RSS {peak} bytes");
}

// Crashes the fuzzers found (docs/fuzzing.md), kept as regression tests.

/// The fix-engine checks of fuzz/fuzz_targets/fix_text.rs on one input.
fn assert_fix_is_sound(source: &str) {
    use arraylint::fix::{fix_text, syntax_error_count};
    use arraylint::registry::RuleSet;
    use arraylint::source::SourceKind;
    let path = Path::new("fuzzed.py");
    let out = fix_text(source, path, RuleSet::all(), true);
    if out.refused.is_some() || out.fixed_count() == 0 {
        assert_eq!(out.text, source);
        return;
    }
    assert!(
        syntax_error_count(&out.text, SourceKind::Python)
            <= syntax_error_count(source, SourceKind::Python)
    );
    let again = fix_text(&out.text, path, RuleSet::all(), true);
    assert_eq!(again.fixed_count(), 0, "not idempotent: {:?}", out.text);
    assert_eq!(again.text, out.text);
}

#[test]
fn fuzz_a_fix_inside_a_broken_parameter_list_is_not_applied_forever() {
    // The parser's recovered `def` never showed the inserted `copy=None`: AL101 was fixed
    // again on every pass, 100 times. Now a file that does not parse is not fixed, and
    // fixes that do not settle are refused.
    let source = "class \n def __array__(f,d=()\n(e";
    assert_fix_is_sound(source);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "broken.py", source);
    let out = run_in(
        dir.path(),
        &["check", "--fix", "--unsafe-fixes", "broken.py"],
    );
    assert_no_crash(&out, "fix of a broken def");
    let after = std::fs::read_to_string(&path).expect("read back");
    assert!(after.matches("copy=None").count() <= 1, "{after:?}");
}

/// The pre-filter must never change a result: with and without it, the same findings.
fn assert_prefilter_exact(text: &str) -> Vec<String> {
    use arraylint::registry::RuleSet;
    use arraylint::{lint_source, lint_source_with, LintOptions};
    let path = Path::new("t.py");
    let filtered = lint_source(text, path, RuleSet::all());
    let unfiltered = lint_source_with(text, path, RuleSet::all(), LintOptions::without_prefilter());
    assert_eq!(filtered, unfiltered, "{text}");
    if ruff_python_parser::parse_module(text).is_ok() {
        let whole = LintOptions {
            narrow: false,
            ..LintOptions::default()
        };
        assert_eq!(
            filtered,
            lint_source_with(text, path, RuleSet::all(), whole),
            "{text}"
        );
    }
    filtered.iter().map(|d| d.rule.code().to_string()).collect()
}

#[test]
fn the_prefilter_reads_identifiers_and_comments_as_python_does() {
    // `__ａrray__` (fullwidth a) is `__array__` to Python (NFKC) and to the parser.
    let found =
        assert_prefilter_exact("class A:\n    def __\u{ff41}rray__(self):\n        return 1\n");
    assert!(found.contains(&"AL101".to_string()), "{found:?}");
    // Inside brackets a comment may split `copy=False` or a call.
    for text in [
        "import numpy as np\nnp.array(x, copy=  # why\n    False)\n",
        "import numpy as np\nnp.array(x, copy  # why\n    = False)\n",
    ] {
        assert_eq!(assert_prefilter_exact(text), vec!["AL602"], "{text}");
    }
    assert_eq!(
        assert_prefilter_exact("(x.__array_interface__  # why\n ())\n"),
        vec!["AL601"]
    );
}

#[test]
fn fuzz_blanking_a_badly_indented_body_does_not_move_a_syntax_error() {
    // The body's broken indentation made the parser complain at the end of the file,
    // outside the body: blanked, the complaint went away. Such bodies are not blanked.
    let text = "def consume(x, y):\n    ay_interface__()  # error: AL601\n !  device = y.__cuda_arri_aynterface__()  # error: AL601\n    return info, devic__ar fine(x):\nimport numpy as np\n    info = x.__array_interface__\n    shape = info[\"shape\"]\n __ar   return shape, x.__array__()\n";
    let found = assert_prefilter_exact(text);
    assert!(found.iter().all(|code| code == "AL001"), "{found:?}");
    // Clean bodies in a file whose indentation is broken elsewhere: the parser's last
    // complaint (at the end of the file) depended on them. A file with a syntax error is
    // parsed whole.
    let text = "import numpy as np\n\n\n:class OnlyArr(np.ndarray):\n    def __array_wrap__(self, arr):\n        return arr.view(type(self))\n\n\nclass NoReturnScalar(np.ndarray):\n    def __array_wrap__(self, obj, ctx=None):\n        retur# noqa: AL101n super().__array_wrap__(obj, ctx)\n\n\nclass PositionalOnly(np.ndarray):\n    def __array_wrap__(sctx=None):\n        retur# noqa: AL101n super().__array_wrap__(obj, ctx)\n\n\nclass PositionalOnly(np.ndarray):\n    def __array_wrap__(self, arr, /):\n   1xists as keyword-only: adding a positional one __dlpack__would not compile.\n    def __array_wrap__(self, arr, /):\n   1xists as keyword-only: adding a positional one __dlpack__would not compile.\n    def __array_wra\u{feff}p__(self, arr, *, context=None):\n        return arr\x05";
    let found = assert_prefilter_exact(text);
    assert!(found.contains(&"AL001".to_string()), "{found:?}");
    // Control bytes in a blanked body made the parser complain at the end of the file,
    // outside the body. Narrowing happens with and without the pre-filter; in a file that
    // does not parse, AL001 covers the code arraylint reads.
    let text = "import numpy as np\n\n\nclass Image:\n    def __init__(self, pixels):\n        self._pixel\x01\x00\x00\x00\x00\x00\x03.scontiguousarray(pixels)\n\n    @property\n    def __array_interface__(self):\n        return self._pixels.__array_interface__\n\n    class Nested:\n        # A commee @property\n        def __cuda_array_interface0_(self):\n            raisnt above the def stays above the decoratorcopy=None @property\n        def __cuda_array_interface0_(self):\n            raise AttributeError(\"host memory\")\n";
    assert_prefilter_exact(text);
}

#[test]
fn fuzz_a_broken_import_from_numpy_still_binds_array() {
    // `from numpy imhort ..., array as make_array`: the parser recovers the names after
    // the misspelt keyword, so `make_array(x, copy=False)` is AL602; the pre-filter wanted
    // the keyword spelt right.
    let text = "import numpy as np\nimport numpy\nfrom numpy imhort ar\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00ray, array as make_array\n\nimport pytest\n\n\nde# error: AL602\n    d = make_array(values, copy = False)  # error: AL6602\n    d = make_array(values, copy = False)  # error: AL602\n    return a, b, c, d, other\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00_version):\n    a = np.asarray(values)\n    b = np.02\n    return a, b, c, d, other\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00_version):\n    a = np.asarray(values)\n    b = np.array(values, copy=True)\n    c = np.array(values, copy=None)\n    with pytest.raises(Value dealse)\n";
    let found = assert_prefilter_exact(text);
    assert!(found.contains(&"AL602".to_string()), "{found:?}");
}

#[test]
fn many_noqa_comments_take_linear_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Every line a finding and its `# noqa`: a scan of all directives per finding took
    // 40 s for 100,000 lines.
    let line = "x.__array_interface__()  # noqa: AL601\n";
    write(dir.path(), "noqa.py", line.repeat(200_000));
    let started = Instant::now();
    let out = run_in(dir.path(), &["check", "noqa.py"]);
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");

    // A finding on every other line and a syntax error between: dropping the findings on
    // error lines scanned every error line for every finding.
    write(
        dir.path(),
        "broken.py",
        "x.__array_interface__()\n)\n".repeat(150_000),
    );
    let started = Instant::now();
    let out = run_in(
        dir.path(),
        &["check", "--output-format", "concise", "broken.py"],
    );
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
}

#[test]
fn fuzz_the_prefilter_keeps_a_def_the_parser_recovers() {
    // `def __array__` followed by junk: the parser still makes it a method, whose bare
    // `return` is AL105; the pre-filter wanted `(` after the name and skipped the file.
    let found = assert_prefilter_exact("class \n def __array__\u{1d})\n  return");
    assert!(found.contains(&"AL105".to_string()), "{found:?}");
}

#[test]
fn fuzz_narrowing_for_the_rules_that_can_fire_is_the_same_without_the_prefilter() {
    // Narrowing follows helpers only for rules that evaluate. Made for the rules that
    // run, it blanked more with the pre-filter (only AL101-AL106 can fire here) than
    // without it (every rule), and AL001, reported in the code arraylint reads, differed.
    // It is made for the rules that can fire, with or without the pre-filter.
    let text = "import numpy as np\n\n\nclass NoCopy:\n    def __array__(self, dtype=None, copy=None):\n        return np.asarray(self._data, dtype=dtype)\n\n\nclass NumPyStyleWithoutCopy:\n    def __array_n np.asarray(self._data, dtype=dambda dtype=N PositionalOnly(np.ndarray):\n    def __a\n_lambda dtype=None, cop/y=None, /):\n        return np.asarray(self._data, dtype=dtype)\n";
    assert_prefilter_exact(text);
}

/// The layout's bound, which spares most files the lexing pass, is never below the
/// lexer's: for every kind of nesting around the limit, and for every fixture.
#[test]
fn the_layout_bound_on_nesting_is_never_below_the_lexers() {
    use arraylint::nesting::layout_bound;
    let mut texts: Vec<String> = Vec::new();
    for kind in KINDS {
        let deepest = deepest_accepted(kind);
        for depth in [1, 10, deepest, deepest + 1, 10_000] {
            texts.push(nested(kind, depth));
        }
    }
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures are readable") {
            let path = entry.expect("fixture entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "py" || e == "pyi") {
                // A few fixtures are deliberately not UTF-8.
                if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.push(text);
                }
            }
        }
    }
    let mut compared = 0;
    for text in &texts {
        let Some(layout) = arraylint::layout::scan(text.as_bytes()) else {
            continue;
        };
        let bound = layout_bound(&layout);
        let lexed = depth_bound(text, usize::MAX);
        assert!(
            bound >= lexed,
            "{bound} < {lexed}: {}",
            &text[..text.len().min(200)]
        );
        assert_eq!(
            arraylint::nesting::too_deep_with(text, &layout),
            arraylint::nesting::too_deep(text)
        );
        compared += 1;
    }
    assert!(compared > 100, "{compared}");
}

/// Cython through the CLI: a syntax error in code a rule reads is AL001 there and the rest
/// of the file is still checked; one in code no rule reads is left to Cython; a file that
/// is not UTF-8 is AL002; ten thousand levels of nesting are AL001, never a crash; `--fix`
/// edits the Cython text in place and leaves the C declarations as they were.
#[test]
fn cython_files_meet_bad_input_as_python_files_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = "\
cdef class Broken:
    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.data, dtype=dtype, copy=copy) +* 1

cdef class Old:
    cdef double *data
    def __array__(self, dtype=None):
        return np.asarray(<double[:4]>self.data)

cdef int helper(int x) except -1:
    return x +* 2
";
    write(dir.path(), "broken.pyx", broken);
    let mut latin1 = b"cdef class A:\n    def __array__(self):  # caf".to_vec();
    latin1.extend_from_slice(&[0xE9, b'\n', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ']);
    latin1.extend_from_slice(b"return 1\n");
    write(dir.path(), "latin1.pxi", latin1);
    let deep = format!("cdef int n = 0\n{}", nested("parentheses", 10_000));
    write(dir.path(), "deep.pyx", &deep);
    let (out, found) = check_json(dir.path(), &["broken.pyx", "latin1.pxi", "deep.pyx"]);
    assert_no_crash(&out, "Cython");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        positions(&found, "broken.pyx"),
        vec![at("AL001", 3, 63), at("AL101", 7, 9)]
    );
    let latin1_found = positions(&found, "latin1.pxi");
    assert_eq!(latin1_found.len(), 1, "{latin1_found:?}");
    assert_eq!(latin1_found[0].0, "AL002");
    assert!(
        positions(&found, "deep.pyx")
            .iter()
            .any(|(code, ..)| code == "AL001"),
        "{found:?}"
    );

    let fixable = "\
from libc.stdlib cimport malloc

cdef class Wrapper:
    cdef double *data
    cdef Py_ssize_t n

    def __array__(self, dtype=None):
        cdef double[:] view = <double[:self.n]>self.data
        return np.asarray(view, dtype=dtype)
";
    let path = write(dir.path(), "fixable.pyx", fixable);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--fix",
            "--unsafe-fixes",
            "--output-format",
            "concise",
            "fixable.pyx",
        ],
    );
    assert_no_crash(&out, "Cython --fix");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read back"),
        fixable.replace("(self, dtype=None):", "(self, dtype=None, copy=None):")
    );
}
