//! `arraylint check [PATHS]`: discover, lint in parallel, fix, render, exit status.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;
use rayon::prelude::*;
use ruff_source_file::{SourceFile, SourceFileBuilder};
use ruff_text_size::TextRange;

use crate::diagnostic::Diagnostic;
use crate::discover::{self, Candidate};
use crate::registry::{Rule, RuleSet};
use crate::render::OutputFormat;
use crate::settings::{CliOverrides, Resolver};
use crate::source::SourceKind;
use crate::{fix, LintOptions};

use super::{EXIT_ERROR, EXIT_OK};

mod report;

mod notebook;

/// Worker threads recurse as deeply as the main thread (see main.rs).
const STACK_SIZE: usize = 64 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads standard input.
    pub paths: Vec<PathBuf>,
    /// Apply safe fixes.
    #[arg(long, overrides_with = "no_fix")]
    pub fix: bool,
    #[arg(long, overrides_with = "fix", hide = true)]
    pub no_fix: bool,
    /// Also apply unsafe fixes (and show them as fixable).
    #[arg(long, overrides_with = "no_unsafe_fixes")]
    pub unsafe_fixes: bool,
    #[arg(long, overrides_with = "unsafe_fixes", hide = true)]
    pub no_unsafe_fixes: bool,
    /// Apply fixes without listing the findings that remain (the summary counts them).
    #[arg(long)]
    pub fix_only: bool,
    /// Print a unified diff of the fixes instead of writing them (exit 1 when there is one,
    /// 0 when there is nothing to fix).
    #[arg(long)]
    pub diff: bool,
    /// List the fixes that were applied.
    #[arg(long)]
    pub show_fixes: bool,
    #[command(flatten)]
    pub selection: super::SelectionArgs,
    /// Glob patterns to exclude, replacing the default list.
    #[arg(long, value_delimiter = ',', value_name = "PATTERNS")]
    pub exclude: Option<Vec<String>>,
    /// Glob patterns to exclude in addition to the default list.
    #[arg(long, value_delimiter = ',', value_name = "PATTERNS")]
    pub extend_exclude: Vec<String>,
    /// Apply the excludes also to paths named on the command line.
    #[arg(long)]
    pub force_exclude: bool,
    /// Respect .gitignore, .ignore and .git/info/exclude (the default).
    #[arg(long, overrides_with = "no_respect_gitignore")]
    pub respect_gitignore: bool,
    #[arg(long, overrides_with = "respect_gitignore")]
    pub no_respect_gitignore: bool,
    /// Use this configuration file for every checked file.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long)]
    pub isolated: bool,
    /// The NumPy major version the code runs under (`2`: NumPy-2-only code, where AL602
    /// does not apply). Default: `target-numpy`, else what the closest pyproject.toml
    /// requires.
    #[arg(long, value_name = "VERSION")]
    pub target_numpy: Option<String>,
    /// How to print the findings.
    #[arg(long, value_enum, env = "ARRAYLINT_OUTPUT_FORMAT", default_value_t)]
    pub output_format: OutputFormat,
    /// Write the findings to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,
    /// Count the findings per rule instead of listing them.
    #[arg(long)]
    pub statistics: bool,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Exit 1 when a fix was applied, even if nothing remains.
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,
    /// Print only the findings (no summary).
    #[arg(short, long)]
    pub quiet: bool,
    /// Print nothing; only the exit status tells.
    #[arg(short, long)]
    pub silent: bool,
    /// List the files that would be checked, and stop.
    #[arg(long)]
    pub show_files: bool,
    /// The file name to report for standard input (and to resolve its configuration).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Parse every file, even those that mention no array protocol (results are the same).
    #[arg(long, hide = true)]
    pub no_prefilter: bool,
    /// Parse every function body, even those no rule looks at (results are the same for
    /// files that parse).
    #[arg(long, hide = true)]
    pub no_narrow: bool,
}

