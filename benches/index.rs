//! Index throughput benchmark: raw jieba-rs segmentation, the shoptalk analyzer (and the
//! tantivy-jieba bridge for comparison), tantivy alone on pre-computed tokens (the floor any
//! tantivy index pays) and full index builds, single- and multi-threaded,
//! measured side by side in one run on a generated mixed zh/en corpus of at least 50 MB.
//!
//! Run: `cargo bench --bench index` (or `scripts/bench-index.sh`). Set `BENCH_MB` to change
//! the corpus size and `BENCH_RUNS` the repetitions (median reported).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;
use serde_json::Value;

mod common;
use common::{env_or, generate, median, time};
use shoptalk::analyze::{Analyzer, ShoptalkTokenizer};
use tantivy::tokenizer::{TokenStream, Tokenizer};

fn main() {
    // `cargo bench` passes --bench; ignore arguments.
    let mb = env_or("BENCH_MB", 50);
    let runs = env_or("BENCH_RUNS", 3);
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-index");
    let (corpus, texts) = generate(&work.join("corpus"), mb);
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let text_mb = bytes as f64 / 1e6;
    let threads = rayon::current_num_threads();
    eprintln!(
        "corpus: {} documents, {:.1} MB of text ({} JSONL), {runs} runs each, {threads} threads",
        texts.len(),
        text_mb,
        corpus.display()
    );

    let analyzer = Analyzer::shared_default();
    let jieba = analyzer.jieba();
    let mut rows: Vec<(String, f64, f64)> = vec![];
    let mut row = |name: &str, secs: f64| {
        eprintln!("{name:<44} {:>8.2} MB/s", text_mb / secs);
        rows.push((name.to_string(), text_mb / secs, secs));
    };

    let (s, _) = time(runs, || {
        texts.iter().map(|t| jieba.cut(t, true).len()).sum()
    });
    row("raw jieba-rs cut (HMM), 1 thread", s);
    let (s, _) = time(runs, || {
        texts.par_iter().map(|t| jieba.cut(t, true).len()).sum()
    });
    row(&format!("raw jieba-rs cut (HMM), {threads} threads"), s);
    let raw_multi = text_mb / s;

    let (s, _) = time(runs, || {
        texts.iter().map(|t| analyzer.tokens(t).len()).sum()
    });
    row("shoptalk analyzer, 1 thread", s);
    let (s, _) = time(runs, || {
        texts.par_iter().map(|t| analyzer.tokens(t).len()).sum()
    });
    row(&format!("shoptalk analyzer, {threads} threads"), s);

    let count = |tok: &mut dyn FnMut(&str) -> usize| texts.iter().map(|t| tok(t)).sum::<usize>();
    let mut ours = ShoptalkTokenizer::new(analyzer.clone());
    let (s, _) = time(runs, || {
        count(&mut |t| {
            let mut st = ours.token_stream(t);
            let mut n = 0;
            while st.advance() {
                n += 1;
            }
            n
        })
    });
    row("shoptalk as tantivy tokenizer, 1 thread", s);
    let mut bridge = tantivy_jieba::JiebaTokenizer::new();
    let (s, _) = time(runs, || {
        count(&mut |t| {
            let mut st = bridge.token_stream(t);
            let mut n = 0;
            while st.advance() {
                n += 1;
            }
            n
        })
    });
    row("tantivy-jieba 0.21 tokenizer, 1 thread", s);
    // The bridge's per-query cost: a tokenizer built with a custom dictionary clones it.
    let custom = tantivy_jieba::JiebaTokenizer::with_jieba(jieba_rs::Jieba::new());
    let t = Instant::now();
    for _ in 0..20 {
        let mut c = custom.clone();
        let mut st = c.token_stream("海外物流");
        while st.advance() {}
    }
    let bridge_clone_ms = t.elapsed().as_secs_f64() * 1000.0 / 20.0;
    let t = Instant::now();
    for _ in 0..20 {
        let mut c = ours.clone();
        let mut st = c.token_stream("海外物流");
        while st.advance() {}
    }
    let ours_clone_ms = t.elapsed().as_secs_f64() * 1000.0 / 20.0;
    eprintln!(
        "tokenizer clone + short query: tantivy-jieba with custom dict {bridge_clone_ms:.2} ms, shoptalk {ours_clone_ms:.4} ms"
    );

    // Correctness next to speed: what each tokenizer makes of a spaced phrase with punctuation.
    let show = |tok: &mut dyn FnMut(&str) -> Vec<(String, usize)>| tok("海外 物流，Shipping");
    let bridge_tokens = show(&mut |t| {
        let mut tok = tantivy_jieba::JiebaTokenizer::new();
        let mut st = tok.token_stream(t);
        let mut v = vec![];
        while st.advance() {
            v.push((st.token().text.clone(), st.token().position));
        }
        v
    });
    let our_tokens = show(&mut |t| {
        analyzer
            .tokens(t)
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect()
    });
    eprintln!("tantivy-jieba (term, position): {bridge_tokens:?}");
    eprintln!("shoptalk      (term, position): {our_tokens:?}");
    assert_eq!(
        our_tokens,
        vec![
            ("海外".to_string(), 0),
            ("物流".to_string(), 1),
            ("ship".to_string(), 2)
        ]
    );

    // tantivy's own floor: the same tokens, pre-computed and joined by spaces, indexed with
    // tantivy's whitespace tokenizer (positions, original text stored), nothing else: what
    // postings, positions and the doc store cost before any analysis, tagging or metadata.
    let joined: Vec<String> = texts
        .par_iter()
        .map(|t| {
            analyzer
                .tokens(t)
                .into_iter()
                .map(|k| k.text)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    for n in [1, threads] {
        let (s, _) = time(runs, || {
            tantivy_floor(&work.join("floor"), &texts, &joined, n)
        });
        row(
            &format!("tantivy alone on pre-computed tokens, {n} thread(s)"),
            s,
        );
    }

    let mut peak = 0f64;
    let mut index_multi = 0f64;
    for n in [1, threads] {
        let mut secs = vec![];
        for _ in 0..runs {
            let idx = work.join(format!("index-{n}"));
            let _ = std::fs::remove_dir_all(&idx);
            let out = Command::new(env!("CARGO_BIN_EXE_shoptalk"))
                .args(["index", "--corpus"])
                .arg(&corpus)
                .arg("--index")
                .arg(&idx)
                .args(["--rebuild", "--json", "-q", "--threads", &n.to_string()])
                .output()
                .expect("run shoptalk index");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(stats["total"].as_u64().unwrap() as usize, texts.len());
            secs.push(stats["seconds"].as_f64().unwrap());
            peak = peak.max(stats["peak_rss_mb"].as_f64().unwrap_or(0.0));
        }
        let s = median(secs);
        row(
            &format!("full index build (`shoptalk index`), {n} thread(s)"),
            s,
        );
        index_multi = text_mb / s;
    }
    let ratio = index_multi / raw_multi;

    let mut md = format!(
        "Corpus: {} documents, {:.1} MB of title+body text; median of {runs} runs; {threads} threads.\n\n| step | MB/s | seconds |\n|---|---:|---:|\n",
        texts.len(),
        text_mb
    );
    for (name, mbs, s) in &rows {
        md.push_str(&format!("| {name} | {mbs:.2} | {s:.2} |\n"));
    }
    md.push_str(&format!(
        "\nIndex build ({threads} threads) / raw segmentation ({threads} threads): {:.0}%. Peak memory of `shoptalk index`: {peak:.0} MB.\nTokenizer clone + one short query: tantivy-jieba with a custom dictionary {bridge_clone_ms:.2} ms, shoptalk {ours_clone_ms:.4} ms.\n\
`海外 物流，Shipping` as (term, position): tantivy-jieba {bridge_tokens:?}; shoptalk {our_tokens:?}.\n",
        ratio * 100.0
    ));
    println!("{md}");
    std::fs::write(work.join("results.md"), &md).unwrap();
}

/// Index `joined` (space-separated pre-computed tokens) with tantivy's whitespace tokenizer and
/// store `texts`, on `threads` indexing threads; returns the document count.
fn tantivy_floor(
    dir: &std::path::Path,
    texts: &[String],
    joined: &[String],
    threads: usize,
) -> usize {
    use tantivy::schema::{IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut b = Schema::builder();
    let body = b.add_text_field(
        "body",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("whitespace")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let stored = b.add_text_field("doc", STORED);
    let index = tantivy::Index::create_in_dir(dir, b.build()).unwrap();
    let mut w: tantivy::IndexWriter = index
        .writer_with_num_threads(threads, threads * 200_000_000)
        .unwrap();
    for (t, j) in texts.iter().zip(joined) {
        w.add_document(tantivy::doc!(body => j.as_str(), stored => t.as_str()))
            .unwrap();
    }
    w.commit().unwrap();
    texts.len()
}
