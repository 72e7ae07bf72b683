use serde_json::json;

use crate::util::{Dir, indexed_small, search_ids, shoptalk, small_corpus};

#[test]
fn missing_body_names_file_and_line() {
    let dir = Dir::new();
    let mut text: String = small_corpus().iter().map(|d| format!("{d}\n")).collect();
    text.push_str("{\"id\": \"x\", \"title\": \"no body\"}\n");
    dir.write("corpora/bad/docs.jsonl", &text);
    shoptalk(
        dir.tmp.path(),
        &["index", "--corpus", "corpora/bad", "--index", "indexes/bad"],
    )
    .user_error("docs.jsonl:6: missing field \"body\"");
    // Nothing was committed by the failed run.
    shoptalk(
        dir.tmp.path(),
        &["search", "物流", "--index", "indexes/bad"],
    )
    .ok();
    let out = shoptalk(
        dir.tmp.path(),
        &["search", "*", "--index", "indexes/bad", "--format", "json"],
    )
    .ok();
    assert!(out.contains("\"total\": 0"), "{out}");
}

#[test]
fn failed_update_keeps_what_was_indexed() {
    let dir = indexed_small("c");
    dir.write(
        "corpora/c/docs.jsonl",
        "{\"body\": \"new\"}\n{\"body\": \"x\", \"rating\": 9}\n",
    );
    shoptalk(
        dir.tmp.path(),
        &["index", "--corpus", "corpora/c", "--index", "indexes/c"],
    )
    .user_error("docs.jsonl:2: field \"rating\": 9 is outside 0-5");
    let out = shoptalk(
        dir.tmp.path(),
        &["search", "*", "--index", "indexes/c", "--format", "json"],
    )
    .ok();
    assert!(out.contains("\"total\": 5"), "{out}");
}

