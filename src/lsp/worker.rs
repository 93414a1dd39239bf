//! The background check: documents are linted off the message loop, and a result is
//! published only if no newer text of the document arrived meanwhile.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use lsp_server::{Message, Notification};
use lsp_types::notification::{Notification as _, PublishDiagnostics};
use lsp_types::{PublishDiagnosticsParams, Url};

use super::documents::Document;
use super::engine::{self, Checked, Workspace};
use super::position::Encoding;
use super::{log_error, show_error, transport};

/// State the message loop and the worker share.
pub struct Shared {
    /// Framed messages for the writer thread.
    pub out: Sender<Vec<u8>>,
    pub encoding: Encoding,
    pub workspace: Workspace,
    /// The generation of each open document's newest text. Publishing happens while this
    /// lock is held, so that a result for older text can never follow one for newer text.
    latest: Mutex<HashMap<Url, u64>>,
}

impl Shared {
    pub fn new(out: Sender<Vec<u8>>, encoding: Encoding, workspace: Workspace) -> Self {
        Shared {
            out,
            encoding,
            workspace,
            latest: Mutex::new(HashMap::new()),
        }
    }

    fn latest(&self) -> MutexGuard<'_, HashMap<Url, u64>> {
        // A panic elsewhere never leaves the map half-updated (single inserts/removes).
        self.latest.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `generation` as the newest text of `uri`; earlier work becomes stale.
    pub fn set_latest(&self, uri: &Url, generation: u64) {
        self.latest().insert(uri.clone(), generation);
    }

    /// Forgets a closed document and clears its diagnostics in the client.
    pub fn close(&self, uri: &Url) {
        let mut latest = self.latest();
        latest.remove(uri);
        self.send(publish(uri.clone(), Vec::new(), None));
    }

    pub fn send(&self, message: Message) {
        match transport::frame(&message) {
            // The writer is gone only when the session is ending.
            Ok(bytes) => drop(self.out.send(bytes)),
            Err(error) => eprintln!("arraylint server: cannot encode a message: {error}"),
        }
    }
}

pub struct Job {
    pub uri: Url,
    pub document: Document,
}

fn publish(uri: Url, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) -> Message {
    Message::Notification(Notification::new(
        PublishDiagnostics::METHOD.to_owned(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    ))
}

/// Runs until every sender of `jobs` is gone.
pub fn run(shared: Arc<Shared>, jobs: Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        // Coalesce: of all the jobs already queued, only the newest per document matters.
        let mut newest: Vec<Job> = vec![first];
        while let Ok(job) = jobs.try_recv() {
            newest.retain(|queued| queued.uri != job.uri);
            newest.push(job);
        }
        for job in newest {
            check_and_publish(&shared, job);
        }
    }
}

fn is_current(shared: &Shared, job: &Job) -> bool {
    shared.latest().get(&job.uri) == Some(&job.document.generation)
}

fn check_and_publish(shared: &Shared, job: Job) {
    if !is_current(shared, &job) {
        return;
    }
    let diagnostics = match engine::check(&shared.workspace, &job.uri, &job.document) {
        Checked::Diagnostics(diagnostics) => diagnostics,
        Checked::SettingsError(message) => {
            if shared.workspace.first_report(&message) {
                show_error(shared, &format!("arraylint: {message}"));
            }
            Vec::new()
        }
        Checked::Failed => {
            log_error(
                shared,
                &format!(
                    "checking {} failed (a bug in arraylint); see the server's stderr",
                    job.uri
                ),
            );
            return;
        }
    };
    let converted = engine::to_lsp_diagnostics(&job.document, &diagnostics, shared.encoding);
    let latest = shared.latest();
    if latest.get(&job.uri) == Some(&job.document.generation) {
        shared.send(publish(job.uri, converted, Some(job.document.version)));
    }
}
