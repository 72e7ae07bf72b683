//! The crawl loop: a scheduler that owns the in-memory window of the frontier and per-host politeness, fetch tasks on tokio, extraction on rayon, and one committer thread that makes results durable in batches.

use std::collections::{HashMap, VecDeque};
use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::discover::{self, Content, Scope};
use super::fetch::{FetchError, Fetcher, Response, wanted_type};
use super::politeness;
use super::robots::{HostRecord, Robots, agent_token};
use super::store::{Counts, DONE, Finished, Item, ItemKind, QUEUED, Store};
use super::warc_out::{WarcOut, response_record};
use super::{CrawlConfig, FailureNote, Summary};
use crate::corpus::{Corpus, Document};
use crate::error::{Error, Result};
use crate::extract::{Options, Rules, extract};
use crate::reporter::Reporter;

/// Items kept in memory at most (the rest of the frontier stays in the store).
const WINDOW: usize = 4096;
/// A batch is committed when it holds this many results ...
const BATCH_ITEMS: usize = 512;
/// ... or when its first result has waited this long.
const BATCH_WAIT: Duration = Duration::from_millis(150);
/// Crawl-delay values above this are capped.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);
/// Redirects followed for robots.txt.
const ROBOTS_REDIRECTS: u32 = 5;

/// Shared by the fetch tasks.
struct Ctx {
    fetcher: Fetcher,
    store: Arc<Store>,
    scope: Scope,
    rules: Option<Rules>,
    agent: String,
    max_depth: Option<u32>,
    max_redirects: u32,
    all_types: bool,
    warc: bool,
    max_retry_after: Duration,
}

/// What a fetch task reports.
enum Outcome {
    Page {
        origin: String,
        item: Item,
        /// Attempts before this one.
        attempts: u32,
        result: PageResult,
    },
    Robots {
        origin: String,
        result: RobotsResult,
        warc: Vec<Vec<u8>>,
    },
}

enum PageResult {
    /// Finished for good (fetched, redirected or failed permanently).
    Done(Box<Committable>),
    /// Try again later.
    Retry {
        after: Option<Duration>,
        reason: String,
        warc: Option<Vec<u8>>,
    },
}

/// One result for the committer.
struct Committable {
    finished: Finished,
    docs: Vec<Document>,
    warc: Option<Vec<u8>>,
}

enum RobotsResult {
    Ready(Robots, HostRecord),
    Retry(String),
}

/// Messages to the committer thread.
enum ToCommit {
    Done(Box<Committable>),
    Warc(Vec<u8>),
    Host(String, Vec<u8>),
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// Messages to the scheduler.
enum Event {
    Fetched(Outcome),
    Committed { counts: Counts, queued: u64 },
    CommitFailed(Error),
}

impl Event {
    /// Take a commit's counters into `counts` and `queued` (`Ok(None)`), fail with a failed
    /// commit's error, or hand back a fetch's outcome.
    fn apply(self, counts: &mut Counts, queued: &mut u64) -> Result<Option<Outcome>> {
        match self {
            Event::Committed {
                counts: c,
                queued: q,
            } => {
                *counts = c;
                *queued = q;
                Ok(None)
            }
            Event::CommitFailed(e) => Err(e),
            Event::Fetched(outcome) => Ok(Some(outcome)),
        }
    }
}

enum RobotsState {
    Unknown,
    Pending,
    Ready(Arc<Robots>),
    RetryAt(Instant),
    Failed(String),
}

struct Waiting {
    item: Item,
    attempts: u32,
    not_before: Instant,
}

struct Host {
    queue: VecDeque<Waiting>,
    in_flight: usize,
    next_at: Instant,
    delay: Duration,
    robots: RobotsState,
    robots_attempts: u32,
}

fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let o = u.origin();
    o.is_tuple().then(|| o.ascii_serialization())
}

