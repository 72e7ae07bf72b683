//! Ingest: turns files (HTML, WARC, Markdown, text, CSV, JSONL) into corpus documents, dropping near-duplicates; prints nothing.

mod dedup;
pub mod formats;
mod warc;

use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use dedup::{Dup, Seen};
pub use formats::ColumnMap;

use crate::corpus::{Corpus, Document, ReadStats};
use crate::error::{Error, Result};
use crate::extract::Rules;
use crate::reporter::Reporter;

/// The kinds of input file, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Warc,
    Markdown,
    Text,
    Csv,
    Jsonl,
}

impl Format {
    /// The format of a file by its name (`.gz` looked through for HTML and WARC).
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let base = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = base.rsplit_once('.').map(|(_, e)| e)?;
        let f = match ext {
            "html" | "htm" | "xhtml" => Format::Html,
            "warc" | "arc" => Format::Warc,
            "md" | "markdown" => Format::Markdown,
            "txt" | "text" => Format::Text,
            "csv" | "tsv" => Format::Csv,
            "jsonl" | "ndjson" => Format::Jsonl,
            _ => return None,
        };
        // Only web pages and WARC files come gzipped.
        (name == base || matches!(f, Format::Html | Format::Warc)).then_some(f)
    }
}

/// How to read the inputs.
#[derive(Debug, Default)]
pub struct IngestOptions {
    /// CSV column mapping.
    pub map: ColumnMap,
    /// The best rating on the CSV files' scale (default 5).
    pub rating_scale: Option<f64>,
    /// Per-site review rules for HTML and WARC pages.
    pub rules: Option<Rules>,
    /// When the HTML files were fetched (resolves relative dates).
    pub fetched: Option<String>,
}

/// What an ingest run did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Input files read.
    pub files: usize,
    /// Documents with ids new to the corpus.
    pub added: usize,
    /// Documents that replace one with the same id.
    pub replaced: usize,
    /// Documents dropped as (near-)duplicates of another.
    pub duplicates: usize,
    /// Inputs skipped (files, records, rows, lines).
    pub skipped: usize,
    /// The first skip reasons, `file[:line]: reason`.
    pub skip_reasons: Vec<String>,
    /// The first duplicates, `id duplicates id`.
    pub duplicate_examples: Vec<String>,
    /// Documents in the corpus afterwards.
    pub total: usize,
}

const MAX_REASONS: usize = 20;

impl Summary {
    fn skip(&mut self, reason: String) {
        self.skipped += 1;
        if self.skip_reasons.len() < MAX_REASONS {
            self.skip_reasons.push(reason);
        }
    }
}

/// A reader that fails on more than `cap` bytes without a newline, so that line-oriented
/// parsers (WARC headers, CSV records) cannot be made to buffer a whole file. With `new`,
/// reads through `Read::read` (WARC record bodies, which may be binary) are not limited; with
/// `strict` they are.
pub struct LineCap<R> {
    inner: std::io::BufReader<R>,
    cap: usize,
    since_newline: usize,
    strict: bool,
}

impl<R: Read> LineCap<R> {
    /// Wrap `inner`, limiting lines read through `BufRead` only.
    pub fn new(inner: R, cap: usize) -> Self {
        LineCap {
            inner: std::io::BufReader::with_capacity(64 * 1024, inner),
            cap,
            since_newline: 0,
            strict: false,
        }
    }

    /// Wrap `inner`, limiting lines however they are read.
    pub fn strict(inner: R, cap: usize) -> Self {
        LineCap {
            strict: true,
            ..LineCap::new(inner, cap)
        }
    }

    fn too_long(&self) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a line longer than {} MB", self.cap >> 20),
        )
    }
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.strict {
            self.since_newline = 0;
            return self.inner.read(buf);
        }
        if self.since_newline > self.cap {
            return Err(self.too_long());
        }
        let n = self.inner.read(buf)?;
        match buf[..n].iter().rposition(|&b| b == b'\n') {
            Some(p) => self.since_newline = n - p - 1,
            None => self.since_newline += n,
        }
        Ok(n)
    }
}

impl<R: Read> BufRead for LineCap<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.since_newline > self.cap {
            return Err(self.too_long());
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let taken = &buf[..amt.min(buf.len())];
            match taken.iter().rposition(|&b| b == b'\n') {
                Some(p) => self.since_newline = taken.len() - p - 1,
                None => self.since_newline += taken.len(),
            }
        }
        self.inner.consume(amt);
    }
}