impl CheckArgs {
    fn overrides(&self) -> CliOverrides {
        CliOverrides {
            select: self.selection.select.clone(),
            ignore: self.selection.ignore.clone(),
            extend_select: self.selection.extend_select.clone(),
            exclude: self.exclude.clone(),
            extend_exclude: self.extend_exclude.clone(),
            respect_gitignore: if self.no_respect_gitignore {
                Some(false)
            } else if self.respect_gitignore {
                Some(true)
            } else {
                None
            },
            force_exclude: self.force_exclude,
            config: self.config.clone(),
            isolated: self.isolated,
            target_numpy: self.target_numpy.clone(),
        }
    }
    fn reads_stdin(&self) -> bool {
        self.paths.iter().any(|p| p.as_os_str() == "-")
            || (self.paths.is_empty() && self.stdin_filename.is_some())
    }
    fn fix_mode(&self) -> bool {
        (self.fix || self.fix_only || self.diff) && !self.no_fix
    }
    fn lint_options(&self) -> LintOptions {
        LintOptions {
            prefilter: !self.no_prefilter,
            narrow: !self.no_narrow,
        }
    }
}

/// What checking one file gave.
struct FileResult {
    display: String,
    source: Arc<SourceFile>,
    diagnostics: Vec<Diagnostic>,
    fixed: BTreeMap<Rule, usize>,
    diff: Option<String>,
    /// A fix was refused or the fixed file could not be written, or a named path does not
    /// exist: an error (exit 2).
    error: Option<String>,
    /// Something to tell that is not a finding (a named file that is not checked).
    warning: Option<String>,
    /// A notebook's position map: where the lines of `source` are in its cells.
    cells: Option<Arc<crate::source::PositionMap>>,
}