/// Run a crawl until the frontier is empty, the page budget is spent or `stop` resolves.
pub(super) async fn run(
    cfg: &CrawlConfig,
    reporter: &dyn Reporter,
    stop: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) -> Result<Summary> {
    let started = Instant::now();
    let corpus = Corpus::create(&cfg.corpus)?;
    let state_dir = cfg.corpus.join(".crawl");
    let store = Arc::new(Store::open(&state_dir)?);
    let corpus_len = recover_corpus(&store, corpus.path())?;
    let warc_known = store.meta_u64("warc_len")?;
    let warc = if cfg.warc {
        let has_state = store.counts()? != Counts::default();
        Some(WarcOut::open(&cfg.corpus, has_state.then_some(warc_known))?)
    } else {
        None
    };
    let warc_path = warc.as_ref().map(|w| w.path().to_path_buf());

    let seeds = cfg.seed_items()?;
    store.add_seeds(&seeds)?;
    let start_counts = store.counts()?;

    let ctx = Arc::new(Ctx {
        fetcher: Fetcher::new(cfg.fetch_options()?)?,
        store: store.clone(),
        scope: cfg.scope()?,
        rules: cfg.rules.as_deref().map(Rules::load).transpose()?,
        agent: agent_token(&cfg.user_agent).to_string(),
        max_depth: cfg.max_depth,
        max_redirects: cfg.max_redirects,
        all_types: cfg.all_content_types,
        warc: cfg.warc,
        max_retry_after: Duration::from_millis(cfg.max_retry_after),
    });

    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel::<Event>();
    let (commit_tx, commit_rx) = std::sync::mpsc::channel::<ToCommit>();
    let committer = {
        let store = store.clone();
        let ev_tx = ev_tx.clone();
        let path = corpus.path().to_path_buf();
        std::thread::Builder::new()
            .name("crawl-commit".into())
            .spawn(move || committer(store, path, corpus_len, warc, warc_known, commit_rx, ev_tx))
            .map_err(|e| Error::Internal(format!("cannot start the committer: {e}")))?
    };

    let delay = Duration::from_millis(cfg.delay);
    let per_host = cfg.per_host.max(1);
    let concurrency = cfg.concurrency.max(1);
    let retries = cfg.retries;
    let backoff_base = Duration::from_millis(cfg.backoff);
    let backoff_cap = Duration::from_millis(cfg.max_backoff);
    let budget_left = |fetched_now: u64| cfg.max_pages.map(|m| m.saturating_sub(fetched_now));

    let mut hosts: HashMap<String, Host> = HashMap::new();
    let mut window = 0usize;
    let mut next_seq = 0u64;
    let mut store_dry = false;
    let mut in_flight = 0usize;
    let mut in_flight_pages = 0u64;
    let mut counts = start_counts;
    let mut queued = store.queued()?;
    let mut fetched_run = 0u64; // fetched pages reported by tasks this run (committed or not)
    let mut errors_run = 0u64;
    let mut retries_run = 0u64;
    let mut failures: Vec<FailureNote> = Vec::new();
    let mut stopping = false;
    let mut interrupted = false;
    let mut stop = stop;
    let mut last_progress = Instant::now();
    reporter.start("crawl", None);

    let send = |m: ToCommit| -> Result<()> {
        commit_tx
            .send(m)
            .map_err(|_| Error::Internal("the crawl committer stopped".into()))
    };

    loop {
        // Refill the window from the store.
        if !store_dry && window < WINDOW / 2 {
            let want = WINDOW - window;
            let items = store.load_queue(next_seq, want)?;
            if items.len() < want {
                store_dry = true;
            }
            for item in items {
                next_seq = item.seq + 1;
                let Some(origin) = origin_of(&item.url) else {
                    continue;
                };
                let host = match hosts.get_mut(&origin) {
                    Some(h) => h,
                    None => {
                        let robots = match store.host(&origin)? {
                            Some(rec) => match serde_json::from_slice::<HostRecord>(&rec) {
                                Ok(rec) => RobotsState::Ready(Arc::new(Robots::from_record(
                                    &ctx.agent, &rec,
                                ))),
                                Err(_) => RobotsState::Unknown,
                            },
                            None => RobotsState::Unknown,
                        };
                        let d = match &robots {
                            RobotsState::Ready(r) => {
                                politeness::host_delay(delay, r.crawl_delay(), MAX_CRAWL_DELAY)
                            }
                            _ => delay,
                        };
                        hosts.entry(origin.clone()).or_insert(Host {
                            queue: VecDeque::new(),
                            in_flight: 0,
                            next_at: Instant::now(),
                            delay: d,
                            robots,
                            robots_attempts: 0,
                        })
                    }
                };
                host.queue.push_back(Waiting {
                    item,
                    attempts: 0,
                    not_before: Instant::now(),
                });
                window += 1;
            }
        }

        // Dispatch.
        let now = Instant::now();
        let mut wake = now + Duration::from_millis(250);
        let fetched_now = counts.fetched.max(start_counts.fetched + fetched_run);
        let mut budget = budget_left(fetched_now + in_flight_pages);
        if !stopping {
            for (origin, host) in hosts.iter_mut() {
                if host.queue.is_empty() {
                    continue;
                }
                match &host.robots {
                    RobotsState::Unknown => {
                        if host.in_flight == 0 && in_flight < concurrency {
                            if now < host.next_at {
                                wake = wake.min(host.next_at);
                                continue;
                            }
                            host.robots = RobotsState::Pending;
                            host.in_flight += 1;
                            in_flight += 1;
                            host.next_at = now + delay;
                            let (ctx, tx, origin) = (ctx.clone(), ev_tx.clone(), origin.clone());
                            tokio::spawn(async move {
                                let (result, warc) = fetch_robots(&ctx, &origin).await;
                                let _ = tx.send(Event::Fetched(Outcome::Robots {
                                    origin,
                                    result,
                                    warc,
                                }));
                            });
                        }
                        continue;
                    }
                    RobotsState::Pending => continue,
                    RobotsState::RetryAt(t) => {
                        if now >= *t {
                            host.robots = RobotsState::Unknown;
                            wake = now;
                        } else {
                            wake = wake.min(*t);
                        }
                        continue;
                    }
                    RobotsState::Failed(reason) => {
                        let reason = reason.clone();
                        while let Some(w) = host.queue.pop_front() {
                            window -= 1;
                            errors_run += 1;
                            note(&mut failures, &w.item.url, &reason);
                            send(ToCommit::Done(failed(w.item, reason.clone(), false)))?;
                        }
                        continue;
                    }
                    RobotsState::Ready(_) => {}
                }
                let RobotsState::Ready(robots) = &host.robots else {
                    continue;
                };
                let robots = robots.clone();
                while host.in_flight < per_host && in_flight < concurrency {
                    if now < host.next_at {
                        wake = wake.min(host.next_at);
                        break;
                    }
                    let Some(pos) = host.queue.iter().position(|w| w.not_before <= now) else {
                        if let Some(t) = host.queue.iter().map(|w| w.not_before).min() {
                            wake = wake.min(t);
                        }
                        break;
                    };
                    if budget == Some(0) {
                        break;
                    }
                    let w = host.queue.remove(pos).expect("position is valid");
                    window -= 1;
                    if store.state(&w.item.url)? != Some(QUEUED) {
                        continue; // claimed by a rel=canonical page meanwhile
                    }
                    if !robots.allowed(&w.item.url) {
                        note(&mut failures, &w.item.url, "disallowed by robots.txt");
                        send(ToCommit::Done(failed(
                            w.item,
                            "disallowed by robots.txt".into(),
                            true,
                        )))?;
                        continue;
                    }
                    host.in_flight += 1;
                    in_flight += 1;
                    in_flight_pages += 1;
                    budget = budget.map(|b| b - 1);
                    host.next_at = now + host.delay;
                    let (ctx, tx, origin) = (ctx.clone(), ev_tx.clone(), origin.clone());
                    let attempts = w.attempts;
                    tokio::spawn(async move {
                        let result = fetch_page(&ctx, &w.item).await;
                        let _ = tx.send(Event::Fetched(Outcome::Page {
                            origin,
                            item: w.item,
                            attempts,
                            result,
                        }));
                    });
                }
            }
        }

        // Finished?
        let idle = in_flight == 0;
        let nothing_left = window == 0 && store_dry;
        let spent = budget == Some(0) && in_flight_pages == 0;
        if idle && (stopping || nothing_left || spent) {
            let (ack_tx, ack_rx) = tokio::sync::oneshot::channel();
            send(ToCommit::Flush(ack_tx))?;
            // Drain events until the flush is acknowledged (nothing is in flight: no fetches).
            let mut ack_rx = ack_rx;
            loop {
                tokio::select! {
                    _ = &mut ack_rx => break,
                    ev = ev_rx.recv() => if let Some(ev) = ev {
                        ev.apply(&mut counts, &mut queued)?;
                    }
                }
            }
            while let Ok(ev) = ev_rx.try_recv() {
                ev.apply(&mut counts, &mut queued)?;
            }
            if stopping || spent {
                break;
            }
            // Links committed by the flush may have refilled the queue.
            if store.load_queue(next_seq, 1)?.is_empty() && window == 0 {
                break;
            }
            store_dry = false;
            continue;
        }

        // Wait for something to happen.
        let event = tokio::select! {
            ev = ev_rx.recv() => ev,
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(wake)) => None,
            _ = &mut stop, if !stopping => {
                stopping = true;
                interrupted = true;
                reporter.warn("stopping: finishing the requests in flight (the same command continues the crawl)");
                None
            }
        };
        let mut pending = event.into_iter().collect::<Vec<_>>();
        while let Ok(ev) = ev_rx.try_recv() {
            pending.push(ev);
        }
        for ev in pending {
            let Some(outcome) = ev.apply(&mut counts, &mut queued)? else {
                // A commit may have queued new links.
                store_dry = false;
                continue;
            };
            match outcome {
                Outcome::Robots {
                    origin,
                    result,
                    warc,
                } => {
                    in_flight -= 1;
                    for w in warc {
                        send(ToCommit::Warc(w))?;
                    }
                    let Some(host) = hosts.get_mut(&origin) else {
                        continue;
                    };
                    host.in_flight -= 1;
                    match result {
                        RobotsResult::Ready(robots, record) => {
                            host.delay = politeness::host_delay(
                                delay,
                                robots.crawl_delay(),
                                MAX_CRAWL_DELAY,
                            );
                            host.next_at = Instant::now() + host.delay;
                            let sitemaps: Vec<Item> = robots
                                .sitemaps()
                                .iter()
                                .filter_map(|s| discover::canonical(s))
                                .filter(|s| {
                                    url::Url::parse(s).is_ok_and(|u| ctx.scope.host_allowed(&u))
                                })
                                .filter(|_| ctx.max_depth.is_none_or(|d| d >= 1))
                                .map(|url| Item {
                                    url,
                                    depth: 1,
                                    kind: ItemKind::Sitemap,
                                    hops: 0,
                                    seq: 0,
                                })
                                .collect();
                            if !sitemaps.is_empty() {
                                let mut f = failed(
                                    Item {
                                        url: format!("{origin}/robots.txt"),
                                        depth: 0,
                                        kind: ItemKind::Page,
                                        hops: 0,
                                        seq: u64::MAX,
                                    },
                                    String::new(),
                                    false,
                                );
                                f.finished.failure = None;
                                f.finished.links = sitemaps;
                                send(ToCommit::Done(f))?;
                            }
                            send(ToCommit::Host(
                                origin.clone(),
                                serde_json::to_vec(&record).expect("serialisable"),
                            ))?;
                            host.robots = RobotsState::Ready(Arc::new(robots));
                        }
                        RobotsResult::Retry(reason) => {
                            host.robots_attempts += 1;
                            if host.robots_attempts > cfg.robots_retries {
                                host.robots = RobotsState::Failed(format!(
                                    "robots.txt unreachable after {} attempts ({reason})",
                                    host.robots_attempts
                                ));
                            } else {
                                retries_run += 1;
                                let wait = politeness::backoff(
                                    backoff_base,
                                    host.robots_attempts,
                                    backoff_cap,
                                );
                                tracing::info!(%origin, %reason, ?wait, "robots.txt unreachable, retrying");
                                host.robots = RobotsState::RetryAt(Instant::now() + wait);
                            }
                        }
                    }
                }
                Outcome::Page {
                    origin,
                    item,
                    attempts,
                    result,
                } => {
                    in_flight -= 1;
                    in_flight_pages -= 1;
                    let host = hosts.get_mut(&origin);
                    match result {
                        PageResult::Done(c) => {
                            if let Some(h) = host {
                                h.in_flight -= 1;
                            }
                            if c.finished.fetched {
                                fetched_run += 1;
                            }
                            if let Some(reason) = &c.finished.failure {
                                errors_run += 1;
                                note(&mut failures, &c.finished.item.url, reason);
                            }
                            send(ToCommit::Done(c))?;
                        }
                        PageResult::Retry {
                            after,
                            reason,
                            warc,
                        } => {
                            if let Some(w) = warc {
                                send(ToCommit::Warc(w))?;
                            }
                            let Some(h) = host else { continue };
                            h.in_flight -= 1;
                            let tries = attempts + 1;
                            if tries > retries {
                                errors_run += 1;
                                let reason = format!("{reason} (gave up after {tries} attempts)");
                                note(&mut failures, &item.url, &reason);
                                send(ToCommit::Done(failed(item, reason, false)))?;
                            } else {
                                retries_run += 1;
                                let wait = after.unwrap_or_else(|| {
                                    politeness::backoff(backoff_base, tries, backoff_cap)
                                });
                                if after.is_some() {
                                    // 429/503 with Retry-After: the whole host waits.
                                    h.next_at = h.next_at.max(Instant::now() + wait);
                                }
                                tracing::info!(url = %item.url, %reason, ?wait, tries, "retrying");
                                h.queue.push_back(Waiting {
                                    item,
                                    attempts: tries,
                                    not_before: Instant::now() + wait,
                                });
                                window += 1;
                            }
                        }
                    }
                }
            }
        }

        if last_progress.elapsed() >= Duration::from_millis(250) {
            last_progress = Instant::now();
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            reporter.message(&format!(
                "fetched {} pages, {} queued, {} errors, {:.0} pages/s",
                start_counts.fetched + fetched_run,
                queued,
                counts.failed.max(start_counts.failed + errors_run),
                fetched_run as f64 / secs
            ));
        }
    }
    reporter.finish();
    drop(commit_tx);
    committer
        .join()
        .map_err(|_| Error::Internal("the crawl committer panicked".into()))??;
    let counts = store.counts()?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(Summary {
        corpus: cfg.corpus.clone(),
        state: store.path().to_path_buf(),
        warc: warc_path,
        interrupted,
        fetched: counts.fetched - start_counts.fetched,
        documents: counts.documents - start_counts.documents,
        errors: counts.failed - start_counts.failed,
        robots_excluded: counts.robots_excluded - start_counts.robots_excluded,
        duplicates: counts.duplicates - start_counts.duplicates,
        retries: retries_run,
        queued: store.queued()?,
        total: counts,
        seconds,
        pages_per_sec: (counts.fetched - start_counts.fetched) as f64 / seconds.max(1e-3),
        failures,
        peak_rss_mb: crate::index::peak_rss_mb(),
    })
}

