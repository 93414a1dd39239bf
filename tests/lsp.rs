//! `arraylint server` driven over pipes by a minimal JSON-RPC client, as an editor would.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(20);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages read while waiting for another one.
    backlog: Vec<Value>,
    next_id: i64,
}

/// Reads `Content-Length` frames; ends at end of stream or on a frame it cannot read.
fn read_frames(output: impl Read, sink: mpsc::Sender<Value>) {
    let mut reader = BufReader::new(output);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse::<usize>().ok();
            }
        }
        let Some(length) = length else { return };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let Ok(value) = serde_json::from_slice(&body) else {
            return;
        };
        if sink.send(value).is_err() {
            return;
        }
    }
}

impl Client {
    fn start(cwd: &Path) -> Client {
        Client::start_with_env(cwd, &[])
    }

    fn start_with_env(cwd: &Path, env: &[(&str, &str)]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_arraylint"))
            .arg("server")
            .envs(env.iter().copied())
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start arraylint server");
        let stdout = child.stdout.take().unwrap();
        let (sink, incoming) = mpsc::channel();
        thread::spawn(move || read_frames(stdout, sink));
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            incoming,
            backlog: Vec::new(),
            next_id: 0,
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{}", body.len(), body).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (other messages go to the backlog).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    /// The first message (from the backlog, then from the server) that satisfies `wanted`.
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(at);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(message) => self.backlog.push(message),
                Err(RecvTimeoutError::Timeout) => panic!("timed out; backlog: {:#?}", self.backlog),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output; backlog: {:#?}", self.backlog)
                }
            }
        }
    }

    /// The diagnostics published for `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let message = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn initialize(&mut self, root: &Path, encodings: &[&str]) -> Value {
        let root_uri = file_uri(root);
        let response = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "capabilities": {"general": {"positionEncodings": encodings}},
                "workspaceFolders": [{"uri": root_uri, "name": "project"}],
            }),
        );
        self.notify("initialized", json!({}));
        response
    }

    /// shutdown, exit; returns the exit status.
    fn finish(mut self) -> std::process::ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // Never leave a server behind when a test fails half-way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A project folder with an (empty) settings file, so that no outer settings apply.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("pyproject.toml"), "[tool.arraylint]\n").unwrap();
    (dir, root)
}

/// A position as LSP counts it: `line` 0-based, `character` in `encoding` units.
fn position_of(text: &str, byte: usize, encoding: &str) -> Value {
    let before = &text[..byte];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = &text[line_start..byte];
    let character = match encoding {
        "utf-8" => column.len(),
        _ => column.encode_utf16().count(),
    };
    json!({"line": line, "character": character})
}

fn byte_of(text: &str, position: &Value, encoding: &str) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let line_text = text[line_start..].split('\n').next().unwrap_or("");
    let mut units = 0;
    for (at, ch) in line_text.char_indices() {
        if units >= character {
            return line_start + at;
        }
        units += if encoding == "utf-8" {
            ch.len_utf8()
        } else {
            ch.len_utf16()
        };
    }
    line_start + line_text.len()
}

/// Applies LSP text edits (all relative to `text`) as a client would.
fn apply_edits(text: &str, edits: &[Value], encoding: &str) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|edit| {
            let start = byte_of(text, &edit["range"]["start"], encoding);
            let end = byte_of(text, &edit["range"]["end"], encoding);
            (start, end, edit["newText"].as_str().unwrap())
        })
        .collect();
    spans.sort_by_key(|span| std::cmp::Reverse(span.0));
    let mut out = text.to_owned();
    for (start, end, new_text) in spans {
        out.replace_range(start..end, new_text);
    }
    out
}

/// What the CLI's own check reports for `text`, as LSP diagnostics would show it.
fn expected_diagnostics(text: &str, path: &Path, encoding: &str) -> Vec<(String, Value)> {
    arraylint::lint_source(text, path, arraylint::registry::RuleSet::all())
        .iter()
        .map(|d| {
            let range = json!({
                "start": position_of(text, d.range.start().to_usize(), encoding),
                "end": position_of(text, d.range.end().to_usize(), encoding),
            });
            (d.rule.code().to_owned(), range)
        })
        .collect()
}

fn codes_and_ranges(diagnostics: &[Value]) -> Vec<(String, Value)> {
    diagnostics
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["range"].clone()))
        .collect()
}

const SOURCE: &str = r#"import numpy as np

LABEL = "naïve 🧮"


class NoDtype:
    def __array__(self, copy=None):
        return np.asarray(self.data, copy=copy)


def convert(values):
    return ("🧮", np.array(values, copy=False))
