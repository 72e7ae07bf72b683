use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{DateTime, Datelike};
use serde_json::{Value, json};
use shoptalk::analyze::Analyzer;
use shoptalk::corpus::Document;
use shoptalk::themes::{Tagger, Tagging, Taxonomy};

use crate::util::{Dir, indexed_with, shoptalk};

/// The sample corpus plus two documents that exercise the edges: no date (the `undated`
/// bucket) and no URL or site (the `(none)` site).
fn sample_values() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/sample/docs.jsonl");
    let mut docs: Vec<Value> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    docs.push(
        json!({"id": "x-undated", "kind": "review", "lang": "en", "rating": 2,
        "body": "The parcel never arrived and the refund took five weeks. The courier lost it."}),
    );
    docs.push(
        json!({"id": "x-undated-zh", "kind": "article", "lang": "zh",
        "title": "假货与售后", "body": "很多买家反映收到假货，申请退款后客服一直不回复。"}),
    );
    docs
}

/// One index of the sample shared by the tests (built once).
fn sample() -> &'static Dir {
    static DIR: OnceLock<Dir> = OnceLock::new();
    DIR.get_or_init(|| indexed_with("sample", &sample_values()))
}

/// A document tagged directly, the way the indexer does (body and title as one document).
struct Tagged {
    doc: Document,
    tagging: Tagging,
}

fn brute_docs() -> &'static Vec<Tagged> {
    static DOCS: OnceLock<Vec<Tagged>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let analyzer = Analyzer::shared_default();
        let tagger = Tagger::new(Taxonomy::default_taxonomy(), analyzer.clone()).unwrap();
        sample_values()
            .iter()
            .map(|v| {
                let doc = Document::from_json_line(&v.to_string()).unwrap();
                let body = analyzer.tokens(&doc.body);
                let title = doc.title.as_deref().map(|t| analyzer.tokens(t));
                let mut parts: Vec<(&str, &[_])> = vec![(&doc.body, &body)];
                if let (Some(t), Some(tt)) = (&doc.title, &title) {
                    parts.push((t, tt));
                }
                let tagging = tagger.tag_parts(&parts);
                Tagged { doc, tagging }
            })
            .collect()
    })
}

fn theme_ids() -> Vec<String> {
    Taxonomy::default_taxonomy()
        .themes
        .iter()
        .map(|t| t.id.clone())
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Filter {
    lang: Option<&'static str>,
    kind: Option<&'static str>,
    since: Option<&'static str>,
}

impl Filter {
    fn args(&self) -> Vec<&'static str> {
        let mut a = vec![];
        if let Some(l) = self.lang {
            a.extend(["--lang", l]);
        }
        if let Some(k) = self.kind {
            a.extend(["--kind", k]);
        }
        if let Some(s) = self.since {
            a.extend(["--since", s]);
        }
        a
    }

    fn keeps(&self, t: &Tagged) -> bool {
        let d = &t.doc;
        self.lang.is_none_or(|l| d.lang == l)
            && self.kind.is_none_or(|k| d.kind.as_str() == k)
            && self.since.is_none_or(|s| {
                let y: i32 = s.parse().unwrap();
                d.published_timestamp()
                    .is_some_and(|ts| DateTime::from_timestamp(ts, 0).unwrap().year() >= y)
            })
    }
}

/// A document's label in a dimension, computed with chrono (independently of the export).
fn label(t: &Tagged, by: &str) -> String {
    let d = &t.doc;
    let date = d
        .published_timestamp()
        .map(|ts| DateTime::from_timestamp(ts, 0).unwrap());
    match by {
        "month" => date.map_or("undated".into(), |d| d.format("%Y-%m").to_string()),
        "quarter" => date.map_or("undated".into(), |d| {
            format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
        }),
        "year" => date.map_or("undated".into(), |d| d.year().to_string()),
        "site" => d.site.clone().unwrap_or("(none)".into()),
        "lang" => d.lang.clone(),
        "kind" => d.kind.as_str().into(),
        _ => unreachable!(),
    }
}

