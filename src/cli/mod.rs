//! The command line: argument definitions, dispatch to the library, and rendering results to stdout; no logic of its own.

mod crawl_cmd;
mod demo;
mod export_cmd;
mod extract_cmd;
mod index_cmd;
mod ingest_cmd;
mod keywords_cmd;
mod kwic_cmd;
mod progress;
mod search_cmd;
mod suggest_cmd;
mod themes_cmd;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::{Error, Result};

pub use progress::BarReporter;

/// Bilingual text mining for commerce articles and buyer reviews.
#[derive(Debug, Parser)]
#[command(name = "shoptalk", version, about, propagate_version = true)]
pub struct Cli {
    /// Print no progress bars or summaries on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crawl the bundled sample site, index it with the sample corpus, run example searches (start here).
    Demo(DemoArgs),
    /// Build or update an index from a corpus (upsert by document id).
    Index(IndexArgs),
    /// Search an index.
    Search(SearchArgs),
    /// Extract main text, metadata and reviews from HTML pages (one JSON line per page).
    Extract(extract_cmd::ExtractArgs),
    /// Add documents from HTML, WARC, Markdown, text, CSV and JSONL files to a corpus.
    Ingest(ingest_cmd::IngestArgs),
    /// Theme taxonomy tools: default, check, tag, eval, suggest.
    Themes(themes_cmd::ThemesArgs),
    /// Export theme frequencies, per-document theme hits or theme co-occurrence (CSV, JSON, XLSX, charts).
    Export(export_cmd::ExportArgs),
    /// Keyword in context: every occurrence of a term (or a theme's hits) with its left and right context.
    Kwic(kwic_cmd::KwicArgs),
    /// Top terms of a subset (tf-idf, TextRank or frequency), or keyness against another subset.
    Keywords(keywords_cmd::KeywordsArgs),
    /// Crawl web pages, sitemaps and feeds politely and resumably into a corpus.
    Crawl(Box<crawl_cmd::CrawlArgs>),
}

/// Arguments of `shoptalk demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the sample corpus is written (if missing) and read.
    #[arg(long, default_value = "corpora/sample")]
    pub corpus: PathBuf,
    /// Where the sample index is built.
    #[arg(long, default_value = "indexes/sample")]
    pub index: PathBuf,
    /// Where the crawl of the bundled sample site goes (a corpus folder with its crawl state).
    #[arg(long, default_value = "corpora/sample-crawl")]
    pub crawl_corpus: PathBuf,
}

/// Arguments of `shoptalk index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The corpus: a folder with docs.jsonl (corpora/NAME) or a .jsonl file.
    #[arg(long, required_unless_present = "retag")]
    pub corpus: Option<PathBuf>,
    /// The index folder (indexes/NAME); created if missing.
    #[arg(long)]
    pub index: PathBuf,
    /// A user dictionary in jieba format (`word [freq] [tag]` per line) for domain words.
    #[arg(long)]
    pub user_dict: Option<PathBuf>,
    /// Skip invalid corpus lines (counted and reported) instead of stopping at the first.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Delete every indexed document first, so the index holds exactly this corpus.
    #[arg(long)]
    pub rebuild: bool,
    /// A theme taxonomy (TOML) instead of the default; see `shoptalk themes default`.
    #[arg(long)]
    pub themes: Option<PathBuf>,
    /// Re-tag (and re-segment) every indexed document from the stored documents, e.g. with a
    /// new --themes file; no corpus needed.
    #[arg(long, conflicts_with = "rebuild")]
    pub retag: bool,
    /// Threads for analysis and indexing (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Skip theme tagging (for benchmarks measuring what tagging costs).
    #[arg(long, hide = true)]
    pub no_tag: bool,
}

/// Output formats for search results.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SearchFormat {
    /// Ranked blocks with highlighted snippets, for people.
    Table,
    /// One JSON object with all hits.
    Json,
    /// One JSON object per hit.
    Jsonl,
}