impl FileResult {
    fn empty(display: &str) -> FileResult {
        FileResult {
            display: display.to_string(),
            source: Arc::new(SourceFileBuilder::new(display, "").finish()),
            diagnostics: Vec::new(),
            fixed: BTreeMap::new(),
            diff: None,
            error: None,
            warning: None,
            cells: None,
        }
    }
}

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let resolver = match Resolver::new(&args.overrides(), &cwd) {
        Ok(resolver) => resolver,
        Err(err) => {
            eprintln!("arraylint: error: {err}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .build_global();

    let mut warnings = Vec::new();
    // Nothing was checked: no summary, which would say "All checks passed!".
    let mut nothing_checked = false;
    let results = if args.reads_stdin() {
        match check_stdin(args, &resolver)? {
            Some(result) => {
                nothing_checked = result.warning.is_some();
                vec![result]
            }
            None => return Ok(ExitCode::from(EXIT_ERROR)),
        }
    } else {
        let paths = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        if args.show_files {
            return show_files(args, &paths, &resolver, &cwd);
        }
        // Files are checked as the walk finds them; the report sorts the results. Not with
        // fixes: a config error found late in the walk must stop the run before any file
        // is written, so fixing waits for the whole walk.
        let settings_error = std::sync::Mutex::new(None::<String>);
        let found = AtomicUsize::new(0);
        let check = |candidate: &Candidate| {
            if !matches!(candidate, Candidate::Unchecked { .. }) {
                found.fetch_add(1, Ordering::Relaxed);
            }
            check_candidate(candidate, &resolver, &cwd, args, &settings_error)
        };
        let (sender, receiver) = std::sync::mpsc::channel::<Candidate>();
        let (walked, results) = if args.fix_mode() {
            drop((sender, receiver));
            match discover::discover(&paths, &resolver) {
                Ok(candidates) => (Ok(()), candidates.par_iter().filter_map(check).collect()),
                Err(err) => (Err(err), Vec::new()),
            }
        } else {
            std::thread::scope(|scope| {
                let walker = scope.spawn(|| {
                    let emit = move |candidate| {
                        // Fails only once checking has stopped, which it does not before.
                        let _ = sender.send(candidate);
                    };
                    discover::discover_each(&paths, &resolver, &emit)
                });
                let results: Vec<FileResult> = receiver
                    .into_iter()
                    .par_bridge()
                    .filter_map(|candidate| check(&candidate))
                    .collect();
                let walked = walker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (walked, results)
            })
        };
        if let Err(err) = walked {
            eprintln!("arraylint: error: {err}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
        if let Some(err) = settings_error.into_inner().ok().flatten() {
            eprintln!("arraylint: error: {err}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
        if found.into_inner() == 0 {
            warnings.push(NO_FILES.to_string());
            nothing_checked = true;
        }
        results
    };
    report::report(args, results, &warnings, nothing_checked)
}

/// Ruff's words for a run that found nothing to check.
const NO_FILES: &str = "No Python files found under the given path(s)";

/// `--show-files`: the files that would be checked; what was named but will not be is
/// said on stderr, as a run would.
fn show_files(
    args: &CheckArgs,
    paths: &[PathBuf],
    resolver: &Resolver,
    cwd: &Path,
) -> anyhow::Result<ExitCode> {
    let candidates = match discover::discover(paths, resolver) {
        Ok(candidates) => candidates,
        Err(err) => {
            eprintln!("arraylint: error: {err}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let mut out = std::io::stdout().lock();
    let mut code = EXIT_OK;
    for candidate in &candidates {
        match candidate {
            Candidate::File(path) => writeln!(out, "{}", display_path(path, cwd))?,
            Candidate::Missing(path) => {
                eprintln!("arraylint: error: {}: {MISSING}", display_path(path, cwd));
                code = EXIT_ERROR;
            }
            Candidate::Unchecked { path, reason } if !args.quiet && !args.silent => {
                eprintln!("arraylint: warning: {}: {reason}", display_path(path, cwd));
            }
            Candidate::Unchecked { .. } | Candidate::Error { .. } => {}
        }
    }
    Ok(ExitCode::from(code))
}

/// Check one thing the walk found.
fn check_candidate(
    candidate: &Candidate,
    resolver: &Resolver,
    cwd: &Path,
    args: &CheckArgs,
    settings_error: &std::sync::Mutex<Option<String>>,
) -> Option<FileResult> {
    match candidate {
        Candidate::File(path) => match resolver.rules_for(path) {
            Ok(rules) => check_path(path, || display_path(path, cwd), rules, args),
            Err(err) => {
                if let Ok(mut slot) = settings_error.lock() {
                    slot.get_or_insert(err.to_string());
                }
                None
            }
        },
        Candidate::Error { path, message } => {
            let rules = resolver.rules_for(path).unwrap_or_else(|_| RuleSet::all());
            rules
                .contains(Rule::IoError)
                .then(|| io_error(&display_path(path, cwd), message.clone()))
        }
        // As Ruff's E902, a finding (where AL002 is on), and the other paths are still
        // checked; also an error, as every cause of exit status 2 is.
        Candidate::Missing(path) => {
            let display = display_path(path, cwd);
            let rules = resolver.rules_for(path).unwrap_or_else(|_| RuleSet::all());
            let result = if rules.contains(Rule::IoError) {
                io_error(&display, MISSING.to_string())
            } else {
                FileResult::empty(&display)
            };
            Some(FileResult {
                error: Some(format!("{display}: {MISSING}")),
                ..result
            })
        }
        Candidate::Unchecked { path, reason } => Some(unchecked(&display_path(path, cwd), reason)),
    }
}

const MISSING: &str = "no such file or directory";

/// A named file of a kind that is not checked: a warning, no finding.
fn unchecked(display: &str, reason: &str) -> FileResult {
    FileResult {
        warning: Some(format!("{display}: {reason}")),
        ..FileResult::empty(display)
    }
}

/// The path as the user should read it: relative to the working directory, without `./`.
fn display_path(path: &Path, cwd: &Path) -> String {
    let relative = path.strip_prefix(cwd).unwrap_or(path);
    let relative = relative.strip_prefix(".").unwrap_or(relative);
    relative.to_string_lossy().into_owned()
}

fn io_error(display: &str, message: String) -> FileResult {
    FileResult {
        diagnostics: vec![Diagnostic::new(
            Rule::IoError,
            message,
            TextRange::default(),
        )],
        ..FileResult::empty(display)
    }
}

/// Offsets are 32-bit (ruff's `TextSize`): a larger file cannot be indexed.
const MAX_FILE_SIZE: u64 = u32::MAX as u64;

fn too_large_message() -> String {
    format!("the file is larger than {MAX_FILE_SIZE} bytes (4 GiB), the most arraylint can check")
}

/// The bytes as the UTF-8 source text to check, or why they are not one, in words that say
/// what to do.
fn decode(bytes: &[u8]) -> Result<&str, String> {
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large_message());
    }
    // The SIMD validator is several times faster on valid text; std's says where the
    // first bad byte is.
    let decoded = match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => std::str::from_utf8(bytes),
    };
    match decoded {
        // NUL bytes are valid UTF-8: UTF-16 without a byte order mark decodes "fine".
        Ok(_) if looks_utf16(bytes) => Err(utf_message("16", "looks")),
        Ok(text) => Ok(text),
        Err(err) => Err(decode_error(bytes, err)),
    }
}

fn utf_message(width: &str, verb: &str) -> String {
    format!(
        "the file {verb} UTF-{width} encoded; arraylint reads UTF-8 only (convert it, e.g. `iconv -f UTF-{width} -t UTF-8`)"
    )
}

/// Text in UTF-16 without a byte order mark: in its first few kilobytes, every other byte
/// is NUL on one side and almost none on the other (ASCII text stored two bytes a char).
fn looks_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    // Almost every file has no NUL byte at all, which the SIMD search says at once.
    if head.len() < 4 || memchr::memchr(0, head).is_none() {
        return false;
    }
    let zeros = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    let half = head.len() / 2;
    let mostly = |n: usize| n * 10 >= half * 9;
    let hardly = |n: usize| n * 10 <= half;
    (mostly(even) && hardly(odd)) || (mostly(odd) && hardly(even))
}

/// Why bytes that are not valid UTF-8 are not a source we can check.
fn decode_error(bytes: &[u8], err: std::str::Utf8Error) -> String {
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return utf_message("32", "is");
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return utf_message("16", "is");
    }
    let offset = err.valid_up_to();
    let before = &bytes[..offset];
    // Lines end at `\n`, `\r\n` or a lone `\r`, as Python and the parser count them.
    let breaks = memchr::memchr2_iter(b'\n', b'\r', before)
        .filter(|&i| !(before[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n')))
        .count();
    let line_start = memchr::memrchr2(b'\n', b'\r', before).map_or(0, |i| i + 1);
    let mut line_text = &before[line_start..];
    if line_start == 0 {
        // A BOM is not a column, as for every other position arraylint reports.
        line_text = line_text
            .strip_prefix("\u{feff}".as_bytes())
            .unwrap_or(line_text);
    }
    let column = String::from_utf8_lossy(line_text).chars().count() + 1;
    format!(
        "the file is not valid UTF-8: byte 0x{:02X} at offset {offset} (line {}, column {column}); save it as UTF-8",
        bytes.get(offset).copied().unwrap_or_default(),
        breaks + 1
    )
}

thread_local! {
    /// One read buffer per worker: most files are read, scanned and dropped.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn check_path(
    path: &Path,
    display: impl Fn() -> String,
    rules: RuleSet,
    args: &CheckArgs,
) -> Option<FileResult> {
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        let read = std::fs::File::open(path).and_then(|file| read_whole(file, &mut buffer));
        let length = match read {
            Ok(length) => length,
            Err(err) => {
                return rules
                    .contains(Rule::IoError)
                    .then(|| io_error(&display(), format!("cannot read the file: {err}")));
            }
        };
        let text = match decode(&buffer[..length]) {
            Ok(text) => text,
            Err(message) => {
                return rules
                    .contains(Rule::IoError)
                    .then(|| io_error(&display(), message));
            }
        };
        // Other kinds come through the front door (`source`); a Python file is its own text.
        let result = if SourceKind::of(path) == SourceKind::Notebook {
            notebook::check_notebook(text, path, display, rules, args, true)?.result
        } else {
            let prefiltered = crate::prefilter::prefilter_source(text, rules);
            if args.lint_options().prefilter && prefiltered.rules.is_empty() {
                return None;
            }
            let display = display();
            check_text(text, path, &display, rules, args, true, Some(prefiltered))
        };
        // Keep a file's text only while something refers to it: most files have no finding.
        let keep = !result.diagnostics.is_empty()
            || !result.fixed.is_empty()
            || result.error.is_some()
            || result.diff.is_some();
        keep.then_some(result)
    })
}

/// Read a whole file into `buffer`, refusing one over the size limit; returns its length
/// (`buffer` holds zeros past it). The buffer is kept from file to file, so a file takes
/// one `read` and the `read` that finds its end, and no `stat`: sizing a fresh buffer
/// from the file's length cost two `statx` and an `lseek` a file, a third of the
/// syscalls of a run. Only a file past `ASK_LENGTH_PAST` is asked its length, so one over
/// the limit is refused before it is read.
fn read_whole(mut file: std::fs::File, buffer: &mut Vec<u8>) -> std::io::Result<usize> {
    const FIRST: usize = 256 * 1024;
    const ASK_LENGTH_PAST: usize = 64 * 1024 * 1024;
    let too_large = || std::io::Error::other(too_large_message());
    let limit = usize::try_from(MAX_FILE_SIZE).unwrap_or(usize::MAX);
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            // A file that grew past the limit while it was read.
            if filled > limit {
                return Err(too_large());
            }
            if filled >= ASK_LENGTH_PAST && file.metadata()?.len() > MAX_FILE_SIZE {
                return Err(too_large());
            }
            let grown = (buffer.len().saturating_mul(2)).clamp(FIRST, limit.saturating_add(1));
            buffer.resize(grown, 0);
        }
        match file.read(&mut buffer[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(read) => filled += read,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}

/// Lint (and in fix mode fix) one text. `write` says whether fixes go back to `path`.
fn check_text(
    text: &str,
    path: &Path,
    display: &str,
    rules: RuleSet,
    args: &CheckArgs,
    write: bool,
    prefiltered: Option<crate::prefilter::Prefiltered>,
) -> FileResult {
    // The text is copied into the result only where something refers to it: most files
    // checked have no finding.
    let source = |text: &str| Arc::new(SourceFileBuilder::new(display, text).finish());
    let mut result = FileResult {
        source: source(if args.fix_mode() { text } else { "" }),
        ..FileResult::empty(display)
    };
    if args.fix_mode() {
        let outcome = fix::fix_text(text, path, rules, args.unsafe_fixes);
        if let Some(reason) = outcome.refused {
            result.error = Some(format!("{display}: {reason}"));
        } else if outcome.text != text {
            if args.diff {
                result.diff = Some(unified_diff(text, &outcome.text, display));
            } else if write {
                if let Err(err) = write_atomically(path, text.as_bytes(), outcome.text.as_bytes()) {
                    result.error = Some(format!("{display}: the fixes were not written: {err}"));
                    result.diagnostics =
                        crate::lint_source_with(text, path, rules, args.lint_options());
                    return result;
                }
            }
            result.fixed = outcome.fixed;
            result.source = source(outcome.text.as_str());
        }
        let fixed_text = result.source.source_text().to_string();
        result.diagnostics = crate::lint_source_with(&fixed_text, path, rules, args.lint_options());
        if args.diff {
            // `--diff` shows what would change; what remains is what the original has.
            result.source = source(text);
            result.diagnostics = crate::lint_source_with(text, path, rules, args.lint_options())
                .into_iter()
                .filter(|d| {
                    d.fix
                        .as_ref()
                        .is_none_or(|f| !fix::applies(f.applicability, args.unsafe_fixes))
                })
                .collect();
        }
    } else {
        result.diagnostics = match prefiltered {
            // The pre-filter already ran on this text: do not scan it twice.
            Some(prefiltered) => {
                crate::lint_prefiltered(text, path, rules, prefiltered, args.lint_options())
            }
            None => crate::lint_source_with(text, path, rules, args.lint_options()),
        };
        if !result.diagnostics.is_empty() {
            result.source = source(text);
        }
    }
    result
}

fn unified_diff(old: &str, new: &str, display: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .header(&format!("a/{display}"), &format!("b/{display}"))
        .to_string()
}

/// Write beside the file, then rename over it: a reader never sees half a file, a crash
/// never loses it. Keeps the permissions; refuses when the file changed since it was read.
pub fn write_atomically(path: &Path, original: &[u8], contents: &[u8]) -> std::io::Result<()> {
    // Follow a symlink: replace the file it points to, not the link.
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut temp = tempfile_in(dir, &name)?;
    let result = (|| {
        temp.1.write_all(contents)?;
        temp.1.sync_all()?;
        std::fs::set_permissions(&temp.0, permissions)?;
        #[cfg(debug_assertions)]
        if let Some(edit) = std::env::var_os("ARRAYLINT_TEST_EDIT_BEFORE_WRITE") {
            // Tests simulate an editor saving the file between our read and our write.
            std::fs::write(&target, edit.to_string_lossy().as_bytes())?;
        }
        if std::fs::read(&target)? != original {
            return Err(std::io::Error::other(
                "the file changed on disk while it was being fixed; run again",
            ));
        }
        std::fs::rename(&temp.0, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp.0);
    }
    result
}

fn tempfile_in(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    for attempt in 0..100u32 {
        let path = dir.join(format!(
            ".{name}.arraylint-{}-{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::other(
        "cannot create a temporary file beside the target",
    ))
}

fn check_stdin(args: &CheckArgs, resolver: &Resolver) -> anyhow::Result<Option<FileResult>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let path = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("-"));
    let display = path.to_string_lossy().into_owned();
    // `--fix -` prints the source even when it is not checked: an editor would replace its
    // buffer with nothing.
    let echo_source = |bytes: &[u8]| -> std::io::Result<()> {
        if args.fix_mode() && !args.diff {
            std::io::stdout().lock().write_all(bytes)?;
        }
        Ok(())
    };
    if args.force_exclude && args.stdin_filename.is_some() && resolver.is_excluded(&path) {
        echo_source(&bytes)?;
        return Ok(Some(FileResult::empty(&display)));
    }
    // Named a kind of file that is not checked (`--stdin-filename nb.ipynb`): said, as for
    // a named file.
    if let Some(reason) = args
        .stdin_filename
        .as_deref()
        .and_then(discover::not_checked_reason)
    {
        echo_source(&bytes)?;
        return Ok(Some(unchecked(&display, &reason)));
    }
    let rules = match resolver.rules_for(&path) {
        Ok(rules) => rules,
        Err(err) => {
            eprintln!("arraylint: error: {err}");
            return Ok(None);
        }
    };
    let text = match decode(&bytes) {
        Ok(text) => text,
        Err(message) => {
            echo_source(&bytes)?;
            return Ok(Some(io_error(&display, message)));
        }
    };
    if SourceKind::of(&path) == SourceKind::Notebook {
        let checked = notebook::check_notebook(text, &path, || display.clone(), rules, args, false);
        // `--fix -` prints the notebook, fixed where fixes changed it.
        let fixed_json = checked.as_ref().and_then(|c| c.fixed_json.as_deref());
        echo_source(fixed_json.unwrap_or(text).as_bytes())?;
        return Ok(Some(match checked {
            Some(checked) => checked.result,
            None => FileResult::empty(&display),
        }));
    }
    let result = check_text(text, &path, &display, rules, args, false, None);
    // `--fix -` prints the fixed source, as Ruff does; the findings go to stderr.
    if args.fix_mode() && !args.diff {
        std::io::stdout()
            .lock()
            .write_all(result.source.source_text().as_bytes())?;
    }
    Ok(Some(result))
}
