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
    theme_table(&shop, o)?;
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

/// Documents per theme, by language, straight from the index's theme field.
fn theme_table(shop: &ShopIndex, o: &mut dyn Write) -> Result<()> {
    use tantivy::collector::Count;
    use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::IndexRecordOption;
    let searcher = shop.searcher()?;
    let f = shop.fields;
    let term = |field, v: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            tantivy::Term::from_field_text(field, v),
            IndexRecordOption::Basic,
        ))
    };
    let count = |theme: &str, lang: &str| -> Result<usize> {
        let q = BooleanQuery::new(vec![
            (Occur::Must, term(f.themes, theme)),
            (Occur::Must, term(f.lang, lang)),
        ]);
        Ok(searcher.search(&q, &Count)?)
    };
    let totals = (
        searcher.search(&*term(f.lang, "zh"), &Count)?,
        searcher.search(&*term(f.lang, "en"), &Count)?,
    );
    writeln!(
        o,
        "\nthemes (documents tagged; share of the language's documents):"
    )
    .map_err(out_err)?;
    writeln!(o, "  {:<16} {:>12} {:>12}", "theme", "zh", "en").map_err(out_err)?;
    for t in &shop.tagger.taxonomy().themes {
        let (zh, en) = (count(&t.id, "zh")?, count(&t.id, "en")?);
        let pct = |n: usize, d: usize| {
            if d == 0 {
                0.0
            } else {
                n as f64 * 100.0 / d as f64
            }
        };
        writeln!(
            o,
            "  {:<16} {:>5} ({:>3.0}%) {:>5} ({:>3.0}%)",
            t.id,
            zh,
            pct(zh, totals.0),
            en,
            pct(en, totals.1)
        )
        .map_err(out_err)?;
    }
    Ok(())
}
