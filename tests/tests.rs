//! Integration tests: the real binary over real on-disk corpora and tantivy indexes.

mod util;

/// Analyzer invariants checked on generated mixed text.
mod analyzer;
/// `shoptalk crawl` and the demo against loopback servers: politeness, retries, discovery, resume.
mod crawl;
/// Bad input: each gets a one-line error and exit code 2, never a panic.
mod errors;
/// `shoptalk export`, `kwic` and `keywords` against a brute-force recount of the sample corpus.
mod export;
/// `shoptalk extract`: charsets, main text, metadata, reviews and hostile pages.
mod extract;
/// `shoptalk ingest`: WARC, Markdown, text, CSV and JSONL inputs, duplicates and skips.
mod ingest;
/// Corpus -> index -> search round trips in both languages, filters and formats.
mod search;
/// Theme taxonomy, tagging, theme filters, re-tagging and evaluation.
mod themes;
