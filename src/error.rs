//! Crate-wide error types: user errors (bad input, exit code 2) kept apart from internal faults.

use std::fmt;
use std::path::{Path, PathBuf};

/// A crate result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Something the user can fix: bad input, a missing index, a malformed query.
///
/// The binary prints these as one line and exits with code 2.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// A line of an input file is invalid.
    #[error("{file}:{line}: {message}")]
    BadLine {
        file: PathBuf,
        line: usize,
        message: String,
    },
    /// A whole input file is invalid or unreadable.
    #[error("{path}: {message}")]
    BadFile { path: PathBuf, message: String },
    /// No index at the given path.
    #[error("no index at {0} (build one with `shoptalk index --corpus corpora/NAME --index {0}`)")]
    MissingIndex(PathBuf),
    /// Another process holds the index writer lock.
    #[error("index {0} is locked by another writer (is another `shoptalk index` running?)")]
    IndexLocked(PathBuf),
    /// The query does not parse.
    #[error("invalid query {query:?}: {message}")]
    BadQuery { query: String, message: String },
    /// A bad argument or option value.
    #[error("{0}")]
    Invalid(String),
}

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's fault: fix the input and try again.
    #[error(transparent)]
    User(#[from] UserError),
    /// An I/O fault on a path the program manages itself.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The search engine failed.
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A bug or an unexpected state.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Whether the user can fix this (exit code 2) rather than an internal fault (exit code 1).
    pub fn is_user(&self) -> bool {
        matches!(self, Error::User(_))
    }

    /// A bad-argument user error.
    pub fn invalid(message: impl fmt::Display) -> Self {
        Error::User(UserError::Invalid(message.to_string()))
    }

    /// A user error about a whole file.
    pub fn bad_file(path: &Path, message: impl fmt::Display) -> Self {
        Error::User(UserError::BadFile {
            path: path.to_path_buf(),
            message: message.to_string(),
        })
    }

    /// A user error about one line of a file (1-based).
    pub fn bad_line(path: &Path, line: usize, message: impl fmt::Display) -> Self {
        Error::User(UserError::BadLine {
            file: path.to_path_buf(),
            line,
            message: message.to_string(),
        })
    }

    /// An I/O error on a path the user named: missing or unreadable files are the user's to fix.
    pub fn user_io(path: &Path, err: std::io::Error) -> Self {
        use std::io::ErrorKind::*;
        match err.kind() {
            NotFound | PermissionDenied | InvalidData | IsADirectory | NotADirectory => {
                Error::bad_file(path, err)
            }
            _ => Error::Io {
                path: path.to_path_buf(),
                source: err,
            },
        }
    }

    /// An I/O error on a path the program manages.
    pub fn io(path: &Path, err: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source: err,
        }
    }
}
