//! `shoptalk demo`: the main job on the embedded sample, end to end, with hints for what to run next.

use std::io::Write;

use super::{BarReporter, DemoArgs, out_err};
use crate::corpus::{Corpus, DOCS_FILE};
use crate::error::{Error, Result};
use crate::index::{BuildOptions, IndexConfig, SearchRequest, ShopIndex, build, search};

/// The sample corpus, embedded so the demo works from any folder.
pub const SAMPLE_CORPUS: &str = include_str!("../../corpora/sample/docs.jsonl");

pub(crate) fn run(a: &DemoArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let docs = a.corpus.join(DOCS_FILE);
    if !docs.exists() {
        std::fs::create_dir_all(&a.corpus).map_err(|e| Error::user_io(&a.corpus, e))?;
        std::fs::write(&docs, SAMPLE_CORPUS).map_err(|e| Error::user_io(&docs, e))?;
    }
    let corpus = Corpus::open(&a.corpus)?;
    let config = IndexConfig {
        allow_change: true,
        ..IndexConfig::default()
    };
    let shop = ShopIndex::open_or_create(&a.index, &config)?;
    let opts = BuildOptions {
        rebuild: true,
        ..BuildOptions::default()
    };
    let stats = build(&shop, &corpus, &opts, reporter)?;
    let o = &mut *out;
    writeln!(o, "shoptalk demo").map_err(out_err)?;
    writeln!(
        o,
        "indexed {} documents from {} into {} in {:.2}s",
        stats.total,
        corpus.path().display(),
        a.index.display(),
        stats.seconds
    )
    .map_err(out_err)?;
    let examples: [(&str, Option<&str>, &str); 3] = [
        (
            "海外仓 物流",
            Some("zh"),
            "Chinese: overseas warehouses and logistics",
        ),
        (
            "refund",
            Some("en"),
            "English, stemmed: refund finds refunds and refunded",
        ),
        (
            "質量",
            None,
            "traditional characters find simplified text too",
        ),
    ];
    for (query, lang, what) in examples {
        let req = SearchRequest {
            query: query.into(),
            lang: lang.map(str::to_string),
            limit: 3,
            snippet_chars: 100,
            ..SearchRequest::default()
        };
        let results = search(&shop, &req)?;
        writeln!(
            o,
            "\n== {what}: shoptalk search {query:?}{} ==",
            lang.map(|l| format!(" --lang {l}")).unwrap_or_default()
        )
        .map_err(out_err)?;
        super::search_cmd::render_table(&results, false, o).map_err(out_err)?;
    }
    writeln!(
        o,
        "\nNext: shoptalk search \"直播带货\" --index {} (add --kind review, --since 2023, --format json)",
        a.index.display()
    )
    .map_err(out_err)?;
    Ok(())
}
