//! The language server (`arraylint server`): LSP over stdio.
//!
//! Threads: the message loop (this module) reads frames, keeps the documents and answers
//! requests; a worker (`worker`) lints documents and publishes diagnostics; a writer owns
//! the output. Every check runs the same `lint_source` as the CLI, with the rules that the
//! same settings resolution gives for the document's path.

mod actions;
mod documents;
mod engine;
mod hover;
mod noqa;
mod notebooks;
mod position;
mod transport;
mod worker;

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;

use anyhow::{bail, Context as _};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern,
    HoverProviderCapability, InitializeParams, InitializeResult, MessageType, Registration,
    RegistrationParams, SaveOptions, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use documents::DocumentStore;
use engine::Workspace;
use position::Encoding;
use transport::{Incoming, Reader};
use worker::{Job, Shared};

/// The kind of the fix-all source action, as editors name it in `codeActionsOnSave`.
pub const FIX_ALL_KIND: &str = "source.fixAll.arraylint";

/// The check recurses as deeply as the CLI's, which gives its threads this much stack.
const CHECK_STACK_SIZE: usize = 64 * 1024 * 1024;

/// Settings files whose change makes the server re-read the settings.
const SETTINGS_FILES: [&str; 3] = ["pyproject.toml", "arraylint.toml", ".arraylint.toml"];

/// Serve one LSP session on stdin/stdout. Returns an error when the session ends without
/// the `shutdown` request that the protocol asks for before `exit`.
pub fn run_stdio() -> anyhow::Result<()> {
    let stdin = io::stdin();
    serve(stdin.lock(), io::stdout())
}

/// Serve one session on any pair of streams.
pub fn serve(input: impl BufRead, output: impl Write + Send + 'static) -> anyhow::Result<()> {
    let (out, frames) = mpsc::channel::<Vec<u8>>();
    let writer = thread::Builder::new()
        .name("arraylint-lsp-writer".to_owned())
        .spawn(move || {
            let mut output = output;
            for bytes in frames {
                transport::write_frame(&mut output, &bytes)?;
            }
            io::Result::Ok(())
        })
        .context("cannot start the writer thread")?;

    let outcome = session(Reader::new(input), out);
    // The writer ends once every sender is gone (the session's and the worker's).
    match writer.join() {
        Ok(Ok(())) => {}
        Ok(Err(error)) => eprintln!("arraylint server: writing to the client failed: {error}"),
        Err(_) => eprintln!("arraylint server: the writer thread panicked"),
    }
    outcome
}

fn send(out: &mpsc::Sender<Vec<u8>>, message: Message) {
    match transport::frame(&message) {
        Ok(bytes) => drop(out.send(bytes)),
        Err(error) => eprintln!("arraylint server: cannot encode a message: {error}"),
    }
}

fn answer_malformed(
    out: &mpsc::Sender<Vec<u8>>,
    id: Option<&RequestId>,
    code: ErrorCode,
    reason: &str,
) {
    eprintln!("arraylint server: malformed message: {reason}");
    drop(out.send(transport::error_frame(id, code, reason)));
}