/// Arguments of `shoptalk search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (all must match), "exact phrase", OR, NOT, -word, field:value
    /// (fields: title, body, product, author, site, lang, kind, url, id). Empty or * matches all.
    pub query: String,
    /// The index folder.
    #[arg(long, default_value = "indexes/sample")]
    pub index: PathBuf,
    /// The filters shared with export, kwic and keywords.
    #[command(flatten)]
    pub filters: Filters,
    /// Number of hits.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// Hits to skip, for paging.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Snippet length in characters.
    #[arg(long, default_value_t = 160)]
    pub snippet_chars: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SearchFormat::Table)]
    pub format: SearchFormat,
    /// Result order: relevance (BM25), newest or oldest (by publication date; score shows 0).
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
}

/// Filters on document metadata, shared by search, export, kwic and keywords.
#[derive(Debug, Args, Clone, Default)]
pub struct Filters {
    /// Only this language (ISO 639-1: zh, en, ...).
    #[arg(long)]
    pub lang: Option<String>,
    /// Only articles or only reviews.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only this site (repeat for several).
    #[arg(long)]
    pub site: Vec<String>,
    /// Only documents tagged with this theme (repeat: all of them).
    #[arg(long)]
    pub theme: Vec<String>,
    /// Published on or after: YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339.
    #[arg(long)]
    pub since: Option<String>,
    /// Published on or before (the whole year, month or day given): YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339.
    #[arg(long)]
    pub until: Option<String>,
}

impl Filters {
    /// A request for `query` with these filters, every value checked (paging and sort left at
    /// their defaults).
    pub fn request(&self, query: &str) -> Result<crate::index::SearchRequest> {
        use crate::corpus::{Kind, normalize_lang};
        let kind = match &self.kind {
            None => None,
            Some(k) => Some(Kind::parse(k).ok_or_else(|| {
                Error::invalid(format!("--kind: expected article or review, got {k:?}"))
            })?),
        };
        let lang = match &self.lang {
            None => None,
            Some(l) => Some(normalize_lang(l).ok_or_else(|| {
                Error::invalid(format!(
                    "--lang: {l:?} is not an ISO 639-1 code such as zh or en"
                ))
            })?),
        };
        let period = search_cmd::period;
        Ok(crate::index::SearchRequest {
            query: query.to_string(),
            lang,
            kind,
            sites: self.site.clone(),
            themes: self.theme.clone(),
            since: self
                .since
                .as_deref()
                .map(|s| period(s, "--since").map(|p| p.0))
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(|s| period(s, "--until").map(|p| p.1))
                .transpose()?,
            ..Default::default()
        })
    }
}

/// Result orders for `search --sort`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SortArg {
    /// Best BM25 score first.
    Relevance,
    /// Newest publication date first.
    Newest,
    /// Oldest publication date first.
    Oldest,
}

/// Run a parsed command, writing results to `out`. Progress and summaries go to stderr
/// through `BarReporter` unless `--quiet`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<()> {
    let reporter = BarReporter::new(cli.quiet);
    let r = match cli.command {
        Command::Demo(a) => demo::run(&a, out, &reporter),
        Command::Index(a) => index_cmd::run(&a, out, &reporter),
        Command::Search(a) => search_cmd::run(&a, out),
        Command::Extract(a) => extract_cmd::run(&a, out, &reporter),
        Command::Ingest(a) => ingest_cmd::run(&a, out, &reporter),
        Command::Themes(a) => themes_cmd::run(&a, out, &reporter),
        Command::Export(a) => export_cmd::run(&a, out, &reporter),
        Command::Kwic(a) => kwic_cmd::run(&a, out),
        Command::Keywords(a) => keywords_cmd::run(&a, out),
        Command::Crawl(a) => crawl_cmd::run(&a, out, &reporter),
    };
    match r {
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// Map a write error on stdout to an error (a closed pipe ends the run quietly).
pub(crate) fn out_err(e: std::io::Error) -> Error {
    Error::io(std::path::Path::new("<stdout>"), e)
}