"#;

fn session(encodings: &[&str], expected_encoding: &str) {
    let (_dir, root) = project();
    let path = root.join("wrapper.py");
    let uri = file_uri(&path);
    let mut client = Client::start(&root);

    let init = client.initialize(&root, encodings);
    let capabilities = &init["result"]["capabilities"];
    assert_eq!(
        capabilities["positionEncoding"], expected_encoding,
        "{init}"
    );
    assert_eq!(capabilities["hoverProvider"], true);
    assert_eq!(init["result"]["serverInfo"]["name"], "arraylint");

    // Open: exactly what the check reports, with source, code, link and exact ranges.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": SOURCE}}),
    );
    let published = client.diagnostics(&uri, 1);
    let expected = expected_diagnostics(SOURCE, &path, expected_encoding);
    let codes: Vec<&str> = expected.iter().map(|(code, _)| code.as_str()).collect();
    assert_eq!(
        codes,
        ["AL102", "AL602"],
        "the fixture must hold these violations"
    );
    assert_eq!(codes_and_ranges(&published), expected);
    for diagnostic in &published {
        let code = diagnostic["code"].as_str().unwrap();
        assert_eq!(diagnostic["source"], "arraylint");
        assert_eq!(
            diagnostic["codeDescription"]["href"],
            format!("{}/{code}.md", arraylint::DOCS_BASE_URL)
        );
        let severity = match arraylint::registry::Rule::from_code(code)
            .unwrap()
            .severity()
        {
            arraylint::diagnostic::Severity::Error => 1,
            arraylint::diagnostic::Severity::Warning => 2,
            arraylint::diagnostic::Severity::Info => 3,
        };
        assert_eq!(diagnostic["severity"], severity, "{diagnostic}");
    }
    // Where each starts, independently of the check: AL102 on the method's name, AL602 on
    // the call.
    let al102 = published[0].clone();
    let al602 = published[1].clone();
    assert_eq!(
        al102["range"]["start"],
        position_of(SOURCE, SOURCE.find("__array__").unwrap(), expected_encoding)
    );
    assert_eq!(
        al602["range"]["start"],
        position_of(SOURCE, SOURCE.find("np.array(").unwrap(), expected_encoding)
    );

    // A malformed frame and a message of the wrong shape get errors; the session goes on.
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let error = client.wait_for(|m| m.get("error").is_some() && m["id"].is_null());
    assert_eq!(error["error"]["code"], -32700, "{error}");
    client.send(json!({"jsonrpc": "2.0", "id": 99, "method": 5}));
    let error = client.wait_for(|m| m["id"] == 99);
    assert_eq!(error["error"]["code"], -32600, "{error}");
    let error = client.request("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(error["error"]["code"], -32602, "{error}");

    // Hover on a diagnostic: the rule's page.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": al602["range"]["start"]}),
    );
    let page = arraylint::registry::Rule::NumpyCopyFalse.page();
    assert_eq!(hover["result"]["contents"]["value"], page, "{hover}");
    assert_eq!(hover["result"]["range"], al602["range"]);

    // Code actions on the AL602 call: its unsafe fix (marked, not preferred) and noqa.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": al602["range"],
               "context": {"diagnostics": [al602], "only": ["quickfix"]}}),
    );
    let actions = actions["result"].as_array().cloned().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles[0].ends_with("(unsafe)"), "{titles:?}");
    assert_eq!(actions[0]["isPreferred"], false);
    assert_eq!(titles[1], "Disable AL602 for this line");
    let disable_al602 = actions[1]["edit"]["changes"][&uri]
        .as_array()
        .cloned()
        .unwrap();

    // Fix-all: the same text as the CLI's `--fix` gives (the safe AL102 fix only).
    let fix_all = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let fix_all = &fix_all["result"][0];
    assert_eq!(fix_all["kind"], "source.fixAll.arraylint", "{fix_all}");
    let fixed_by_server = apply_edits(
        SOURCE,
        fix_all["edit"]["changes"][&uri].as_array().unwrap(),
        expected_encoding,
    );
    let fixed_by_cli =
        arraylint::fix::fix_text(SOURCE, &path, arraylint::registry::RuleSet::all(), false).text;
    assert_eq!(fixed_by_server, fixed_by_cli);
    assert_ne!(fixed_by_server, SOURCE);

    // The AL102 quick fix (safe, preferred), applied as an incremental change.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": al102["range"],
               "context": {"diagnostics": [al102], "only": ["quickfix"]}}),
    );
    let quick_fix = actions["result"]
        .as_array()
        .and_then(|all| all.iter().find(|a| a["isPreferred"] == true).cloned())
        .unwrap_or_else(|| panic!("no preferred fix: {actions}"));
    assert_eq!(quick_fix["kind"], "quickfix");
    assert_eq!(quick_fix["diagnostics"][0]["code"], "AL102");
    let edits = quick_fix["edit"]["changes"][&uri]
        .as_array()
        .cloned()
        .unwrap();
    let text_v2 = apply_edits(SOURCE, &edits, expected_encoding);
    let changes: Vec<Value> = edits
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": changes}),
    );
    let published = client.diagnostics(&uri, 2);
    assert_eq!(
        codes_and_ranges(&published),
        expected_diagnostics(&text_v2, &path, expected_encoding)
    );
    assert_eq!(published.len(), 1, "only AL602 is left: {published:?}");

    // "Disable AL602 for this line" (computed on version 1; that line did not move).
    let text_v3 = apply_edits(&text_v2, &disable_al602, expected_encoding);
    assert!(
        text_v3.contains("copy=False))  # noqa: AL602\n"),
        "{text_v3}"
    );
    let changes: Vec<Value> = disable_al602
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": changes}),
    );
    assert_eq!(client.diagnostics(&uri, 3), Vec::<Value>::new());

    // Hover on the code in the noqa comment.
    let code_at = text_v3.find("AL602\n").unwrap() + 2;
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position_of(&text_v3, code_at, expected_encoding)}),
    );
    assert_eq!(hover["result"]["contents"]["value"], page, "{hover}");

    // A burst of full-text changes: results never go back to older text, and the last
    // published one is for the newest text.
    for version in 4..=30 {
        let text = if version % 2 == 0 {
            SOURCE
        } else {
            text_v3.as_str()
        };
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }
    let last = client.diagnostics(&uri, 30);
    assert_eq!(
        codes_and_ranges(&last),
        expected_diagnostics(SOURCE, &path, expected_encoding)
    );
    let versions: Vec<i64> = client
        .backlog
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter_map(|m| m["params"]["version"].as_i64())
        .filter(|v| *v >= 4)
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "out of order: {versions:?}"
    );

    // Closing clears the document's diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let cleared = client.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["version"].is_null()
    });
    assert_eq!(cleared["params"]["diagnostics"], json!([]));

    let status = client.finish();
    assert!(status.success(), "{status}");
}

