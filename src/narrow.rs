//! Parse less: the bodies of functions that no rule can look at are blanked before the
//! file is parsed, keeping every offset and line where it was.
//!
//! A file that defines `__array__` in one class of a 700 KB module needs that class's
//! protocol members, what they refer to, and the module around them; the other few
//! hundred method bodies cost parsing time and cannot change a finding. When a rule that
//! evaluates may fire, a function body is kept when it may matter:
//! - it holds a protocol needle (anywhere, even in a string: `class_reads_attribute` looks
//!   for `x.__array_prepare__` reads, which the pre-filter does not count), a `copy=False`
//!   the pre-filter counts, or, as a whole word in its code (not in a string or a
//!   comment): `numpy` (imports anywhere bind aliases), `class` (classes at any depth are
//!   modelled), `global` or `nonlocal` (they unmake module constants);
//! - or, when a rule that evaluates runs (`rules::EVALUATING`: the descriptor rules and
//!   AL403, AL405), code the evaluator may reach names it: its name read where the evaluator
//!   follows it (bare, or as a method through the first parameter of the function it is
//!   read in), or an attribute it stores on `self`, read as an attribute (`self.x = ...`
//!   decides what `x` may be), until nothing new is kept. What may be reached: code
//!   outside the bodies, the bodies with a protocol head or `class`, and the bodies so
//!   kept; a body kept for a `copy=False`, an import or a `global` is not followed, as
//!   the evaluator never starts there. Names that bind rather than read (parameters,
//!   assignment targets, keyword arguments, imports, the name a `def` defines) are not
//!   followed either.
//!
//! When no rule that evaluates can fire (in a stub, whose members are all declarations,
//! only AL405 evaluates, `rules::EVALUATING_IN_STUBS`, and only where something
//! returns), every rule reads only a member's own definition, and narrowing goes
//! statement by statement instead (`Unread`): at any depth, a statement is kept when it
//! holds a keeping word or a counted `copy=False`, and then only its headers are (every
//! clause's: `try` and `except` make a call guarded) with the statements inside it
//! judged the same way; a `def` that is a member (its name is a protocol head, or a
//! line outside functions that holds one names it: `__array__ = _impl`) is kept whole.
//! The rest goes, decorators and signatures included: module constants, helpers, other
//! methods, docstrings, other imports. `class` lines are always kept (AL402 reads bases
//! and mixins).
//!
//! A file that mentions `__cuda_array_interface__` is not narrowed: the CUDA rules read
//! whole classes (stream and device attributes, `"cpu"` strings). Nor is one that defines
//! `__getbuffer__` where AL706 may fire: it reads every method of the exporter's class
//! (the ones that reallocate the exported data).
//!
//! A blanked body becomes one string of blanks (`"""   ...   """`, or `0` where that does
//! not fit) at its first statement's indentation, newlines kept, so the parser sees a
//! valid one-statement body and the lexer crosses it in one search. Syntax errors are reported in the
//! code arraylint reads (see `rules/AL001.md`): `hides` tells which offsets were blanked.
//! For a file that parses, narrowing never changes a result (`LintOptions::narrow` turns
//! it off to prove that: fixtures, fuzzing, the bench and real-world corpora); a narrowed
//! text that does not parse is parsed whole, since how the parser recovers from an error
//! may depend on what was blanked.

use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;
use std::sync::OnceLock;

use crate::layout::{is_identifier_byte, Layout, LogicalLine};
use crate::registry::RuleSet;

/// The bodies to blank, in order.
#[derive(Debug, Default)]
pub struct Plan {
    bodies: Vec<Body>,
}

#[derive(Debug, Clone)]
struct Body {
    /// From the start of the body's first line to the end of its last.
    region: Range<u32>,
    /// The first statement's first token: the indentation before it is kept.
    first: u32,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.bodies.is_empty()
    }

    /// Whether `offset` lies in a blanked body.
    pub fn hides(&self, offset: u32) -> bool {
        let after = self.bodies.partition_point(|b| b.region.start <= offset);
        after > 0 && self.bodies[after - 1].region.end > offset
    }

    /// The comments in blanked code (the parser does not see them), from `layout`, which
    /// holds every comment of `text`.
    pub fn hidden_comments<'t>(
        &'t self,
        text: &'t str,
        layout: &'t Layout,
    ) -> impl Iterator<Item = &'t str> + 't {
        layout
            .literals
            .iter()
            .filter(move |r| text.as_bytes().get(r.start as usize) == Some(&b'#'))
            .filter(move |r| self.hides(r.start))
            .filter_map(move |r| text.get(r.start as usize..r.end as usize))
    }

    /// `text` with the bodies blanked: same length, same line breaks. A body becomes one
    /// triple-quoted string of blanks, which the lexer crosses in one search (a body of
    /// blank lines would cost a token and an indentation count per line), or, too short
    /// for the quotes, `0`.
    pub fn apply(&self, text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        let is_break = |b: u8| matches!(b, b'\n' | b'\r');
        for body in &self.bodies {
            let (first, end) = (body.first as usize, body.region.end as usize);
            // Blanks between the line breaks, a run at a time.
            let mut from = first;
            for at in memchr::memchr2_iter(b'\n', b'\r', &text.as_bytes()[first..end]) {
                bytes[from..first + at].fill(b' ');
                from = first + at + 1;
            }
            bytes[from..end].fill(b' ');
            let mut last = end;
            while last > first && is_break(bytes[last - 1]) {
                last -= 1;
            }
            let region = &bytes[first..last];
            let first_line = region
                .iter()
                .position(|b| is_break(*b))
                .unwrap_or(region.len());
            let last_line = region
                .iter()
                .rposition(|b| is_break(*b))
                .map_or(0, |at| at + 1);
            let fits = if first_line == region.len() {
                region.len() >= 6
            } else {
                first_line >= 3 && region.len() - last_line >= 3
            };
            if fits {
                bytes[first..first + 3].copy_from_slice(b"\"\"\"");
                bytes[last - 3..last].copy_from_slice(b"\"\"\"");
            } else {
                bytes[first] = b'0';
            }
        }
        // Whole lines were replaced by ASCII, so the text is still UTF-8; the fallback
        // (parse everything) cannot be reached.
        String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
    }
}

/// A function definition whose body may be blanked.
struct Candidate {
    /// From the `def` line to the end of the body: what the keeping words are looked for
    /// in (a protocol member's name is on its `def` line).
    whole: Range<u32>,
    name: Range<u32>,
    body: Body,
    /// Not blanked.
    kept: bool,
    /// What the body names is followed: it may be evaluated.
    followed: bool,
    /// Defined directly in a class body (not under an `if` or `try` at module level).
    method: bool,
}

/// Keywords that keep a body as whole words in its code. The first, `class`, also has what
/// the body names followed (a nested class's methods are modelled like any other); the
/// rest matter where they stand (an import binds an alias, a `global` unmakes a
/// constant), and what else such a body names is not evaluated unless something followed
/// names the function itself.
const KEYWORDS: &[&str] = &["class", "numpy", "global", "nonlocal"];

struct KeepingWords {
    searcher: aho_corasick::packed::Searcher,
    /// How many patterns are protocol heads (the rest are `KEYWORDS`).
    heads: usize,
}