/// Every label of a time axis from the first to the last dated one, then undated if present.
fn continuous(by: &str, present: &BTreeSet<String>) -> Vec<String> {
    if !["month", "quarter", "year"].contains(&by) {
        return present.iter().cloned().collect();
    }
    let dated: Vec<&String> = present.iter().filter(|l| *l != "undated").collect();
    let mut out = Vec::new();
    if let (Some(first), Some(last)) = (dated.first(), dated.last()) {
        let (mut y, mut p): (i32, u32) = match by {
            "month" => (first[..4].parse().unwrap(), first[5..].parse().unwrap()),
            "quarter" => (first[..4].parse().unwrap(), first[6..].parse().unwrap()),
            _ => (first.parse().unwrap(), 1),
        };
        let per_year = match by {
            "month" => 12,
            "quarter" => 4,
            _ => 1,
        };
        loop {
            let l = match by {
                "month" => format!("{y:04}-{p:02}"),
                "quarter" => format!("{y:04}-Q{p}"),
                _ => format!("{y:04}"),
            };
            out.push(l.clone());
            if l == **last {
                break;
            }
            p += 1;
            if p > per_year {
                p = 1;
                y += 1;
            }
        }
    }
    if present.contains("undated") {
        out.push("undated".into());
    }
    out
}

#[derive(Default, Debug, Clone, PartialEq)]
struct Expect {
    docs_in_group: u64,
    tokens_in_group: u64,
    docs: u64,
    hits: u64,
    rated: u64,
    rating_sum: f64,
}

/// The brute-force recount of `export themes`: (group labels, theme) -> counts, with every
/// group of the cross product of the axes.
fn brute_themes(filter: Filter, by: &[&str]) -> BTreeMap<(Vec<String>, String), Expect> {
    let docs: Vec<&Tagged> = brute_docs().iter().filter(|t| filter.keeps(t)).collect();
    let mut out: BTreeMap<(Vec<String>, String), Expect> = BTreeMap::new();
    if docs.is_empty() {
        return out;
    }
    let axes: Vec<Vec<String>> = by
        .iter()
        .map(|b| continuous(b, &docs.iter().map(|t| label(t, b)).collect()))
        .collect();
    let mut keys: Vec<Vec<String>> = vec![vec![]];
    for axis in &axes {
        keys = keys
            .into_iter()
            .flat_map(|k| {
                axis.iter().map(move |v| {
                    let mut k = k.clone();
                    k.push(v.clone());
                    k
                })
            })
            .collect();
    }
    for k in keys {
        for id in theme_ids() {
            out.insert((k.clone(), id), Expect::default());
        }
    }
    for t in docs {
        let key: Vec<String> = by.iter().map(|b| label(t, b)).collect();
        for id in theme_ids() {
            let e = out.get_mut(&(key.clone(), id.clone())).unwrap();
            e.docs_in_group += 1;
            e.tokens_in_group += u64::from(t.tagging.tokens);
            if let Some(r) = t.tagging.themes.iter().find(|r| r.id == id) {
                e.hits += u64::from(r.hits);
                if r.assigned {
                    e.docs += 1;
                    if let Some(rating) = t.doc.rating {
                        e.rated += 1;
                        e.rating_sum += rating;
                    }
                }
            }
        }
    }
    out
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-5
}