#[test]
fn session_in_utf16() {
    session(&[], "utf-16");
}

#[test]
fn session_in_utf8() {
    session(&["utf-16", "utf-8"], "utf-8");
}

#[test]
fn the_encodings_really_differ_on_this_source() {
    let at = SOURCE.find("np.array(").unwrap();
    assert_ne!(
        position_of(SOURCE, at, "utf-8"),
        position_of(SOURCE, at, "utf-16")
    );
}

#[test]
fn exit_without_shutdown_fails_and_requests_before_initialize_are_refused() {
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    client.initialize(&root, &[]);
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    let status = client.child.wait().unwrap();
    assert!(!status.success());
}

#[test]
fn a_check_that_panics_is_logged_and_the_server_goes_on() {
    let (_dir, root) = project();
    let mut child_env = Client::start_with_env(&root, &[("ARRAYLINT_LSP_TEST_PANIC", "1")]);
    child_env.initialize(&root, &[]);
    let broken = file_uri(&root.join("broken.py"));
    child_env.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": broken, "languageId": "python", "version": 1,
                                "text": "# arraylint-test-panic\n"}}),
    );
    let logged = child_env.wait_for(|m| m["method"] == "window/logMessage");
    assert_eq!(logged["params"]["type"], 1, "{logged}");
    assert!(
        logged["params"]["message"]
            .as_str()
            .unwrap()
            .contains("broken.py"),
        "{logged}"
    );
    // Requests on the failing document answer with what they can.
    let hover = child_env.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": broken}, "position": {"line": 0, "character": 3}}),
    );
    assert!(hover.get("error").is_none(), "{hover}");

    let good = file_uri(&root.join("good.py"));
    child_env.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": good, "languageId": "python", "version": 1, "text": SOURCE}}),
    );
    assert_eq!(child_env.diagnostics(&good, 1).len(), 2);
    assert!(child_env.finish().success());
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