fn keeping_words() -> Option<&'static KeepingWords> {
    static WORDS: OnceLock<Option<KeepingWords>> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            let heads = crate::prefilter::protocol_heads();
            let searcher = aho_corasick::packed::Config::new()
                .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
                .builder()
                .extend(heads.iter().chain(KEYWORDS))
                .build()?;
            Some(KeepingWords {
                searcher,
                heads: heads.len(),
            })
        })
        .as_ref()
}

/// A keeping word that counts.
#[derive(Clone, Copy)]
struct Hit {
    at: u32,
    /// A protocol head or `class`: what the body names is followed.
    follows: bool,
    /// A protocol head.
    head: bool,
}

/// The keeping words that count, in order.
fn keeping_hits(bytes: &[u8], layout: &Layout) -> Option<Vec<Hit>> {
    let words = keeping_words()?;
    let hits = words
        .searcher
        .find_iter(bytes)
        .filter(|found| {
            found.pattern().as_usize() < words.heads
                || is_word_in_code(bytes, layout, found.start()..found.end())
        })
        .map(|found| Hit {
            at: found.start() as u32,
            follows: found.pattern().as_usize() <= words.heads,
            head: found.pattern().as_usize() < words.heads,
        })
        .collect();
    Some(hits)
}

/// What to blank in `text`, whose layout is `layout`, for checking `rules` in a module or
/// (`stub`) a stub. Empty when nothing can be.
pub fn plan(text: &str, layout: &Layout, rules: RuleSet, stub: bool) -> Plan {
    let bytes = text.as_bytes();
    // The CUDA rules look at whole classes (their strings too): a file that implements
    // `__cuda_array_interface__` is parsed whole.
    if layout.tab_indented || memchr::memmem::find(bytes, b"__cuda_array_interface__").is_some() {
        return Plan::default();
    }
    // AL706 reads every method of a buffer exporter's class (the mutators of its data): a
    // file that defines `__getbuffer__` is parsed whole when it may fire.
    if rules.contains(crate::registry::Rule::GetbufferExportsNotCounted)
        && has_word(bytes, layout, b"__getbuffer__")
    {
        return Plan::default();
    }
    let Some(hits) = keeping_hits(bytes, layout) else {
        return Plan::default();
    };
    // In a stub the evaluator only asks what `__dlpack_device__` returns: with no `return`
    // anywhere in the code it finds nothing, whatever is blanked.
    let evaluates = rules.intersects(crate::rules::evaluating_in(stub))
        && (!stub || has_word(bytes, layout, b"return"));
    if !evaluates {
        return Plan {
            bodies: Unread::statements(bytes, layout, &hits, rules),
        };
    }
    let mut candidates = candidates(bytes, layout);
    if candidates.is_empty() {
        return Plan::default();
    }

    // Bodies that matter by what they hold.
    let mut copy_scans = crate::prefilter::CopyScans::for_text(bytes);
    for candidate in &mut candidates {
        let whole = candidate.whole.start as usize..candidate.whole.end as usize;
        let first_hit = hits.partition_point(|hit| hit.at < candidate.whole.start);
        let inside = hits[first_hit..]
            .iter()
            .take_while(|hit| hit.at < candidate.whole.end);
        let mut any = false;
        for hit in inside {
            any = true;
            if hit.follows {
                candidate.followed = true;
                break;
            }
        }
        // A counted `copy=False` matters where it stands: AL602 reads the call alone.
        candidate.kept =
            candidate.followed || any || holds_counted_copy(bytes, whole, &mut copy_scans, layout);
    }
    // Bodies that followed code refers to, to a fixed point. A function is followed where
    // the evaluator follows it: named bare (`helper(x)`, `property(getter)`; inside a
    // function, where methods are not in scope, only a function that is not a method), or
    // as a method of an instance parameter (`self.method()`; the receiver is whatever the
    // enclosing functions' first parameters are called). A stored attribute counts when it
    // is read as one (`self.x`, `cls.x`, `Class.x`).
    let mut by_name: FxHashMap<&[u8], Vec<usize>> = FxHashMap::default();
    let mut by_store: FxHashMap<&[u8], Vec<usize>> = FxHashMap::default();
    for (index, candidate) in candidates.iter().enumerate().filter(|(_, c)| !c.followed) {
        let name = &bytes[candidate.name.start as usize..candidate.name.end as usize];
        by_name.entry(name).or_default().push(index);
        let region = candidate.body.region.start as usize..candidate.body.region.end as usize;
        for attribute in self_stores(&bytes[region]) {
            by_store.entry(attribute).or_default().push(index);
        }
    }
    if by_name.is_empty() && by_store.is_empty() {
        return Plan::default();
    }
    let signatures = Signatures::of(bytes, layout);
    let imports = import_lines(bytes, layout);
    let mut filter = NameFilter::default();
    for word in by_name.keys().chain(by_store.keys()) {
        filter.insert(name_hash(word));
    }
    // Followed text: everything outside the bodies not followed yet, and those bodies,
    // each with the receivers its methods may be called through.
    let everywhere = signatures.everywhere();
    let mut pending: Vec<Followed> = Vec::new();
    let mut from = 0usize;
    for candidate in &candidates {
        pending.push(Followed::outside(
            from..candidate.body.region.start as usize,
        ));
        from = candidate.body.region.end as usize;
        if candidate.followed {
            pending.push(Followed::body(candidate, &signatures));
        }
    }
    pending.push(Followed::outside(from..bytes.len()));
    let mut newly_kept: Vec<usize> = Vec::new();
    while let Some(Followed {
        range,
        receivers,
        in_function,
    }) = pending.pop()
    {
        let receivers = if in_function { &receivers } else { &everywhere };
        for_each_name(bytes, layout, range, |start, end, hash| {
            if !filter.may_contain(hash)
                || signatures.parameters.contains(&(start as u32))
                || in_import(&imports, start)
                || !is_reference(bytes, start, end)
            {
                return;
            }
            let name = &bytes[start..end];
            let receiver = receiver_of(bytes, start);
            if matches!(receiver, Receiver::Name(_)) {
                if let Some(indices) = by_store.get(name) {
                    newly_kept.extend(indices.iter().copied());
                }
            }
            let Some(indices) = by_name.get(name) else {
                return;
            };
            match receiver {
                Receiver::None if in_function => {
                    newly_kept.extend(indices.iter().copied().filter(|&i| !candidates[i].method))
                }
                Receiver::None => newly_kept.extend(indices.iter().copied()),
                Receiver::Name(receiver)
                    if receivers
                        .as_ref()
                        .is_none_or(|names| names.contains(&receiver)) =>
                {
                    newly_kept.extend(indices.iter().copied());
                }
                Receiver::Name(_) | Receiver::Other => {}
            }
        });
        for index in newly_kept.drain(..) {
            let candidate = &mut candidates[index];
            if !candidate.followed {
                candidate.followed = true;
                candidate.kept = true;
                pending.push(Followed::body(candidate, &signatures));
            }
        }
    }
    Plan::of(candidates)
}