/// Keep the first few failures of a run for the summary.
fn note(failures: &mut Vec<FailureNote>, url: &str, reason: &str) {
    tracing::warn!(%url, %reason, "failed");
    if failures.len() < 20 {
        failures.push(FailureNote {
            url: url.to_string(),
            reason: reason.to_string(),
        });
    }
}

/// A permanent failure, ready to commit.
fn failed(item: Item, reason: String, robots: bool) -> Box<Committable> {
    Box::new(Committable {
        finished: Finished {
            item,
            failure: Some(reason),
            robots,
            fetched: false,
            duplicate: false,
            links: Vec::new(),
            also_done: Vec::new(),
        },
        docs: Vec::new(),
        warc: None,
    })
}

/// Whether a status is worth retrying, and when (Retry-After for 429 and 503).
fn retryable(ctx: &Ctx, resp: &Response) -> Option<Option<Duration>> {
    match resp.status {
        429 | 503 => Some(
            resp.retry_after()
                .and_then(|v| politeness::retry_after(v, chrono::Utc::now(), ctx.max_retry_after)),
        ),
        408 | 500..=599 => Some(None),
        _ => None,
    }
}

/// Fetch robots.txt of `origin` (following a few redirects), read the RFC 9309 way.
async fn fetch_robots(ctx: &Ctx, origin: &str) -> (RobotsResult, Vec<Vec<u8>>) {
    let mut url = format!("{origin}/robots.txt");
    let mut warc = Vec::new();
    for _ in 0..=ROBOTS_REDIRECTS {
        let resp = match ctx.fetcher.get(&url, |_| true).await {
            Ok(r) => r,
            Err(e) => return (RobotsResult::Retry(e.to_string()), warc),
        };
        if ctx.warc {
            warc.push(response_record(&url, &resp, chrono::Utc::now()));
        }
        match resp.status {
            200..=299 => {
                let robots = Robots::parse(&ctx.agent, &resp.body);
                let text = String::from_utf8_lossy(
                    &resp.body[..resp.body.len().min(super::robots::MAX_ROBOTS_BYTES)],
                )
                .into_owned();
                return (
                    RobotsResult::Ready(
                        robots,
                        HostRecord {
                            robots_txt: Some(text),
                        },
                    ),
                    warc,
                );
            }
            300..=399 => match resp
                .location()
                .and_then(|l| url::Url::parse(&url).ok()?.join(l).ok())
            {
                Some(next) => url = next.to_string(),
                None => return allow_all(warc),
            },
            400..=499 => return allow_all(warc),
            s => return (RobotsResult::Retry(format!("HTTP {s}")), warc),
        }
    }
    // Too many redirects: RFC 9309 treats this like a missing robots.txt.
    allow_all(warc)
}

