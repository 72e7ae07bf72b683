//! `shoptalk index`: build or update an index from a corpus and print a summary.

use std::io::Write;

use super::{BarReporter, IndexArgs, out_err};
use crate::corpus::Corpus;
use crate::error::{Error, Result};
use crate::index::{BuildOptions, BuildStats, ShopIndex, build};
use crate::reporter::Reporter;

pub(crate) fn run(a: &IndexArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let corpus = Corpus::open(&a.corpus)?;
    let dict = match &a.user_dict {
        Some(p) => Some((
            std::fs::read_to_string(p).map_err(|e| Error::user_io(p, e))?,
            p,
        )),
        None => None,
    };
    let shop = ShopIndex::open_or_create(
        &a.index,
        dict.as_ref().map(|(t, p)| (t.as_str(), p.as_path())),
        a.rebuild,
    )?;
    let mut opts = BuildOptions {
        skip_invalid: a.skip_invalid,
        rebuild: a.rebuild,
        ..BuildOptions::default()
    };
    if let Some(n) = a.threads {
        if n == 0 {
            return Err(Error::invalid("--threads must be at least 1"));
        }
        opts.threads = n;
        // The first call wins; later calls (in tests running in-process) keep the pool.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    let stats = build(&shop, &corpus, &opts, reporter)?;
    if a.json {
        serde_json::to_writer_pretty(&mut *out, &stats)
            .map_err(|e| Error::Internal(e.to_string()))?;
        writeln!(out).map_err(out_err)?;
    } else if reporter.verbose() {
        summary(&stats, &a.index.display().to_string(), reporter);
    }
    Ok(())
}

/// Print the build summary on stderr.
pub(crate) fn summary(stats: &BuildStats, index: &str, reporter: &BarReporter) {
    for reason in &stats.read.skip_reasons {
        reporter.warn(&format!("skipped {reason}"));
    }
    if stats.read.skipped > stats.read.skip_reasons.len() {
        reporter.warn(&format!(
            "... and {} more skipped lines",
            stats.read.skipped - stats.read.skip_reasons.len()
        ));
    }
    eprintln!(
        "indexed {} documents into {index} ({} new, {} replaced, {} skipped) in {:.1}s, {:.1} MB/s; {} documents in the index",
        stats.added + stats.replaced,
        stats.added,
        stats.replaced,
        stats.read.skipped,
        stats.seconds,
        stats.bytes as f64 / 1e6 / stats.seconds.max(1e-9),
        stats.total
    );
}