/// Add the documents in `paths` to the corpus in `corpus_dir` (created if missing). Files are
/// read in name order; duplicates of documents already in the corpus or earlier in the run
/// are dropped; documents are appended in batches.
pub fn ingest(
    paths: &[PathBuf],
    corpus_dir: &Path,
    opts: &IngestOptions,
    reporter: &dyn Reporter,
) -> Result<Summary> {
    let files = walk(paths, &|p| Format::of(p).is_some())?;
    let fetched = match &opts.fetched {
        Some(f) => Some(crate::corpus::parse_date(f).ok_or_else(|| {
            Error::invalid(format!(
                "--fetched {f:?} is not an RFC 3339 date or date-time"
            ))
        })?),
        None => None,
    };
    let scale = opts.rating_scale.unwrap_or(5.0);
    if !(scale.is_finite() && scale > 0.0) {
        return Err(Error::invalid("--rating-scale must be a positive number"));
    }
    let corpus = Corpus::create(corpus_dir)?;
    let mut read = ReadStats::default();
    let existing = corpus.load(true, &mut read)?;
    let mut ids: HashSet<String> = HashSet::with_capacity(existing.len());
    let mut seen = Seen::default();
    for d in &existing {
        ids.insert(d.id.clone());
        seen.check(d);
    }
    drop(existing);
    let mut summary = Summary::default();
    let mut batch_ids: HashSet<String> = HashSet::new();
    let mut batch: Vec<Document> = Vec::new();
    let total: u64 = files
        .iter()
        .map(|f| f.metadata().map_or(0, |m| m.len()))
        .sum();
    reporter.start("ingest", Some(total));
    for file in &files {
        summary.files += 1;
        let source = format!(
            "ingest:{}",
            file.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        );
        let mut items: Vec<formats::Item> = Vec::new();
        let mut push = |i: formats::Item| items.push(i);
        match Format::of(file) {
            None => push(Err(format!(
                "{}: unknown file type (expected .html, .warc, .md, .txt, .csv or .jsonl)",
                file.display()
            ))),
            Some(Format::Html) => {
                let opts = crate::extract::Options {
                    fetched,
                    rules: opts.rules.as_ref(),
                    ..Default::default()
                };
                match crate::extract::read_page(file)
                    .and_then(|b| crate::extract::extract(&b, &opts))
                {
                    Ok(page) => {
                        let docs = page.documents(
                            opts.fetched.map(|f| f.to_rfc3339()).as_deref(),
                            Some(&source),
                        );
                        if docs.is_empty() {
                            push(Err(format!("{}: no main text", file.display())));
                        }
                        docs.into_iter().for_each(|d| push(Ok(d)));
                    }
                    Err(e) => push(Err(format!("{}: {e}", file.display()))),
                }
            }
            Some(Format::Warc) => warc::read(file, opts.rules.as_ref(), &source, &mut push)
                .map_err(|e| Error::user_io(file, e))?,
            Some(Format::Markdown) => formats::markdown(file, &source)
                .into_iter()
                .for_each(&mut push),
            Some(Format::Text) => formats::plain_text(file, &source)
                .into_iter()
                .for_each(&mut push),
            Some(Format::Csv) => formats::csv_reviews(file, &opts.map, scale, &source, &mut push)?,
            Some(Format::Jsonl) => formats::jsonl(file, &source, &mut push)?,
        }
        for item in items {
            let doc = match item {
                Ok(d) => d,
                Err(reason) => {
                    summary.skip(reason);
                    continue;
                }
            };
            if batch_ids.contains(&doc.id) {
                summary.duplicates += 1;
                if summary.duplicate_examples.len() < MAX_REASONS {
                    summary
                        .duplicate_examples
                        .push(format!("{} appears twice", doc.id));
                }
                continue;
            }
            if let Some(dup) = seen.check(&doc) {
                summary.duplicates += 1;
                if summary.duplicate_examples.len() < MAX_REASONS {
                    summary.duplicate_examples.push(match dup {
                        Dup::Same(of) => format!("{} has the same text as {of}", doc.id),
                        Dup::Near(of, d) => {
                            format!("{} nearly duplicates {of} (simhash distance {d})", doc.id)
                        }
                    });
                }
                continue;
            }
            batch_ids.insert(doc.id.clone());
            if ids.contains(&doc.id) {
                summary.replaced += 1;
            } else {
                summary.added += 1;
            }
            batch.push(doc);
            if batch.len() >= 1000 {
                corpus.append(&batch)?;
                batch.clear();
            }
        }
        reporter.advance(file.metadata().map_or(0, |m| m.len()));
        reporter.message(&format!(
            "{} added, {} duplicates, {} skipped",
            summary.added + summary.replaced,
            summary.duplicates,
            summary.skipped
        ));
    }
    corpus.append(&batch)?;
    reporter.finish();
    summary.total = ids.len() + summary.added;
    Ok(summary)
}

/// The files named by `paths`: files as given, folders searched recursively (in name order)
/// for files that `keep` accepts. Hidden entries inside folders are skipped.
pub fn walk(paths: &[PathBuf], keep: &dyn Fn(&Path) -> bool) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::user_io(p, e))?;
        if !meta.is_dir() {
            out.push(p.clone());
            continue;
        }
        let mut stack = vec![p.clone()];
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| Error::user_io(&dir, e))?;
            for e in entries {
                let e = e.map_err(|e| Error::user_io(&dir, e))?;
                let path = e.path();
                if e.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let ft = e.file_type().map_err(|e| Error::user_io(&path, e))?;
                if ft.is_dir() {
                    stack.push(path);
                } else if keep(&path) {
                    found.push(path);
                }
            }
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}