fn allow_all(warc: Vec<Vec<u8>>) -> (RobotsResult, Vec<Vec<u8>>) {
    (
        RobotsResult::Ready(Robots::AllowAll, HostRecord { robots_txt: None }),
        warc,
    )
}

/// Fetch one URL and turn the response into a result: documents and links (extraction on
/// the rayon pool), a redirect, a retry or a permanent failure.
async fn fetch_page(ctx: &Arc<Ctx>, item: &Item) -> PageResult {
    let all = ctx.all_types;
    let sitemap = item.kind == ItemKind::Sitemap;
    let resp = match ctx
        .fetcher
        .get(&item.url, |m| {
            all || wanted_type(m) || (sitemap && m == Some("application/octet-stream"))
        })
        .await
    {
        Ok(r) => r,
        Err(FetchError::Fatal(e)) => return PageResult::Done(failed(item.clone(), e, false)),
        Err(e) => {
            return PageResult::Retry {
                after: None,
                reason: e.to_string(),
                warc: None,
            };
        }
    };
    let now = chrono::Utc::now();
    let warc = ctx.warc.then(|| response_record(&item.url, &resp, now));
    if let Some(after) = retryable(ctx, &resp) {
        return PageResult::Retry {
            after,
            reason: format!("HTTP {} {}", resp.status, resp.reason),
            warc,
        };
    }
    if (300..400).contains(&resp.status) {
        return PageResult::Done(Box::new(redirect(ctx, item, &resp, warc)));
    }
    if !(200..300).contains(&resp.status) {
        let mut c = failed(
            item.clone(),
            format!("HTTP {} {}", resp.status, resp.reason),
            false,
        );
        c.warc = warc;
        return PageResult::Done(c);
    }
    if let Some(why) = &resp.body_skipped {
        let mut c = failed(item.clone(), why.clone(), false);
        c.warc = warc;
        return PageResult::Done(c);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (ctx2, item2) = (ctx.clone(), item.clone());
    rayon::spawn(move || {
        // A panic here must not abort the crawl (rayon aborts on panics in spawned jobs).
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            process(&ctx2, &item2, &resp, now)
        }));
        let r = r.unwrap_or_else(|_| *failed(item2.clone(), "extraction panicked".into(), false));
        let _ = tx.send(r);
    });
    match rx.await {
        Ok(mut c) => {
            c.warc = warc;
            PageResult::Done(Box::new(c))
        }
        Err(_) => PageResult::Done(failed(item.clone(), "extraction panicked".into(), false)),
    }
}

