//! `shoptalk crawl` against real HTTP servers on 127.0.0.1:0 run inside the test process.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use crate::util::{Dir, shoptalk};

/// What the server answers to one request.
pub struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Reply {
    fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply::typed("text/html; charset=utf-8", body)
    }
    fn typed(ct: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type", ct.to_string())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }
    fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "text/plain".into())],
            body: format!("status {status}").into_bytes(),
            delay: Duration::ZERO,
        }
    }
    fn redirect(to: &str) -> Reply {
        let mut r = Reply::status(301);
        r.headers.push(("location", to.to_string()));
        r
    }
}

type Handler = dyn Fn(&str, usize) -> Reply + Send + Sync;

/// A loopback HTTP server: `handler(path_and_query, nth request for it)`; logs every request.
pub struct Server {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<(String, Instant)>>>,
    _rt: tokio::runtime::Runtime,
}

impl Server {
    pub fn start(handler: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Server {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let log: Arc<Mutex<Vec<(String, Instant)>>> = Default::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let counts: Arc<Mutex<HashMap<String, usize>>> = Default::default();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let log2 = log.clone();
        let app = axum::Router::new().fallback(move |uri: Uri| {
            let (handler, log, counts) = (handler.clone(), log2.clone(), counts.clone());
            async move {
                let pq = uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                log.lock().unwrap().push((pq.clone(), Instant::now()));
                let n = {
                    let mut c = counts.lock().unwrap();
                    let e = c.entry(pq.clone()).or_insert(0);
                    *e += 1;
                    *e
                };
                let reply = handler(&pq, n);
                if !reply.delay.is_zero() {
                    tokio::time::sleep(reply.delay).await;
                }
                let mut r = Response::new(Body::from(reply.body));
                *r.status_mut() = StatusCode::from_u16(reply.status).unwrap();
                for (k, v) in reply.headers {
                    r.headers_mut().insert(k, v.parse().unwrap());
                }
                r
            }
        });
        rt.spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { addr, log, _rt: rt }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Requests so far: (path and query, when).
    pub fn requests(&self) -> Vec<(String, Instant)> {
        self.log.lock().unwrap().clone()
    }

    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|(p, _)| p == path).count()
    }
}

fn page(title: &str, text: &str, links: &[&str]) -> String {
    let a: String = links
        .iter()
        .map(|l| format!("<a href=\"{l}\">link</a> "))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><title>{title}</title></head><body><nav>{a}</nav>\
         <article><h1>{title}</h1><p>{text}</p></article><footer>© Test site</footer></body></html>"
    )
}

fn en_text(n: usize) -> String {
    format!(
        "Report number {n}: sellers said parcels from the overseas warehouse arrived within two days, \
         while buyers complained that refunds for damaged goods still took weeks to arrive."
    )
}

/// The documents of a corpus, as (id, whole line), in file order.
fn corpus_lines(dir: &Dir, name: &str) -> Vec<(String, serde_json::Value)> {
    let text = std::fs::read_to_string(dir.path(&format!("corpora/{name}/docs.jsonl"))).unwrap();
    text.lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).expect("every corpus line is whole JSON");
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

fn crawl_json(dir: &Dir, args: &[&str]) -> serde_json::Value {
    let mut full = vec!["crawl", "--json"];
    full.extend_from_slice(args);
    let out = shoptalk(dir.tmp.path(), &full).ok();
    serde_json::from_str(&out).unwrap()
}

