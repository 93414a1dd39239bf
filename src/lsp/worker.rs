//! The background check: documents are linted off the message loop, and a result is
//! published only if no newer text of the document arrived meanwhile.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use lsp_server::{Message, Notification};
use lsp_types::notification::{Notification as _, PublishDiagnostics};
use lsp_types::{PublishDiagnosticsParams, Url};

use ruff_text_size::{TextRange, TextSize};

use super::documents::Document;
use super::engine::{self, Checked, Workspace};
use super::notebooks::CellSlice;
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

    /// Forgets a closed document without publishing for it (a notebook, whose
    /// diagnostics were its cells').
    pub fn forget(&self, uri: &Url) {
        self.latest().remove(uri);
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
    /// For a notebook: `document` is its joined Python text, and these are its cells, to
    /// which the diagnostics are published.
    pub cells: Option<Arc<Vec<CellSlice>>>,
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
    if let Some(cells) = &job.cells {
        return publish_to_cells(shared, &job, cells, &diagnostics);
    }
    let converted = engine::to_lsp_diagnostics(&job.document, &diagnostics, shared.encoding);
    let latest = shared.latest();
    if latest.get(&job.uri) == Some(&job.document.generation) {
        shared.send(publish(job.uri, converted, Some(job.document.version)));
    }
}

/// A notebook's diagnostics, each to the cell it starts in, at its place in the cell.
/// Every cell gets its list (an empty one clears what an earlier check published).
fn publish_to_cells(
    shared: &Shared,
    job: &Job,
    cells: &[CellSlice],
    diagnostics: &[crate::diagnostic::Diagnostic],
) {
    let mut messages = Vec::with_capacity(cells.len());
    for cell in cells {
        let mut converted = Vec::new();
        if let Some((start, len)) = cell.span {
            let (start, end) = (start as u32, (start + len) as u32);
            for diagnostic in diagnostics {
                let at = diagnostic.range.start().to_u32();
                // The newline after a cell's last line is the cell's too.
                if at < start || at > end {
                    continue;
                }
                let mut in_cell = diagnostic.clone();
                let clamp = |offset: u32| TextSize::new(offset.clamp(start, end) - start);
                in_cell.range = TextRange::new(
                    clamp(diagnostic.range.start().to_u32()),
                    clamp(diagnostic.range.end().to_u32()),
                );
                converted.push(engine::to_lsp_diagnostic(
                    &cell.document,
                    &in_cell,
                    shared.encoding,
                ));
            }
        }
        messages.push(publish(
            cell.uri.clone(),
            converted,
            Some(cell.document.version),
        ));
    }
    let latest = shared.latest();
    if latest.get(&job.uri) == Some(&job.document.generation) {
        for message in messages {
            shared.send(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::documents::DocumentStore;
    use lsp_types::TextDocumentContentChangeEvent;
    use std::sync::mpsc;

    const VIOLATION: &str = "class A:\n    def __array__(self, dtype=None):\n        return 1\n";

    #[test]
    fn work_on_replaced_text_is_dropped() {
        let (out, frames) = mpsc::channel();
        let shared = Shared::new(out, Encoding::Utf16, Workspace::new(Vec::new()));
        let uri = Url::parse("file:///nowhere/a.py").unwrap();
        let mut store = DocumentStore::default();
        let old = store
            .open(uri.clone(), VIOLATION.into(), 1, "python".into())
            .clone();
        let change = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: String::new(),
        };
        let new = store
            .change(&uri, 2, vec![change], Encoding::Utf16)
            .unwrap()
            .clone();
        shared.set_latest(&uri, new.generation);

        check_and_publish(
            &shared,
            Job {
                uri: uri.clone(),
                document: old,
                cells: None,
            },
        );
        assert!(
            frames.try_recv().is_err(),
            "a result for replaced text was published"
        );

        check_and_publish(
            &shared,
            Job {
                uri: uri.clone(),
                document: new,
                cells: None,
            },
        );
        let frame = String::from_utf8(frames.try_recv().unwrap()).unwrap();
        assert!(frame.contains("\"version\":2"), "{frame}");
        assert!(frame.contains("\"diagnostics\":[]"), "{frame}");
    }

    #[test]
    fn queued_jobs_coalesce_to_the_newest_per_document() {
        let (out, frames) = mpsc::channel();
        let shared = Arc::new(Shared::new(
            out,
            Encoding::Utf16,
            Workspace::new(Vec::new()),
        ));
        let uri = Url::parse("file:///nowhere/a.py").unwrap();
        let mut store = DocumentStore::default();
        let (jobs, queue) = mpsc::channel();
        for version in 1..=5 {
            let document = store
                .open(
                    uri.clone(),
                    VIOLATION.repeat(version),
                    version as i32,
                    "python".into(),
                )
                .clone();
            shared.set_latest(&uri, document.generation);
            jobs.send(Job {
                uri: uri.clone(),
                document,
                cells: None,
            })
            .unwrap();
        }
        drop(jobs);
        run(Arc::clone(&shared), queue);
        let published: Vec<String> = frames
            .try_iter()
            .map(|f| String::from_utf8(f).unwrap())
            .collect();
        assert_eq!(published.len(), 1, "{published:?}");
        assert!(published[0].contains("\"version\":5"), "{}", published[0]);
        assert_eq!(published[0].matches("\"code\":\"AL101\"").count(), 5);
    }
}