impl Plan {
    fn of(candidates: Vec<Candidate>) -> Plan {
        Plan {
            bodies: candidates
                .into_iter()
                .filter(|c| !c.kept)
                .map(|c| c.body)
                .collect(),
        }
    }
}

/// Without the evaluator, the rules read a class's line and its protocol members (whole),
/// the statements that hold a protocol name, a counted `copy=False` or `numpy`, and the
/// headers around them (`try`, `with` and `if` make a call guarded). Every other
/// statement, at any depth, is blanked: module constants, helpers, the other methods with
/// their decorators and signatures, docstrings, imports of other modules.
struct Unread<'t> {
    bytes: &'t [u8],
    layout: &'t Layout,
    /// Where a keeping word or a counted `copy=False` stands, in order; and whether it is
    /// a protocol name.
    marks: Vec<(u32, bool)>,
    /// The names on the lines outside functions that hold a protocol name: a member may be
    /// another function (`__array__ = _impl`, `property(getter)`), kept whole.
    aliased: FxHashSet<&'t [u8]>,
    blanked: Vec<Body>,
}

/// Deeper than this, a block is kept as it is (the nesting limit refuses such files first).
const MAX_BLOCK_DEPTH: usize = 256;

impl<'t> Unread<'t> {
    fn statements(bytes: &'t [u8], layout: &'t Layout, hits: &[Hit], rules: RuleSet) -> Vec<Body> {
        let mut marks: Vec<(u32, bool)> = hits.iter().map(|hit| (hit.at, hit.head)).collect();
        // A counted `copy=False` marks its logical line (one mark is enough); none counts
        // where the pre-filter found AL602 cannot fire.
        if rules.contains(crate::registry::Rule::NumpyCopyFalse) {
            let before = marks.len();
            let mut scans = crate::prefilter::CopyScans::for_text(bytes);
            let mut line_end = 0;
            for at in memchr::memmem::find_iter(bytes, b"copy") {
                if at < line_end || !crate::prefilter::copy_counts(bytes, at, &mut scans, layout) {
                    continue;
                }
                marks.push((at as u32, false));
                let line = layout
                    .lines
                    .partition_point(|line| line.code as usize <= at);
                line_end = line
                    .checked_sub(1)
                    .map_or(at, |n| layout.lines[n].end as usize);
            }
            if marks.len() > before {
                marks.sort_unstable();
            }
        }
        let mut unread = Unread {
            bytes,
            layout,
            aliased: aliased_names(bytes, layout, &marks),
            marks,
            blanked: Vec::new(),
        };
        if !layout.lines.is_empty() {
            unread.block(&layout.lines, 0);
        }
        unread.blanked
    }

    fn marked(&self, range: Range<u32>) -> bool {
        let first = self.marks.partition_point(|(at, _)| *at < range.start);
        self.marks.get(first).is_some_and(|(at, _)| *at < range.end)
    }

    fn head_in(&self, range: Range<u32>) -> bool {
        let first = self.marks.partition_point(|(at, _)| *at < range.start);
        self.marks[first..]
            .iter()
            .take_while(|(at, _)| *at < range.end)
            .any(|(_, head)| *head)
    }

    /// The statements of one block (all its lines, the nested ones too), blanking those
    /// no rule reads. Where the lines do not indent as Python requires, the rest of the
    /// block is kept: the parser's complaint must stay where it was.
    fn block(&mut self, lines: &[LogicalLine], depth: usize) {
        let bytes = self.bytes;
        let indent = lines[0].indent();
        let starts_with = |line: &LogicalLine, word: &[u8]| {
            let code = &bytes[line.code as usize..];
            code.starts_with(word) && code.get(word.len()).is_none_or(|b| !is_identifier_byte(*b))
        };
        let continues = |line: &LogicalLine| {
            [&b"elif"[..], b"else", b"except", b"finally"]
                .iter()
                .any(|word| starts_with(line, word))
        };
        // The statements blanked since the last kept one.
        let mut run: Option<Body> = None;
        let mut k = 0;
        while k < lines.len() {
            let first = k;
            while k < lines.len()
                && lines[k].indent() == indent
                && bytes[lines[k].code as usize] == b'@'
            {
                k += 1;
            }
            // Each clause: its header line and the range of its block.
            let mut clauses: Vec<(usize, Range<usize>)> = Vec::new();
            // A clause with no statement before it (`else:` alone), or decorators on
            // something that is not a `def` or `class`, is an error to keep.
            let regular = k < lines.len()
                && !continues(&lines[k])
                && (k == first
                    || def_name(bytes, &lines[k]).is_some()
                    || is_class_line(bytes, &lines[k]));
            let regular = regular
                && loop {
                    if k >= lines.len() || lines[k].indent() != indent {
                        break false;
                    }
                    let header = k;
                    k += 1;
                    while k < lines.len() && lines[k].indent() > indent {
                        k += 1;
                    }
                    if ends_with_colon(bytes, self.layout, &lines[header]) != (k > header + 1) {
                        break false; // a block with nothing in it, or an unexpected indent
                    }
                    clauses.push((header, header + 1..k));
                    if k >= lines.len() || lines[k].indent() != indent || !continues(&lines[k]) {
                        break true;
                    }
                };
            if !regular {
                break;
            }
            let statement = lines[first].code..lines[k - 1].end;
            let header = &lines[clauses[0].0];
            let member = def_name(bytes, header).is_some_and(|name| {
                self.aliased
                    .contains(&bytes[name.start as usize..name.end as usize])
                    || self.head_in(statement.start..header.end)
            });
            if member {
                self.blanked.extend(run.take());
                continue; // read whole
            }
            // A `match` block holds only `case` clauses: one is never blanked on its own.
            let case = starts_with(header, b"case") && ends_with_colon(bytes, self.layout, header);
            if !case && !self.marked(statement.clone()) {
                // What is blanked is not looked into again: its blocks must indent as
                // Python requires. (A kept statement's blocks are checked as they are
                // walked.)
                let clean = clauses.iter().all(|(_, block)| {
                    block.is_empty()
                        || indents_cleanly(bytes, self.layout, indent, &lines[block.clone()])
                });
                if !clean {
                    break;
                }
                match &mut run {
                    Some(body) => body.region.end = statement.end,
                    None => {
                        run = Some(Body {
                            region: lines[first].start..statement.end,
                            first: statement.start,
                        })
                    }
                }
                continue;
            }
            self.blanked.extend(run.take());
            if depth < MAX_BLOCK_DEPTH {
                for (_, block) in clauses {
                    if !block.is_empty() {
                        self.block(&lines[block], depth + 1);
                    }
                }
            }
        }
        self.blanked.extend(run);
    }
}