fn feature_site(base: String) -> impl Fn(&str, usize) -> Reply + Send + Sync + 'static {
    move |pq: &str, n: usize| -> Reply {
        match pq {
            "/robots.txt" => Reply::typed(
                "text/plain",
                format!(
                    "User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap_index.xml\n"
                ),
            ),
            "/" => Reply::html(page(
                "Home",
                &en_text(0),
                &[
                    "/a?utm_source=newsletter&utm_medium=email",
                    "/a?fbclid=XYZ#comments",
                    "/a?spm=1.2.3",
                    "/private/secret",
                    "/gbk",
                    "/r1",
                    "/loop1",
                    "/flaky",
                    "/busy",
                    "/slow",
                    "/huge",
                    "/file.bin",
                    "/binary-as-html",
                    "/product",
                    "/gone",
                    "/dup",
                    "mailto:someone@example.com",
                    "http://other.invalid/outside",
                ],
            )),
            "/a" => Reply::html(page("Page A", &en_text(1), &["/"])),
            "/gbk" => {
                let html = "<html><head><meta charset=\"gbk\"><title>跨境物流观察</title></head><body><article><h1>跨境物流观察</h1>\
                    <p>今年不少卖家把库存提前放进海外仓，买家第二天就能收到包裹，物流成本虽然上升，但退货率明显下降了。</p></article></body></html>";
                let (bytes, _, _) = encoding_rs::GBK.encode(html);
                Reply::typed("text/html", bytes.into_owned())
            }
            "/r1" => Reply::redirect("/r2"),
            "/r2" => Reply::redirect("/r3"),
            "/r3" => Reply::redirect("/final"),
            "/final" => Reply::html(page("Final", &en_text(2), &[])),
            "/loop1" => Reply::redirect("/loop2"),
            "/loop2" => Reply::redirect("/loop1"),
            "/flaky" if n == 1 => Reply::status(500),
            "/flaky" => Reply::html(page("Flaky", &en_text(3), &[])),
            "/busy" if n == 1 => {
                let mut r = Reply::status(429);
                r.headers.push(("retry-after", "1".into()));
                r
            }
            "/busy" => Reply::html(page("Busy", &en_text(4), &[])),
            "/slow" => {
                let mut r = Reply::html(page("Slow", &en_text(5), &[]));
                r.delay = Duration::from_millis(3000);
                r
            }
            "/huge" => Reply::html(page("Huge", &"big ".repeat(50_000), &[])),
            "/file.bin" => Reply::typed("application/octet-stream", vec![0u8, 1, 2, 3, 255]),
            "/binary-as-html" => Reply::typed(
                "text/html",
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\0".to_vec(),
            ),
            "/gone" => Reply::status(404),
            "/dup" => Reply::html(format!(
                "<html><head><link rel=\"canonical\" href=\"{base}/a\"><title>Page A copy</title></head><body>\
                 <article><p>{}</p></article></body></html>",
                en_text(1)
            )),
            "/product" => Reply::html(
                "<html><head><title>Kettle</title></head><body><h1>Steel kettle</h1><p>Our best kettle.</p>\
                 <script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"Product\",\"name\":\"Steel kettle\",\
                 \"aggregateRating\":{\"@type\":\"AggregateRating\",\"ratingValue\":3.5,\"reviewCount\":2},\
                 \"review\":[{\"@type\":\"Review\",\"author\":{\"@type\":\"Person\",\"name\":\"Ann\"},\"reviewRating\":{\"@type\":\"Rating\",\"ratingValue\":5},\"reviewBody\":\"Boils fast and the lid closes well.\"},\
                 {\"@type\":\"Review\",\"author\":{\"@type\":\"Person\",\"name\":\"Bo\"},\"reviewRating\":{\"@type\":\"Rating\",\"ratingValue\":2},\"reviewBody\":\"The handle gets hot and the seller ignored my refund request.\"}]}</script></body></html>",
            ),
            "/sitemap_index.xml" => Reply::typed(
                "application/xml",
                format!(
                    "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                     <sitemap><loc>{base}/sitemap-1.xml.gz</loc></sitemap></sitemapindex>"
                ),
            ),
            "/sitemap-1.xml.gz" => {
                use std::io::Write;
                let xml = format!(
                    "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                     <url><loc>{base}/from-sitemap</loc></url><url><loc>{base}/a?utm_campaign=sm</loc></url></urlset>"
                );
                let mut gz =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                gz.write_all(xml.as_bytes()).unwrap();
                Reply::typed("application/x-gzip", gz.finish().unwrap())
            }
            "/from-sitemap" => Reply::html(page("From the sitemap", &en_text(6), &[])),
            "/rss.xml" => Reply::typed(
                "application/rss+xml",
                format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>{base}/</link><description>d</description>\
                     <item><title>r</title><link>{base}/from-rss</link></item></channel></rss>"
                ),
            ),
            "/atom.xml" => Reply::typed(
                "application/atom+xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>urn:x</id>\
                     <updated>2024-01-01T00:00:00Z</updated><entry><title>e</title><id>urn:e</id><updated>2024-01-01T00:00:00Z</updated>\
                     <link href=\"{base}/from-atom\"/></entry></feed>"
                ),
            ),
            "/from-rss" => Reply::html(page("From RSS", &en_text(7), &[])),
            "/from-atom" => Reply::html(page("From Atom", &en_text(8), &[])),
            _ => Reply::status(404),
        }
    }
}