/// Rewrites a settings file so that its modification time surely changes.
fn rewrite(path: &Path, text: &str) {
    let before = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    loop {
        std::fs::write(path, text).unwrap();
        if std::fs::metadata(path).and_then(|m| m.modified()).ok() != before {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn settings_apply_and_are_read_again_when_they_change() {
    let (_dir, root) = project();
    let settings = root.join("pyproject.toml");
    std::fs::write(
        &settings,
        "[tool.arraylint]\nignore = [\"AL602\"]\nextend-exclude = [\"generated.py\"]\n",
    )
    .unwrap();
    let mut client = Client::start(&root);
    client.initialize(&root, &[]);
    let uri = file_uri(&root.join("wrapper.py"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": SOURCE}}),
    );
    assert_eq!(codes(&client.diagnostics(&uri, 1)), ["AL102"]);

    // An excluded file gets nothing, as with `check --force-exclude`.
    let generated = file_uri(&root.join("generated.py"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": generated, "languageId": "python", "version": 1, "text": SOURCE}}),
    );
    assert_eq!(client.diagnostics(&generated, 1), Vec::<Value>::new());

    // The client reports the change: every open document is checked again.
    rewrite(&settings, "[tool.arraylint]\nignore = [\"AL102\"]\n");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&settings), "type": 2}]}),
    );
    assert_eq!(codes(&client.diagnostics(&uri, 1)), ["AL602"]);
    assert_eq!(codes(&client.diagnostics(&generated, 1)), ["AL602"]);

    // A client that watches nothing: the next check sees the file's new modification time.
    rewrite(&settings, "[tool.arraylint]\nselect = [\"AL1\"]\n");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": SOURCE}]}),
    );
    assert_eq!(codes(&client.diagnostics(&uri, 2)), ["AL102"]);

    // Settings that cannot be read (here a nearer file, below the root's): shown once, and
    // nothing is reported meanwhile.
    std::fs::create_dir(root.join("sub")).unwrap();
    let settings = root.join("sub").join("arraylint.toml");
    std::fs::write(&settings, "select = [\"AL1\"]\n").unwrap();
    let uri = file_uri(&root.join("sub").join("nested.py"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 2, "text": SOURCE}}),
    );
    assert_eq!(codes(&client.diagnostics(&uri, 2)), ["AL102"]);
    rewrite(&settings, "select = [\"AL1\"\n");
    for version in [3, 4] {
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": SOURCE}]}),
        );
        assert_eq!(client.diagnostics(&uri, version), Vec::<Value>::new());
    }
    let shown: Vec<&Value> = client
        .backlog
        .iter()
        .filter(|m| m["method"] == "window/showMessage")
        .collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0]["params"]["message"]
            .as_str()
            .unwrap()
            .contains("arraylint.toml"),
        "{shown:?}"
    );

    // Repaired, again without the client saying so.
    rewrite(&settings, "select = [\"AL6\"]\n");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 5}, "contentChanges": [{"text": SOURCE}]}),
    );
    assert_eq!(codes(&client.diagnostics(&uri, 5)), ["AL602"]);
    assert!(client.finish().success());
}

/// Cython documents (`languageId` `cython`, or `pyrex` as some editors name `.pyx`) are
/// checked as `arraylint check` checks a `.pyx` file: through its projection, with
/// positions in the Cython text. A document of another language is not checked.
#[test]
fn cython_documents_get_diagnostics() {
    const CYTHON: &str = "from libc.stdlib cimport malloc\n\ncdef class Wrapper:\n    cdef double *data\n\n    def __array__(self, dtype=None):\n        return np.asarray(<double[:4]>self.data)\n";
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    client.initialize(&root, &[]);
    let expected = al101_position(CYTHON);
    for (name, language) in [("wrapper.pyx", "cython"), ("wrapper.pxi", "pyrex")] {
        let uri = file_uri(&root.join(name));
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": CYTHON}}),
        );
        let published = client.diagnostics(&uri, 1);
        assert_eq!(codes(&published), ["AL101"], "{name}: {published:?}");
        assert_eq!(published[0]["range"]["start"], expected, "{name}");
    }
    // An unsaved Cython buffer is checked as Cython too.
    let untitled = "untitled:Untitled-1";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": untitled, "languageId": "cython", "version": 1, "text": CYTHON}}),
    );
    assert_eq!(codes(&client.diagnostics(untitled, 1)), ["AL101"]);
    // Another language, under a name that is not Python's or Cython's: nothing.
    let other = file_uri(&root.join("notes.txt"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": other, "languageId": "plaintext", "version": 1, "text": CYTHON}}),
    );
    assert_eq!(client.diagnostics(&other, 1), Vec::<Value>::new());
    assert!(client.finish().success());
}

/// Where AL101 starts in the Cython text above: the name of `__array__` (line 5, UTF-16
/// and UTF-8 agree on this ASCII text).
fn al101_position(text: &str) -> Value {
    position_of(text, text.find("__array__").unwrap(), "utf-16")
}