/// The names on the logical lines outside functions (not `def` lines) that hold a
/// protocol name.
fn aliased_names<'t>(
    bytes: &'t [u8],
    layout: &Layout,
    marks: &[(u32, bool)],
) -> FxHashSet<&'t [u8]> {
    let mut names = FxHashSet::default();
    // The indentation of the `def`s open around the line.
    let mut defs: Vec<u32> = Vec::new();
    let mut mark = 0;
    for line in &layout.lines {
        while defs.last().is_some_and(|&indent| indent >= line.indent()) {
            defs.pop();
        }
        let is_def = def_name(bytes, line).is_some();
        while marks.get(mark).is_some_and(|(at, _)| *at < line.code) {
            mark += 1;
        }
        let mut head = false;
        while let Some(&(_, is_head)) = marks.get(mark).filter(|(at, _)| *at < line.end) {
            head |= is_head;
            mark += 1;
        }
        if head && defs.is_empty() && !is_def {
            for_each_name(
                bytes,
                layout,
                line.code as usize..line.end as usize,
                |start, end, _| {
                    names.insert(&bytes[start..end]);
                },
            );
        }
        if is_def {
            defs.push(line.indent());
        }
    }
    names
}

/// Whether the name at `start..end` may read what it names. Not where it is bound without
/// being read: the name a `def` defines (an `@overload` stub names no body), and a name
/// before a lone `=`: an assignment's target, a keyword argument's or a parameter's name.
fn is_reference(bytes: &[u8], start: usize, end: usize) -> bool {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\x0c');
    let after = end + bytes[end..].iter().take_while(|b| blank(b)).count();
    if bytes.get(after) == Some(&b'=') && bytes.get(after + 1) != Some(&b'=') {
        return false;
    }
    let before = start - bytes[..start].iter().rev().take_while(|b| blank(b)).count();
    !(before < start
        && bytes[..before].ends_with(b"def")
        && (before == 3 || !is_identifier_byte(bytes[before - 4])))
}

/// What a name at some offset is an attribute of.
enum Receiver<'t> {
    /// Nothing: a bare name.
    None,
    /// `receiver.name`, the receiver a bare name.
    Name(&'t [u8]),
    /// `a.b.name`, `f().name`, `x[0].name`, ...
    Other,
}

fn receiver_of(bytes: &[u8], start: usize) -> Receiver<'_> {
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\x0c');
    let mut i = start;
    while i > 0 && blank(bytes[i - 1]) {
        i -= 1;
    }
    // A line continuation or a newline inside brackets may stand between: unsure, so
    // the name counts as bare (which keeps more, never less).
    if i == 0 || bytes[i - 1] != b'.' {
        return Receiver::None;
    }
    let mut end = i - 1;
    while end > 0 && blank(bytes[end - 1]) {
        end -= 1;
    }
    let mut begin = end;
    while begin > 0 && is_identifier_byte(bytes[begin - 1]) {
        begin -= 1;
    }
    let mut before = begin;
    while before > 0 && blank(bytes[before - 1]) {
        before -= 1;
    }
    if begin == end || bytes[begin].is_ascii_digit() || (before > 0 && bytes[before - 1] == b'.') {
        return Receiver::Other;
    }
    Receiver::Name(&bytes[begin..end])
}

/// Text whose names are followed.
struct Followed<'t> {
    range: Range<usize>,
    /// In a function's body (outside, the receivers of every function count).
    receivers: Option<Receivers<'t>>,
    /// A function's body, where bare names cannot name methods.
    in_function: bool,
}

impl<'t> Followed<'t> {
    fn body(candidate: &Candidate, signatures: &Signatures<'t>) -> Followed<'t> {
        Followed {
            range: candidate.body.region.start as usize..candidate.body.region.end as usize,
            receivers: signatures.receivers_in(&candidate.whole),
            in_function: true,
        }
    }

    /// Module and class level code, and `def` lines.
    fn outside(range: Range<usize>) -> Followed<'t> {
        Followed {
            range,
            receivers: None,
            in_function: false,
        }
    }
}

/// The names through which a body's methods may be called: the first parameters of the
/// functions it is in (`self`, `cls`, `this`...), as the evaluator binds them. `None`
/// where unsure: then every receiver counts.
type Receivers<'t> = Vec<&'t [u8]>;

/// What the file's `def` lines bind.
struct Signatures<'t> {
    /// Each `def` line's code offset and first parameter (`None`: unsure), in order.
    defs: Vec<(u32, Option<&'t [u8]>)>,
    /// Where parameter names start: a parameter is bound there, not read.
    parameters: FxHashSet<u32>,
}

impl<'t> Signatures<'t> {
    fn of(bytes: &'t [u8], layout: &Layout) -> Signatures<'t> {
        let mut signatures = Signatures {
            defs: Vec::new(),
            parameters: FxHashSet::default(),
        };
        for line in &layout.lines {
            let Some(name) = def_name(bytes, line) else {
                continue;
            };
            let first = parameters(bytes, layout, line, name.end as usize, |start| {
                signatures.parameters.insert(start as u32);
            });
            signatures.defs.push((line.code, first));
        }
        signatures
    }

    /// The receivers in the functions within `whole` (a candidate: the `def` line and its
    /// body), with `self` and `cls`, which the evaluator always takes for the instance
    /// and the class.
    fn receivers_in(&self, whole: &Range<u32>) -> Option<Receivers<'t>> {
        let first = self.defs.partition_point(|(at, _)| *at < whole.start);
        let mut names: Receivers = vec![b"self", b"cls"];
        for (at, parameter) in &self.defs[first..] {
            if *at >= whole.end {
                break;
            }
            names.push((*parameter)?);
        }
        Some(names)
    }

    /// The receivers of every function in the file, once each: for code outside the
    /// bodies.
    fn everywhere(&self) -> Option<Receivers<'t>> {
        let mut names = self.receivers_in(&(0..u32::MAX))?;
        names.sort_unstable();
        names.dedup();
        Some(names)
    }
}

/// Calls `bound` with the start of each parameter name of the `def` whose name ends at
/// `after_name`, and returns the first positional parameter: `Some(b"")` where there is
/// none (`()`, `(*args)`), `None` where unsure (PEP 695 type parameters, a line the scan
/// cannot follow).
fn parameters<'t>(
    bytes: &'t [u8],
    layout: &Layout,
    line: &LogicalLine,
    after_name: usize,
    mut bound: impl FnMut(usize),
) -> Option<&'t [u8]> {
    let end = line.end as usize;
    let mut i = after_name;
    while i < end && matches!(bytes[i], b' ' | b'\t' | b'\\' | b'\r' | b'\n' | b'\x0c') {
        i += 1;
    }
    if bytes.get(i) != Some(&b'(') {
        return None;
    }
    let mut first = None;
    let mut depth = 0usize;
    // After `(` or a `,` at depth 1: where a parameter's name may come.
    let mut expecting = false;
    while i < end {
        // A comment may stand before a name; a string is never one.
        if let Some(literal) = layout.literal_at(i as u32) {
            i = literal.end as usize;
            continue;
        }
        let b = bytes[i];
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                expecting = depth == 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(first.unwrap_or(b""));
                }
                expecting = false;
            }
            b',' if depth == 1 => expecting = true,
            // `*args` or a bare `*`: what follows is not positional.
            b'*' if depth == 1 && expecting => {
                first.get_or_insert(b"");
            }
            b' ' | b'\t' | b'\\' | b'\r' | b'\n' | b'\x0c' => {}
            _ if depth == 1 && expecting && is_identifier_byte(b) && !b.is_ascii_digit() => {
                let start = i;
                while i < end && is_identifier_byte(bytes[i]) {
                    i += 1;
                }
                bound(start);
                first.get_or_insert(&bytes[start..i]);
                expecting = false;
                continue;
            }
            _ => expecting = false,
        }
        i += 1;
    }
    None
}

