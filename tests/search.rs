use serde_json::{Value, json};

use crate::util::{Dir, indexed_small, indexed_with, search_ids, shoptalk, small_corpus};

fn indexed() -> Dir {
    indexed_small("t")
}

fn ids(dir: &Dir, args: &[&str]) -> Vec<String> {
    search_ids(dir, "indexes/t", args)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn chinese_query_finds_chinese_documents() {
    let dir = indexed();
    assert_eq!(sorted(ids(&dir, &["物流"])), vec!["zh1", "zh2"]);
}

#[test]
fn english_stemming_matches_inflections() {
    let dir = indexed();
    assert_eq!(
        ids(&dir, &["shipping"]),
        vec!["en1"],
        "shipping finds shipped"
    );
    assert_eq!(ids(&dir, &["refunded"]), vec!["en2"]);
}

#[test]
fn traditional_query_finds_simplified_and_back() {
    let dir = indexed();
    // zh2 is simplified (质量), zh3 traditional (質量): either form finds both.
    assert_eq!(sorted(ids(&dir, &["質量"])), vec!["zh2", "zh3"]);
    assert_eq!(sorted(ids(&dir, &["质量"])), vec!["zh2", "zh3"]);
}

#[test]
fn phrase_queries_respect_positions() {
    let dir = indexed();
    // zh1 has 海外物流 side by side; zh2 has 海外 and 物流 apart.
    assert_eq!(ids(&dir, &["\"海外 物流\""]), vec!["zh1"]);
    assert_eq!(sorted(ids(&dir, &["海外 AND 物流"])), vec!["zh1", "zh2"]);
    // Unquoted Chinese is cut into words that must stand together.
    assert_eq!(ids(&dir, &["海外物流"]), vec!["zh1"]);
}

#[test]
fn filters_by_lang_kind_site_and_date() {
    let dir = indexed();
    assert_eq!(
        ids(&dir, &["*", "--lang", "en", "--kind", "review"]),
        vec!["en2"]
    );
    assert_eq!(
        sorted(ids(&dir, &["*", "--site", "news.example"])),
        vec!["zh1", "zh2"]
    );
    assert_eq!(
        sorted(ids(&dir, &["*", "--since", "2024"])),
        vec!["en2", "zh3"]
    );
    assert_eq!(
        sorted(ids(&dir, &["*", "--until", "2022-01-05"])),
        vec!["en1", "zh2"]
    );
    assert_eq!(
        ids(&dir, &["*", "--since", "2023-04", "--until", "2023-04"]),
        vec!["zh1"]
    );
    assert_eq!(ids(&dir, &["site:shop2.example"]), vec!["en2"]);
}

#[test]
fn json_snippets_carry_highlight_ranges() {
    let dir = indexed();
    let out = shoptalk(
        dir.tmp.path(),
        &[
            "search",
            "质量",
            "--index",
            "indexes/t",
            "--format",
            "jsonl",
            "--kind",
            "review",
        ],
    )
    .ok();
    let hit: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let text = hit["snippet"]["text"].as_str().unwrap();
    let chars: Vec<char> = text.chars().collect();
    let [s, e] = [
        hit["snippet"]["highlights"][0][0].as_u64().unwrap() as usize,
        hit["snippet"]["highlights"][0][1].as_u64().unwrap() as usize,
    ];
    assert_eq!(
        chars[s..e].iter().collect::<String>(),
        "質量",
        "highlight lands on the original characters"
    );
    let [bs, be] = [
        hit["snippet"]["highlights_bytes"][0][0].as_u64().unwrap() as usize,
        hit["snippet"]["highlights_bytes"][0][1].as_u64().unwrap() as usize,
    ];
    assert_eq!(&text[bs..be], "質量");
}

#[test]
fn table_output_highlights_and_shows_metadata() {
    let dir = indexed();
    let out = shoptalk(
        dir.tmp.path(),
        &["search", "refund", "--index", "indexes/t"],
    )
    .ok();
    assert!(
        out.starts_with("1 of 1 documents match \"refund\""),
        "{out}"
    );
    assert!(
        out.contains("«refund»") && out.contains("«Refunds»"),
        "{out}"
    );
    assert!(
        out.contains("en · review · shop2.example · 2024-02-10 · rating 1"),
        "{out}"
    );
}

#[test]
fn reindexing_upserts_by_id() {
    let dir = indexed();
    let mut docs = small_corpus();
    docs.push(
        json!({"id": "en1", "lang": "en", "body": "Completely rewritten: warehouse robots."}),
    );
    dir.corpus("t", &docs);
    let out = shoptalk(
        dir.tmp.path(),
        &[
            "index",
            "--corpus",
            "corpora/t",
            "--index",
            "indexes/t",
            "--json",
        ],
    )
    .ok();
    let stats: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stats["total"], 5, "{out}");
    assert_eq!(stats["added"], 0);
    assert_eq!(stats["replaced"], 6, "5 already indexed + 1 repeated id");
    assert_eq!(ids(&dir, &["robots"]), vec!["en1"]);
    assert!(
        ids(&dir, &["backlog"]).is_empty(),
        "the old version is gone"
    );
}

