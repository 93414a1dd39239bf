//! The file walk. PROVISIONAL: the settings branch replaces this file (same API).

use std::path::{Path, PathBuf};

use crate::settings::Resolver;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    File(PathBuf),
    Error { path: PathBuf, message: String },
}

#[derive(Debug)]
pub enum DiscoverError {
    Missing(PathBuf),
}

impl std::fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiscoverError::Missing(p) => write!(f, "{}: No such file or directory", p.display()),
        }
    }
}

pub fn discover(paths: &[PathBuf], _resolver: &Resolver) -> Result<Vec<Candidate>, DiscoverError> {
    let mut out = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(DiscoverError::Missing(path.clone()));
        }
        if path.is_file() {
            out.push(Candidate::File(path.clone()));
            continue;
        }
        for entry in ignore::WalkBuilder::new(path).build() {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    if p.is_file() && p.extension().is_some_and(|x| x == "py" || x == "pyi") {
                        out.push(Candidate::File(p.to_path_buf()));
                    }
                }
                Err(e) => out.push(Candidate::Error {
                    path: path.clone(),
                    message: e.to_string(),
                }),
            }
        }
    }
    out.sort_by(|a, b| key(a).cmp(key(b)));
    Ok(out)
}

fn key(c: &Candidate) -> &Path {
    match c {
        Candidate::File(p) | Candidate::Error { path: p, .. } => p,
    }
}
