//! The crawler: seeds, sitemaps and feeds in; polite, resumable fetching; every page through extraction into a corpus (and optionally a WARC). Prints nothing; progress goes through a `Reporter`.
//!
//! State lives beside the corpus: `corpora/NAME/.crawl/state.redb` holds the frontier, the seen
//! set, per-host robots.txt and the commit outbox, so the same command continues a crawl that
//! was interrupted at any moment.

mod engine;

pub mod discover;
pub mod fetch;
pub mod politeness;
pub mod robots;
pub mod site;
pub mod store;
pub mod warc_out;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::reporter::Reporter;
pub use store::Counts;
use store::{Item, ItemKind};

/// The default User-Agent (its product token `shoptalk` is what robots.txt groups match).
pub const USER_AGENT: &str = concat!(
    "shoptalk/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/shoptalk/shoptalk; research crawler)"
);

/// Every crawl setting. A TOML file (`--config`) uses these names; flags override it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlConfig {
    /// Start URLs (HTML pages).
    pub urls: Vec<String>,
    /// A file of start URLs, one per line (`#` comments).
    pub seeds: Option<PathBuf>,
    /// Sitemap URLs (sitemap indexes and `.gz` files too).
    pub sitemaps: Vec<String>,
    /// RSS or Atom feed URLs.
    pub feeds: Vec<String>,
    /// The corpus folder the documents go to (`corpora/NAME`); the crawl state lives in its `.crawl`.
    pub corpus: PathBuf,
    /// Stop after this many fetched pages (sitemaps and feeds count), over all runs.
    pub max_pages: Option<u64>,
    /// Follow links at most this far from a start URL (sitemap and feed entries count as start URLs).
    pub max_depth: Option<u32>,
    /// More domains to crawl (subdomains included) besides the hosts of the start URLs.
    pub allow_domains: Vec<String>,
    /// Discovered URLs must match one of these regular expressions.
    pub include: Vec<String>,
    /// Discovered URLs matching any of these are skipped.
    pub exclude: Vec<String>,
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
    /// Milliseconds between two requests to one host (robots.txt Crawl-delay wins when longer).
    pub delay: u64,
    /// The User-Agent header.
    pub user_agent: String,
    /// Write every response to `corpora/NAME/crawl.warc.gz`.
    pub warc: bool,
    /// Milliseconds a request may take in all (headers and body).
    pub timeout: u64,
    /// Milliseconds to connect.
    pub connect_timeout: u64,
    /// Bodies larger than this many bytes are skipped.
    pub max_body: usize,
    /// Retries for 5xx, 429, timeouts and network errors.
    pub retries: u32,
    /// Milliseconds before the first retry (doubled each time).
    pub backoff: u64,
    /// The longest backoff, in milliseconds.
    pub max_backoff: u64,
    /// The longest Retry-After honoured, in milliseconds.
    pub max_retry_after: u64,
    /// Redirects followed from one URL.
    pub max_redirects: u32,
    /// Retries of an unreachable (5xx) robots.txt before the host's URLs fail.
    pub robots_retries: u32,
    /// Read every content type, not only HTML, XML and feeds.
    pub all_content_types: bool,
    /// `host:port` -> `ip:port` to connect to instead (like curl's --resolve).
    pub resolve: BTreeMap<String, String>,
    /// Per-site review extraction rules (TOML), as for `shoptalk extract --rules`.
    pub rules: Option<PathBuf>,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            urls: Vec::new(),
            seeds: None,
            sitemaps: Vec::new(),
            feeds: Vec::new(),
            corpus: PathBuf::new(),
            max_pages: None,
            max_depth: None,
            allow_domains: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            concurrency: 16,
            per_host: 1,
            delay: 1000,
            user_agent: USER_AGENT.to_string(),
            warc: false,
            timeout: 30_000,
            connect_timeout: 10_000,
            max_body: 10 << 20,
            retries: 3,
            backoff: 1000,
            max_backoff: 60_000,
            max_retry_after: 600_000,
            max_redirects: 5,
            robots_retries: 4,
            all_content_types: false,
            resolve: BTreeMap::new(),
            rules: None,
        }
    }
}

/// One permanent failure, for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct FailureNote {
    /// The URL.
    pub url: String,
    /// Why it failed.
    pub reason: String,
}

/// What a crawl run did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The corpus folder.
    pub corpus: PathBuf,
    /// The crawl state file.
    pub state: PathBuf,
    /// The WARC file, with `--warc`.
    pub warc: Option<PathBuf>,
    /// Stopped by Ctrl-C before the frontier was empty.
    pub interrupted: bool,
    /// Pages, sitemaps and feeds fetched in this run.
    pub fetched: u64,
    /// Documents added to the corpus in this run.
    pub documents: u64,
    /// URLs that failed for good in this run (robots exclusions included).
    pub errors: u64,
    /// URLs excluded by robots.txt in this run.
    pub robots_excluded: u64,
    /// Pages dropped as duplicates of a crawled rel=canonical in this run.
    pub duplicates: u64,
    /// Requests retried in this run.
    pub retries: u64,
    /// URLs left in the queue (more with a higher --max-pages, or after an interruption).
    pub queued: u64,
    /// Counters over all runs on this corpus.
    pub total: Counts,
    /// Seconds this run took.
    pub seconds: f64,
    /// Fetched pages per second in this run.
    pub pages_per_sec: f64,
    /// The first permanent failures of this run.
    pub failures: Vec<FailureNote>,
    /// Peak resident memory of the process, MB.
    pub peak_rss_mb: Option<f64>,
}