#[test]
fn crawls_a_site_with_every_kind_of_trouble() {
    let dir = Dir::new();
    let server = Server::start_with_base(feature_site);
    let s = crawl_json(
        &dir,
        &[
            &server.url("/"),
            "--feed",
            &server.url("/rss.xml"),
            "--feed",
            &server.url("/atom.xml"),
            "--corpus",
            "corpora/web",
            "--delay",
            "0",
            "--per-host",
            "4",
            "--timeout",
            "800",
            "--retries",
            "2",
            "--backoff",
            "100",
            "--max-body",
            "100000",
            "--max-redirects",
            "3",
            "--warc",
        ],
    );
    let failures: HashMap<String, String> = s["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["url"].as_str().unwrap().replace(&server.url(""), "");
            (path, f["reason"].as_str().unwrap().to_string())
        })
        .collect();
    let docs = corpus_lines(&dir, "web");
    let urls: HashSet<String> = docs
        .iter()
        .map(|(_, d)| d["url"].as_str().unwrap().replace(&server.url(""), ""))
        .collect();
    // Pages reached through links, redirects, the sitemap index (gzipped child), RSS and Atom.
    for want in [
        "/",
        "/a",
        "/gbk",
        "/final",
        "/flaky",
        "/busy",
        "/product",
        "/from-sitemap",
        "/from-rss",
        "/from-atom",
    ] {
        assert!(
            urls.contains(want),
            "{want} missing from {urls:?}; failures {failures:?}"
        );
    }
    // Tracking-parameter duplicates and the rel=canonical copy collapse into one request for /a.
    assert_eq!(server.hits("/a"), 1);
    assert!(server.hits("/dup") <= 1);
    // One document for /a, whether /a or its rel=canonical copy /dup was stored first.
    let a_url = server.url("/a");
    assert_eq!(
        docs.iter()
            .filter(|(_, d)| d["url"] == a_url.as_str())
            .count(),
        1
    );
    // robots.txt: the disallowed page is never requested and is recorded with the reason.
    assert_eq!(server.hits("/private/secret"), 0);
    assert_eq!(failures["/private/secret"], "disallowed by robots.txt");
    assert_eq!(s["robots_excluded"], 1);
    // GBK decoded.
    let gbk = docs
        .iter()
        .find(|(_, d)| d["url"].as_str().unwrap().ends_with("/gbk"))
        .unwrap();
    assert_eq!(gbk.1["title"], "跨境物流观察");
    assert!(gbk.1["body"].as_str().unwrap().contains("海外仓"));
    // 500 then 200 is retried; 429 waits for Retry-After (1 s) before the second request.
    assert_eq!(server.hits("/flaky"), 2);
    let busy: Vec<Instant> = server
        .requests()
        .into_iter()
        .filter(|(p, _)| p == "/busy")
        .map(|(_, t)| t)
        .collect();
    assert_eq!(busy.len(), 2);
    assert!(
        busy[1] - busy[0] >= Duration::from_millis(950),
        "{:?}",
        busy[1] - busy[0]
    );
    // The redirect loop ends, a too slow page times out after its retries, and hostile pages fail with reasons.
    assert!(server.hits("/loop1") == 1 && server.hits("/loop2") == 1);
    assert!(failures["/slow"].contains("timed out"), "{failures:?}");
    assert_eq!(server.hits("/slow"), 3);
    assert!(
        failures["/huge"].contains("larger than 100000 bytes"),
        "{failures:?}"
    );
    assert!(
        failures["/file.bin"].contains("content type application/octet-stream"),
        "{failures:?}"
    );
    assert!(
        failures["/binary-as-html"].contains("binary"),
        "{failures:?}"
    );
    assert_eq!(failures["/gone"], "HTTP 404 Not Found");
    assert!(!urls.iter().any(|u| u.contains("other.invalid")));
    // JSON-LD reviews become review documents.
    let reviews: Vec<_> = docs.iter().filter(|(_, d)| d["kind"] == "review").collect();
    assert_eq!(reviews.len(), 2);
    assert!(
        reviews
            .iter()
            .any(|(_, d)| d["rating"] == 2.0 && d["product"] == "Steel kettle")
    );
    // No id twice.
    let ids: HashSet<&String> = docs.iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), docs.len());
    assert_eq!(s["documents"].as_u64().unwrap() as usize, docs.len());

    // A second run has nothing to do and fetches nothing.
    let before = server.requests().len();
    let again = crawl_json(
        &dir,
        &[&server.url("/"), "--corpus", "corpora/web", "--delay", "0"],
    );
    assert_eq!(again["fetched"], 0);
    assert_eq!(server.requests().len(), before);

    // The WARC file holds every response and `shoptalk ingest` reads it back.
    let warc = dir.path("corpora/web/crawl.warc.gz");
    assert!(warc.is_file());
    let out = shoptalk(
        dir.tmp.path(),
        &[
            "ingest",
            warc.to_str().unwrap(),
            "--corpus",
            "corpora/from-warc",
            "--json",
        ],
    )
    .ok();
    let ing: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(ing["added"].as_u64().unwrap() >= 10, "{ing}");
    let from_warc = corpus_lines(&dir, "from-warc");
    assert!(from_warc.iter().any(|(_, d)| d["title"] == "跨境物流观察"));
}