/// The logical lines that are `import` or `from` statements: what they name is bound,
/// not read.
fn import_lines(bytes: &[u8], layout: &Layout) -> Vec<Range<u32>> {
    let keyword = |at: usize, word: &[u8]| {
        bytes[at..].starts_with(word)
            && bytes
                .get(at + word.len())
                .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\\' | b'('))
    };
    layout
        .lines
        .iter()
        .filter(|line| {
            keyword(line.code as usize, b"import") || keyword(line.code as usize, b"from")
        })
        .map(|line| line.code..line.end)
        .collect()
}

fn in_import(imports: &[Range<u32>], at: usize) -> bool {
    let after = imports.partition_point(|line| line.start as usize <= at);
    after > 0 && (imports[after - 1].end as usize) > at
}

/// FNV-1a over a name's bytes, as `for_each_name` computes it while scanning.
fn name_hash(name: &[u8]) -> u32 {
    name.iter().fold(FNV_OFFSET, |hash, b| {
        (hash ^ u32::from(*b)).wrapping_mul(FNV_PRIME)
    })
}

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// A 65,536-bit filter over name hashes: most names in kept code are not candidates, and
/// the filter says so without a map look-up.
struct NameFilter(Vec<u64>);

impl Default for NameFilter {
    fn default() -> Self {
        NameFilter(vec![0; 1024])
    }
}

impl NameFilter {
    fn insert(&mut self, hash: u32) {
        let bit = (hash & 0xffff) as usize;
        self.0[bit / 64] |= 1 << (bit % 64);
    }

    fn may_contain(&self, hash: u32) -> bool {
        let bit = (hash & 0xffff) as usize;
        self.0[bit / 64] & (1 << (bit % 64)) != 0
    }
}

/// Every name (an identifier not starting with a digit) in `range` outside strings and
/// comments, with its start, end and `name_hash`.
fn for_each_name(
    bytes: &[u8],
    layout: &Layout,
    range: Range<usize>,
    mut found: impl FnMut(usize, usize, u32),
) {
    let literals = &layout.literals;
    let mut literal = literals.partition_point(|l| l.end as usize <= range.start);
    let mut i = range.start;
    // A name cut by the range's start is not a name of this range.
    while i < range.end && i > 0 && is_identifier_byte(bytes[i - 1]) && is_identifier_byte(bytes[i])
    {
        i += 1;
    }
    while i < range.end {
        let segment_end = match literals.get(literal) {
            Some(l) if (l.start as usize) <= i => {
                i = l.end as usize;
                literal += 1;
                continue;
            }
            Some(l) => (l.start as usize).min(range.end),
            None => range.end,
        };
        while i < segment_end {
            if !is_identifier_byte(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            let mut hash = FNV_OFFSET;
            while i < bytes.len() && is_identifier_byte(bytes[i]) {
                hash = (hash ^ u32::from(bytes[i])).wrapping_mul(FNV_PRIME);
                i += 1;
            }
            if !bytes[start].is_ascii_digit() {
                found(start, i, hash);
            }
        }
    }
}

/// The outermost `def`s (not inside another function) whose body is a block of lines
/// after a header that ends in `:`.
fn candidates(bytes: &[u8], layout: &Layout) -> Vec<Candidate> {
    let lines = &layout.lines;
    let mut found = Vec::new();
    // The blocks open around the line: their indentation, and whether a `class` opened it.
    let mut openers: Vec<(u32, bool)> = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let line = lines[k];
        while openers
            .last()
            .is_some_and(|(indent, _)| *indent >= line.indent())
        {
            openers.pop();
        }
        let Some(name) = def_name(bytes, &line) else {
            // A line that opens a block is followed by a deeper one.
            if lines
                .get(k + 1)
                .is_some_and(|next| next.indent() > line.indent())
            {
                openers.push((line.indent(), is_class_line(bytes, &line)));
            }
            k += 1;
            continue;
        };
        let mut j = k + 1;
        while j < lines.len() && lines[j].indent() > line.indent() {
            j += 1;
        }
        if j > k + 1
            && ends_with_colon(bytes, layout, &line)
            && indents_cleanly(bytes, layout, line.indent(), &lines[k + 1..j])
        {
            found.push(Candidate {
                whole: line.code..lines[j - 1].end,
                name,
                body: Body {
                    region: lines[k + 1].start..lines[j - 1].end,
                    first: lines[k + 1].code,
                },
                kept: false,
                followed: false,
                method: openers.last().is_some_and(|(_, class)| *class),
            });
        }
        // Nested functions go with the one they are in.
        k = j.max(k + 1);
    }
    found
}

/// Whether `word` stands as a whole word in the code (not in a string or a comment).
fn has_word(bytes: &[u8], layout: &Layout, word: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, word)
        .any(|at| is_word_in_code(bytes, layout, at..at + word.len()))
}

/// Whether the bytes at `range` are a whole word (no name byte either side) in code.
fn is_word_in_code(bytes: &[u8], layout: &Layout, range: Range<usize>) -> bool {
    (range.start == 0 || !is_identifier_byte(bytes[range.start - 1]))
        && bytes.get(range.end).is_none_or(|b| !is_identifier_byte(*b))
        && !layout.in_literal(range.start as u32)
}

/// Whether a logical line is a `class` statement.
fn is_class_line(bytes: &[u8], line: &LogicalLine) -> bool {
    let code = line.code as usize;
    bytes[code..].starts_with(b"class")
        && bytes
            .get(code + 5)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\\'))
}

/// Whether `range` holds a `copy=False` the pre-filter counts.
fn holds_counted_copy(
    bytes: &[u8],
    range: Range<usize>,
    scans: &mut crate::prefilter::CopyScans,
    layout: &Layout,
) -> bool {
    memchr::memmem::find_iter(&bytes[range.clone()], b"copy")
        .any(|at| crate::prefilter::copy_counts(bytes, range.start + at, scans, layout))
}

/// The name of the function a `def` or `async def` line defines.
fn def_name(bytes: &[u8], line: &LogicalLine) -> Option<Range<u32>> {
    let mut i = line.code as usize;
    let keyword = |i: &mut usize, word: &[u8]| {
        if bytes[*i..].starts_with(word)
            && bytes
                .get(*i + word.len())
                .is_some_and(|b| matches!(b, b' ' | b'\t'))
        {
            *i += word.len();
            while bytes.get(*i).is_some_and(|b| matches!(b, b' ' | b'\t')) {
                *i += 1;
            }
            true
        } else {
            false
        }
    };
    if keyword(&mut i, b"async") && !keyword(&mut i, b"def") {
        return None;
    }
    if i == line.code as usize && !keyword(&mut i, b"def") {
        return None;
    }
    let start = i;
    while bytes.get(i).is_some_and(|b| is_identifier_byte(*b)) {
        i += 1;
    }
    (i > start).then_some(start as u32..i as u32)
}

