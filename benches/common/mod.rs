//! Shared by the benchmarks: a deterministic mixed zh/en corpus generated from the sample.
// Every bench compiles this module and uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;

/// The sample corpus every benchmark corpus is generated from.
pub const SAMPLE: &str = include_str!("../../corpora/sample/docs.jsonl");
/// A tiny deterministic generator (xorshift), so the corpus is the same on every machine.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Split into sentences, keeping the end punctuation.
fn sentences(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if matches!(c, '。' | '！' | '？' | '!' | '?' | '\n') || (c == '.' && cur.len() > 40) {
            if !cur.trim().is_empty() {
                out.push(std::mem::take(&mut cur));
            } else {
                cur.clear();
            }
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// Write a corpus with at least `mb` MB of title and body text made by reshuffling the sample's sentences across
/// documents of the same language, and return its path and (title + body) text bytes.
pub fn generate(dir: &Path, mb: usize) -> (PathBuf, Vec<String>) {
    let sample: Vec<Value> = SAMPLE
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        sample.len() >= 100,
        "the sample corpus has {} documents",
        sample.len()
    );
    let mut pools: std::collections::HashMap<String, Vec<String>> = Default::default();
    for d in &sample {
        pools
            .entry(d["lang"].as_str().unwrap().to_string())
            .or_default()
            .extend(sentences(d["body"].as_str().unwrap()));
    }
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let path = dir.join("docs.jsonl");
    let mut out = String::with_capacity(mb << 20);
    let mut texts = Vec::new();
    let mut i = 0usize;
    let mut text_bytes = 0usize;
    while text_bytes < mb * 1_000_000 {
        let base = &sample[i % sample.len()];
        let lang = base["lang"].as_str().unwrap();
        let pool = &pools[lang];
        let n = sentences(base["body"].as_str().unwrap()).len().max(1);
        let body: String = (0..n)
            .map(|_| pool[(rng.next() % pool.len() as u64) as usize].as_str())
            .collect();
        let mut d = base.clone();
        d["id"] = Value::from(format!("bench-{i}"));
        d["url"] = Value::from(format!("https://bench.example/{i}"));
        d["body"] = Value::from(body.clone());
        let text = format!("{}\n{}", d["title"].as_str().unwrap_or(""), body);
        text_bytes += text.len();
        texts.push(text);
        out.push_str(&d.to_string());
        out.push('\n');
        i += 1;
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&path, out).unwrap();
    (path, texts)
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Median seconds of `runs` calls of `f`, checking that every call returns the same count.
pub fn time<F: FnMut() -> usize>(runs: usize, mut f: F) -> (f64, usize) {
    let mut secs = vec![];
    let mut count = None;
    for _ in 0..runs {
        let t = Instant::now();
        let n = f();
        secs.push(t.elapsed().as_secs_f64());
        assert!(n > 0, "the measured path produced nothing");
        assert!(
            count.is_none_or(|c| c == n),
            "runs disagree: {count:?} vs {n}"
        );
        count = Some(n);
    }
    (median(secs), count.unwrap())
}

/// An environment variable as a number, or a default.
pub fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
