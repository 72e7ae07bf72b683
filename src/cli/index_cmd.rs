//! `shoptalk index`: build, update or re-tag an index from a corpus and print a summary.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{BarReporter, IndexArgs, out_err};
use crate::corpus::Corpus;
use crate::error::{Error, Result, UserError};
use crate::index::{BuildOptions, BuildStats, IndexConfig, ShopIndex, build, retag};
use crate::reporter::Reporter;

/// Read an optional file named by a flag, keeping its path for messages.
pub(crate) fn read_opt(path: Option<&Path>) -> Result<Option<(String, PathBuf)>> {
    path.map(|p| {
        std::fs::read_to_string(p)
            .map(|t| (t, p.to_path_buf()))
            .map_err(|e| Error::user_io(p, e))
    })
    .transpose()
}

pub(crate) fn run(a: &IndexArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let config = IndexConfig {
        user_dict: read_opt(a.user_dict.as_deref())?,
        themes: read_opt(a.themes.as_deref())?,
        allow_change: a.rebuild || a.retag,
        replace_old_format: a.rebuild,
    };
    let corpus = a.corpus.as_deref().map(Corpus::open).transpose()?;
    if a.retag && !crate::index::exists(&a.index) {
        return Err(UserError::MissingIndex(a.index.clone()).into());
    }
    let shop = ShopIndex::open_or_create(&a.index, &config)?;
    let mut opts = BuildOptions {
        skip_invalid: a.skip_invalid,
        rebuild: a.rebuild,
        tag: !a.no_tag,
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
    let stats = match &corpus {
        // --retag with a corpus: re-tag what is indexed, then add the corpus.
        Some(c) if a.retag => {
            retag(&shop, &opts, reporter)?;
            build(&shop, c, &opts, reporter)?
        }
        Some(c) => build(&shop, c, &opts, reporter)?,
        None => retag(&shop, &opts, reporter)?,
    };
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