/// LSP 3.17 notebook sync, as VS Code sends it: the cells come and go with the notebook,
/// the notebook is checked as one text (a class in one cell, its use in another), and
/// diagnostics are published per cell, at their place in the cell.
#[test]
fn notebook_documents_get_diagnostics_per_cell() {
    let (_dir, root) = project();
    let notebook = file_uri(&root.join("nb.ipynb"));
    let cell = |n: usize| {
        format!(
            "vscode-notebook-cell:{}#ch{n}",
            root.join("nb.ipynb").display()
        )
    };
    let mut client = Client::start(&root);
    let init = client.initialize(&root, &["utf-16"]);
    let sync = &init["result"]["capabilities"]["notebookDocumentSync"];
    assert_eq!(
        sync["notebookSelector"][0]["notebook"]["notebookType"], "jupyter-notebook",
        "{init}"
    );
    assert_eq!(
        sync["notebookSelector"][0]["cells"][0]["language"],
        "python"
    );

    let first = "import numpy as np\n%matplotlib inline\n!pip install numpy";
    let second = "class Wrapper:\n    def __array__(self):\n        return np.zeros(3)\n";
    let markdown = "Prose about `def __array__(self):`";
    let cells = [
        (cell(0), 2, "python", first),
        (cell(1), 1, "markdown", markdown),
        (cell(2), 2, "python", second),
    ];
    client.notify(
        "notebookDocument/didOpen",
        json!({
            "notebookDocument": {
                "uri": notebook, "notebookType": "jupyter-notebook", "version": 1,
                "cells": cells.iter().map(|(uri, kind, _, _)| json!({"kind": kind, "document": uri})).collect::<Vec<_>>(),
            },
            "cellTextDocuments": cells.iter().map(|(uri, _, language, text)| json!({
                "uri": uri, "languageId": language, "version": 1, "text": text,
            })).collect::<Vec<_>>(),
        }),
    );
    // The IPython lines of cell 0 are not Python and are not reported; the markdown cell
    // is not read; cell 2's `__array__` is reported on its own line 1.
    assert!(client.diagnostics(&cell(0), 1).is_empty());
    assert!(client.diagnostics(&cell(1), 1).is_empty());
    let in_cell = client.diagnostics(&cell(2), 1);
    let found: Vec<(&str, &Value)> = in_cell
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), &d["range"]["start"]))
        .collect();
    assert_eq!(
        found,
        [
            ("AL101", &json!({"line": 1, "character": 8})),
            ("AL102", &json!({"line": 1, "character": 8})),
        ]
    );

    // Fix the signature in cell 2 (a cell text change), and add a cell that calls a
    // descriptor (a structure change): each cell gets its own list.
    let third = "class I:\n    @property\n    def __array_interface__(self):\n        return {'shape': (1,), 'typestr': '<f8', 'data': (1, False), 'version': 3}\n\nI().__array_interface__()";
    client.notify(
        "notebookDocument/didChange",
        json!({
            "notebookDocument": {"uri": notebook, "version": 2},
            "change": {"cells": {
                "structure": {
                    "array": {"start": 3, "deleteCount": 0, "cells": [{"kind": 2, "document": cell(3)}]},
                    "didOpen": [{"uri": cell(3), "languageId": "python", "version": 1, "text": third}],
                },
                "textContent": [{
                    "document": {"uri": cell(2), "version": 2},
                    "changes": [{
                        "range": {"start": {"line": 1, "character": 22}, "end": {"line": 1, "character": 22}},
                        "text": ", dtype=None, copy=None",
                    }],
                }],
            }},
        }),
    );
    let codes = |diagnostics: &[Value]| -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_owned())
            .collect()
    };
    // AL104 (copy accepted, never read) is what remains in cell 2.
    assert_eq!(codes(&client.diagnostics(&cell(2), 2)), ["AL104"]);
    let new_cell = client.diagnostics(&cell(3), 1);
    assert_eq!(codes(&new_cell), ["AL601"]);
    assert_eq!(
        new_cell[0]["range"]["start"],
        json!({"line": 5, "character": 0})
    );

    // Closing clears every cell.
    client.notify(
        "notebookDocument/didClose",
        json!({
            "notebookDocument": {"uri": notebook},
            "cellTextDocuments": [{"uri": cell(0)}, {"uri": cell(1)}, {"uri": cell(2)}, {"uri": cell(3)}],
        }),
    );
    let cleared = client.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == cell(2).as_str()
            && m["params"]["version"].is_null()
    });
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    assert!(client.finish().success());
}