/// A 3xx response: the target is queued (same depth, one more hop) unless it leaves the
/// scope or the redirect cap is reached.
fn redirect(ctx: &Ctx, item: &Item, resp: &Response, warc: Option<Vec<u8>>) -> Committable {
    let target = resp
        .location()
        .and_then(|l| url::Url::parse(&item.url).ok()?.join(l).ok())
        .and_then(|u| discover::canonical(u.as_str()));
    let mut c = match target {
        None => *failed(
            item.clone(),
            format!("HTTP {} without a usable Location", resp.status),
            false,
        ),
        Some(_) if item.hops >= ctx.max_redirects => *failed(
            item.clone(),
            format!("too many redirects (more than {})", ctx.max_redirects),
            false,
        ),
        Some(t)
            if !ctx
                .scope
                .host_allowed(&url::Url::parse(&t).expect("canonical URLs parse")) =>
        {
            *failed(
                item.clone(),
                format!("redirects out of the allowed domains to {t}"),
                false,
            )
        }
        Some(t) => {
            let mut c = *failed(item.clone(), String::new(), false);
            c.finished.failure = None;
            c.finished.links.push(Item {
                url: t,
                depth: item.depth,
                kind: item.kind,
                hops: item.hops + 1,
                seq: 0,
            });
            c
        }
    };
    c.warc = warc;
    c
}

