//! `shoptalk crawl`: flags and an optional TOML config merged into a `CrawlConfig`, the crawl run, and its summary.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{BarReporter, out_err};
use crate::crawl::{CrawlConfig, Summary, crawl};
use crate::error::{Error, Result};
use crate::reporter::Reporter;

/// Arguments of `shoptalk crawl`. Every option can also come from `--config FILE` (TOML, the
/// same names with underscores, lists for repeatable flags); flags override the file.
#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Start URLs.
    pub urls: Vec<String>,
    /// A file of start URLs, one per line (`#` starts a comment).
    #[arg(long)]
    pub seeds: Option<PathBuf>,
    /// A sitemap or sitemap index URL (repeatable; .gz sitemaps too).
    #[arg(long = "sitemap")]
    pub sitemaps: Vec<String>,
    /// An RSS or Atom feed URL (repeatable).
    #[arg(long = "feed")]
    pub feeds: Vec<String>,
    /// The corpus folder (corpora/NAME); created if missing. The crawl state lives in its .crawl folder.
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Settings from a TOML file; flags override them.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Stop after this many fetched pages (over all runs on this corpus).
    #[arg(long)]
    pub max_pages: Option<u64>,
    /// Follow links at most this many steps from a start URL.
    #[arg(long)]
    pub max_depth: Option<u32>,
    /// Also crawl this domain and its subdomains (repeatable; the start URLs' hosts always are).
    #[arg(long = "allow-domain")]
    pub allow_domains: Vec<String>,
    /// Only follow discovered URLs matching this regular expression (repeatable: any of them).
    #[arg(long)]
    pub include: Vec<String>,
    /// Skip discovered URLs matching this regular expression (repeatable).
    #[arg(long)]
    pub exclude: Vec<String>,
    /// Requests in flight over all hosts [default: 16].
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Requests in flight to one host [default: 1].
    #[arg(long)]
    pub per_host: Option<usize>,
    /// Milliseconds between requests to one host; a longer robots.txt Crawl-delay wins [default: 1000].
    #[arg(long, value_name = "MS")]
    pub delay: Option<u64>,
    /// The User-Agent header [default: shoptalk/VERSION (+...)].
    #[arg(long)]
    pub user_agent: Option<String>,
    /// Also write every response to corpora/NAME/crawl.warc.gz (readable by `shoptalk ingest`).
    #[arg(long)]
    pub warc: bool,
    /// Milliseconds a request may take in all [default: 30000].
    #[arg(long, value_name = "MS")]
    pub timeout: Option<u64>,
    /// Milliseconds to connect [default: 10000].
    #[arg(long, value_name = "MS")]
    pub connect_timeout: Option<u64>,
    /// Skip bodies larger than this many bytes [default: 10485760].
    #[arg(long, value_name = "BYTES")]
    pub max_body: Option<usize>,
    /// Retries for 5xx, 429, timeouts and network errors [default: 3].
    #[arg(long)]
    pub retries: Option<u32>,
    /// Milliseconds before the first retry, doubled each time [default: 1000].
    #[arg(long, value_name = "MS")]
    pub backoff: Option<u64>,
    /// The longest backoff in milliseconds [default: 60000].
    #[arg(long, value_name = "MS")]
    pub max_backoff: Option<u64>,
    /// Redirects followed from one URL [default: 5].
    #[arg(long)]
    pub max_redirects: Option<u32>,
    /// Read every content type, not only HTML, XML and feeds.
    #[arg(long)]
    pub all_content_types: bool,
    /// Connect to ADDR for HOST:PORT (like curl --resolve), e.g. shop.test:80=127.0.0.1:8080 (repeatable).
    #[arg(long, value_name = "HOST:PORT=ADDR")]
    pub resolve: Vec<String>,
    /// Per-site review extraction rules (TOML), as for `shoptalk extract --rules`.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

impl CrawlArgs {
    /// The config file (if any) with the flags laid over it.
    pub fn config(&self) -> Result<CrawlConfig> {
        let mut c = match &self.config {
            Some(p) => CrawlConfig::load(p)?,
            None => CrawlConfig::default(),
        };
        if !self.urls.is_empty() {
            c.urls = self.urls.clone();
        }
        let set_vec = |dst: &mut Vec<String>, src: &Vec<String>| {
            if !src.is_empty() {
                *dst = src.clone();
            }
        };
        set_vec(&mut c.sitemaps, &self.sitemaps);
        set_vec(&mut c.feeds, &self.feeds);
        set_vec(&mut c.allow_domains, &self.allow_domains);
        set_vec(&mut c.include, &self.include);
        set_vec(&mut c.exclude, &self.exclude);
        macro_rules! opt {
            ($($f:ident),*) => { $( if let Some(v) = &self.$f { c.$f = v.clone(); } )* };
        }
        opt!(
            corpus,
            concurrency,
            per_host,
            delay,
            user_agent,
            timeout,
            connect_timeout,
            max_body,
            retries,
            backoff,
            max_backoff,
            max_redirects
        );
        if self.seeds.is_some() {
            c.seeds = self.seeds.clone();
        }
        if self.rules.is_some() {
            c.rules = self.rules.clone();
        }
        if self.max_pages.is_some() {
            c.max_pages = self.max_pages;
        }
        if self.max_depth.is_some() {
            c.max_depth = self.max_depth;
        }
        c.warc |= self.warc;
        c.all_content_types |= self.all_content_types;
        for r in &self.resolve {
            let (k, v) = r.split_once('=').ok_or_else(|| {
                Error::invalid(format!("--resolve {r:?}: expected HOST:PORT=ADDR"))
            })?;
            c.resolve.insert(k.to_string(), v.to_string());
        }
        Ok(c)
    }
}

pub(crate) fn run(a: &CrawlArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let cfg = a.config()?;
    let summary = crawl(&cfg, reporter)?;
    if a.json {
        serde_json::to_writer_pretty(&mut *out, &summary)
            .map_err(|e| Error::Internal(e.to_string()))?;
        writeln!(out).map_err(out_err)?;
    } else if reporter.verbose() {
        print_summary(&summary, reporter);
    }
    Ok(())
}

/// The summary on stderr: failures first, then counts and what to run next.
pub(crate) fn print_summary(s: &Summary, reporter: &BarReporter) {
    for f in &s.failures {
        reporter.warn(&format!("{}: {}", f.url, f.reason));
    }
    if s.errors > s.failures.len() as u64 {
        reporter.warn(&format!(
            "... and {} more failures",
            s.errors - s.failures.len() as u64
        ));
    }
    eprintln!(
        "crawled {} pages in {:.1}s ({:.0} pages/s): {} documents added, {} failed ({} excluded by robots.txt), {} duplicates, {} retries; {} URLs still queued",
        s.fetched,
        s.seconds,
        s.pages_per_sec,
        s.documents,
        s.errors,
        s.robots_excluded,
        s.duplicates,
        s.retries,
        s.queued
    );
    eprintln!(
        "corpus {} now holds {} documents from {} pages over all runs; crawl state in {}",
        s.corpus.display(),
        s.total.documents,
        s.total.fetched,
        s.state.display()
    );
    if let Some(w) = &s.warc {
        eprintln!("responses archived in {}", w.display());
    }
    if s.interrupted || s.queued > 0 {
        eprintln!("run the same command again to continue the crawl");
    }
}