/// Whether a body's lines indent as Python requires: deeper only after a line ending in
/// `:`, back only to a level in use, never level with or above an opening line. A body
/// that does not is kept: the parser's complaint about it may land after the body (at the
/// end of the file, say), where blanking would change it.
fn indents_cleanly(bytes: &[u8], layout: &Layout, def_indent: u32, body: &[LogicalLine]) -> bool {
    let mut levels = vec![def_indent];
    let mut opens = true; // the `def` line
    for line in body {
        let indent = line.indent();
        let top = levels.last().copied().unwrap_or_default();
        if indent > top {
            if !opens {
                return false; // unexpected indent
            }
            levels.push(indent);
        } else {
            if opens {
                return false; // a block with nothing in it
            }
            while levels.last().is_some_and(|&level| level > indent) {
                levels.pop();
            }
            if levels.last() != Some(&indent) || levels.len() < 2 {
                return false; // unindent to no level in use
            }
        }
        opens = ends_with_colon(bytes, layout, line);
    }
    !opens
}

/// Whether a line's last token is `:` (a comment after it aside): a `def` header whose
/// body is the indented block below (`def f(): return 1` has none), or any block opener.
fn ends_with_colon(bytes: &[u8], layout: &Layout, line: &LogicalLine) -> bool {
    let mut i = line.end as usize;
    while i > line.code as usize {
        let b = bytes[i - 1];
        if b.is_ascii_whitespace() {
            i -= 1;
        } else if layout.in_literal(i as u32 - 1) {
            // A trailing comment: skip to its `#`.
            let after = layout.literals.partition_point(|r| r.start < i as u32);
            match after.checked_sub(1).map(|n| &layout.literals[n]) {
                Some(comment) if bytes[comment.start as usize] == b'#' => {
                    i = comment.start as usize;
                }
                _ => return false,
            }
        } else {
            return b == b':';
        }
    }
    false
}