#[test]
fn documents_without_ids_get_stable_ones() {
    let dir = Dir::new();
    let docs = vec![
        json!({"url": "https://a.example/x?utm_source=feed", "body": "First version of the page"}),
        json!({"url": "https://a.example/x", "body": "Second version of the page"}),
        json!({"body": "无网址的文本，按内容生成编号"}),
    ];
    dir.corpus("t", &docs);
    let out = shoptalk(
        dir.tmp.path(),
        &[
            "index",
            "--corpus",
            "corpora/t",
            "--index",
            "indexes/t",
            "--json",
        ],
    )
    .ok();
    let stats: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        stats["total"], 2,
        "same canonical URL is one document: {out}"
    );
    assert_eq!(ids(&dir, &["second"]).len(), 1);
    assert!(ids(&dir, &["first"]).is_empty());
}

#[test]
fn demo_runs_end_to_end() {
    let dir = Dir::new();
    let out = shoptalk(dir.tmp.path(), &["demo", "-q"]).ok();
    assert!(out.contains("indexed "), "{out}");
    assert!(dir.path("corpora/sample/docs.jsonl").is_file());
    assert!(dir.path("indexes/sample/meta.json").is_file());
    // The demo's index answers searches afterwards.
    let out = shoptalk(dir.tmp.path(), &["search", "物流", "--format", "json"]).ok();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["total"].as_u64().unwrap() >= 5, "{out}");
}

#[test]
fn stacked_word_pieces_highlight_once() {
    // Regression: a long word and its dictionary pieces overlap; the table must not panic.
    let dir = indexed();
    let out = shoptalk(
        dir.tmp.path(),
        &["search", "海外仓", "--index", "indexes/t"],
    )
    .ok();
    assert!(out.contains("«海外仓»"), "{out}");
    let out = shoptalk(dir.tmp.path(), &["search", "海外", "--index", "indexes/t"]).ok();
    assert!(
        out.contains("«海外»仓"),
        "a piece highlights only itself: {out}"
    );
}

#[test]
fn sorts_by_date_with_undated_documents_last() {
    let mut docs = small_corpus();
    docs.push(json!({"id": "undated", "body": "物流 without a date"}));
    let dir = indexed_with("t", &docs);
    assert_eq!(
        ids(&dir, &["*", "--sort", "newest"]),
        vec!["zh3", "en2", "zh1", "zh2", "en1", "undated"]
    );
    assert_eq!(
        ids(&dir, &["*", "--sort", "oldest"]),
        vec!["en1", "zh2", "zh1", "en2", "zh3", "undated"]
    );
    assert_eq!(
        ids(
            &dir,
            &["*", "--sort", "newest", "--limit", "2", "--offset", "1"]
        ),
        vec!["en2", "zh1"]
    );
}

#[test]
fn in_process_build_hands_every_token_list_over_or_drops_it() {
    // The indexer analyses each text once and hands the tokens to tantivy's tokenizer; none
    // may linger after a build, and search must see the same terms as before.
    use shoptalk::corpus::Corpus;
    use shoptalk::index::{BuildOptions, IndexConfig, SearchRequest, ShopIndex, build, search};
    let dir = Dir::new();
    let corpus = Corpus::open(&dir.corpus("t", &small_corpus())).unwrap();
    let shop = ShopIndex::open_or_create(&dir.path("indexes/t"), &IndexConfig::default()).unwrap();
    build(
        &shop,
        &corpus,
        &BuildOptions::default(),
        &shoptalk::reporter::Silent,
    )
    .unwrap();
    assert_eq!(shop.analyzer.handed_len(), 0);
    let req = SearchRequest {
        query: "\"海外 物流\"".into(),
        limit: 10,
        snippet_chars: 80,
        ..Default::default()
    };
    let hits = search(&shop, &req).unwrap().hits;
    assert_eq!(
        hits.iter().map(|h| h.doc.id.as_str()).collect::<Vec<_>>(),
        vec!["zh1"]
    );
}