/// A 2xx body: sitemap, feed or HTML page. Runs on the rayon pool.
fn process(
    ctx: &Ctx,
    item: &Item,
    resp: &Response,
    now: chrono::DateTime<chrono::Utc>,
) -> Committable {
    let mut c = *failed(item.clone(), String::new(), false);
    c.finished.failure = None;
    c.finished.fetched = true;
    let body = match discover::maybe_gunzip(&resp.body, ctx.fetcher.max_body()) {
        Ok(b) => b,
        Err(e) => {
            c.finished.failure = Some(e);
            return c;
        }
    };
    let child = |url: &str, kind: ItemKind, depth: u32| -> Option<Item> {
        let url = discover::canonical(url)?;
        // --include and --exclude choose pages; sitemaps only need an allowed host.
        let ok = match kind {
            ItemKind::Page => ctx.scope.allows(&url),
            _ => url::Url::parse(&url).is_ok_and(|u| ctx.scope.host_allowed(&u)),
        };
        ok.then_some(Item {
            url,
            depth,
            kind,
            hops: 0,
            seq: 0,
        })
    };
    match discover::sniff(&body) {
        Content::SitemapIndex | Content::SitemapUrls => {
            let kind = if discover::sniff(&body) == Content::SitemapIndex {
                ItemKind::Sitemap
            } else {
                ItemKind::Page
            };
            match discover::sitemap_locs(&body) {
                Ok(locs) => {
                    c.finished.links = locs
                        .iter()
                        .filter_map(|u| child(u, kind, item.depth))
                        .collect()
                }
                Err(e) => c.finished.failure = Some(e),
            }
        }
        Content::Feed => match discover::feed_links(&body) {
            Ok(links) => {
                c.finished.links = links
                    .iter()
                    .filter_map(|u| child(u, ItemKind::Page, item.depth))
                    .collect()
            }
            Err(e) => c.finished.failure = Some(e),
        },
        Content::Html => {
            let Ok(base) = url::Url::parse(&item.url) else {
                c.finished.failure = Some("bad URL".into());
                return c;
            };
            let links = discover::page_links(&body, &base);
            let mut doc_url = item.url.clone();
            if let Some(canon) = links.canonical.as_deref().and_then(discover::canonical)
                && canon != item.url
                && url::Url::parse(&canon).is_ok_and(|u| ctx.scope.host_allowed(&u))
            {
                if ctx.store.state(&canon).ok().flatten() == Some(DONE) {
                    c.finished.duplicate = true;
                }
                c.finished.also_done.push(canon.clone());
                doc_url = canon;
            }
            if !links.nofollow && ctx.max_depth.is_none_or(|d| item.depth < d) {
                let mut seen = std::collections::HashSet::new();
                for l in &links.links {
                    if let Some(i) = child(l, ItemKind::Page, item.depth + 1)
                        && i.url != item.url
                        && i.url != doc_url
                        && seen.insert(i.url.clone())
                    {
                        c.finished.links.push(i);
                    }
                }
            }
            if c.finished.duplicate {
                return c;
            }
            let fetched = now.fixed_offset();
            let opts = Options {
                url: Some(&doc_url),
                http_charset: resp.charset(),
                fetched: Some(fetched),
                rules: ctx.rules.as_ref(),
            };
            match extract(&body, &opts) {
                Ok(page) => {
                    let f = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    c.docs = page.documents(Some(&f), Some("crawl"));
                }
                Err(skip) => c.finished.failure = Some(skip.to_string()),
            }
        }
    }
    c
}

