//! `shoptalk ingest`: add documents from files to a corpus and print a summary.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{BarReporter, out_err};
use crate::error::{Error, Result};
use crate::extract::Rules;
use crate::ingest::{ColumnMap, IngestOptions, Summary, ingest};
use crate::reporter::Reporter;

/// Arguments of `shoptalk ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or folders: .html/.htm (optionally .gz), .warc/.warc.gz, .md, .txt, .csv/.tsv, .jsonl.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The corpus folder (corpora/NAME); created if missing.
    #[arg(long)]
    pub corpus: PathBuf,
    /// CSV columns for document fields: FIELD=COLUMN,... (fields: text, rating, date, title,
    /// author, product, url, id, lang, kind). Unmapped fields use a column of the same name.
    #[arg(long, default_value = "")]
    pub map: String,
    /// The best rating on the CSV files' scale; ratings are normalised to 0-5.
    #[arg(long, default_value_t = 5.0)]
    pub rating_scale: f64,
    /// Per-site CSS-selector review rules for HTML and WARC pages (TOML).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// When the HTML files were fetched (RFC 3339 or YYYY-MM-DD): resolves dates like "3 天前".
    #[arg(long)]
    pub fetched: Option<String>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(a: &IngestArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let opts = IngestOptions {
        map: ColumnMap::parse(&a.map)?,
        rating_scale: Some(a.rating_scale),
        rules: a.rules.as_deref().map(Rules::load).transpose()?,
        fetched: a.fetched.clone(),
    };
    let summary = ingest(&a.paths, &a.corpus, &opts, reporter)?;
    if a.json {
        serde_json::to_writer_pretty(&mut *out, &summary)
            .map_err(|e| Error::Internal(e.to_string()))?;
        writeln!(out).map_err(out_err)?;
    } else if reporter.verbose() {
        print_summary(&summary, &a.corpus.display().to_string(), reporter);
    }
    Ok(())
}

/// The summary on stderr: skip reasons and duplicates first, then one line of counts.
fn print_summary(s: &Summary, corpus: &str, reporter: &BarReporter) {
    for r in &s.skip_reasons {
        reporter.warn(&format!("skipped {r}"));
    }
    if s.skipped > s.skip_reasons.len() {
        reporter.warn(&format!(
            "... and {} more skipped",
            s.skipped - s.skip_reasons.len()
        ));
    }
    for d in &s.duplicate_examples {
        reporter.warn(&format!("duplicate: {d}"));
    }
    eprintln!(
        "ingested {} files into {corpus}: {} added, {} replaced, {} duplicates, {} skipped; {} documents in the corpus",
        s.files, s.added, s.replaced, s.duplicates, s.skipped, s.total
    );
}
