use serde_json::{Value, json};

use crate::util::{Dir, indexed_small, search_ids, shoptalk};

fn stdin_run(cwd: &std::path::Path, args: &[&str], input: &[u8]) -> crate::util::Run {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_shoptalk"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap().into()
}

#[test]
fn tag_prints_the_stable_json_interface() {
    let dir = Dir::new();
    let out = stdin_run(
        dir.tmp.path(),
        &["themes", "tag"],
        "卖家发货太慢了，等了一个星期才到。\n这次放假去海边玩，酒店服务员很热情。\nThe seller refunded me after two weeks.\n".as_bytes(),
    )
    .ok();
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], 1);
    assert!(
        lines[0]["themes"]
            .as_array()
            .unwrap()
            .contains(&json!("logistics")),
        "{out}"
    );
    assert!(lines[0]["hits"]["logistics"].as_u64().unwrap() >= 1);
    let ev = lines[0]["evidence"]["logistics"][0].as_str().unwrap();
    assert!(ev.contains("发货"), "{ev}");
    assert_eq!(
        lines[1]["themes"],
        json!([]),
        "假期 and a hotel 服务员 are hard negatives: {out}"
    );
    assert!(
        lines[2]["themes"]
            .as_array()
            .unwrap()
            .contains(&json!("after_sales")),
        "{out}"
    );
}

#[test]
fn tag_reads_jsonl_with_ids_and_reports_bad_lines() {
    let dir = Dir::new();
    dir.write(
        "in.jsonl",
        "{\"id\": \"a\", \"text\": \"买到假货了，要求退款\"}\n",
    );
    let out = shoptalk(dir.tmp.path(), &["themes", "tag", "in.jsonl", "--jsonl"]).ok();
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["id"], "a");
    assert_eq!(v["themes"], json!(["counterfeit", "after_sales"]));
    dir.write(
        "bad.jsonl",
        "{\"id\": \"a\", \"text\": \"ok\"}\n{\"id\": \"b\"}\n",
    );
    shoptalk(dir.tmp.path(), &["themes", "tag", "bad.jsonl", "--jsonl"])
        .user_error("bad.jsonl:2: missing string field \"text\"");
    dir.write("empty.txt", "\n\n");
    shoptalk(dir.tmp.path(), &["themes", "tag", "empty.txt"]).user_error("empty input");
    // Invalid UTF-8 lines are skipped with a reason, the rest is tagged.
    let run = stdin_run(
        dir.tmp.path(),
        &["themes", "tag"],
        b"\xff\xfe bad\n\xe7\x89\xa9\xe6\xb5\x81\xe5\xa4\xaa\xe6\x85\xa2\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("<stdin>:1: invalid UTF-8"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("logistics"), "{}", run.stdout);
}