fn export_json(args: &[&str]) -> Vec<Value> {
    let mut full = vec!["export"];
    full.extend_from_slice(args);
    full.extend(["--index", "indexes/sample", "--format", "json"]);
    let out = shoptalk(sample().tmp.path(), &full).ok();
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn check_themes(filter: Filter, by: &[&str]) {
    let mut args = vec!["themes"];
    for b in by {
        args.extend(["--by", b]);
    }
    args.extend(filter.args());
    let rows = export_json(&args);
    let expect = brute_themes(filter, by);
    assert_eq!(rows.len(), expect.len(), "rows for {args:?}");
    // Rows come in group order (time ascending, undated last), themes in taxonomy order.
    let got_keys: Vec<(Vec<String>, String)> = rows
        .iter()
        .map(|r| {
            (
                by.iter()
                    .map(|b| r[*b].as_str().unwrap().to_string())
                    .collect(),
                r["theme"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ids = theme_ids();
    for (row, key) in rows.iter().zip(&got_keys) {
        let e = expect
            .get(key)
            .unwrap_or_else(|| panic!("unexpected group {key:?} for {args:?}"));
        let ctx = format!("{args:?} {key:?}: {row}");
        assert_eq!(row["docs_in_group"], e.docs_in_group, "{ctx}");
        assert_eq!(row["tokens_in_group"], e.tokens_in_group, "{ctx}");
        assert_eq!(row["docs"], e.docs, "{ctx}");
        assert_eq!(row["hits"], e.hits, "{ctx}");
        assert_eq!(row["rated_docs"], e.rated, "{ctx}");
        let share = if e.docs_in_group == 0 {
            0.0
        } else {
            e.docs as f64 / e.docs_in_group as f64
        };
        assert!(close(&row["share"], share), "{ctx}");
        let rate = if e.tokens_in_group == 0 {
            0.0
        } else {
            e.hits as f64 * 1000.0 / e.tokens_in_group as f64
        };
        assert!(close(&row["hits_per_1000_tokens"], rate), "{ctx}");
        if e.rated == 0 {
            assert!(row["mean_rating"].is_null(), "{ctx}");
        } else {
            assert!(
                close(&row["mean_rating"], e.rating_sum / e.rated as f64),
                "{ctx}"
            );
        }
    }
    // Order: groups sorted with time continuous, themes in taxonomy order within a group.
    for pair in got_keys.chunks(ids.len()) {
        let themes: Vec<&String> = pair.iter().map(|k| &k.1).collect();
        assert_eq!(themes, ids.iter().collect::<Vec<_>>());
    }
}

#[test]
fn themes_by_each_dimension_match_a_brute_force_recount() {
    for by in ["month", "quarter", "year", "site", "lang", "kind"] {
        check_themes(Filter::default(), &[by]);
    }
}

#[test]
fn themes_with_filters_match_a_brute_force_recount() {
    let filters = [
        Filter {
            lang: Some("zh"),
            ..Default::default()
        },
        Filter {
            kind: Some("review"),
            ..Default::default()
        },
        Filter {
            since: Some("2023"),
            ..Default::default()
        },
        Filter {
            lang: Some("en"),
            kind: Some("review"),
            since: Some("2022"),
        },
    ];
    for f in filters {
        for by in ["month", "quarter", "year", "site"] {
            check_themes(f, &[by]);
        }
    }
}

#[test]
fn two_dimensions_give_a_long_table_with_every_combination() {
    check_themes(Filter::default(), &["month", "lang"]);
    check_themes(
        Filter {
            kind: Some("article"),
            ..Default::default()
        },
        &["year", "site"],
    );
    check_themes(Filter::default(), &["lang", "quarter"]);
}

#[test]
fn time_axis_is_continuous_and_undated_comes_last() {
    let rows = export_json(&["themes", "--by", "month", "--lang", "en"]);
    let months: Vec<&str> = rows
        .iter()
        .map(|r| r["month"].as_str().unwrap())
        .collect::<Vec<_>>()
        .chunks(theme_ids().len())
        .map(|c| c[0])
        .collect();
    assert_eq!(months.last(), Some(&"undated"));
    let dated = &months[..months.len() - 1];
    assert_eq!(dated.first(), Some(&"2021-01"), "{months:?}");
    // Every month from the first to the last without a gap, some of them empty.
    let index = |m: &str| m[..4].parse::<i32>().unwrap() * 12 + m[5..].parse::<i32>().unwrap();
    assert!(
        dated.windows(2).all(|w| index(w[1]) == index(w[0]) + 1),
        "{months:?}"
    );
    assert!(rows.iter().any(|r| r["docs_in_group"] == 0));
}

#[test]
fn cooccurrence_matches_a_brute_force_recount() {
    for filter in [
        Filter::default(),
        Filter {
            lang: Some("zh"),
            kind: Some("review"),
            ..Default::default()
        },
    ] {
        let mut args = vec!["cooccurrence"];
        args.extend(filter.args());
        let rows = export_json(&args);
        let docs: Vec<&Tagged> = brute_docs().iter().filter(|t| filter.keeps(t)).collect();
        let n = docs.len() as f64;
        let has = |t: &Tagged, id: &str| t.tagging.assigned().contains(&id);
        let ids = theme_ids();
        assert_eq!(rows.len(), ids.len() * (ids.len() - 1));
        for r in &rows {
            let (a, b) = (
                r["theme_a"].as_str().unwrap(),
                r["theme_b"].as_str().unwrap(),
            );
            let na = docs.iter().filter(|t| has(t, a)).count() as f64;
            let nb = docs.iter().filter(|t| has(t, b)).count() as f64;
            let nab = docs.iter().filter(|t| has(t, a) && has(t, b)).count() as f64;
            assert_eq!(r["docs"], n as u64);
            assert_eq!(r["docs_a"], na as u64, "{r}");
            assert_eq!(r["docs_b"], nb as u64, "{r}");
            assert_eq!(r["docs_both"], nab as u64, "{r}");
            if na + nb - nab > 0.0 {
                assert!(close(&r["jaccard"], nab / (na + nb - nab)), "{r}");
            }
            if na > 0.0 && nb > 0.0 {
                assert!(close(&r["lift"], nab * n / (na * nb)), "{r}");
            }
        }
    }
}

#[test]
fn docs_export_matches_a_brute_force_recount() {
    let filter = Filter {
        since: Some("2024"),
        ..Default::default()
    };
    let mut args = vec!["docs"];
    args.extend(filter.args());
    let rows = export_json(&args);
    let expect: BTreeMap<&str, &Tagged> = brute_docs()
        .iter()
        .filter(|t| filter.keeps(t))
        .map(|t| (t.doc.id.as_str(), t))
        .collect();
    assert_eq!(rows.len(), expect.len());
    let mut last = String::new();
    for r in &rows {
        let t = expect[r["id"].as_str().unwrap()];
        assert_eq!(r["lang"], t.doc.lang.as_str());
        assert_eq!(r["kind"], t.doc.kind.as_str());
        assert_eq!(r["tokens"], t.tagging.tokens);
        assert_eq!(r["themes"], t.tagging.assigned().join(";"));
        for id in theme_ids() {
            let hits = t
                .tagging
                .themes
                .iter()
                .find(|x| x.id == id)
                .map_or(0, |x| x.hits);
            assert_eq!(r[&id], hits, "{id} in {r}");
        }
        let p = r["published"].as_str().unwrap().to_string();
        let ts = |s: &str| shoptalk::corpus::parse_date(s).unwrap().timestamp();
        assert!(last.is_empty() || ts(&last) <= ts(&p), "ordered by date");
        last = p;
    }
}

#[test]
fn table_layouts_snapshot() {
    let dir = sample().tmp.path();
    let run = |args: &[&str]| {
        let mut full = vec!["export"];
        full.extend_from_slice(args);
        full.extend(["--index", "indexes/sample"]);
        shoptalk(dir, &full).ok()
    };
    insta::assert_snapshot!(
        "themes_by_year_en_reviews",
        run(&["themes", "--by", "year", "--lang", "en", "--kind", "review"])
    );
    insta::assert_snapshot!(
        "themes_by_kind_lang",
        run(&["themes", "--by", "kind", "--by", "lang", "--since", "2025"])
    );
    insta::assert_snapshot!(
        "cooccurrence_matrix_zh",
        run(&["cooccurrence", "--matrix", "--lang", "zh"])
    );
    let docs = run(&[
        "docs",
        "--site",
        "kuajing-weekly.example",
        "--since",
        "2025",
    ]);
    insta::assert_snapshot!("docs_kuajing_2025", docs);
}

#[test]
fn formats_csv_bom_json_and_xlsx_files() {
    let dir = sample();
    let p = dir.tmp.path();
    let ok = |args: &[&str]| {
        let mut full = vec!["export"];
        full.extend_from_slice(args);
        full.extend(["--index", "indexes/sample"]);
        shoptalk(p, &full).ok()
    };
    std::fs::create_dir_all(p.join("out")).unwrap();
    ok(&[
        "themes",
        "--by",
        "lang",
        "--excel",
        "--out",
        "out/bom.csv",
        "--force",
    ]);
    let bytes = std::fs::read(p.join("out/bom.csv")).unwrap();
    assert!(bytes.starts_with(&[0xef, 0xbb, 0xbf]));
    assert!(String::from_utf8(bytes).unwrap().contains("物流 Logistics"));
    ok(&[
        "themes",
        "--by",
        "year",
        "--format",
        "xlsx",
        "--out",
        "out/t.xlsx",
        "--force",
    ]);
    ok(&[
        "cooccurrence",
        "--format",
        "xlsx",
        "--out",
        "out/c.xlsx",
        "--force",
    ]);
    for f in ["out/t.xlsx", "out/c.xlsx"] {
        let b = std::fs::read(p.join(f)).unwrap();
        assert!(b.starts_with(b"PK") && b.len() > 2000, "{f}");
    }
    let csv = ok(&["themes", "--by", "lang"]);
    let text = ok(&["themes", "--by", "lang", "--format", "json"]);
    let json: Value = serde_json::from_str(&text).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let first_row = text.lines().nth(1).unwrap();
    let positions: Vec<usize> = header
        .iter()
        .map(|c| first_row.find(&format!("\"{c}\":")).unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "JSON keys in the CSV's order: {first_row}"
    );
    assert_eq!(csv.lines().count() - 1, json.as_array().unwrap().len());
}

#[test]
fn charts_are_written_as_svg_and_png() {
    let p = sample().tmp.path();
    for (args, file) in [
        (vec!["themes", "--by", "quarter"], "charts/trend.svg"),
        (vec!["themes", "--by", "lang"], "charts/share.png"),
        (vec!["cooccurrence"], "charts/heat.png"),
    ] {
        std::fs::create_dir_all(p.join("charts")).unwrap();
        let mut full = vec!["export"];
        full.extend(args);
        full.extend([
            "--index",
            "indexes/sample",
            "--chart",
            file,
            "-q",
            "--force",
        ]);
        shoptalk(p, &full).ok();
        let b = std::fs::read(p.join(file)).unwrap();
        if file.ends_with(".svg") {
            let s = String::from_utf8(b).unwrap();
            assert!(
                s.contains("物流 Logistics") && s.contains("2021-Q1"),
                "{file}"
            );
        } else {
            assert!(b.starts_with(b"\x89PNG") && b.len() > 20_000, "{file}");
        }
    }
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    let p = sample().tmp.path();
    let run = |args: &[&str]| {
        let mut full = vec!["export"];
        full.extend_from_slice(args);
        full.extend(["--index", "indexes/sample"]);
        shoptalk(p, &full)
    };
    run(&["themes", "--by", "week"]).user_error("--by: unknown field \"week\"");
    run(&["themes", "--by", "lang", "--theme", "shipping"])
        .user_error("unknown theme \"shipping\"");
    run(&["cooccurrence", "--theme", "nope"]).user_error("unknown theme \"nope\"");
    run(&["themes", "--by", "lang", "--out", "no/such/folder/x.csv"]).user_error("does not exist");
    std::fs::write(p.join("exists.csv"), "x").unwrap();
    run(&["themes", "--by", "lang", "--out", "exists.csv"]).user_error("add --force");
    run(&["docs", "--out", "exists.csv"]).user_error("add --force");
    run(&["themes", "--by", "lang", "--chart", "c.gif"]).user_error(".svg or .png");
    run(&["themes", "--format", "xlsx"]).user_error("needs --out");
    run(&["themes", "--by", "year", "--since", "2023-13"]).user_error("--since");
    assert_eq!(std::fs::read_to_string(p.join("exists.csv")).unwrap(), "x");
    run(&["themes", "--by", "lang", "--out", "exists.csv", "--force"]);
    assert!(
        std::fs::read_to_string(p.join("exists.csv"))
            .unwrap()
            .starts_with("lang,theme")
    );
}

#[test]
fn empty_result_prints_a_header_and_says_so() {
    let p = sample().tmp.path();
    for (cmd, header) in [
        ("themes", "year,theme,label,"),
        ("cooccurrence", "theme_a,theme_b,"),
        ("docs", "id,published,"),
    ] {
        let mut args = vec![
            "export",
            cmd,
            "--index",
            "indexes/sample",
            "--query",
            "zzzunmatched",
        ];
        if cmd == "themes" {
            args.extend(["--by", "year"]);
        }
        let r = shoptalk(p, &args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.starts_with(header), "{cmd}: {}", r.stdout);
        assert_eq!(r.stdout.lines().count(), 1, "{cmd}: header only");
        assert!(
            r.stderr.contains("no documents match"),
            "{cmd}: {}",
            r.stderr
        );
    }
}

#[test]
fn kwic_aligns_chinese_and_shows_theme_evidence() {
    let p = sample().tmp.path();
    let out = shoptalk(
        p,
        &[
            "kwic",
            "海外仓",
            "--index",
            "indexes/sample",
            "--window",
            "12",
        ],
    )
    .ok();
    let lines: Vec<&str> = out.lines().filter(|l| l.contains('【')).collect();
    assert!(lines.len() >= 3, "{out}");
    use unicode_width::UnicodeWidthStr;
    let cols: BTreeSet<usize> = lines
        .iter()
        .map(|l| l[..l.find('【').unwrap()].width())
        .collect();
    assert_eq!(cols.len(), 1, "matches start in one column:\n{out}");
    assert!(lines.iter().all(|l| l.contains("【海外仓】")), "{out}");
    // A stem: "refund" finds refunds and refunded, in CSV with the documented columns.
    let csv = shoptalk(
        p,
        &[
            "kwic",
            "refund",
            "--format",
            "csv",
            "--index",
            "indexes/sample",
            "--lang",
            "en",
        ],
    )
    .ok();
    assert!(
        csv.starts_with("id,published,lang,term,left,match,right,offset"),
        "{csv}"
    );
    assert!(
        csv.to_lowercase().contains(",refunded,") || csv.to_lowercase().contains(",refunds,"),
        "{csv}"
    );
    // A theme id shows the theme's hits with the entries that matched.
    let json: Value = serde_json::from_str(
        &shoptalk(
            p,
            &[
                "kwic",
                "counterfeit",
                "--format",
                "json",
                "--index",
                "indexes/sample",
                "-n",
                "500",
            ],
        )
        .ok(),
    )
    .unwrap();
    let rows = json.as_array().unwrap();
    let docs_with_theme = brute_docs()
        .iter()
        .filter(|t| t.tagging.assigned().contains(&"counterfeit"))
        .count();
    let ids: BTreeSet<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(
        ids.len() >= docs_with_theme.saturating_sub(2) && !ids.is_empty(),
        "{} docs vs {docs_with_theme}",
        ids.len()
    );
    assert!(rows.iter().any(|r| r["match"] == "假货"), "{json}");
    // --word looks for the word even when it is a theme id.
    let w = shoptalk(
        p,
        &[
            "kwic",
            "price",
            "--word",
            "--index",
            "indexes/sample",
            "--format",
            "csv",
        ],
    )
    .ok();
    assert!(w.lines().skip(1).all(|l| l.contains(",price,")), "{w}");
    shoptalk(p, &["kwic", "，", "--index", "indexes/sample"]).user_error("no words");
    // --themes: the hits of a theme from another taxonomy, re-tagging every matching document.
    std::fs::write(
        p.join("mine.toml"),
        "version = 1\n[[themes]]\nid = \"warehouse\"\nlabel = { zh = \"仓储\", en = \"Warehousing\" }\nzh = [\"海外仓\"]\nen = [\"warehouse\"]\n",
    )
    .unwrap();
    let mine = shoptalk(
        p,
        &[
            "kwic",
            "warehouse",
            "--themes",
            "mine.toml",
            "--index",
            "indexes/sample",
            "--format",
            "csv",
            "-n",
            "1000",
        ],
    )
    .ok();
    let n_mine = mine.lines().filter(|l| l.contains(",海外仓,")).count();
    let n_term = shoptalk(
        p,
        &[
            "kwic",
            "海外仓",
            "--index",
            "indexes/sample",
            "--format",
            "csv",
            "-n",
            "1000",
        ],
    )
    .ok()
    .lines()
    .count()
        - 1;
    // The tagger's alignment rules differ slightly from plain term matching.
    assert!(
        n_mine > 0 && n_mine.abs_diff(n_term) <= n_term / 5,
        "{n_mine} vs {n_term}: {mine}"
    );
}

#[test]
fn keywords_drop_stop_words_and_compare_subsets() {
    let p = sample().tmp.path();
    for method in ["tfidf", "textrank", "freq"] {
        let json: Value = serde_json::from_str(
            &shoptalk(
                p,
                &[
                    "keywords",
                    "--lang",
                    "zh",
                    "--method",
                    method,
                    "--top",
                    "20",
                    "--format",
                    "json",
                    "--index",
                    "indexes/sample",
                ],
            )
            .ok(),
        )
        .unwrap();
        let terms: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["term"].as_str().unwrap())
            .collect();
        assert_eq!(terms.len(), 20, "{method}");
        for stop in ["的", "了", "我们", "一个", "the", "didn"] {
            assert!(!terms.contains(&stop), "{method}: {terms:?}");
        }
        assert!(
            terms.iter().all(|t| t.chars().count() >= 2),
            "{method}: {terms:?}"
        );
        assert!(
            terms
                .iter()
                .any(|t| ["物流", "海外仓", "跨境电商", "卖家", "平台", "质量"].contains(t)),
            "{method}: {terms:?}"
        );
    }
    // Keyness: reviews against articles; the counts add up to a brute-force count of one word.
    let json: Value = serde_json::from_str(
        &shoptalk(
            p,
            &[
                "keywords",
                "--query",
                "kind:review",
                "--compare",
                "kind:article",
                "--lang",
                "en",
                "--format",
                "json",
                "--index",
                "indexes/sample",
                "--top",
                "500",
            ],
        )
        .ok(),
    )
    .unwrap();
    let rows = json.as_array().unwrap();
    let first = &rows[0];
    assert!(
        first["g2"].as_f64().unwrap() > 3.84 && first["log_ratio"].as_f64().unwrap() > 0.0,
        "{first}"
    );
    let analyzer = Analyzer::shared_default();
    let count = |kind: &str, word: &str| -> u64 {
        brute_docs()
            .iter()
            .filter(|t| t.doc.lang == "en" && t.doc.kind.as_str() == kind)
            .map(|t| {
                let mut text = t.doc.body.clone();
                if let Some(title) = &t.doc.title {
                    text.push('\n');
                    text.push_str(title);
                }
                analyzer.terms(&text).iter().filter(|x| *x == word).count() as u64
            })
            .sum()
    };
    let checked = rows
        .iter()
        .filter(|r| r["freq_a"].as_u64() > Some(0) && r["freq_b"].as_u64() > Some(0))
        .take(5)
        .map(|row| {
            let term = &analyzer.terms(row["term"].as_str().unwrap())[0];
            assert_eq!(row["freq_a"], count("review", term), "{row}");
            assert_eq!(row["freq_b"], count("article", term), "{row}");
        })
        .count();
    assert_eq!(checked, 5);
}