impl Server {
    /// Start a server whose handler is built from its own base URL.
    pub fn start_with_base<H, F>(make: F) -> Server
    where
        H: Fn(&str, usize) -> Reply + Send + Sync + 'static,
        F: FnOnce(String) -> H,
    {
        let slot: Arc<Mutex<Option<Box<Handler>>>> = Default::default();
        let slot2 = slot.clone();
        let server = Server::start(move |pq, n| {
            let g = slot2.lock().unwrap();
            (g.as_ref().expect("handler set"))(pq, n)
        });
        *slot.lock().unwrap() = Some(Box::new(make(format!("http://{}", server.addr))));
        server
    }
}

#[test]
fn crawl_delay_spaces_requests_to_one_host() {
    let dir = Dir::new();
    let server = Server::start(|pq, _| match pq {
        "/robots.txt" => Reply::typed(
            "text/plain",
            "User-agent: *\nCrawl-delay: 1\nDisallow: /nope\n",
        ),
        "/" => Reply::html(page("Home", &en_text(0), &["/p1", "/p2", "/nope"])),
        "/p1" => Reply::html(page("P1", &en_text(1), &[])),
        "/p2" => Reply::html(page("P2", &en_text(2), &[])),
        _ => Reply::status(404),
    });
    let s = crawl_json(
        &dir,
        &[
            &server.url("/"),
            "--corpus",
            "corpora/slow",
            "--delay",
            "0",
            "--per-host",
            "4",
            "--concurrency",
            "8",
        ],
    );
    assert_eq!(s["fetched"], 3);
    let times: Vec<Instant> = server.requests().iter().map(|(_, t)| *t).collect();
    assert_eq!(
        times.len(),
        4,
        "robots.txt and three pages: {:?}",
        server.requests()
    );
    for w in times.windows(2) {
        assert!(
            w[1] - w[0] >= Duration::from_millis(950),
            "requests {:?} apart",
            w[1] - w[0]
        );
    }
    assert_eq!(server.hits("/nope"), 0);
}

