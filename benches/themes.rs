//! Theme tagging throughput: the matching step (the automaton over the token stream), each
//! other step of tagging (tokens given), tagging with analysis, and index builds with and
//! without tagging, side by side in one run, single-threaded.
//!
//! Run: `cargo bench --bench themes` (or `scripts/bench-themes.sh`); `BENCH_MB` sets the corpus
//! size (default 20), `BENCH_RUNS` the repetitions (median reported), `BENCH_THREADS` the
//! index builds' `--threads` (default 1; the tagging rows are always single-threaded).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use shoptalk::analyze::Analyzer;
use shoptalk::themes::{Tagger, Taxonomy};

mod common;
use common::{env_or, generate, median, time};

fn main() {
    let mb = env_or("BENCH_MB", 20);
    let runs = env_or("BENCH_RUNS", 3);
    let threads = env_or("BENCH_THREADS", 1).to_string();
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-themes");
    let (corpus, texts) = generate(&work.join("corpus"), mb);
    let text_mb = texts.iter().map(|t| t.len()).sum::<usize>() as f64 / 1e6;
    let analyzer = Analyzer::shared_default();
    let tagger = Tagger::new(Taxonomy::default_taxonomy(), analyzer.clone()).unwrap();
    let mut dictionary_only = Taxonomy::default_taxonomy();
    dictionary_only.settings.model = "none".into();
    let dict_tagger = Tagger::new(dictionary_only, analyzer.clone()).unwrap();
    let model = shoptalk::themes::builtin_model().expect("the built-in model");
    let tokens: Vec<_> = texts.iter().map(|t| analyzer.tokens(t)).collect();
    eprintln!("corpus: {} documents, {text_mb:.1} MB of text", texts.len());

    // Hits of every document, tagged from the tokens already made.
    let all_hits = |tagger: &Tagger| -> usize {
        texts
            .iter()
            .zip(&tokens)
            .map(|(t, toks)| {
                tagger
                    .tag_tokens(t, toks)
                    .themes
                    .iter()
                    .map(|r| r.hits as usize)
                    .sum::<usize>()
            })
            .sum()
    };
    let (match_s, hits) = time(runs, || all_hits(&tagger));
    let (dict_s, dict_hits) = time(runs, || all_hits(&dict_tagger));
    assert_eq!(dict_hits, hits, "the model adds themes, never hits");
    let (model_s, chunks) = time(runs, || {
        texts
            .iter()
            .zip(&tokens)
            .map(|(t, toks)| model.predict_chunks(t, toks).len())
            .sum()
    });
    let (stream_s, stream_bytes) = time(runs, || {
        texts
            .iter()
            .zip(&tokens)
            .map(|(t, toks)| tagger.stream_text(t, toks).len())
            .sum()
    });
    let streams: Vec<String> = texts
        .iter()
        .zip(&tokens)
        .map(|(t, toks)| tagger.stream_text(t, toks))
        .collect();
    let (scan_s, raw) = time(runs, || streams.iter().map(|s| tagger.scan_stream(s)).sum());
    let (full_s, _) = time(runs, || {
        texts.iter().map(|t| tagger.tag(t).themes.len() + 1).sum()
    });
    let (analyze_s, _) = time(runs, || {
        texts.iter().map(|t| analyzer.tokens(t).len()).sum()
    });

    // The default taxonomy with the learned model off, for the dictionary-only build.
    let no_model = work.join("no-model.toml");
    std::fs::write(
        &no_model,
        shoptalk::themes::DEFAULT_TOML.replace("model = \"builtin\"", "model = \"none\""),
    )
    .unwrap();
    // One build; the three kinds take turns run by run, so drift on a shared machine hits
    // them alike.
    let build = |tag: bool, model: bool| -> f64 {
        let idx = work.join(match (tag, model) {
            (false, _) => "index-notag",
            (true, false) => "index-dict",
            (true, true) => "index-tag",
        });
        let _ = std::fs::remove_dir_all(&idx);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_shoptalk"));
        cmd.args(["index", "--corpus"])
            .arg(&corpus)
            .arg("--index")
            .arg(&idx);
        cmd.args(["--json", "-q", "--threads", &threads]);
        if !tag {
            cmd.arg("--no-tag");
        } else if !model {
            cmd.arg("--themes").arg(&no_model);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["total"].as_u64().unwrap() as usize, texts.len());
        v["seconds"].as_f64().unwrap()
    };
    let (mut tag_s, mut dict_build_s, mut notag_s) = (vec![], vec![], vec![]);
    for _ in 0..runs {
        tag_s.push(build(true, true));
        dict_build_s.push(build(true, false));
        notag_s.push(build(false, false));
    }
    let slowdowns = |with: &[f64]| {
        let mut r: Vec<f64> = with
            .iter()
            .zip(&notag_s)
            .map(|(w, n)| w / n - 1.0)
            .collect();
        r.sort_by(f64::total_cmp);
        format!("{:.0}-{:.0}%", r[0] * 100.0, r[r.len() - 1] * 100.0)
    };
    let (tag_range, dict_range) = (slowdowns(&tag_s), slowdowns(&dict_build_s));
    let with_tag = median(tag_s);
    let with_dict = median(dict_build_s);
    let without = median(notag_s);

    let md = format!(
        "Corpus: {} documents, {text_mb:.1} MB of title+body text; 1 thread (index builds: --threads {threads}); median of {runs} runs.\n\n\
| step | MB/s | seconds |\n|---|---:|---:|\n\
| matching step: the automaton over the token streams ({raw} raw matches in {:.1} MB of stream) | {:.1} | {scan_s:.3} |\n\
| building the token streams from the tokens | {:.1} | {stream_s:.3} |\n\
| dictionary tagging (stream, matching, alignment, exclusions, scores, evidence; model off) | {:.1} | {dict_s:.3} |\n\
| learned model only ({chunks} chunks) | {:.1} | {model_s:.3} |\n\
| all of tagging, tokens given ({hits} hits; dictionary and learned model) | {:.1} | {match_s:.3} |\n\
| analysis only (jieba + stemming) | {:.1} | {analyze_s:.2} |\n\
| tagging with analysis | {:.1} | {full_s:.2} |\n\
| index build without tagging | {:.1} | {without:.2} |\n\
| index build with tagging, dictionary only (model off) | {:.1} | {with_dict:.2} |\n\
| index build with tagging (dictionary and learned model, the default) | {:.1} | {with_tag:.2} |\n\n\
Tagging slows the index build by {:.1}% (dictionary only: {:.1}%); run by run {tag_range} ({dict_range}).\n",
        texts.len(),
        stream_bytes as f64 / 1e6,
        text_mb / scan_s,
        text_mb / stream_s,
        text_mb / dict_s,
        text_mb / model_s,
        text_mb / match_s,
        text_mb / analyze_s,
        text_mb / full_s,
        text_mb / without,
        text_mb / with_dict,
        text_mb / with_tag,
        (with_tag / without - 1.0) * 100.0,
        (with_dict / without - 1.0) * 100.0
    );
    println!("{md}");
    std::fs::write(work.join("results.md"), &md).unwrap();
}
