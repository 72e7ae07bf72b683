//! `shoptalk demo`: the main job on the embedded sample, end to end (serve the bundled site, crawl it, index it with the sample corpus, count themes, search), with hints for what to run next.

use std::io::Write;

use super::{BarReporter, DemoArgs, out_err};
use crate::corpus::{Corpus, DOCS_FILE};
use crate::crawl::{CrawlConfig, Summary, crawl_async, site};
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
    let crawled = crawl_sample_site(a, reporter)?;
    let crawl_corpus = Corpus::open(&a.crawl_corpus)?;
    let config = IndexConfig {
        allow_change: true,
        replace_old_format: true,
        ..IndexConfig::default()
    };
    let shop = ShopIndex::open_or_create(&a.index, &config)?;
    let opts = BuildOptions {
        rebuild: true,
        ..BuildOptions::default()
    };
    let stats = build(&shop, &corpus, &opts, reporter)?;
    let more = build(&shop, &crawl_corpus, &BuildOptions::default(), reporter)?;
    let o = &mut *out;
    writeln!(o, "shoptalk demo").map_err(out_err)?;
    writeln!(
        o,
        "crawled the bundled sample site (http://{}/, served on {}): {} pages fetched now ({} kept out by robots.txt, {} failed), {} documents in {}{}",
        site::SAMPLE_HOST,
        crawled.1,
        crawled.0.fetched,
        crawled.0.robots_excluded,
        crawled.0.errors - crawled.0.robots_excluded,
        crawled.0.total.documents,
        crawl_corpus.path().display(),
        if crawled.0.fetched == 0 { " (already crawled: the crawl state says every page is done)" } else { "" }
    )
    .map_err(out_err)?;
    writeln!(
        o,
        "indexed {} sample documents from {} and {} crawled documents into {} ({} documents) in {:.2}s",
        stats.total,
        corpus.path().display(),
        more.read.valid - more.read.replaced,
        a.index.display(),
        more.total,
        stats.seconds + more.seconds
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
    writeln!(
        o,
        "      shoptalk search \"*\" --site {} --kind review    (the crawled product reviews)",
        site::SAMPLE_HOST
    )
    .map_err(out_err)?;
    writeln!(
        o,
        "      shoptalk crawl https://SITE/ --corpus corpora/NAME --max-pages 200   then   shoptalk index --corpus corpora/NAME --index indexes/NAME"
    )
    .map_err(out_err)?;
    writeln!(
        o,
        "      shoptalk export themes --by year --by lang --index {} --chart themes.svg    (theme trends for analysts; also: export docs, export cooccurrence)",
        a.index.display()
    )
    .map_err(out_err)?;
    writeln!(
        o,
        "      shoptalk kwic counterfeit --index {0}    shoptalk keywords --index {0} --lang zh --method textrank",
        a.index.display()
    )
    .map_err(out_err)?;
    Ok(())
}

/// Serve the embedded sample site on a loopback port and crawl it (politely for loopback: no
/// delay, a few requests at once, robots.txt obeyed). A second run finds everything done.
fn crawl_sample_site(
    a: &DemoArgs,
    reporter: &BarReporter,
) -> Result<(Summary, std::net::SocketAddr)> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("tokio runtime: {e}")))?;
    rt.block_on(async {
        let served = site::serve(site::SAMPLE_SITE).await?;
        let origin = format!("http://{}", site::SAMPLE_HOST);
        let cfg = CrawlConfig {
            urls: vec![format!("{origin}/")],
            feeds: vec![format!("{origin}/rss.xml")],
            corpus: a.crawl_corpus.clone(),
            concurrency: 8,
            per_host: 4,
            delay: 0,
            timeout: 10_000,
            resolve: [(format!("{}:80", site::SAMPLE_HOST), served.addr.to_string())].into(),
            ..CrawlConfig::default()
        };
        let summary = crawl_async(&cfg, reporter, std::future::pending()).await?;
        for f in &summary.failures {
            tracing::info!(url = %f.url, reason = %f.reason, "sample site: not crawled");
        }
        Ok((summary, served.addr))
    })
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