/// Finish a commit that a crash interrupted: the outbox's lines go after the corpus length
/// recorded with them (cutting whatever part of them reached the file). Returns the corpus
/// length to append at.
fn recover_corpus(store: &Store, path: &Path) -> Result<u64> {
    let on_disk = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let Some((at, lines)) = store.outbox()? else {
        return Ok(on_disk);
    };
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let io = |e| Error::io(path, e);
    let start = if on_disk >= at && on_disk - at <= lines.len() as u64 {
        // Only cut what is a prefix of our own lines.
        let mut tail = Vec::new();
        f.seek(SeekFrom::Start(at)).map_err(io)?;
        (&mut f)
            .take(lines.len() as u64)
            .read_to_end(&mut tail)
            .map_err(io)?;
        if lines.starts_with(&tail) {
            at
        } else {
            on_disk
        }
    } else {
        on_disk
    };
    let end = append_at(&mut f, path, start, &lines)?;
    store.clear_outbox(end)?;
    tracing::info!(lines = lines.len(), "finished an interrupted corpus append");
    Ok(end)
}

/// Cut the file to `at`, append `bytes` and sync; returns the new length.
fn append_at(f: &mut std::fs::File, path: &Path, at: u64, bytes: &[u8]) -> Result<u64> {
    let io = |e| Error::io(path, e);
    f.set_len(at).map_err(io)?;
    f.seek(SeekFrom::Start(at)).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_data().map_err(io)?;
    Ok(at + bytes.len() as u64)
}