impl CrawlConfig {
    /// Read a TOML config file.
    pub fn load(path: &Path) -> Result<CrawlConfig> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::user_io(path, e))?;
        toml::from_str(&text).map_err(|e| {
            let msg = e.message().to_string();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    Error::bad_line(path, line, msg)
                }
                None => Error::bad_file(path, msg),
            }
        })
    }

    /// Check everything that can be checked before the crawl starts.
    pub fn validate(&self) -> Result<()> {
        if self.corpus.as_os_str().is_empty() {
            return Err(Error::invalid("--corpus is required (corpora/NAME)"));
        }
        self.seed_items()?;
        self.scope()?;
        self.fetch_options()?;
        if let Some(r) = &self.rules {
            crate::extract::Rules::load(r)?;
        }
        if self.concurrency == 0 || self.per_host == 0 {
            return Err(Error::invalid(
                "--concurrency and --per-host must be at least 1",
            ));
        }
        Ok(())
    }

    /// The start items: URLs, the seeds file, sitemaps and feeds, canonical.
    fn seed_items(&self) -> Result<Vec<Item>> {
        let mut raw: Vec<(String, ItemKind, String)> = Vec::new();
        for u in &self.urls {
            raw.push((u.clone(), ItemKind::Page, "URL".into()));
        }
        if let Some(path) = &self.seeds {
            let text = std::fs::read_to_string(path).map_err(|e| Error::user_io(path, e))?;
            for (i, line) in text.lines().enumerate() {
                let l = line.trim();
                if l.is_empty() || l.starts_with('#') {
                    continue;
                }
                if discover::canonical(l).is_none() {
                    return Err(Error::bad_line(
                        path,
                        i + 1,
                        format!("not an http(s) URL: {l:?}"),
                    ));
                }
                raw.push((l.to_string(), ItemKind::Page, String::new()));
            }
        }
        for u in &self.sitemaps {
            raw.push((u.clone(), ItemKind::Sitemap, "--sitemap".into()));
        }
        for u in &self.feeds {
            raw.push((u.clone(), ItemKind::Feed, "--feed".into()));
        }
        if raw.is_empty() {
            return Err(Error::invalid(
                "nothing to crawl: give start URLs, --seeds FILE, --sitemap URL or --feed URL",
            ));
        }
        raw.into_iter()
            .map(|(u, kind, what)| {
                let url = discover::canonical(&u)
                    .ok_or_else(|| Error::invalid(format!("{what}: not an http(s) URL: {u:?}")))?;
                Ok(Item {
                    url,
                    depth: 0,
                    kind,
                    hops: 0,
                    seq: 0,
                })
            })
            .collect()
    }

    /// The crawl scope: the start URLs' hosts plus --allow-domain, and the patterns.
    fn scope(&self) -> Result<discover::Scope> {
        let mut domains: Vec<String> = self
            .allow_domains
            .iter()
            .map(|d| d.trim().trim_start_matches("*.").to_ascii_lowercase())
            .collect();
        for item in self.seed_items()? {
            if let Some(h) = url::Url::parse(&item.url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
            {
                domains.push(h.to_ascii_lowercase());
            }
        }
        domains.sort();
        domains.dedup();
        let compile = |flag: &str, pats: &[String]| -> Result<Vec<regex::Regex>> {
            pats.iter()
                .map(|p| {
                    regex::Regex::new(p).map_err(|e| {
                        let first = e
                            .to_string()
                            .lines()
                            .last()
                            .unwrap_or("")
                            .trim()
                            .to_string();
                        Error::invalid(format!("{flag} {p:?}: invalid regular expression: {first}"))
                    })
                })
                .collect()
        };
        Ok(discover::Scope {
            domains,
            include: compile("--include", &self.include)?,
            exclude: compile("--exclude", &self.exclude)?,
        })
    }

    fn fetch_options(&self) -> Result<fetch::FetchOptions> {
        let mut resolve = HashMap::new();
        for (k, v) in &self.resolve {
            if k.rsplit_once(':')
                .is_none_or(|(_, p)| p.parse::<u16>().is_err())
            {
                return Err(Error::invalid(format!(
                    "--resolve {k}={v}: {k:?} is not HOST:PORT"
                )));
            }
            let addr: SocketAddr = v.parse().map_err(|_| {
                Error::invalid(format!(
                    "--resolve {k}={v}: {v:?} is not an IP:PORT address"
                ))
            })?;
            resolve.insert(k.to_ascii_lowercase(), addr);
        }
        if self.user_agent.trim().is_empty()
            || reqwest::header::HeaderValue::from_str(&self.user_agent).is_err()
        {
            return Err(Error::invalid(format!(
                "--user-agent {:?} is not a valid header value",
                self.user_agent
            )));
        }
        Ok(fetch::FetchOptions {
            user_agent: self.user_agent.clone(),
            connect_timeout: Duration::from_millis(self.connect_timeout.max(1)),
            timeout: Duration::from_millis(self.timeout.max(1)),
            max_body: self.max_body.min(crate::extract::MAX_PAGE_BYTES),
            resolve,
        })
    }
}

/// Crawl on a new tokio runtime until done or Ctrl-C.
pub fn crawl(cfg: &CrawlConfig, reporter: &dyn Reporter) -> Result<Summary> {
    cfg.validate()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("crawl")
        .build()
        .map_err(|e| Error::Internal(format!("tokio runtime: {e}")))?;
    rt.block_on(async {
        let stop = Box::pin(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        });
        engine::run(cfg, reporter, stop).await
    })
}

/// Crawl inside a running tokio runtime until done or `stop` resolves.
pub async fn crawl_async(
    cfg: &CrawlConfig,
    reporter: &dyn Reporter,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<Summary> {
    cfg.validate()?;
    engine::run(cfg, reporter, Box::pin(stop)).await
}