#[test]
fn default_taxonomy_round_trips_and_check_reports_errors() {
    let dir = Dir::new();
    let toml = shoptalk(dir.tmp.path(), &["themes", "default"]).ok();
    dir.write("mine.toml", &toml);
    let out = shoptalk(dir.tmp.path(), &["themes", "check", "mine.toml"]).ok();
    assert!(
        out.contains("10 themes") && out.contains(" 0 errors"),
        "{out}"
    );
    dir.write(
        "broken.toml",
        "[[themes]]\nid = \"x\"\nlabel = { zh = \"a\", en = \"b\" }\nzh = [\"物流\"\n",
    );
    let run = shoptalk(dir.tmp.path(), &["themes", "check", "broken.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("broken.toml: line 4, column 11: unclosed array"),
        "{}",
        run.stderr
    );
    dir.write(
        "empty.toml",
        "[[themes]]\nid = \"x\"\nlabel = { zh = \"a\", en = \"b\" }\n",
    );
    let run = shoptalk(dir.tmp.path(), &["themes", "check", "empty.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("error: theme \"x\" has no entries"),
        "{}",
        run.stdout
    );
}

fn search_sorted(dir: &Dir, args: &[&str]) -> Vec<String> {
    let mut ids = search_ids(dir, "indexes/t", args);
    ids.sort();
    ids
}

#[test]
fn search_filters_by_theme_and_shows_themes() {
    let dir = indexed_small("t");
    assert_eq!(
        search_sorted(&dir, &["*", "--theme", "after_sales"]),
        vec!["en2"]
    );
    let logistics = search_sorted(&dir, &["*", "--theme", "logistics"]);
    assert!(
        logistics.contains(&"zh3".to_string()) && logistics.contains(&"en1".to_string()),
        "{logistics:?}"
    );
    let out = shoptalk(
        dir.tmp.path(),
        &[
            "search",
            "refund",
            "--index",
            "indexes/t",
            "--format",
            "jsonl",
        ],
    )
    .ok();
    let hit: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(hit["themes"], json!(["after_sales"]));
    assert!(hit["theme_hits"]["after_sales"].as_u64().unwrap() >= 2);
    // The evidence of each assigned theme, rendered from the stored document.
    let evidence = hit["evidence"]["after_sales"].as_array().unwrap();
    assert!(!evidence.is_empty(), "{hit}");
    let body = hit["doc"]["body"].as_str().unwrap();
    for e in evidence {
        let (start, end) = (e["start"].as_u64().unwrap(), e["end"].as_u64().unwrap());
        let matched = &body[start as usize..end as usize];
        assert!(e["text"].as_str().unwrap().contains(matched), "{e}");
        assert_eq!(e["part"], 0);
    }
    assert_eq!(
        hit["evidence"].as_object().unwrap().len(),
        1,
        "assigned themes only"
    );
    shoptalk(
        dir.tmp.path(),
        &["search", "*", "--index", "indexes/t", "--theme", "weather"],
    )
    .user_error("unknown theme \"weather\"");
}

#[test]
fn retag_with_a_new_taxonomy_needs_no_corpus() {
    let dir = indexed_small("t");
    let custom = "[[themes]]\nid = \"kettles\"\nlabel = { zh = \"水壶\", en = \"Kettles\" }\nzh = [\"电热水壶\"]\nen = [\"kettle\"]\n";
    dir.write("kettles.toml", custom);
    // A different taxonomy on an existing index needs --retag.
    shoptalk(
        dir.tmp.path(),
        &[
            "index",
            "--corpus",
            "corpora/t",
            "--index",
            "indexes/t",
            "--themes",
            "kettles.toml",
        ],
    )
    .user_error("--retag");
    std::fs::remove_dir_all(dir.path("corpora")).unwrap();
    let out = shoptalk(
        dir.tmp.path(),
        &[
            "index",
            "--retag",
            "--index",
            "indexes/t",
            "--themes",
            "kettles.toml",
            "--json",
        ],
    )
    .ok();
    let stats: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stats["total"], 5);
    assert_eq!(
        search_sorted(&dir, &["*", "--theme", "kettles"]),
        Vec::<String>::new(),
        "products are not tagged, only title and body"
    );
    assert_eq!(search_sorted(&dir, &["*"]).len(), 5);
    shoptalk(
        dir.tmp.path(),
        &[
            "search",
            "*",
            "--index",
            "indexes/t",
            "--theme",
            "logistics",
        ],
    )
    .user_error("this index's themes are: kettles");
}

#[test]
fn eval_scores_gold_labels() {
    let dir = Dir::new();
    dir.write(
        "gold.jsonl",
        &[
            json!({"id": "1", "text": "物流太慢了", "themes": ["logistics"]}),
            json!({"id": "2", "text": "放假了真开心", "themes": []}),
            json!({"id": "3", "text": "Refund took ages", "themes": ["after_sales"]}),
        ]
        .iter()
        .map(|v| format!("{v}\n"))
        .collect::<String>(),
    );
    let out = shoptalk(dir.tmp.path(), &["themes", "eval", "gold.jsonl", "--json"]).ok();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["items"], 3);
    assert_eq!(v["macro_f1"], 1.0, "{out}");
    dir.write(
        "bad.jsonl",
        "{\"id\": \"1\", \"text\": \"x\", \"themes\": [\"weather\"]}\n",
    );
    shoptalk(dir.tmp.path(), &["themes", "eval", "bad.jsonl"])
        .user_error("bad.jsonl:1: unknown theme \"weather\"");
}

