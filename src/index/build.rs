//! Building and updating an index from a corpus: parallel analysis, upsert by id, periodic commits.

use std::collections::HashSet;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::{ShopIndex, lock_error};

/// Documents a worker analyses, then tags, then builds in one go (see
/// [`super::Fields::to_tantivy_batch`]).
const PREPARE_CHUNK: usize = 32;
use crate::corpus::{Corpus, Document, ReadStats, parse_batch};
use crate::error::{Error, Result};
use crate::reporter::Reporter;

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Skip invalid corpus lines (counted) instead of stopping at the first.
    pub skip_invalid: bool,
    /// Delete every document first, so the index holds exactly the corpus.
    pub rebuild: bool,
    /// Indexing threads for tantivy (analysis uses rayon's pool).
    pub threads: usize,
    /// tantivy's memory budget for all indexing threads, in bytes.
    pub memory_budget: usize,
    /// Commit after this many documents, so an interrupted build keeps its progress.
    pub commit_every: usize,
    /// Corpus lines per parallel batch.
    pub batch: usize,
    /// Tag themes while indexing (off only to measure what tagging costs).
    pub tag: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            skip_invalid: false,
            rebuild: false,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
            memory_budget: 256 << 20,
            commit_every: 100_000,
            batch: 2048,
            tag: true,
        }
    }
}

/// What a build did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct BuildStats {
    /// Reading the corpus: lines, valid, skipped with reasons.
    pub read: ReadStats,
    /// Documents new to the index.
    pub added: usize,
    /// Documents that replaced one with the same id (already indexed, or earlier in the corpus).
    pub replaced: usize,
    /// Live documents in the index afterwards.
    pub total: u64,
    /// Bytes of corpus read.
    pub bytes: u64,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Peak resident memory of the process in MB, where the platform tells (Linux).
    pub peak_rss_mb: Option<f64>,
}

/// The process's peak resident set size in MB (Linux `VmHWM`).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Index every document of `corpus` into `shop`, replacing documents with the same id.
/// Nothing is visible until a commit; an error before the end keeps the index at its last
/// commit.
pub fn build(
    shop: &ShopIndex,
    corpus: &Corpus,
    opts: &BuildOptions,
    reporter: &dyn Reporter,
) -> Result<BuildStats> {
    let started = Instant::now();
    let mut writer: IndexWriter<TantivyDocument> = shop
        .index
        .writer_with_num_threads(opts.threads.max(1), opts.memory_budget.max(15 << 20))
        .map_err(|e| lock_error(&shop.dir, e))?;
    let before = if opts.rebuild {
        writer.delete_all_documents()?;
        None
    } else {
        let searcher = shop.searcher()?;
        (searcher.num_docs() > 0).then_some(searcher)
    };
    let size = std::fs::metadata(corpus.path()).map(|m| m.len()).ok();
    reporter.start("indexing", size);
    let mut stats = BuildStats::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut reader = corpus.reader()?;
    let mut since_commit = 0usize;
    let fields = shop.fields;
    while let Some(lines) = reader.next_batch(opts.batch)? {
        let bytes: u64 = lines
            .iter()
            .map(|(_, l)| l.as_ref().map_or(0, |s| s.len() as u64 + 1))
            .sum();
        let docs = parse_batch(corpus.path(), lines, opts.skip_invalid, &mut stats.read)?;
        let tagger = opts.tag.then_some(&*shop.tagger);
        let prepared: Vec<(bool, TantivyDocument, String)> = docs
            .par_chunks(PREPARE_CHUNK)
            .map(|chunk| {
                let tdocs = fields.to_tantivy_batch(chunk, &shop.analyzer, tagger);
                chunk
                    .iter()
                    .zip(tdocs)
                    .map(|(d, t)| {
                        let existed = before.as_ref().is_some_and(|s| {
                            let q = TermQuery::new(
                                Term::from_field_text(fields.id, &d.id),
                                IndexRecordOption::Basic,
                            );
                            q.count(s).unwrap_or(0) > 0
                        });
                        (existed, t, d.id.clone())
                    })
                    .collect::<Vec<_>>()
            })
            .flatten()
            .collect();
        for (existed, tdoc, id) in prepared {
            writer.delete_term(Term::from_field_text(fields.id, &id));
            writer.add_document(tdoc)?;
            if existed || !seen.insert(id) {
                stats.replaced += 1;
            } else {
                stats.added += 1;
            }
        }
        stats.bytes += bytes;
        reporter.advance(bytes);
        since_commit += docs.len();
        if since_commit >= opts.commit_every {
            writer.commit()?;
            since_commit = 0;
        }
    }
    finish(writer, shop, stats, started, reporter)
}

/// Re-tag every document of the index with its current taxonomy, from the stored documents:
/// no corpus or crawl is needed. Runs as one commit, so an interruption changes nothing.
pub fn retag(shop: &ShopIndex, opts: &BuildOptions, reporter: &dyn Reporter) -> Result<BuildStats> {
    let started = Instant::now();
    let searcher = shop.searcher()?;
    let writer: IndexWriter<TantivyDocument> = shop
        .index
        .writer_with_num_threads(opts.threads.max(1), opts.memory_budget.max(15 << 20))
        .map_err(|e| lock_error(&shop.dir, e))?;
    writer.delete_all_documents()?;
    reporter.start("re-tagging", Some(searcher.num_docs()));
    let mut stats = BuildStats::default();
    for segment in searcher.segment_readers() {
        let store = segment
            .get_store_reader(64)
            .map_err(|e| Error::io(&shop.dir, e))?;
        let alive: Vec<u32> = segment.doc_ids_alive().collect();
        for chunk in alive.chunks(opts.batch.max(1)) {
            let docs: Vec<Document> = chunk
                .iter()
                .map(|&d| {
                    let stored: TantivyDocument = store.get(d)?;
                    shop.stored_document(&stored)
                })
                .collect::<Result<_>>()?;
            let prepared: Vec<TantivyDocument> = docs
                .par_chunks(PREPARE_CHUNK)
                .map(|chunk| {
                    shop.fields
                        .to_tantivy_batch(chunk, &shop.analyzer, Some(&*shop.tagger))
                })
                .flatten()
                .collect();
            for t in prepared {
                writer.add_document(t)?;
                stats.replaced += 1;
            }
            reporter.advance(chunk.len() as u64);
        }
    }
    finish(writer, shop, stats, started, reporter)
}

/// Commit, wait for merges, and fill in the totals.
fn finish(
    mut writer: IndexWriter<TantivyDocument>,
    shop: &ShopIndex,
    mut stats: BuildStats,
    started: Instant,
    reporter: &dyn Reporter,
) -> Result<BuildStats> {
    writer.commit()?;
    writer.wait_merging_threads()?;
    shop.analyzer.clear_handed();
    reporter.finish();
    stats.total = shop.num_docs()?;
    stats.seconds = started.elapsed().as_secs_f64();
    stats.peak_rss_mb = peak_rss_mb();
    Ok(stats)
}
