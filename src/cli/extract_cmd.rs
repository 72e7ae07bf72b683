//! `shoptalk extract`: print one JSON line per HTML page with its main text, metadata and reviews.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use rayon::prelude::*;
use serde::Serialize;

use super::{BarReporter, out_err};
use crate::error::{Error, Result};
use crate::extract::{Options, Page, Rules, Skip, extract, read_page};
use crate::reporter::Reporter;

/// Arguments of `shoptalk extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// HTML pages (.html, .htm, .html.gz, .htm.gz) or folders of them (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The page's URL (with a single page): sets `url` and `site`.
    #[arg(long)]
    pub url: Option<String>,
    /// When the pages were fetched (RFC 3339 or YYYY-MM-DD): resolves dates like "3 天前".
    #[arg(long)]
    pub fetched: Option<String>,
    /// Per-site CSS-selector rules for reviews without schema.org markup (TOML; see the README).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Serialize)]
struct Line<'a> {
    file: String,
    #[serde(flatten)]
    page: &'a Page,
}

/// Whether a file name looks like an HTML page.
pub(crate) fn is_html_name(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".xhtml")
}

pub(crate) fn run(a: &ExtractArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let files = crate::ingest::walk(&a.paths, &is_html_name)?;
    if a.url.is_some() && files.len() > 1 {
        return Err(Error::invalid("--url needs exactly one page"));
    }
    if let Some(u) = &a.url {
        url::Url::parse(u).map_err(|e| Error::invalid(format!("--url {u:?}: {e}")))?;
    }
    let fetched = match &a.fetched {
        Some(f) => Some(crate::corpus::parse_date(f).ok_or_else(|| {
            Error::invalid(format!(
                "--fetched {f:?} is not an RFC 3339 date or date-time"
            ))
        })?),
        None => None,
    };
    let rules = a.rules.as_deref().map(Rules::load).transpose()?;
    let threads = match a.threads {
        Some(0) => return Err(Error::invalid("--threads must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Internal(e.to_string()))?;
    let opts = Options {
        url: a.url.as_deref(),
        http_charset: None,
        fetched,
        rules: rules.as_ref(),
    };
    let total: u64 = files
        .iter()
        .map(|f| f.metadata().map_or(0, |m| m.len()))
        .sum();
    reporter.start("extract", Some(total));
    let (mut pages, mut skipped) = (0usize, 0usize);
    for chunk in files.chunks(256) {
        let results: Vec<(PathBuf, std::result::Result<Page, Skip>)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|f| {
                    let r = read_page(f).and_then(|b| extract(&b, &opts));
                    reporter.advance(f.metadata().map_or(0, |m| m.len()));
                    (f.clone(), r)
                })
                .collect()
        });
        for (f, r) in results {
            match r {
                Ok(page) => {
                    let line = Line {
                        file: f.display().to_string(),
                        page: &page,
                    };
                    serde_json::to_writer(&mut *out, &line)
                        .map_err(|e| Error::Internal(e.to_string()))?;
                    writeln!(out).map_err(out_err)?;
                    pages += 1;
                }
                Err(why) => {
                    skipped += 1;
                    reporter.warn(&format!("skipped {}: {why}", f.display()));
                }
            }
        }
    }
    reporter.finish();
    out.flush().map_err(out_err)?;
    if reporter.verbose() {
        eprintln!("extracted {pages} pages, skipped {skipped}");
    }
    Ok(())
}
