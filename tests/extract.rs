use serde_json::Value;

use crate::util::{Dir, shoptalk};

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract")
}

fn extract(args: &[&str]) -> Vec<Value> {
    let dir = Dir::new();
    let mut full = vec!["extract"];
    full.extend_from_slice(args);
    let out = shoptalk(&fixtures(), &full).ok();
    let _ = dir;
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn gbk_page_main_text_without_boilerplate() {
    let pages = extract(&["gbk_article.html", "--fetched", "2022-07-20T00:00:00+08:00"]);
    let p = &pages[0];
    assert_eq!(p["file"], "gbk_article.html");
    assert_eq!(p["encoding"], "GBK");
    assert_eq!(p["lang"], "zh");
    assert_eq!(p["title"], "海外仓租金上涨，卖家调整备货策略");
    assert_eq!(p["author"], "李明");
    assert_eq!(p["published"], "2022-07-19T10:31:00+08:00");
    let body = p["body"].as_str().unwrap();
    let paras: Vec<&str> = body.split("\n\n").collect();
    assert_eq!(paras.len(), 3, "{body}");
    assert!(paras[0].starts_with("今年以来"));
    for junk in [
        "分享到",
        "打赏",
        "版权声明",
        "二维码",
        "相关阅读",
        "亚马逊旺季",
        "首页",
        "Copyright",
    ] {
        assert!(!body.contains(junk), "{junk} in {body}");
    }
}

#[test]
fn crawler_envelope_gives_url_and_charset() {
    let p = &extract(&["envelope_gbk.html"])[0];
    assert_eq!(p["url"], "http://news.example.cn/a/42.html");
    assert_eq!(p["site"], "news.example.cn");
    assert!(p["body"].as_str().unwrap().contains("海外仓租金普遍上涨"));
}

#[test]
fn big5_page_and_relative_date() {
    let p = &extract(&["big5_post.html", "--fetched", "2024-05-10T12:00:00+08:00"])[0];
    assert_eq!(p["encoding"], "Big5");
    assert!(p["body"].as_str().unwrap().contains("電熱水壺燒水很快"));
    assert_eq!(p["published"], "2024-05-07");
}

#[test]
fn json_ld_reviews_and_aggregate() {
    let p = &extract(&[
        "jsonld_review.html",
        "--url",
        "https://shop.example/p/kettle",
    ])[0];
    assert_eq!(p["site"], "shop.example");
    assert_eq!(p["site_name"], "Example Shop");
    assert_eq!(p["title"], "Steel Kettle 1.7L");
    assert!(
        p["body"]
            .as_str()
            .unwrap()
            .starts_with("A brushed steel kettle")
    );
    let r = p["reviews"].as_array().unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["rating"], 4.5, "9 of 10 is 4.5 of 5");
    assert_eq!(r[0]["author"], "Ann Lee");
    assert_eq!(r[0]["product"], "Steel Kettle 1.7L");
    assert_eq!(r[0]["published"], "2024-02-10");
    assert_eq!(r[1]["rating"], 2.0);
    assert_eq!(p["aggregate_rating"]["rating"], 4.1);
    assert_eq!(p["aggregate_rating"]["count"], 2);
}

#[test]
fn microdata_reviews() {
    let p = &extract(&["microdata_review.html"])[0];
    let r = p["reviews"].as_array().unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["author"], "王女士");
    assert_eq!(r[0]["rating"], 5.0);
    assert_eq!(r[1]["rating"], 3.0, "60 of 100 is 3 of 5");
    assert_eq!(r[1]["product"], "不锈钢电热水壶");
    assert_eq!(r[1]["body"], "用了两周底座就有点松动，客服回复很慢。");
}

#[test]
fn css_rules_find_unmarked_reviews() {
    let p = &extract(&[
        "rules_page.html",
        "--url",
        "https://www.shop.example/p/9",
        "--rules",
        "rules.toml",
    ])[0];
    let r = p["reviews"].as_array().unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["rating"], 4.0);
    assert_eq!(r[0]["published"], "2024-05-01T09:30:00+08:00");
    assert_eq!(r[1]["published"], "2024-05-03");
    assert_eq!(r[1]["product"], "静音电热水壶");
    // Without the rules the page has no reviews.
    let p = &extract(&["rules_page.html", "--url", "https://www.shop.example/p/9"])[0];
    assert!(p["reviews"].as_array().unwrap().is_empty());
}

#[test]
fn folder_walk_skips_binary_with_a_reason() {
    let dir = Dir::new();
    let run = shoptalk(dir.tmp.path(), &["extract", fixtures().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().count(),
        7,
        "every page but the binary one"
    );
    assert!(
        run.stderr.contains("binary.html: binary content"),
        "{}",
        run.stderr
    );
    // A truncated page still gives its text.
    assert!(run.stdout.contains("ten thousand parcels"));
}

#[test]
fn bad_arguments_are_user_errors() {
    let dir = Dir::new();
    shoptalk(dir.tmp.path(), &["extract", "missing.html"]).user_error("missing.html");
    let bad = dir.write("bad.toml", "[[site]]\nhost = \"x\"\nreview = \"li[\"\n");
    let page = fixtures().join("rules_page.html");
    shoptalk(
        dir.tmp.path(),
        &[
            "extract",
            page.to_str().unwrap(),
            "--rules",
            bad.to_str().unwrap(),
        ],
    )
    .user_error("bad selector");
    shoptalk(
        dir.tmp.path(),
        &["extract", page.to_str().unwrap(), "--fetched", "yesterday"],
    )
    .user_error("--fetched");
}

#[test]
fn hostile_pages_end_cleanly() {
    let dir = Dir::new();
    // 10,000-deep nesting, a 20 MB page and a gzip bomb: bounded outcomes, no panic.
    let para = "<p>The deep text here is long enough to count as a paragraph, with commas, and more words.</p>";
    dir.write(
        "deep.html",
        &format!(
            "{}{para}{}",
            "<div><span>".repeat(10_000),
            "</span></div>".repeat(10_000)
        ),
    );
    // A million nested tags: flattened past the nesting limit instead of a quadratic parse.
    dir.write(
        "deeper.html",
        &format!("{para}{}", "<div>".repeat(1_000_000)),
    );
    let big = format!(
        "<html><body><p>{}</p></body></html>",
        "word ".repeat(4 << 20)
    );
    dir.write("big.html", &big);
    {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![b'<'; 1 << 20];
        for _ in 0..64 {
            enc.write_all(&zeros).unwrap();
        }
        std::fs::write(dir.path("bomb.html.gz"), enc.finish().unwrap()).unwrap();
    }
    let run = shoptalk(dir.tmp.path(), &["extract", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
    assert!(
        run.stderr.contains("big.html: page is larger than 16 MB"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("bomb.html.gz: page is larger than 16 MB"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stdout.matches("deep text here").count(),
        2,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("deeper.html"));
}