#[test]
fn default_dictionary_keeps_its_quality_on_the_development_sets() {
    // A regression guard, not the quality claim: the README reports the held-out set.
    use shoptalk::themes::{GoldItem, Tagger, Taxonomy, evaluate};
    let mut items: Vec<GoldItem> = Vec::new();
    for set in ["dev", "dev2", "dev3", "dev4"] {
        let path = format!(
            "{}/tests/fixtures/themes/{set}.jsonl",
            env!("CARGO_MANIFEST_DIR")
        );
        for line in std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            items.push(serde_json::from_str(line).unwrap());
        }
    }
    assert!(items.len() > 1100, "{}", items.len());
    // The dictionary alone: the built-in model was trained on these sets.
    let mut taxonomy = Taxonomy::default_taxonomy();
    taxonomy.settings.model = "none".into();
    let tagger = Tagger::new(taxonomy, shoptalk::analyze::Analyzer::shared_default()).unwrap();
    let report = evaluate(&tagger, &items);
    assert!(
        report.macro_f1 >= 0.88,
        "macro-F1 fell to {:.3}",
        report.macro_f1
    );
    for t in &report.themes {
        assert!(
            t.precision >= 0.8 && t.recall >= 0.7,
            "{} P {:.2} R {:.2}",
            t.id,
            t.precision,
            t.recall
        );
    }
}

#[test]
fn stemmed_exclusions_do_not_cancel_works_as_advertised() {
    // Regression: the quality exclusion "working as" (a job) is analysed to `work as` and
    // cancelled every "works as advertised".
    use shoptalk::themes::{Tagger, Taxonomy};
    let tagger = Tagger::new(
        Taxonomy::default_taxonomy(),
        shoptalk::analyze::Analyzer::shared_default(),
    )
    .unwrap();
    assert_eq!(
        tagger.tag("Works as advertised. Nothing fancy.").assigned(),
        vec!["quality"]
    );
}