/// Attributes a body may store on `self`: `self.x` followed by `=`, an augmented
/// assignment, `:` (an annotation), or `,` `)` `]` or `in` (a target in a tuple, a `for`).
/// Generous on purpose: a read taken for a store only keeps a body.
fn self_stores(body: &[u8]) -> Vec<&[u8]> {
    let mut stores = Vec::new();
    for at in memchr::memmem::find_iter(body, b"self.") {
        if at > 0 && is_identifier_byte(body[at - 1]) {
            continue;
        }
        let start = at + 5;
        let mut end = start;
        while body.get(end).is_some_and(|b| is_identifier_byte(*b)) {
            end += 1;
        }
        if end == start {
            continue;
        }
        let mut i = end;
        while body.get(i).is_some_and(|b| matches!(b, b' ' | b'\t')) {
            i += 1;
        }
        let rest = &body[i..];
        let store = match rest.first() {
            Some(b'=') => rest.get(1) != Some(&b'='),
            Some(b':' | b',' | b')' | b']') => true,
            Some(b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'@' | b'<' | b'>') => {
                // `+=`, `//=`, `**=`, `>>=`, `<<=`; not `<=` or `>=`, which compare.
                let op = rest.iter().take_while(|b| !b.is_ascii_whitespace()).take(3);
                let op: Vec<u8> = op.copied().collect();
                op.ends_with(b"=") && !matches!(op.as_slice(), b"<=" | b">=" | b"==")
            }
            Some(b'i') => {
                rest.starts_with(b"in") && rest.get(2).is_none_or(|b| !is_identifier_byte(*b))
            }
            _ => false,
        };
        if store {
            stores.push(&body[start..end]);
        }
    }
    stores
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Rule;

    fn blanked(text: &str) -> String {
        blanked_for(text, RuleSet::all())
    }

    fn blanked_for(text: &str, rules: RuleSet) -> String {
        let layout = crate::layout::scan(text.as_bytes()).expect("scans");
        plan(text, &layout, rules, false).apply(text)
    }

    #[test]
    fn blanks_bodies_no_rule_needs() {
        let text = "import numpy as np\n\nclass A:\n    def __array__(self, dtype=None, copy=None):\n        return self._data()\n\n    def _data(self):\n        return list(range(3))\n\n    def unrelated(self, x):\n        '''Docs.'''\n        return x + 1\n";
        let out = blanked(text);
        assert_eq!(out.len(), text.len());
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(out.contains("return self._data()"), "{out}");
        assert!(
            out.contains("return list(range(3))"),
            "a helper the getter calls: {out}"
        );
        assert!(!out.contains("return x + 1"), "{out}");
        assert!(
            out.contains("    def unrelated(self, x):\n        \"\"\""),
            "{out}"
        );
        let parsed = ruff_python_parser::parse_module(&out);
        assert!(parsed.is_ok(), "{out}");
    }

    #[test]
    fn keeps_bodies_that_store_what_kept_code_reads() {
        let text = "class A:\n    @property\n    def __array_interface__(self):\n        return self._iface\n\n    def setup(self):\n        self._iface = {'shape': (1,)}\n\n    def other(self):\n        return self._other\n";
        let out = blanked(text);
        assert!(out.contains("self._iface = {"), "{out}");
        assert!(!out.contains("return self._other"), "{out}");
    }

    #[test]
    fn keeps_bodies_with_keeping_words() {
        for body in [
            "import numpy",
            "class B: pass",
            "global X",
            "return x.__array_prepare__",
            "return '__array__'",
        ] {
            let text = format!("def f(x):\n    {body}\n");
            assert_eq!(blanked(&text), text, "{body}");
        }
        // In docstrings and comments, and inside other words, they do not.
        for body in [
            "\"\"\"See :class:`numpy.ndarray`.\"\"\"",
            "return x  # global state, numpy",
            "return subclass_of(x)",
        ] {
            let text = format!("def f(x):\n    {body}\n");
            assert_ne!(blanked(&text), text, "{body}");
        }
        // A file with a CUDA interface is parsed whole.
        let cuda =
            "class A:\n    __cuda_array_interface__ = {}\n    def f(self):\n        return 1\n";
        assert_eq!(blanked(cuda), cuda);
    }

    #[test]
    fn leaves_one_liners_nested_functions_and_tabs_alone() {
        let one_liner = "def f(): return 1\nx = 1\n";
        assert_eq!(blanked(one_liner), one_liner);
        let tabs = "def f():\n\treturn 1\n";
        assert_eq!(blanked(tabs), tabs);
        let nested = "def f():\n    def g():\n        return 2\n    return g\n";
        let out = blanked(nested);
        assert!(out.starts_with("def f():\n    \"\"\" "), "{out}");
        assert!(!out.contains("return"), "{out}");
        assert_eq!(out.len(), nested.len());
    }

    #[test]
    fn blanked_bodies_parse_whatever_their_shape() {
        for body in [
            "x",
            "pass",
            "return 1",
            "if x:\n        y\n    z",
            "a\r\n    b",
            "x\n    y = 1",
        ] {
            let text = format!("def f():\n    {body}\nz = 1\n");
            let out = blanked(&text);
            assert_ne!(out, text, "{body:?}");
            assert_eq!(out.len(), text.len());
            let parsed = ruff_python_parser::parse_module(&out);
            assert!(parsed.is_ok(), "{body:?}: {out:?}");
        }
    }

    #[test]
    fn hides_only_blanked_offsets() {
        let text = "def f():\n    return 1\ndef __array__(self):\n    return 2\n";
        let layout = crate::layout::scan(text.as_bytes()).expect("scans");
        let plan = plan(text, &layout, RuleSet::all(), false);
        let at = |needle: &str| text.find(needle).expect("present") as u32;
        assert!(plan.hides(at("return 1")));
        assert!(!plan.hides(at("def f")));
        assert!(!plan.hides(at("return 2")));
    }

    #[test]
    fn follows_functions_bare_and_methods_through_instance_parameters() {
        let text = "class A:\n    def __array__(this, dtype=None, copy=None):\n        return helper(this.method(), other.unrelated())\n\n    def method(self):\n        return 1\n\n    def unrelated(self):\n        return 2\n\ndef helper(a, b):\n    return 3\n";
        let out = blanked(text);
        assert!(out.contains("return 1"), "through `this`: {out}");
        assert!(out.contains("return 3"), "bare: {out}");
        assert!(!out.contains("return 2"), "another object's method: {out}");
    }

    #[test]
    fn what_a_body_kept_for_where_it_stands_names_is_not_followed() {
        // A `copy=False` call and an import matter where they are; the evaluator never
        // starts there.
        let text = "import numpy as np\n\ndef f(x):\n    return np.array(helper(x), copy=False)\n\ndef g():\n    import numpy\n    return other()\n\ndef helper(x):\n    return 1\n\ndef other():\n    return 2\n";
        let out = blanked(text);
        assert!(
            out.contains("copy=False") && out.contains("    import numpy"),
            "{out}"
        );
        assert!(
            !out.contains("return 1") && !out.contains("return 2"),
            "{out}"
        );
        // Unless followed code names the function itself.
        let called =
            format!("{text}\nclass A:\n    def __array__(self):\n        return f(self)\n");
        let out = blanked(&called);
        assert!(out.contains("return 1"), "{out}");
        assert!(!out.contains("return 2"), "{out}");
    }

    #[test]
    fn bindings_are_not_references() {
        // A parameter, a keyword argument, an assignment's target, an import and the
        // name an `@overload` stub defines bind `helper`; none of them reads it.
        let text = "from m import helper\nhelper = 1\n\nclass A:\n    @overload\n    def helper(self) -> int: ...\n    def __array__(self, helper=None, *, copy=None):\n        return make(helper=3)\n\ndef helper(x):\n    return 1\n\ndef make(helper):\n    return 2\n";
        let out = blanked(text);
        assert!(out.contains("return 2"), "make is called: {out}");
        assert!(!out.contains("return 1"), "{out}");
        // Reads still count: a comparison is not an assignment.
        let read = text.replace("make(helper=3)", "make(helper == 3)");
        assert!(blanked(&read).contains("return 1"));
    }

    #[test]
    fn bare_names_in_functions_name_module_functions_not_methods() {
        let text = "class A:\n    def __array__(self, dtype=None, copy=None):\n        values = convert(self)\n        return values\n\n    def values(self):\n        return 1\n\nif True:\n    def convert(x):\n        return 2\n";
        let out = blanked(text);
        assert!(!out.contains("return 1"), "a local, not the method: {out}");
        assert!(out.contains("return 2"), "a function under `if`: {out}");
        // At class level a bare name is the class's method.
        let aliased = text.replace("\nif True:", "    other = values\n\nif True:");
        assert!(blanked(&aliased).contains("return 1"));
    }

    #[test]
    fn methods_are_followed_through_the_enclosing_functions_first_parameters() {
        let text = "class A:\n    def __array__(self, dtype=None, copy=None):\n        return value.method()\n\n    def method(self):\n        return 1\n\ndef unrelated(value):\n    return 2\n";
        assert!(
            !blanked(text).contains("return 1"),
            "`value` is another function's"
        );
        let own = text.replace("(self, dtype", "(value, dtype");
        assert!(blanked(&own).contains("return 1"));
        // Where the first parameter cannot be read, every receiver counts.
        let unsure = text.replace("def __array__(self,", "def __array__[T](self,");
        assert!(blanked(&unsure).contains("return 1"));
    }

    #[test]
    fn reads_the_first_positional_parameter() {
        let first = |def: &str| {
            let layout = crate::layout::scan(def.as_bytes()).expect("scans");
            let line = &layout.lines[0];
            let name = def_name(def.as_bytes(), line).expect("a def");
            parameters(def.as_bytes(), &layout, line, name.end as usize, |_| {})
                .map(|p| String::from_utf8_lossy(p).into_owned())
        };
        assert_eq!(first("def f(self, x): pass\n").as_deref(), Some("self"));
        assert_eq!(
            first("def f(  # why\n    this, x): pass\n").as_deref(),
            Some("this")
        );
        assert_eq!(first("def f(*, x): pass\n").as_deref(), Some(""));
        assert_eq!(first("def f(*args, x): pass\n").as_deref(), Some(""));
        assert_eq!(first("def f(): pass\n").as_deref(), Some(""));
        assert_eq!(
            first("def f(a=(1, b), c=lambda d, e: 0): pass\n").as_deref(),
            Some("a")
        );
        assert_eq!(first("def f[T](x: T): pass\n"), None);
    }

    #[test]
    fn without_evaluating_rules_a_member_keeps_only_its_own_definition() {
        let text = "class A:\n    def __array__(self, dtype=None, copy=None):\n        return helper(self)\n\n    def _impl(self, dtype=None, copy=None):\n        return 1\n\n    __array_wrap__ = _impl\n\ndef helper(x):\n    return 2\n";
        let signatures: RuleSet = [Rule::ArrayReturnsNonNdarray, Rule::ArrayWrapSignature]
            .into_iter()
            .collect();
        let out = blanked_for(text, signatures);
        assert!(out.contains("return helper(self)"), "{out}");
        assert!(out.contains("return 1"), "the member is `_impl`: {out}");
        assert!(!out.contains("return 2"), "{out}");
        // An evaluating rule follows the helper.
        let evaluating: RuleSet = [Rule::InterfaceNotDict].into_iter().collect();
        assert!(blanked_for(text, evaluating).contains("return 2"));
    }

    #[test]
    fn without_evaluating_rules_a_class_with_no_member_is_blanked_whole() {
        let text = "class Plain(Base):\n    \"Docs.\"\n    x = compute()\n\n    def f(self):\n        return 1\n\nclass WithMixin:\n    class Inner(Mixin):\n        pass\n\nclass Array:\n    def __array__(self, dtype=None, copy=None):\n        return 2\n";
        let signatures: RuleSet = [Rule::ArrayMissingCopy, Rule::DlpackMissingPair]
            .into_iter()
            .collect();
        let out = blanked_for(text, signatures);
        assert_eq!(out.len(), text.len());
        assert!(out.starts_with("class Plain(Base):\n    \"\"\""), "{out}");
        assert!(
            !out.contains("compute") && !out.contains("return 1"),
            "{out}"
        );
        assert!(
            out.contains("class Inner(Mixin)"),
            "AL402 reads nested classes: {out}"
        );
        assert!(out.contains("return 2"), "{out}");
        assert!(ruff_python_parser::parse_module(&out).is_ok(), "{out}");
        // With an evaluating rule, class attributes may be evaluated.
        let evaluating: RuleSet = [Rule::InterfaceNotDict].into_iter().collect();
        assert!(blanked_for(text, evaluating).contains("x = compute()"));
    }

    fn member_only() -> RuleSet {
        [
            Rule::ArrayMissingCopy,
            Rule::NumpyCopyFalse,
            Rule::InterfaceCalled,
        ]
        .into_iter()
        .collect()
    }

    /// `out` parses, keeps every offset, and keeps (or blanks) each of the snippets.
    fn check_kept(text: &str, out: &str, kept: &[&str], blanked: &[&str]) {
        assert_eq!(out.len(), text.len());
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(ruff_python_parser::parse_module(out).is_ok(), "{out}");
        for snippet in kept {
            assert!(out.contains(snippet), "{snippet:?} kept: {out}");
        }
        for snippet in blanked {
            assert!(!out.contains(snippet), "{snippet:?} blanked: {out}");
        }
    }

    #[test]
    fn without_evaluating_rules_only_the_statements_rules_read_are_kept() {
        let text = "\"\"\"Module docs.\"\"\"\nimport os\nimport numpy as np\n\nLIMIT = compute_limit()\n\n@functools.cache\ndef helper(a, b=os.sep):\n    return a\n\ndef consumer(x):\n    y = prepare(x)\n    try:\n        return np.array(y, copy=False)\n    except ValueError:\n        fallback()\n    finally:\n        close()\n\nclass A(Base):\n    \"Docs.\"\n    size = 3\n\n    @property\n    def shape(self):\n        return (self.size,)\n\n    def __array__(self, dtype=None):\n        return self._data\n\ndef reader(obj):\n    with pytest.raises(TypeError):\n        obj.__array_interface__()\n";
        let out = blanked_for(text, member_only());
        check_kept(
            text,
            &out,
            &[
                "import numpy as np",
                "def consumer(x):",
                "    try:\n        return np.array(y, copy=False)\n    except ValueError:",
                "    finally:",
                "class A(Base):",
                "    def __array__(self, dtype=None):\n        return self._data",
                "def reader(obj):\n    with pytest.raises(TypeError):\n        obj.__array_interface__()",
            ],
            &[
                "Module docs",
                "import os",
                "compute_limit",
                "functools",
                "def helper",
                "prepare",
                "fallback",
                "close",
                "Docs.",
                "size = 3",
                "property",
                "def shape",
            ],
        );
        // An evaluating rule may read module constants and other methods.
        let evaluating: RuleSet = [Rule::InterfaceNotDict].into_iter().collect();
        assert!(blanked_for(text, evaluating).contains("LIMIT = compute_limit()"));
    }

    #[test]
    fn in_a_stub_only_dlpack_keeps_what_the_evaluator_reads() {
        // Planned for the rules that can fire, as `lint` does.
        let narrowed = |text: &str, stub: bool| {
            let layout = crate::layout::scan(text.as_bytes()).expect("scans");
            let possible = crate::prefilter::possible_rules(text.as_bytes(), RuleSet::all());
            plan(text, &layout, possible, stub).apply(text)
        };
        let text = "SIZE = 3\nclass A:\n    def __array_interface__(self) -> dict: ...\n    def other(self) -> int: ...\n";
        check_kept(
            text,
            &narrowed(text, true),
            &["class A:", "def __array_interface__"],
            &["SIZE", "other"],
        );
        // In a module the descriptor is evaluated, and may read `SIZE`.
        assert!(narrowed(text, false).contains("SIZE = 3"));
        // AL405 evaluates what `__dlpack_device__` returns even in a stub: only where
        // something returns is there anything to evaluate.
        let dlpack = format!("{text}    def __dlpack__(self, *, stream=0): ...\n    def __dlpack_device__(self) -> tuple[int, int]: ...\n");
        check_kept(
            &dlpack,
            &narrowed(&dlpack, true),
            &["__dlpack_device__"],
            &["SIZE", "other"],
        );
        let returns = dlpack.replace("-> tuple[int, int]: ...", ": return (SIZE, 0)");
        assert!(narrowed(&returns, true).contains("SIZE = 3"));
    }

    #[test]
    fn without_evaluating_rules_every_clause_of_a_kept_statement_keeps_its_header() {
        let text = "import numpy as np\nif a:\n    x = 1\nelif b:\n    np.array(x, copy=False)\nelse:\n    y = 2\nfor i in r:\n    pass\nelse:\n    z = 3\nwhile c:\n    w = np.array(v, copy=False)\nelse:\n    u = 4\nmatch m:\n    case 1:\n        q = 5\n    case _:\n        np.array(m, copy=False)\n";
        let out = blanked_for(text, member_only());
        check_kept(
            text,
            &out,
            &[
                "if a:", "elif b:", "else:", "while c:", "match m:", "case 1:", "case _:",
            ],
            &["x = 1", "y = 2", "for i", "z = 3", "u = 4", "q = 5"],
        );
    }

    #[test]
    fn without_evaluating_rules_aliased_functions_are_kept_whole() {
        let text = "class A:\n    @staticmethod\n    def _impl(dtype=None): return 1\n\n    def _get(self):\n        return {}\n\n    def _other(self):\n        return 2\n\n    __array__ = _impl\n    __array_interface__ = property(_get)\n";
        let out = blanked_for(text, member_only());
        check_kept(
            text,
            &out,
            &[
                "@staticmethod\n    def _impl(dtype=None): return 1",
                "return {}",
            ],
            &["_other", "return 2"],
        );
    }

    #[test]
    fn without_evaluating_rules_blocks_python_refuses_are_kept() {
        for block in [
            "    x = 1\n        y = 2\n",
            "    if x:\n    y = 2\n",
            "    if x:\n        y = 2\n      z = 3\n",
            "    @decorator\n",
            "    else:\n        y = 1\n",
            "    @decorator\n    x = 1\n",
        ] {
            let text = format!("import numpy as np\nclass A:\n    __array__ = None\ndef f():\n{block}    np.array(x, copy=False)\n");
            let out = blanked_for(&text, member_only());
            assert!(out.contains(block), "{block:?}: {out}");
        }
    }

    #[test]
    fn keeps_bodies_whose_indentation_python_refuses() {
        for body in [
            "    x = 1\n        y = 2\n",
            "    if x:\n    y = 2\n",
            "    if x:\n        y = 2\n      z = 3\n",
            "    if x:\n",
        ] {
            let text = format!("def f():\n{body}x = 0\n");
            assert_eq!(blanked(&text), text, "{body:?}");
        }
        let clean = "def f():\n    if x:  # why\n        y = 2\n    return y\nx = 0\n";
        assert_ne!(blanked(clean), clean);
    }

    #[test]
    fn finds_self_stores() {
        let body = b"self.a = 1\nself.b += 2\nself.c == 3\nself.d: int\n(self.e, x) = y\nfor self.f in z: pass\nself.g <= 1\nself.h()\nself.i //= 2\n";
        let stores: Vec<&[u8]> = self_stores(body);
        assert_eq!(stores, [&b"a"[..], b"b", b"d", b"e", b"f", b"i"]);
    }
}