#[test]
fn unreachable_robots_txt_is_retried_and_404_allows_all() {
    let dir = Dir::new();
    let server = Server::start(|pq, n| match pq {
        "/robots.txt" if n <= 2 => Reply::status(503),
        "/robots.txt" => Reply::typed("text/plain", "User-agent: *\nDisallow: /private\n"),
        "/" => Reply::html(page("Home", &en_text(0), &["/private"])),
        _ => Reply::status(404),
    });
    let s = crawl_json(
        &dir,
        &[
            &server.url("/"),
            "--corpus",
            "corpora/r",
            "--delay",
            "0",
            "--backoff",
            "100",
        ],
    );
    assert_eq!(server.hits("/robots.txt"), 3);
    assert_eq!(server.hits("/private"), 0);
    assert_eq!(s["fetched"], 1);

    let dir = Dir::new();
    let server = Server::start(|pq, _| match pq {
        "/" => Reply::html(page("Home", &en_text(0), &["/private"])),
        "/private" => Reply::html(page("Private", &en_text(1), &[])),
        _ => Reply::status(404),
    });
    let s = crawl_json(
        &dir,
        &[&server.url("/"), "--corpus", "corpora/r", "--delay", "0"],
    );
    assert_eq!(s["fetched"], 2);
    assert_eq!(server.hits("/private"), 1);

    // A robots.txt that never answers makes the host's URLs fail with the reason.
    let dir = Dir::new();
    let server = Server::start(|_, _| Reply::status(500));
    let s = crawl_json(
        &dir,
        &[
            &server.url("/"),
            "--corpus",
            "corpora/r",
            "--delay",
            "0",
            "--backoff",
            "10",
        ],
    );
    assert_eq!(s["fetched"], 0);
    assert!(
        s["failures"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("robots.txt unreachable"),
        "{s}"
    );
    assert_eq!(server.hits("/"), 0);
}

/// A site of 150 linked pages, each a little slow, for interrupting crawls.
fn big_site() -> impl Fn(&str, usize) -> Reply + Send + Sync + 'static {
    |pq: &str, _| {
        if pq == "/robots.txt" {
            return Reply::status(404);
        }
        let Some(n) = pq
            .strip_prefix("/p/")
            .and_then(|s| s.split('?').next()?.parse::<usize>().ok())
        else {
            return Reply::status(404);
        };
        if n >= 150 {
            return Reply::status(404);
        }
        let links: Vec<String> = [n + 1, n + 2, (n * 7) % 150, n + 1]
            .iter()
            .enumerate()
            .map(|(i, k)| {
                if i == 3 {
                    format!("/p/{k}?utm_source=x")
                } else {
                    format!("/p/{k}")
                }
            })
            .collect();
        let refs: Vec<&str> = links.iter().map(String::as_str).collect();
        let mut r = Reply::html(page(&format!("Page {n}"), &en_text(n), &refs));
        r.delay = Duration::from_millis(15);
        r
    }
}

