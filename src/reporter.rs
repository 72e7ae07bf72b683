//! Progress reporting: the library reports through this trait and never prints; the CLI draws bars, tests stay quiet.

/// Receives progress from long-running library work.
pub trait Reporter: Send + Sync {
    /// A task starts; `total` is its size in the unit of `advance` when known.
    fn start(&self, _task: &str, _total: Option<u64>) {}
    /// `n` more units are done.
    fn advance(&self, _n: u64) {}
    /// A status message to show beside the progress (such as counts so far).
    fn message(&self, _msg: &str) {}
    /// The task is over.
    fn finish(&self) {}
    /// Something the user should know that does not stop the work.
    fn warn(&self, _msg: &str) {}
}

/// A reporter that drops everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Reporter for Silent {}