fn gold(set: &str) -> Vec<shoptalk::themes::GoldItem> {
    let path = format!(
        "{}/tests/fixtures/themes/{set}.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_builtin_model_adds_quality_on_the_held_out_sets() {
    // A guard that the learned second signal is on and helps on texts it never saw, short and
    // whole documents (where the long-text veto matters most); the README has the figures.
    use shoptalk::themes::{Tagger, Taxonomy, evaluate};
    let analyzer = shoptalk::analyze::Analyzer::shared_default();
    let with = Tagger::new(Taxonomy::default_taxonomy(), analyzer.clone()).unwrap();
    let mut dictionary_only = Taxonomy::default_taxonomy();
    dictionary_only.settings.model = "none".into();
    let without = Tagger::new(dictionary_only, analyzer).unwrap();
    for set in ["heldout4", "longdocs"] {
        let items = gold(set);
        let (w, wo) = (evaluate(&with, &items), evaluate(&without, &items));
        assert!(
            w.macro_f1 >= wo.macro_f1 + 0.05 && w.macro_f1 >= 0.85,
            "{set}: with the model {:.3}, without {:.3}",
            w.macro_f1,
            wo.macro_f1
        );
    }
}

#[test]
fn model_assigned_themes_carry_model_evidence() {
    let dir = Dir::new();
    let out = stdin_run(
        dir.tmp.path(),
        &["themes", "tag", "--explain"],
        "假发很自然！发际线很逼真，夏天戴有点闷\n".as_bytes(),
    )
    .ok();
    let v: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(v["themes"], json!(["quality"]), "{out}");
    assert_eq!(v["hits"]["quality"], 0, "{out}");
    assert_eq!(v["terms"]["quality"], json!(["(model)"]), "{out}");
    assert!(
        v["scores"]["quality"]["model"].as_f64().unwrap() >= 0.6,
        "{out}"
    );
    assert_eq!(v["evidence"]["quality"][0], "假发很自然！", "{out}");
    assert_eq!(
        v["themes"].as_array().unwrap().len(),
        1,
        "假发 is no counterfeit: {out}"
    );
}

#[test]
fn train_writes_a_model_and_rejects_bad_input() {
    let dir = Dir::new();
    dir.write(
        "gold.jsonl",
        "{\"id\": \"1\", \"text\": \"快递三天才到\", \"themes\": [\"logistics\"]}\n\
         {\"id\": \"2\", \"text\": \"做工粗糙\", \"themes\": [\"quality\"]}\n",
    );
    let out = shoptalk(
        dir.tmp.path(),
        &["themes", "train", "gold.jsonl", "--out", "m.bin"],
    )
    .ok();
    assert!(out.contains("trained on 2 texts"), "{out}");
    assert!(dir.tmp.path().join("m.bin").metadata().unwrap().len() > 100);
    dir.write(
        "bad.jsonl",
        "{\"id\": \"1\", \"text\": \"x\", \"themes\": [\"weather\"]}\n",
    );
    shoptalk(
        dir.tmp.path(),
        &["themes", "train", "bad.jsonl", "--out", "m2.bin"],
    )
    .user_error("bad.jsonl:1: unknown theme \"weather\"");
    dir.write(
        "t.toml",
        &shoptalk::themes::DEFAULT_TOML.replace("model = \"builtin\"", "model = \"mine.bin\""),
    );
    let run = shoptalk(dir.tmp.path(), &["themes", "check", "t.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .contains("settings.model must be \"builtin\" or \"none\", got \"mine.bin\""),
        "{}",
        run.stdout
    );
}

#[test]
fn check_warns_about_themes_the_builtin_model_does_not_know() {
    let dir = Dir::new();
    dir.write(
        "renamed.toml",
        &shoptalk::themes::DEFAULT_TOML.replace("id = \"brand\"", "id = \"brand_trust\""),
    );
    let out = shoptalk(dir.tmp.path(), &["themes", "check", "renamed.toml"]).ok();
    assert!(
        out.contains(
            "theme \"brand_trust\" is unknown to the built-in model: it is tagged by its entries alone"
        ) && out.contains(" 0 errors, 1 warnings"),
        "{out}"
    );
}

#[test]
fn stored_evidence_reads_back_as_tagged() {
    // The index stores evidence as byte ranges (no duplicated text) and renders it when a
    // document is read back: the result must equal a fresh tagging, for hits in the body and
    // the title and for the model's sentence.
    use tantivy::schema::Value as _;
    let mut docs = crate::util::small_corpus();
    docs.push(
        json!({"id": "m1", "url": "https://shop.example/p/9#r1", "kind": "review",
        "lang": "zh", "body": "假发很自然！发际线很逼真，夏天戴有点闷"}),
    );
    let dir = crate::util::indexed_with("ev", &docs);
    let shop = shoptalk::index::ShopIndex::open(&dir.path("indexes/ev")).unwrap();
    let searcher = shop.searcher().unwrap();
    let mut checked = 0;
    let mut parts_seen = std::collections::BTreeSet::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        for id in reader.doc_ids_alive() {
            let address = tantivy::DocAddress::new(segment as u32, id);
            let stored: tantivy::TantivyDocument = searcher.doc(address).unwrap();
            let doc = shop.stored_document(&stored).unwrap();
            let raw = stored
                .get_first(shop.fields.tags)
                .unwrap()
                .as_bytes()
                .unwrap();
            assert!(
                raw.len() < 200,
                "{}: {} bytes of stored tags, no evidence text",
                doc.id,
                raw.len()
            );
            let read = shop.stored_tagging(&stored, &doc).unwrap();
            let body = shop.analyzer.tokens(&doc.body);
            let title_text = doc.title.clone().unwrap_or_default();
            let title = shop.analyzer.tokens(&title_text);
            let mut parts: Vec<(&str, &[shoptalk::analyze::Token])> = vec![(&doc.body, &body)];
            if doc.title.is_some() {
                parts.push((&title_text, &title));
            }
            let fresh = shop.tagger.tag_parts(&parts);
            assert_eq!(read.tokens, fresh.tokens);
            assert_eq!(read.themes.len(), fresh.themes.len(), "{}", doc.id);
            for (r, f) in read.themes.iter().zip(&fresh.themes) {
                assert_eq!((&r.id, r.hits, r.assigned), (&f.id, f.hits, f.assigned));
                assert_eq!(r.evidence, f.evidence, "{}", doc.id);
                assert!(r.evidence.iter().all(|e| !e.text.is_empty()));
                parts_seen.extend(r.evidence.iter().map(|e| (e.part, e.sentence)));
            }
            checked += 1;
        }
    }
    assert_eq!(checked, docs.len());
    for kind in [(0, false), (1, false), (0, true)] {
        assert!(parts_seen.contains(&kind), "{kind:?} in {parts_seen:?}");
    }
}

