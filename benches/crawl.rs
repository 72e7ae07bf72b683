//! Crawl throughput and memory: the real `shoptalk crawl` binary against a fast in-process
//! server of generated pages, politeness off, extraction included.
//!
//! Page n links to pages 5n+1 ... 5n+5, so fetching 20,000 pages in crawl order discovers
//! 100,000 URLs: the frontier grows to 100,000 while the crawl runs. Peak memory is the crawler
//! process's own (VmHWM), reported for a short and a full crawl to show whether it stays flat.
//!
//! Run: `cargo bench --bench crawl` (or `scripts/bench-crawl.sh`); `BENCH_PAGES` sets the pages
//! fetched (default 20000), `BENCH_RUNS` the repetitions (median reported).

use std::process::Command;

use axum::body::Body;
use axum::http::{HeaderValue, Uri, header};
use axum::response::Response;

mod common;
use common::{env_or, median};

const ZH: [&str; 4] = [
    "今年不少卖家把库存提前放进海外仓，买家第二天就能收到包裹，退货率也明显下降。",
    "直播间里的价格看起来很低，但到手以后颜色和面料都不一样，很多人直接申请了退款。",
    "平台要求商家在大促前备足库存，快递员一天要送两百多件，最后一公里成了难题。",
    "消费者越来越看重成分表和真实评价，品牌的知名度不再是唯一的选择理由。",
];
const EN: [&str; 4] = [
    "Sellers moved stock into overseas warehouses this spring, and buyers now get parcels the next day.",
    "The livestream price looked low, but the colour and fabric were different on arrival, so many asked for refunds.",
    "Couriers deliver more than two hundred parcels a day before the sales, and the last mile is the bottleneck.",
    "Shoppers read ingredient lists and real reviews, and a famous brand is no longer reason enough to buy.",
];

/// Page `n`: a news page of typical size with boilerplate (a nav menu of 40 links, share bar,
/// sidebar, footer), 16 paragraphs, and 5 links to new pages.
fn page(n: u64) -> String {
    let zh = n.is_multiple_of(2);
    let menu: String = (0..40)
        .map(|i| format!("<li class=\"menu-item\"><a href=\"/p/{}\" class=\"menu-link\">Section {i}</a></li>", i % 3))
        .collect();
    let paras: String = (0..16)
        .map(|i| {
            let k = ((n + i) % 4) as usize;
            let t = if zh { ZH[k] } else { EN[k] };
            format!("<p>{t} ({n}-{i}) {t}</p>")
        })
        .collect();
    let links: String = (1..=5)
        .map(|i| {
            format!(
                "<li><a href=\"/p/{}?utm_source=bench\">related {i}</a></li>",
                5 * n + i
            )
        })
        .collect();
    let title = if zh {
        format!("第{n}篇：海外仓与物流")
    } else {
        format!("Story {n}: warehouses and refunds")
    };
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title} - Bench News</title></head><body>\
         <header><nav><ul class=\"menu\">{menu}</ul></nav></header>\
         <main><article><h1>{title}</h1><p class=\"byline\">2024-05-{:02}</p><div class=\"share\">Share: X Facebook</div>{paras}</article>\
         <aside><h3>Related</h3><ul>{links}</ul></aside></main><footer><ul class=\"menu\">{menu}</ul>\
         <p>© Bench News. All rights reserved. Reproduction without permission is prohibited.</p></footer></body></html>",
        if zh { "zh" } else { "en" },
        n % 28 + 1
    )
}

fn serve() -> (std::net::SocketAddr, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(|uri: Uri| async move {
        let n = uri
            .path()
            .strip_prefix("/p/")
            .and_then(|s| s.parse::<u64>().ok());
        let body = match n {
            Some(n) => page(n),
            None if uri.path() == "/robots.txt" => "User-agent: *\nDisallow: /private/\n".into(),
            None => String::new(),
        };
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        r
    });
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, rt)
}

struct Run {
    pages: u64,
    docs: u64,
    queued: u64,
    seconds: f64,
    pages_per_sec: f64,
    rss_mb: f64,
}

fn crawl(addr: std::net::SocketAddr, pages: u64) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shoptalk"))
        .args([
            "crawl",
            &format!("http://{addr}/p/0"),
            "--corpus",
            dir.path().join("c").to_str().unwrap(),
            "--delay",
            "0",
            "--per-host",
            "64",
            "--concurrency",
            "64",
            "--max-pages",
            &pages.to_string(),
            "--json",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let docs = std::fs::read_to_string(dir.path().join("c/docs.jsonl"))
        .unwrap()
        .lines()
        .count() as u64;
    let r = Run {
        pages: v["fetched"].as_u64().unwrap(),
        docs,
        queued: v["queued"].as_u64().unwrap(),
        seconds: v["seconds"].as_f64().unwrap(),
        pages_per_sec: v["pages_per_sec"].as_f64().unwrap(),
        rss_mb: v["peak_rss_mb"].as_f64().unwrap_or(0.0),
    };
    assert_eq!(r.pages, pages, "every page fetched");
    assert_eq!(r.docs, pages, "one article per page");
    r
}

fn main() {
    let pages = env_or("BENCH_PAGES", 20_000) as u64;
    let runs = env_or("BENCH_RUNS", 3);
    let (addr, _rt) = serve();
    let small = crawl(addr, pages / 4);
    let mut full = Vec::new();
    for _ in 0..runs {
        let r = crawl(addr, pages);
        eprintln!(
            "  {} pages in {:.2}s = {:.0} pages/s, peak RSS {:.0} MB, {} URLs left queued",
            r.pages, r.seconds, r.pages_per_sec, r.rss_mb, r.queued
        );
        full.push(r);
    }
    let pps = median(full.iter().map(|r| r.pages_per_sec).collect());
    let secs = median(full.iter().map(|r| r.seconds).collect());
    let rss = median(full.iter().map(|r| r.rss_mb).collect());
    let seen = full[0].pages + full[0].queued;
    let avg_kb = (0..1000).map(|n| page(n).len()).sum::<usize>() as f64 / 1000.0 / 1024.0;
    println!(
        "Crawl of {pages} generated pages ({avg_kb:.1} KB of HTML each, half zh, half en), politeness off (--delay 0 --per-host 64 --concurrency 64), \
         extraction included; median of {runs} runs.\n\n\
         | crawl | pages | URLs discovered | seconds | pages/s | peak RSS MB |\n|---|---:|---:|---:|---:|---:|\n\
         | short | {} | {} | {:.2} | {:.0} | {:.0} |\n| full | {pages} | {seen} | {secs:.2} | {pps:.0} | {rss:.0} |",
        small.pages,
        small.pages + small.queued,
        small.seconds,
        small.pages_per_sec,
        small.rss_mb,
    );
}
