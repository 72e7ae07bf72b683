//! Extraction speed side by side with dom_smoothie (a maintained readability port), one thread,
//! on the evaluation pages, plus both extractors' output for scoring.
//!
//! Run: `SHOPTALK_EVAL=../shared/eval cargo bench --bench extract` (or
//! `scripts/eval-extract.sh ../shared`, which also scores the outputs). Without `SHOPTALK_EVAL`
//! it says so and exits: the evaluation sets are not part of the repository.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

fn pages(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![];
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let raw = std::fs::read(&p).unwrap();
        let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut v = vec![];
            flate2::read::MultiGzDecoder::new(&raw[..])
                .read_to_end(&mut v)
                .unwrap();
            v
        } else {
            raw
        };
        out.push((p.file_name().unwrap().to_string_lossy().into_owned(), bytes));
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let Some(eval) = std::env::var_os("SHOPTALK_EVAL") else {
        eprintln!(
            "set SHOPTALK_EVAL to the evaluation folder (../shared/eval) to run this benchmark"
        );
        return;
    };
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-extract");
    std::fs::create_dir_all(&out_dir).unwrap();
    println!(
        "| set | pages | shoptalk pages/s | dom_smoothie 0.19 pages/s | ratio |\n|---|---:|---:|---:|---:|"
    );
    for set in ["en", "zh"] {
        let pages = pages(&Path::new(&eval).join("extraction").join(set).join("html"));
        // dom_smoothie takes text: decode with shoptalk's charset detection, outside the timing.
        let texts: Vec<String> = pages
            .iter()
            .map(|(_, b)| shoptalk::extract::charset::decode(b, None).text)
            .collect();
        let opts = shoptalk::extract::Options::default();
        let mut ours = vec![];
        let mut theirs = vec![];
        let mut ours_out = String::new();
        let mut theirs_out = String::new();
        for run in 0..runs {
            let t = Instant::now();
            let mut n = 0;
            for (name, bytes) in &pages {
                if let Ok(p) = shoptalk::extract::extract(bytes, &opts) {
                    n += p.body.len();
                    if run == 0 {
                        ours_out.push_str(&json!({"file": name, "body": p.body}).to_string());
                        ours_out.push('\n');
                    }
                }
            }
            assert!(n > 0);
            ours.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let mut n = 0;
            for ((name, _), html) in pages.iter().zip(&texts) {
                let body = dom_smoothie::Readability::new(html.as_str(), None, None)
                    .ok()
                    .and_then(|mut r| r.parse().ok())
                    .map(|a| a.text_content.to_string())
                    .unwrap_or_default();
                n += body.len();
                if run == 0 {
                    theirs_out.push_str(&json!({"file": name, "body": body}).to_string());
                    theirs_out.push('\n');
                }
            }
            assert!(n > 0);
            theirs.push(t.elapsed().as_secs_f64());
        }
        std::fs::write(out_dir.join(format!("{set}-shoptalk.jsonl")), ours_out).unwrap();
        std::fs::write(
            out_dir.join(format!("{set}-dom_smoothie.jsonl")),
            theirs_out,
        )
        .unwrap();
        let (a, b) = (
            pages.len() as f64 / median(ours),
            pages.len() as f64 / median(theirs),
        );
        println!(
            "| {set} | {} | {a:.0} | {b:.0} | {:.2} |",
            pages.len(),
            a / b
        );
    }
    println!("\nOutputs for scoring: {}", out_dir.display());
}