/// Waits for `initialize`, then runs the main loop until `exit` or the end of input.
fn session<R: BufRead>(mut reader: Reader<R>, out: mpsc::Sender<Vec<u8>>) -> anyhow::Result<()> {
    let (id, params) = loop {
        let Some(incoming) = reader.read().context("reading from the client")? else {
            bail!("the client closed the connection before initializing");
        };
        match incoming {
            Incoming::Malformed { id, code, reason } => {
                answer_malformed(&out, id.as_ref(), code, &reason)
            }
            Incoming::Message(Message::Request(request))
                if request.method == req::Initialize::METHOD =>
            {
                match serde_json::from_value::<InitializeParams>(request.params) {
                    Ok(params) => break (request.id, params),
                    Err(error) => send(
                        &out,
                        Message::Response(Response::new_err(
                            request.id,
                            ErrorCode::InvalidParams as i32,
                            format!("invalid initialize params: {error}"),
                        )),
                    ),
                }
            }
            Incoming::Message(Message::Request(request)) => send(
                &out,
                Message::Response(Response::new_err(
                    request.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized".to_owned(),
                )),
            ),
            Incoming::Message(Message::Notification(n)) if n.method == notif::Exit::METHOD => {
                bail!("exit before initialize");
            }
            // Other notifications before initialization are dropped, as the protocol says.
            Incoming::Message(_) => {}
        }
    };

    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_deref()),
    );
    let watch_settings = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.did_change_watched_files.as_ref())
        .and_then(|watched| watched.dynamic_registration)
        .unwrap_or(false);
    send(
        &out,
        Message::Response(Response::new_ok(id, initialize_response(encoding))),
    );

    let shared = Arc::new(Shared::new(
        out.clone(),
        encoding,
        Workspace::new(workspace_roots(&params)),
    ));
    let (jobs, queue) = mpsc::channel::<Job>();
    let worker = {
        let shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("arraylint-lsp-check".to_owned())
            .stack_size(CHECK_STACK_SIZE)
            .spawn(move || worker::run(shared, queue))
            .context("cannot start the check thread")?
    };

    let mut server = Server {
        shared,
        jobs,
        documents: DocumentStore::default(),
        notebooks: notebooks::Notebooks::default(),
        shutdown_requested: false,
        watch_settings,
        next_request: 0,
    };
    let outcome = server.main_loop(&mut reader);
    drop(server);
    if worker.join().is_err() {
        eprintln!("arraylint server: the check thread panicked");
    }
    outcome
}

/// The `initialize` result, with the notebook sync capability lsp-types has no field for.
fn initialize_response(encoding: Encoding) -> Value {
    let mut result = serde_json::to_value(initialize_result(encoding)).unwrap_or_default();
    if let Some(capabilities) = result
        .get_mut("capabilities")
        .and_then(Value::as_object_mut)
    {
        capabilities.insert(
            "notebookDocumentSync".to_owned(),
            notebooks::sync_capability(),
        );
    }
    result
}

fn initialize_result(encoding: Encoding) -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(encoding.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    will_save: None,
                    will_save_wait_until: None,
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new(FIX_ALL_KIND),
                ]),
                work_done_progress_options: Default::default(),
                resolve_provider: Some(false),
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "arraylint".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    }
}

/// The workspace folders, else the root URI, else the root path (older clients).
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        let roots: Vec<PathBuf> = folders
            .iter()
            .filter_map(|f| documents::file_path(&f.uri))
            .collect();
        if !roots.is_empty() {
            return roots;
        }
    }
    #[allow(deprecated)] // rootUri and rootPath are what clients without folders send.
    let root = params
        .root_uri
        .as_ref()
        .and_then(documents::file_path)
        .or_else(|| params.root_path.as_ref().map(PathBuf::from));
    root.into_iter().collect()
}

/// Shows an error to the user (a settings file that cannot be read), and logs it.
fn show_error(shared: &Shared, message: &str) {
    eprintln!("arraylint server: {message}");
    shared.send(Message::Notification(Notification::new(
        notif::ShowMessage::METHOD.to_owned(),
        ShowMessageParams {
            typ: MessageType::ERROR,
            message: message.to_owned(),
        },
    )));
}

/// Logs an error in the client's output and on stderr.
fn log_error(shared: &Shared, message: &str) {
    eprintln!("arraylint server: {message}");
    shared.send(Message::Notification(Notification::new(
        notif::LogMessage::METHOD.to_owned(),
        ShowMessageParams {
            typ: MessageType::ERROR,
            message: message.to_owned(),
        },
    )));
}

struct Server {
    shared: Arc<Shared>,
    jobs: mpsc::Sender<Job>,
    documents: DocumentStore,
    notebooks: notebooks::Notebooks,
    shutdown_requested: bool,
    watch_settings: bool,
    next_request: i32,
}

/// What the main loop does after a message.
enum Flow {
    Continue,
    Exit,
}

