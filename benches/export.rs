//! Export speed on a generated index of 1,000,000 small documents: `export themes --by month`
//! and `export cooccurrence`, in process (aggregation + table) and as the whole command (process
//! start, index open, aggregation, CSV to a file), median of several runs.
//!
//! Run: `cargo bench --bench export` (or `scripts/bench-export.sh`); `BENCH_DOCS` sets the
//! corpus size (default 1,000,000), `BENCH_RUNS` the repetitions. The index is cached under
//! `target/` (`CARGO_TARGET_TMPDIR`) and rebuilt only when missing or of another size.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};
use shoptalk::corpus::Corpus;
use shoptalk::export::{self, Dim};
use shoptalk::index::{BuildOptions, IndexConfig, SearchRequest, ShopIndex, build};

mod common;
use common::{Rng, SAMPLE, env_or, median, time};

/// Sentences of the sample by language.
fn pools() -> (Vec<String>, Vec<String>) {
    let (mut zh, mut en) = (vec![], vec![]);
    for line in SAMPLE.lines() {
        let d: Value = serde_json::from_str(line).unwrap();
        let body = d["body"].as_str().unwrap();
        let pool = if d["lang"] == "zh" { &mut zh } else { &mut en };
        let mut cur = String::new();
        for c in body.chars() {
            cur.push(c);
            if matches!(c, '。' | '！' | '？' | '!' | '?' | '\n') || (c == '.' && cur.len() > 30)
            {
                if cur.trim().chars().count() > 8 {
                    pool.push(cur.trim().to_string());
                }
                cur.clear();
            }
        }
    }
    (zh, en)
}

/// Write `n` small documents (one or two sentences of the sample each; 50 sites; both
/// languages and kinds; dates 2015-2025, 2% undated; ratings on reviews).
fn generate(path: &Path, n: usize) {
    let (zh, en) = pools();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut out = String::with_capacity(n * 260);
    for i in 0..n {
        let is_zh = rng.below(2) == 0;
        let pool = if is_zh { &zh } else { &en };
        let mut body = pool[rng.below(pool.len() as u64) as usize].clone();
        if rng.below(2) == 0 {
            body.push(' ');
            body.push_str(&pool[rng.below(pool.len() as u64) as usize]);
        }
        let review = rng.below(3) != 0;
        let mut d = json!({
            "id": format!("b{i}"),
            "site": format!("site{:02}.example", rng.below(50)),
            "kind": if review { "review" } else { "article" },
            "lang": if is_zh { "zh" } else { "en" },
            "body": body,
        });
        if rng.below(50) != 0 {
            let day = rng.below(11 * 365);
            let date =
                chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + chrono::Days::new(day);
            d["published"] = json!(date.format("%Y-%m-%d").to_string());
        }
        if review {
            d["rating"] = json!(1 + rng.below(5));
        }
        out.push_str(&d.to_string());
        out.push('\n');
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, out).unwrap();
}

/// The cached index of `n` documents, built when missing.
fn index(work: &Path, n: usize) -> PathBuf {
    let dir = work.join(format!("index-{n}"));
    let done = dir.join("bench-complete");
    if done.is_file() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let corpus_dir = work.join(format!("corpus-{n}"));
    let t = Instant::now();
    generate(&corpus_dir.join("docs.jsonl"), n);
    eprintln!(
        "generated {n} documents in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let shop = ShopIndex::open_or_create(&dir, &IndexConfig::default()).unwrap();
    let corpus = Corpus::open(&corpus_dir).unwrap();
    let stats = build(
        &shop,
        &corpus,
        &BuildOptions::default(),
        &shoptalk::reporter::Silent,
    )
    .unwrap();
    assert_eq!(stats.total, n as u64);
    // Merge to a few segments, as an index that has been used for a while would be.
    let mut writer: tantivy::IndexWriter<tantivy::TantivyDocument> =
        shop.index.writer(256 << 20).unwrap();
    let ids = shop.index.searchable_segment_ids().unwrap();
    if ids.len() > 1 {
        writer.merge(&ids).wait().unwrap();
    }
    writer.wait_merging_threads().unwrap();
    eprintln!("indexed in {:.1} s", t.elapsed().as_secs_f64());
    std::fs::remove_dir_all(&corpus_dir).unwrap();
    std::fs::write(&done, "").unwrap();
    dir
}

/// Median wall time of running the real binary with `args`, checking it succeeds.
fn command(runs: usize, args: &[&str]) -> f64 {
    let bin = env!("CARGO_BIN_EXE_shoptalk");
    let mut secs = vec![];
    for _ in 0..runs {
        let t = Instant::now();
        let out = Command::new(bin).args(args).output().unwrap();
        secs.push(t.elapsed().as_secs_f64());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    median(secs)
}

fn main() {
    let n = env_or("BENCH_DOCS", 1_000_000);
    let runs = env_or("BENCH_RUNS", 5);
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-export");
    let dir = index(&work, n);
    let shop = ShopIndex::open(&dir).unwrap();
    let segments = shop.searcher().unwrap().segment_readers().len();
    let all = SearchRequest {
        query: "*".into(),
        ..Default::default()
    };
    // Warm the page cache once.
    export::theme_groups(&shop, &all, &[Dim::Month]).unwrap();

    let (month_s, rows) = time(runs, || {
        let g = export::theme_groups(&shop, &all, &[Dim::Month]).unwrap();
        let t = export::themes_table(&shop, &g, &[Dim::Month]);
        assert_eq!(g.values().map(|g| g.docs).sum::<u64>(), n as u64);
        t.to_csv().lines().count() - 1
    });
    let (month_lang_s, _) = time(runs, || {
        let g = export::theme_groups(&shop, &all, &[Dim::Month, Dim::Lang]).unwrap();
        export::themes_table(&shop, &g, &[Dim::Month, Dim::Lang])
            .rows
            .len()
    });
    let (cooc_s, pairs) = time(runs, || {
        let c = export::cooccurrence(&shop, &all).unwrap();
        assert_eq!(c.docs, n as u64);
        export::cooccurrence_tables(&shop, &c)[0].rows.len()
    });
    let zh = SearchRequest {
        query: "*".into(),
        lang: Some("zh".into()),
        kind: Some(shoptalk::corpus::Kind::Review),
        ..Default::default()
    };
    let (filtered_s, _) = time(runs, || {
        let g = export::theme_groups(&shop, &zh, &[Dim::Month]).unwrap();
        g.values().map(|g| g.docs).sum::<u64>() as usize
    });
    let out = work.join("out.csv");
    let idx = dir.to_str().unwrap();
    let o = out.to_str().unwrap();
    let cmd_month = command(
        runs,
        &[
            "export", "themes", "--by", "month", "--index", idx, "--out", o, "--force", "-q",
        ],
    );
    let cmd_cooc = command(
        runs,
        &[
            "export",
            "cooccurrence",
            "--index",
            idx,
            "--out",
            o,
            "--force",
            "-q",
        ],
    );

    println!("Index: {n} documents in {segments} segment(s); median of {runs} runs; 2 cores.");
    println!();
    println!("| export | in process (s) | whole command (s) | target |");
    println!("|---|---:|---:|---|");
    println!(
        "| `export themes --by month` ({rows} rows) | {month_s:.3} | {cmd_month:.3} | < 1 s |"
    );
    println!("| `export cooccurrence` ({pairs} pairs) | {cooc_s:.3} | {cmd_cooc:.3} | < 2 s |");
    println!("| `export themes --by month --by lang` | {month_lang_s:.3} | | |");
    println!("| `export themes --by month --lang zh --kind review` | {filtered_s:.3} | | |");
}