/// Pieces that exercise the tagger: entries of every theme, gap sides, wildcards, hard
/// negatives, one-character sentence breaks, full-width and traditional forms, emoji.
const TAG_ALPHABET: &[&str] = &[
    "物流",
    "發貨",
    "等了",
    "一个星期",
    "才到",
    "假货",
    "假期",
    "正品",
    "退款",
    "售后",
    "服务员",
    "价格",
    "评价",
    "便宜",
    "质量",
    "做工",
    "支付宝",
    "加班",
    "996",
    "直播",
    "主播讲",
    "品牌",
    "种草",
    "冲动",
    "买",
    "就",
    "的",
    "很",
    "。",
    "，",
    "！",
    "?",
    ".",
    ";",
    "\n",
    " ",
    "shipping",
    "delivered",
    "DELIVERIES",
    "ｄｅｌｉｖｅｒｙ",
    "fake",
    "fake tan",
    "refund",
    "refunded",
    "works as advertised",
    "took",
    "three weeks",
    "to arrive",
    "price",
    "cheap",
    "quality",
    "paid",
    "overtime",
    "livestream",
    "brand new",
    "brand",
    "impulse",
    "the",
    "café",
    "👍",
    "ＯＫ",
    "3.5kg",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    #[test]
    fn tagging_any_text_keeps_its_ranges_and_evidence_consistent(
        pieces in proptest::collection::vec(proptest::sample::select(TAG_ALPHABET), 0..60)
    ) {
        use proptest::prelude::*;
        use shoptalk::themes::{Tagger, Taxonomy};
        let text = pieces.concat();
        let analyzer = shoptalk::analyze::Analyzer::shared_default();
        let tagger = Tagger::new(Taxonomy::default_taxonomy(), analyzer.clone()).unwrap();
        let tokens = analyzer.tokens(&text);
        let full = tagger.tag_tokens(&text, &tokens);
        for r in &full.themes {
            for h in &r.all_hits {
                prop_assert!(h.start < h.end && h.end <= text.len());
                prop_assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
            }
            prop_assert!(r.hits as usize == r.all_hits.len());
            for e in &r.evidence {
                prop_assert!(e.start <= e.end && e.end <= text.len(), "{:?}", e);
                prop_assert!(!e.text.is_empty(), "{:?}", e);
                let inside = text[e.start..e.end].trim();
                if e.sentence {
                    let shown = e.text.trim_end_matches('…');
                    prop_assert!(inside.starts_with(shown), "{:?} in {:?}", e, text);
                } else {
                    prop_assert!(e.text.contains(inside), "{:?} in {:?}", e, text);
                }
            }
        }
        // The indexer's path (ranges only, rendered later) gives the same result.
        let mut spans = tagger.tag_parts_spans(&[(&text, &tokens)]);
        spans.render_evidence(&[&text]);
        prop_assert_eq!(spans.assigned(), full.assigned());
        for (a, b) in spans.themes.iter().zip(&full.themes) {
            prop_assert_eq!(&a.evidence, &b.evidence);
        }
    }
}