#[test]
fn killed_crawls_resume_to_the_same_corpus() {
    let dir = Dir::new();
    let server = Server::start(big_site());
    let seed = server.url("/p/0");
    let args = |corpus: &str| -> Vec<String> {
        [
            "crawl",
            &seed,
            "--corpus",
            corpus,
            "--delay",
            "0",
            "--per-host",
            "3",
            "--concurrency",
            "3",
            "-q",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    // Uninterrupted.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shoptalk"))
        .args(args("corpora/whole"))
        .current_dir(dir.tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let whole = corpus_lines(&dir, "whole");
    assert_eq!(whole.len(), 150);

    // Killed with SIGKILL several times, then run to the end: once right after the start
    // (while the state is being created), then each time the corpus has grown a little.
    let lines = |d: &Dir| {
        std::fs::read_to_string(d.path("corpora/killed/docs.jsonl"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    let mut kills = 0;
    for (grow, extra_ms) in [(0usize, 5u64), (10, 0), (15, 7), (20, 3), (12, 11)] {
        let start = lines(&dir);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shoptalk"))
            .args(args("corpora/killed"))
            .current_dir(dir.tmp.path())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while lines(&dir) < start + grow && Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(extra_ms));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        // Whatever the moment, every finished line is a whole document; a kill in the middle
        // of a write can leave a last line without its newline, which the next run cuts off.
        let text = std::fs::read(dir.path("corpora/killed/docs.jsonl")).unwrap_or_default();
        let whole = text.rsplitn(2, |&b| b == b'\n').nth(1).unwrap_or(&[]);
        for line in whole.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            serde_json::from_slice::<serde_json::Value>(line).expect("whole lines are whole JSON");
        }
    }
    assert!(
        kills >= 4,
        "the crawl finished too early to be interrupted ({kills} kills)"
    );
    assert!(lines(&dir) < 150, "the kills left work for the last run");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shoptalk"))
        .args(args("corpora/killed"))
        .current_dir(dir.tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let killed = corpus_lines(&dir, "killed");
    let ids = |docs: &[(String, serde_json::Value)]| -> Vec<String> {
        let mut v: Vec<String> = docs.iter().map(|(id, _)| id.clone()).collect();
        v.sort();
        v
    };
    let (a, b) = (ids(&whole), ids(&killed));
    assert_eq!(a, b, "same ids as the uninterrupted crawl");
    let unique: HashSet<&String> = b.iter().collect();
    assert_eq!(unique.len(), b.len(), "no duplicate lines");

    // Once stored, no page is fetched again.
    let before = server.requests().len();
    let again = crawl_json(&dir, &[&seed, "--corpus", "corpora/killed", "--delay", "0"]);
    assert_eq!(again["fetched"], 0);
    assert_eq!(server.requests().len(), before);
}

#[test]
fn max_pages_and_depth_limit_the_crawl_and_a_later_run_continues() {
    let dir = Dir::new();
    let server = Server::start(big_site());
    let seed = server.url("/p/0");
    let s = crawl_json(
        &dir,
        &[
            &seed,
            "--corpus",
            "corpora/m",
            "--delay",
            "0",
            "--max-pages",
            "5",
        ],
    );
    assert_eq!(s["fetched"], 5);
    assert!(s["queued"].as_u64().unwrap() > 0);
    let s = crawl_json(
        &dir,
        &[
            &seed,
            "--corpus",
            "corpora/m",
            "--delay",
            "0",
            "--max-pages",
            "8",
        ],
    );
    assert_eq!(s["fetched"], 3);
    assert_eq!(s["total"]["fetched"], 8);

    let dir = Dir::new();
    let s = crawl_json(
        &dir,
        &[
            &seed,
            "--corpus",
            "corpora/d",
            "--delay",
            "0",
            "--max-depth",
            "1",
        ],
    );
    // /p/0 links to /p/1, /p/2 and itself.
    assert_eq!(s["fetched"], 3);
    let s = crawl_json(
        &dir,
        &[
            &seed,
            "--corpus",
            "corpora/e",
            "--delay",
            "0",
            "--max-depth",
            "2",
            "--exclude",
            "/p/2$",
        ],
    );
    // Depth 2 without /p/2: /p/0, /p/1 and the pages /p/1 links to (/p/3, /p/7).
    assert_eq!(s["fetched"], 4, "{s}");
    let e = corpus_lines(&dir, "e");
    assert!(
        e.iter()
            .all(|(_, d)| !d["url"].as_str().unwrap().ends_with("/p/2"))
    );
}

#[test]
fn config_file_and_flag_errors() {
    let dir = Dir::new();
    let server = Server::start(|pq, _| match pq {
        "/" => Reply::html(page("Home", &en_text(0), &[])),
        _ => Reply::status(404),
    });
    dir.write(
        "crawl.toml",
        &format!(
            "urls = [\"{}\"]\ncorpus = \"corpora/cfg\"\ndelay = 0\nmax_pages = 10\n",
            server.url("/")
        ),
    );
    let s = crawl_json(&dir, &["--config", "crawl.toml"]);
    assert_eq!(s["fetched"], 1);
    assert!(dir.path("corpora/cfg/docs.jsonl").is_file());

    let t = dir.tmp.path();
    dir.write(
        "bad.toml",
        "urls = [\"http://a.test/\"]\ndelay = \"soon\"\n",
    );
    shoptalk(
        t,
        &["crawl", "--config", "bad.toml", "--corpus", "corpora/x"],
    )
    .user_error("bad.toml:2:");
    dir.write("unknown.toml", "urls = []\nspeed = 3\n");
    shoptalk(t, &["crawl", "--config", "unknown.toml"]).user_error("unknown field `speed`");
    shoptalk(
        t,
        &[
            "crawl",
            "http://a.test/",
            "--corpus",
            "corpora/x",
            "--include",
            "(unclosed",
        ],
    )
    .user_error("--include \"(unclosed\": invalid regular expression");
    shoptalk(t, &["crawl", "not a url", "--corpus", "corpora/x"]).user_error("not an http(s) URL");
    shoptalk(t, &["crawl", "ftp://a.test/", "--corpus", "corpora/x"])
        .user_error("not an http(s) URL");
    shoptalk(
        t,
        &["crawl", "--seeds", "missing.txt", "--corpus", "corpora/x"],
    )
    .user_error("missing.txt");
    dir.write("seeds.txt", "# start here\nhttp://a.test/\nnot-a-url\n");
    shoptalk(
        t,
        &["crawl", "--seeds", "seeds.txt", "--corpus", "corpora/x"],
    )
    .user_error("seeds.txt:3:");
    shoptalk(t, &["crawl", "--corpus", "corpora/x"]).user_error("nothing to crawl");
    shoptalk(t, &["crawl", "http://a.test/"]).user_error("--corpus is required");
    shoptalk(
        t,
        &[
            "crawl",
            "http://a.test/",
            "--corpus",
            "corpora/x",
            "--resolve",
            "a.test=1.2.3.4",
        ],
    )
    .user_error("--resolve");
    assert!(
        !dir.path("corpora/x").exists(),
        "nothing is created before the settings are valid"
    );
}

#[test]
fn demo_crawls_the_bundled_site_and_reruns_harmlessly() {
    let dir = Dir::new();
    let out = shoptalk(dir.tmp.path(), &["demo", "-q"]).ok();
    assert!(out.contains("crawled the bundled sample site"), "{out}");
    let crawled = corpus_lines(&dir, "sample-crawl");
    assert!(crawled.len() >= 40, "{}", crawled.len());
    assert!(
        crawled
            .iter()
            .any(|(_, d)| d["lang"] == "zh" && d["title"] == "低价内卷：一件T恤卖九块九还包邮"),
        "GBK page"
    );
    assert!(
        crawled
            .iter()
            .filter(|(_, d)| d["kind"] == "review")
            .count()
            >= 20
    );
    assert!(
        crawled
            .iter()
            .all(|(_, d)| !d["url"].as_str().unwrap().contains("/admin/"))
    );
    let again = shoptalk(dir.tmp.path(), &["demo", "-q"]).ok();
    assert!(again.contains("0 pages fetched now"), "{again}");
    assert_eq!(corpus_lines(&dir, "sample-crawl").len(), crawled.len());
}

#[test]
fn ctrl_c_stops_cleanly_and_the_same_command_continues() {
    let dir = Dir::new();
    let server = Server::start(big_site());
    let seed = server.url("/p/0");
    let args = [
        "crawl",
        &seed,
        "--corpus",
        "corpora/int",
        "--delay",
        "0",
        "--json",
        "-q",
    ];
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_shoptalk"))
        .args(args)
        .current_dir(dir.tmp.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.hits("/p/5") == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    // SIGINT, as Ctrl-C sends (the shell's kill builtin: no extra crate for signals).
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["interrupted"], true, "{s}");
    assert!(s["queued"].as_u64().unwrap() > 0, "{s}");
    let first = corpus_lines(&dir, "int").len();
    assert_eq!(first as u64, s["documents"].as_u64().unwrap());

    let s = crawl_json(&dir, &[&seed, "--corpus", "corpora/int", "--delay", "0"]);
    assert_eq!(s["interrupted"], false);
    assert_eq!(s["queued"], 0);
    let docs = corpus_lines(&dir, "int");
    let ids: HashSet<&String> = docs.iter().map(|(id, _)| id).collect();
    assert_eq!((docs.len(), ids.len()), (150, 150));
}

#[test]
fn include_patterns_choose_pages_but_sitemaps_are_still_read() {
    let dir = Dir::new();
    let server = Server::start_with_base(|base| {
        move |pq: &str, _| match pq {
            "/robots.txt" => Reply::typed(
                "text/plain",
                format!("User-agent: *\nSitemap: {base}/sitemap.xml\n"),
            ),
            "/sitemap.xml" => Reply::typed(
                "application/xml",
                format!(
                    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>{base}/news/1</loc></url>\
                     <url><loc>{base}/other/1</loc></url></urlset>"
                ),
            ),
            "/news/start" => Reply::html(page("Start", &en_text(0), &["/news/2", "/other/2"])),
            p if p.starts_with("/news/") || p.starts_with("/other/") => {
                Reply::html(page(p, &en_text(9), &[]))
            }
            _ => Reply::status(404),
        }
    });
    let s = crawl_json(
        &dir,
        &[
            &server.url("/news/start"),
            "--corpus",
            "corpora/inc",
            "--delay",
            "0",
            "--include",
            "/news/",
        ],
    );
    assert_eq!(server.hits("/sitemap.xml"), 1);
    assert_eq!(server.hits("/news/1"), 1);
    assert_eq!(server.hits("/news/2"), 1);
    assert_eq!(server.hits("/other/1") + server.hits("/other/2"), 0);
    assert_eq!(s["fetched"], 4, "start page, sitemap, two news pages: {s}");
}
