//! A measure, not a test of the suite: project every `.pyx`/`.pxi`/`.pxd` under the
//! directory named by `ARRAYLINT_CYTHON_CORPUS` (real sdists, unpacked), parse each
//! projection, and list the files whose projection has parser errors, with the first
//! error's line; also the projection's speed. Run with
//! `ARRAYLINT_CYTHON_CORPUS=/path cargo test --release --test cython_corpus -- --ignored --nocapture`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use arraylint::source::cython;
use ruff_python_ast::PySourceType;

fn cython_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            cython_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "pyx" || e == "pxi" || e == "pxd")
        {
            out.push(path);
        }
    }
}

#[test]
#[ignore = "a measure over real sdists: set ARRAYLINT_CYTHON_CORPUS"]
fn projections_of_real_cython_parse() {
    let Some(root) = std::env::var_os("ARRAYLINT_CYTHON_CORPUS") else {
        eprintln!("ARRAYLINT_CYTHON_CORPUS is not set");
        return;
    };
    // `ARRAYLINT_CYTHON_REPEAT=N`: project each file N times (a steadier time, more samples
    // for a profiler).
    let repeat: u32 = std::env::var("ARRAYLINT_CYTHON_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|r| *r > 0)
        .unwrap_or(1);
    let mut files = Vec::new();
    cython_files(Path::new(&root), &mut files);
    files.sort();
    let (mut bytes, mut failing, mut errors) = (0usize, 0usize, 0usize);
    let (mut projecting, mut parsing) = (Duration::ZERO, Duration::ZERO);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        bytes += text.len();
        let start = Instant::now();
        let mut projection = cython::project(&text);
        for _ in 1..repeat {
            projection = cython::project(&text);
        }
        projecting += start.elapsed() / repeat;
        assert!(cython::preserves_layout(&text, &projection.python));
        let start = Instant::now();
        let parsed =
            ruff_python_parser::parse_unchecked_source(&projection.python, PySourceType::Python);
        parsing += start.elapsed();
        if let Some(first) = parsed.errors().first() {
            failing += 1;
            errors += parsed.errors().len();
            let at = first.location.start().to_usize();
            let line = text[..at].matches('\n').count() + 1;
            let source_line = text.lines().nth(line - 1).unwrap_or("");
            println!(
                "{}:{line}: {} errors; first: {} | {}",
                path.display(),
                parsed.errors().len(),
                first.error,
                source_line.trim()
            );
        }
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "{} files, {mb:.1} MB: {failing} with parse errors ({errors} errors); projection {:.0} ms ({:.0} MB/s), parse {:.0} ms",
        files.len(),
        projecting.as_secs_f64() * 1e3,
        mb / projecting.as_secs_f64(),
        parsing.as_secs_f64() * 1e3,
    );
}