/// The committer thread: batches results and makes them durable in this order: WARC records
/// (synced), then one store transaction (URLs done, links queued, counters, the corpus lines
/// in the outbox), then the corpus append (synced), then the outbox is cleared. A kill at any
/// point leaves a state the next run completes or repeats without duplicates.
fn committer(
    store: Arc<Store>,
    corpus: PathBuf,
    mut corpus_len: u64,
    mut warc: Option<WarcOut>,
    mut warc_len: u64,
    rx: std::sync::mpsc::Receiver<ToCommit>,
    ev: mpsc::UnboundedSender<Event>,
) -> Result<()> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&corpus)
        .map_err(|e| Error::io(&corpus, e))?;
    let mut finished = Vec::new();
    let mut lines = Vec::new();
    let mut docs = 0u64;
    let mut records = Vec::new();
    let mut hosts: Vec<(String, Vec<u8>)> = Vec::new();
    let mut claimed: std::collections::HashSet<String> = Default::default();
    let mut acks = Vec::new();
    let mut first_at: Option<Instant> = None;
    let mut closed = false;
    loop {
        let msg = match first_at {
            None => match rx.recv() {
                Ok(m) => Some(m),
                Err(_) => {
                    closed = true;
                    None
                }
            },
            Some(t) => match rx.recv_timeout(BATCH_WAIT.saturating_sub(t.elapsed())) {
                Ok(m) => Some(m),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    closed = true;
                    None
                }
            },
        };
        let mut flush = closed;
        match msg {
            Some(ToCommit::Done(c)) => {
                let mut c = *c;
                // The URL the documents are stored under (rel=canonical or the page's own) may
                // have been stored by another page meanwhile: then these are a duplicate.
                if !c.docs.is_empty() {
                    let doc_url = c
                        .finished
                        .also_done
                        .first()
                        .unwrap_or(&c.finished.item.url)
                        .clone();
                    if claimed.contains(&doc_url) || store.state(&doc_url)? == Some(DONE) {
                        c.docs.clear();
                        c.finished.duplicate = true;
                    } else {
                        claimed.insert(doc_url);
                    }
                }
                for d in &c.docs {
                    serde_json::to_writer(&mut lines, d)
                        .map_err(|e| Error::Internal(e.to_string()))?;
                    lines.push(b'\n');
                }
                docs += c.docs.len() as u64;
                records.extend(c.warc);
                finished.push(c.finished);
            }
            Some(ToCommit::Warc(w)) => records.push(w),
            Some(ToCommit::Host(h, rec)) => hosts.push((h, rec)),
            Some(ToCommit::Flush(ack)) => {
                acks.push(ack);
                flush = true;
            }
            None => flush = true,
        }
        if first_at.is_none() && (msg_pending(&finished, &records) || !hosts.is_empty()) {
            first_at = Some(Instant::now());
        }
        if !(flush
            || finished.len() >= BATCH_ITEMS
            || first_at.is_some_and(|t| t.elapsed() >= BATCH_WAIT))
        {
            continue;
        }
        if !finished.is_empty() || !records.is_empty() || !hosts.is_empty() {
            let r = commit(
                &store,
                &mut file,
                &corpus,
                &mut corpus_len,
                warc.as_mut(),
                &mut warc_len,
                &finished,
                docs,
                &lines,
                &records,
                &hosts,
            );
            match r {
                Ok(counts) => {
                    let queued = store.queued().unwrap_or(0);
                    let _ = ev.send(Event::Committed { counts, queued });
                }
                Err(e) => {
                    let msg = e.to_string();
                    let _ = ev.send(Event::CommitFailed(e));
                    return Err(Error::Internal(msg));
                }
            }
            finished.clear();
            lines.clear();
            records.clear();
            hosts.clear();
            claimed.clear();
            docs = 0;
        }
        first_at = None;
        for a in acks.drain(..) {
            let _ = a.send(());
        }
        if closed {
            return Ok(());
        }
    }
}

fn msg_pending(finished: &[Finished], records: &[Vec<u8>]) -> bool {
    !finished.is_empty() || !records.is_empty()
}

#[allow(clippy::too_many_arguments)]
fn commit(
    store: &Store,
    file: &mut std::fs::File,
    corpus: &Path,
    corpus_len: &mut u64,
    warc: Option<&mut WarcOut>,
    warc_len: &mut u64,
    finished: &[Finished],
    docs: u64,
    lines: &[u8],
    records: &[Vec<u8>],
    hosts: &[(String, Vec<u8>)],
) -> Result<Counts> {
    if let Some(w) = warc {
        *warc_len = w.append(records)?;
    }
    // Append after whatever the file holds now (another writer may have added lines).
    *corpus_len = file.metadata().map_err(|e| Error::io(corpus, e))?.len();
    let counts = store.commit_batch(finished, docs, *corpus_len, lines, *warc_len, hosts)?;
    if !lines.is_empty() {
        *corpus_len = append_at(file, corpus, *corpus_len, lines)?;
        store.clear_outbox(*corpus_len)?;
    }
    Ok(counts)
}