#[test]
fn skip_invalid_counts_and_reports() {
    let dir = Dir::new();
    let text = b"{\"body\": \"ok one\"}\nnot json\n{\"body\": \"ok two\", \"kind\": \"blog\"}\n{\"body\": \"\xff\"}\n{\"body\": \"ok three\"}\n";
    dir.write("corpora/s/docs.jsonl", "");
    std::fs::write(dir.path("corpora/s/docs.jsonl"), text).unwrap();
    let run = shoptalk(
        dir.tmp.path(),
        &[
            "index",
            "--corpus",
            "corpora/s",
            "--index",
            "indexes/s",
            "--skip-invalid",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("docs.jsonl:2: invalid JSON"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("docs.jsonl:3: field \"kind\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("docs.jsonl:4: invalid UTF-8"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("(2 new, 0 replaced, 3 skipped)"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_query_is_a_user_error() {
    let dir = indexed_small("c");
    shoptalk(
        dir.tmp.path(),
        &["search", "title:(物流", "--index", "indexes/c"],
    )
    .user_error("invalid query \"title:(物流\"");
    shoptalk(
        dir.tmp.path(),
        &["search", "nosuchfield:x", "--index", "indexes/c"],
    )
    .user_error("invalid query");
    shoptalk(
        dir.tmp.path(),
        &[
            "search",
            "x",
            "--index",
            "indexes/c",
            "--since",
            "last year",
        ],
    )
    .user_error("--since: \"last year\" is not a date");
    shoptalk(
        dir.tmp.path(),
        &["search", "x", "--index", "indexes/c", "--kind", "blog"],
    )
    .user_error("--kind");
}

#[test]
fn missing_index_and_corpus_are_user_errors() {
    let dir = Dir::new();
    shoptalk(
        dir.tmp.path(),
        &["search", "物流", "--index", "indexes/none"],
    )
    .user_error("no index at indexes/none");
    shoptalk(
        dir.tmp.path(),
        &["index", "--corpus", "corpora/none", "--index", "indexes/x"],
    )
    .user_error("no such corpus file");
    dir.write("notindex/file.txt", "x");
    dir.corpus("c", &small_corpus());
    shoptalk(
        dir.tmp.path(),
        &["index", "--corpus", "corpora/c", "--index", "notindex"],
    )
    .user_error("is not a shoptalk index");
}

#[test]
fn locked_index_is_a_user_error() {
    let dir = Dir::new();
    let corpus = dir.corpus("c", &small_corpus());
    shoptalk(
        dir.tmp.path(),
        &[
            "index",
            "--corpus",
            "corpora/c",
            "--index",
            "indexes/c",
            "-q",
        ],
    )
    .ok();
    // Hold the writer lock from this process, as a concurrent indexer would.
    let shop = shoptalk::index::ShopIndex::open(&dir.path("indexes/c")).unwrap();
    let _writer: tantivy::IndexWriter = shop.index.writer(50_000_000).unwrap();
    let _ = corpus;
    shoptalk(
        dir.tmp.path(),
        &["index", "--corpus", "corpora/c", "--index", "indexes/c"],
    )
    .user_error("is locked by another writer");
    // Readers are not blocked by a writer.
    shoptalk(dir.tmp.path(), &["search", "物流", "--index", "indexes/c"]).ok();
}

#[test]
fn bad_user_dictionary_names_its_line() {
    let dir = Dir::new();
    dir.corpus("c", &small_corpus());
    dir.write("user.dict", "海外物流 10 n\n坏词 often n\n");
    shoptalk(
        dir.tmp.path(),
        &[
            "index",
            "--corpus",
            "corpora/c",
            "--index",
            "indexes/c",
            "--user-dict",
            "user.dict",
        ],
    )
    .user_error("user.dict:2: frequency \"often\"");
}

#[test]
fn user_dictionary_changes_segmentation_and_is_remembered() {
    let dir = Dir::new();
    dir.corpus(
        "c",
        &[json!({"id": "a", "body": "我们做跨境小包专线，时效稳定"})],
    );
    dir.write("user.dict", "跨境小包专线\n");
    shoptalk(
        dir.tmp.path(),
        &[
            "index",
            "--corpus",
            "corpora/c",
            "--index",
            "indexes/c",
            "--user-dict",
            "user.dict",
            "-q",
        ],
    )
    .ok();
    // The query is cut with the same dictionary, so the whole word matches as one term.
    let out = shoptalk(
        dir.tmp.path(),
        &[
            "search",
            "跨境小包专线",
            "--index",
            "indexes/c",
            "--format",
            "json",
        ],
    )
    .ok();
    assert!(out.contains("\"total\": 1"), "{out}");
    // Changing the dictionary needs --rebuild.
    dir.write("other.dict", "时效稳定\n");
    shoptalk(
        dir.tmp.path(),
        &[
            "index",
            "--corpus",
            "corpora/c",
            "--index",
            "indexes/c",
            "--user-dict",
            "other.dict",
        ],
    )
    .user_error("--rebuild");
}

#[test]
fn an_index_of_an_older_format_says_how_to_rebuild_and_rebuild_replaces_it() {
    use shoptalk::index::FORMAT;
    let old = FORMAT - 1;
    let dir = indexed_small("old");
    let settings = dir.tmp.path().join("indexes/old/shoptalk.json");
    let text = std::fs::read_to_string(&settings).unwrap();
    let patched = text.replace(
        &format!("\"format\": {FORMAT}"),
        &format!("\"format\": {old}"),
    );
    assert_ne!(patched, text);
    std::fs::write(&settings, patched).unwrap();
    shoptalk(dir.tmp.path(), &["search", "物流", "--index", "indexes/old"]).user_error(&format!(
        "index format {old} is not the supported format {FORMAT}: rebuild it with `shoptalk index --corpus CORPUS --index DIR --rebuild`"
    ));
    // Without --rebuild the old index is left alone.
    shoptalk(
        dir.tmp.path(),
        &["index", "--corpus", "corpora/old", "--index", "indexes/old"],
    )
    .user_error(&format!("index format {old} is not the supported format"));
    shoptalk(
        dir.tmp.path(),
        &[
            "index",
            "--corpus",
            "corpora/old",
            "--index",
            "indexes/old",
            "--rebuild",
            "-q",
        ],
    )
    .ok();
    let ids = search_ids(&dir, "indexes/old", &["物流"]);
    assert!(ids.contains(&"zh1".to_string()), "{ids:?}");
}
