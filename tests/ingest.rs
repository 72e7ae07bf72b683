use serde_json::Value;

use crate::util::{Dir, shoptalk};

fn fixture(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
        .display()
        .to_string()
}

fn ingest(dir: &Dir, args: &[&str]) -> Value {
    let mut full = vec!["ingest", "--corpus", "corpora/t", "--json"];
    full.extend_from_slice(args);
    serde_json::from_str(&shoptalk(dir.tmp.path(), &full).ok()).unwrap()
}

fn docs(dir: &Dir) -> Vec<Value> {
    std::fs::read_to_string(dir.path("corpora/t/docs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn gzipped_warc_responses_go_through_extraction() {
    let dir = Dir::new();
    let s = ingest(&dir, &[&fixture("crawl.warc.gz")]);
    assert_eq!(s["added"], 2, "{s}");
    assert_eq!(s["skipped"], 1, "the PNG response: {s}");
    assert!(
        s["skip_reasons"][0]
            .as_str()
            .unwrap()
            .contains("not HTML (image/png)")
    );
    let d = docs(&dir);
    assert_eq!(d[0]["url"], "https://news.example/returns");
    assert_eq!(d[0]["fetched"], "2024-05-10T12:00:01+00:00");
    assert_eq!(d[0]["title"], "Returns policy changes");
    assert!(
        d[1]["body"].as_str().unwrap().starts_with("多家快递公司"),
        "GBK from the HTTP header"
    );
}

#[test]
fn broken_warc_keeps_good_records_and_names_the_bad_one() {
    let dir = Dir::new();
    let s = ingest(&dir, &[&fixture("broken.warc")]);
    assert_eq!(s["added"], 1, "{s}");
    let reason = s["skip_reasons"][0].as_str().unwrap();
    assert!(
        reason.contains("broken.warc: record 2: invalid WARC record"),
        "{reason}"
    );
}

#[test]
fn markdown_front_matter_and_plain_text() {
    let dir = Dir::new();
    let s = ingest(&dir, &[&fixture("post.md"), &fixture("note.txt")]);
    assert_eq!(s["added"], 2, "{s}");
    let d = docs(&dir);
    assert_eq!(d[0]["title"], "618 大促复盘");
    assert_eq!(d[0]["author"], "陈晓");
    assert_eq!(d[0]["published"], "2023-06-20");
    let body = d[0]["body"].as_str().unwrap();
    assert!(
        body.contains("转化率比去年提高了 12%，主要来自直播带货"),
        "{body}"
    );
    assert!(
        !body.contains('<') && !body.contains("**") && !body.contains("https://"),
        "{body}"
    );
    assert_eq!(d[1]["title"], "Warehouse visit notes");
    assert_eq!(d[1]["body"].as_str().unwrap().split("\n\n").count(), 2);
}

#[test]
fn csv_reviews_with_mapping_skip_bad_rows_by_line() {
    let dir = Dir::new();
    let s = ingest(
        &dir,
        &[
            &fixture("reviews.csv"),
            "--map",
            "text=content,rating=stars,date=created,author=user,product=item",
        ],
    );
    assert_eq!(s["added"], 3, "{s}");
    assert_eq!(s["skipped"], 2, "{s}");
    let reasons: Vec<&str> = s["skip_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons[0].ends_with("reviews.csv:4: expected 6 fields, found 7"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains("reviews.csv:5: field \"rating\""),
        "{reasons:?}"
    );
    let d = docs(&dir);
    assert_eq!(d[0]["kind"], "review");
    assert_eq!(d[0]["rating"], 5.0);
    assert_eq!(d[1]["lang"], "zh");
    assert_eq!(d[1]["author"], "小王");
    assert_eq!(d[2]["published"], "2024-02-01");
    // An unknown column is an error naming the file.
    shoptalk(
        dir.tmp.path(),
        &[
            "ingest",
            "--corpus",
            "corpora/t",
            &fixture("reviews.csv"),
            "--map",
            "text=body",
        ],
    )
    .user_error("no column \"body\"");
}

#[test]
fn jsonl_near_duplicates_are_reported_and_kept_once() {
    let dir = Dir::new();
    let s = ingest(&dir, &[&fixture("docs.jsonl")]);
    assert_eq!(s["added"], 1, "{s}");
    assert_eq!(s["duplicates"], 1, "{s}");
    assert!(
        s["duplicate_examples"][0]
            .as_str()
            .unwrap()
            .contains("j3 nearly duplicates j1"),
        "{s}"
    );
    assert_eq!(s["skipped"], 2, "empty body and bad JSON: {s}");
    // Again: the same ids replace, nothing is added twice.
    let s = ingest(&dir, &[&fixture("docs.jsonl")]);
    assert_eq!(
        (s["added"].as_u64(), s["replaced"].as_u64()),
        (Some(0), Some(1)),
        "{s}"
    );
    assert_eq!(s["total"], 1);
}

#[test]
fn html_folder_with_a_copy_keeps_one() {
    let dir = Dir::new();
    let page = "<html><head><title>Pallet prices</title></head><body><article><p>Pallet prices rose for the third month in a row as timber costs climbed and demand from warehouses stayed high through the autumn.</p></article></body></html>";
    dir.write("in/a.html", page);
    dir.write("in/b/copy.html", page);
    dir.write("in/skip.bin", "not an input");
    let s = ingest(&dir, &["in"]);
    assert_eq!(
        (
            s["files"].as_u64(),
            s["added"].as_u64(),
            s["duplicates"].as_u64()
        ),
        (Some(2), Some(1), Some(1)),
        "{s}"
    );
}

#[test]
fn summary_line_on_stderr() {
    let dir = Dir::new();
    let run = shoptalk(
        dir.tmp.path(),
        &["ingest", "--corpus", "corpora/t", &fixture("note.txt")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 added, 0 replaced, 0 duplicates, 0 skipped; 1 documents in the corpus"),
        "{}",
        run.stderr
    );
}