impl Server {
    fn main_loop<R: BufRead>(&mut self, reader: &mut Reader<R>) -> anyhow::Result<()> {
        loop {
            let incoming = match reader.read() {
                Ok(Some(incoming)) => incoming,
                Ok(None) => break,
                Err(error) => return Err(error).context("reading from the client"),
            };
            let flow = match incoming {
                Incoming::Malformed { id, code, reason } => {
                    answer_malformed(&self.shared.out, id.as_ref(), code, &reason);
                    Flow::Continue
                }
                Incoming::Message(Message::Request(request)) => {
                    self.on_request(request);
                    Flow::Continue
                }
                Incoming::Message(Message::Notification(notification)) => {
                    self.on_notification(notification)
                }
                // Replies to our own requests (capability registration) need no action.
                Incoming::Message(Message::Response(_)) => Flow::Continue,
            };
            if let Flow::Exit = flow {
                break;
            }
        }
        if self.shutdown_requested {
            Ok(())
        } else {
            bail!("the session ended without a shutdown request")
        }
    }

    fn respond(&self, response: Response) {
        self.shared.send(Message::Response(response));
    }

    fn on_request(&mut self, request: Request) {
        let id = request.id.clone();
        if self.shutdown_requested {
            return self.respond(Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_owned(),
            ));
        }
        let result: Result<Value, (ErrorCode, String)> = match request.method.as_str() {
            req::Shutdown::METHOD => {
                self.shutdown_requested = true;
                Ok(Value::Null)
            }
            req::CodeActionRequest::METHOD => self.handle(request.params, |server, params| {
                actions::code_actions(server.context(), params)
            }),
            req::HoverRequest::METHOD => self.handle(request.params, |server, params| {
                hover::hover(server.context(), params)
            }),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("unknown method {}", request.method),
            )),
        };
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.respond(response);
    }

    /// Decodes a request's params and runs its handler; a panic in the handler becomes an
    /// internal error, and the server goes on.
    fn handle<P: DeserializeOwned, T: serde::Serialize>(
        &self,
        params: Value,
        handler: impl FnOnce(&Server, P) -> T,
    ) -> Result<Value, (ErrorCode, String)> {
        let params: P = serde_json::from_value(params)
            .map_err(|error| (ErrorCode::InvalidParams, format!("invalid params: {error}")))?;
        let result = engine::contain(|| handler(self, params)).ok_or_else(|| {
            (
                ErrorCode::InternalError,
                "the request failed; see the server's log".to_owned(),
            )
        })?;
        serde_json::to_value(result).map_err(|error| (ErrorCode::InternalError, error.to_string()))
    }

    fn context(&self) -> RequestContext<'_> {
        RequestContext {
            documents: &self.documents,
            workspace: &self.shared.workspace,
            encoding: self.shared.encoding,
        }
    }

    fn on_notification(&mut self, notification: Notification) -> Flow {
        let method = notification.method.clone();
        let outcome = match method.as_str() {
            notif::Exit::METHOD => return Flow::Exit,
            notif::DidOpenTextDocument::METHOD => {
                decode(notification).map(|p: lsp_types::DidOpenTextDocumentParams| {
                    let doc = p.text_document;
                    self.documents
                        .open(doc.uri.clone(), doc.text, doc.version, doc.language_id);
                    self.schedule(&doc.uri);
                })
            }
            notif::DidChangeTextDocument::METHOD => {
                decode(notification).map(|p: lsp_types::DidChangeTextDocumentParams| {
                    let uri = p.text_document.uri;
                    let version = p.text_document.version;
                    if self
                        .documents
                        .change(&uri, version, p.content_changes, self.shared.encoding)
                        .is_some()
                    {
                        self.schedule(&uri);
                    }
                })
            }
            notif::DidSaveTextDocument::METHOD => {
                decode(notification).map(|p: lsp_types::DidSaveTextDocumentParams| {
                    if is_settings_file(&p.text_document.uri) {
                        self.reload_settings();
                    } else {
                        self.schedule(&p.text_document.uri);
                    }
                })
            }
            notif::DidCloseTextDocument::METHOD => {
                decode(notification).map(|p: lsp_types::DidCloseTextDocumentParams| {
                    if self.documents.close(&p.text_document.uri).is_some() {
                        self.shared.close(&p.text_document.uri);
                    }
                })
            }
            notebooks::DID_OPEN => decode(notification).map(|p: notebooks::DidOpenParams| {
                let uri = self.notebooks.open(p, &mut self.documents);
                self.schedule_notebook(&uri);
            }),
            notebooks::DID_CHANGE => decode(notification).map(|p: notebooks::DidChangeParams| {
                let encoding = self.shared.encoding;
                if let Some((uri, closed)) = self.notebooks.change(p, &mut self.documents, encoding)
                {
                    for cell in closed {
                        self.shared.close(&cell);
                    }
                    self.schedule_notebook(&uri);
                }
            }),
            notebooks::DID_CLOSE => decode(notification).map(|p: notebooks::DidCloseParams| {
                let notebook = p.notebook_uri().clone();
                for cell in self.notebooks.close(p, &mut self.documents) {
                    self.shared.close(&cell);
                }
                self.shared.forget(&notebook);
            }),
            notebooks::DID_SAVE => Ok(()),
            notif::DidChangeWatchedFiles::METHOD => {
                decode(notification).map(|p: lsp_types::DidChangeWatchedFilesParams| {
                    if p.changes.iter().any(|change| is_settings_file(&change.uri)) {
                        self.reload_settings();
                    }
                })
            }
            notif::Initialized::METHOD => {
                self.register_settings_watcher();
                Ok(())
            }
            // $/cancelRequest, $/setTrace, workspace/didChangeConfiguration ...: nothing to do.
            _ => Ok(()),
        };
        if let Err(error) = outcome {
            eprintln!("arraylint server: ignoring {method}: {error}");
        }
        Flow::Continue
    }

    /// Queues a check of the notebook's current cells as one text.
    fn schedule_notebook(&mut self, uri: &Url) {
        let generation = self.documents.bump();
        let Some(check) = self.notebooks.check_of(uri, &self.documents, generation) else {
            return;
        };
        self.shared.set_latest(uri, generation);
        drop(self.jobs.send(Job {
            uri: check.uri,
            document: check.document,
            cells: Some(check.cells),
        }));
    }

    /// Queues a check of the document's current text; older queued or running work on it
    /// becomes stale.
    fn schedule(&self, uri: &Url) {
        let Some(document) = self.documents.get(uri) else {
            return;
        };
        self.shared.set_latest(uri, document.generation);
        drop(self.jobs.send(Job {
            uri: uri.clone(),
            document: document.clone(),
            cells: None,
        }));
    }

    fn reload_settings(&mut self) {
        self.shared.workspace.reload();
        let uris: Vec<Url> = self.documents.uris().cloned().collect();
        for uri in uris {
            // A new generation, so that checks under the old settings are dropped.
            self.documents.touch(&uri);
            self.schedule(&uri);
        }
    }

    fn register_settings_watcher(&mut self) {
        if !self.watch_settings {
            return;
        }
        let watchers = SETTINGS_FILES
            .iter()
            .map(|name| FileSystemWatcher {
                glob_pattern: GlobPattern::String(format!("**/{name}")),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "arraylint-settings".to_owned(),
            method: notif::DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        self.next_request += 1;
        self.shared.send(Message::Request(Request::new(
            RequestId::from(format!("arraylint-{}", self.next_request)),
            req::RegisterCapability::METHOD.to_owned(),
            RegistrationParams {
                registrations: vec![registration],
            },
        )));
    }
}

fn decode<P: DeserializeOwned>(notification: Notification) -> Result<P, serde_json::Error> {
    serde_json::from_value(notification.params)
}

fn is_settings_file(uri: &Url) -> bool {
    let name = uri.path().rsplit('/').next().unwrap_or_default();
    SETTINGS_FILES.contains(&name)
}

/// What a request handler may read.
pub(crate) struct RequestContext<'a> {
    pub documents: &'a DocumentStore,
    pub workspace: &'a Workspace,
    pub encoding: Encoding,
}
