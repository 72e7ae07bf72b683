//! Progress bars on stderr (indicatif), shown only on a terminal and never with --quiet.

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::reporter::Reporter;

/// A [`Reporter`] that draws an indicatif bar on stderr when it is a terminal.
pub struct BarReporter {
    quiet: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl BarReporter {
    /// A reporter; `quiet` hides bars and warnings.
    pub fn new(quiet: bool) -> Self {
        BarReporter {
            quiet,
            bar: Mutex::new(None),
        }
    }

    /// Whether summaries should be printed on stderr.
    pub fn verbose(&self) -> bool {
        !self.quiet
    }
}

impl Reporter for BarReporter {
    fn start(&self, task: &str, total: Option<u64>) {
        let bar = match total {
            Some(t) => ProgressBar::new(t).with_style(
                ProgressStyle::with_template(
                    "{prefix:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner(),
        };
        bar.set_prefix(task.to_string());
        if self.quiet {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        } else {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        *self.bar.lock().expect("bar lock") = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Some(b) = &*self.bar.lock().expect("bar lock") {
            b.inc(n);
        }
    }

    fn message(&self, msg: &str) {
        if let Some(b) = &*self.bar.lock().expect("bar lock") {
            b.set_message(msg.to_string());
        }
    }

    fn finish(&self) {
        if let Some(b) = self.bar.lock().expect("bar lock").take() {
            b.finish_and_clear();
        }
    }

    fn warn(&self, msg: &str) {
        if self.quiet {
            return;
        }
        match &*self.bar.lock().expect("bar lock") {
            Some(b) => b.suspend(|| eprintln!("warning: {msg}")),
            None => eprintln!("warning: {msg}"),
        }
    }
}
