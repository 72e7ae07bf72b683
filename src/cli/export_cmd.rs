//! `shoptalk export themes|docs|cooccurrence`: check arguments, run the export, write the tables and charts.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use super::BarReporter;
use crate::error::{Error, Result};
use crate::export::{self, Dim, Format, Table, chart};
use crate::index::{SearchRequest, ShopIndex};
use crate::reporter::Reporter;

/// The index, query and filters shared by export, kwic and keywords (as in `search`).
#[derive(Debug, Args, Clone)]
pub struct FilterArgs {
    /// The index folder.
    #[arg(long, default_value = "indexes/sample")]
    pub index: PathBuf,
    /// Only documents matching this query (search syntax; default: every document).
    #[arg(long, default_value = "*")]
    pub query: String,
    /// Metadata filters, as in `search`.
    #[command(flatten)]
    pub filters: super::Filters,
}

impl FilterArgs {
    /// The search request these filters make, every value checked.
    pub fn request(&self) -> Result<SearchRequest> {
        self.request_for(&self.query)
    }

    /// The same filters with another query.
    pub fn request_for(&self, query: &str) -> Result<SearchRequest> {
        Ok(SearchRequest {
            limit: 1,
            ..self.filters.request(query)?
        })
    }
}

/// Table formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatArg {
    /// CSV, UTF-8, header row (add --excel for a byte-order mark).
    Csv,
    /// JSON: an array of row objects with the CSV's column names.
    Json,
    /// Excel workbook, one sheet per table (needs --out).
    Xlsx,
}

/// Where and how tables are written.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// Output file (default: standard output, for csv and json).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// CSV with a UTF-8 byte-order mark, so Excel shows Chinese text correctly.
    #[arg(long)]
    pub excel: bool,
    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `shoptalk export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub command: ExportCommand,
}

/// The export subcommands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Theme frequencies per group: documents, share, hits, hits per 1,000 tokens, mean rating.
    Themes(ThemesExportArgs),
    /// One row per document: metadata, assigned themes and hits per theme.
    Docs(DocsExportArgs),
    /// Theme x theme document counts with Jaccard and lift.
    Cooccurrence(CoocExportArgs),
}

/// Arguments of `shoptalk export themes`.
#[derive(Debug, Args)]
pub struct ThemesExportArgs {
    /// Group by month, quarter, year (UTC, by publication date), site, lang or kind; give
    /// twice for a long table (e.g. --by month --by lang).
    #[arg(long)]
    pub by: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also draw a chart (.svg or .png): theme trend lines over time, or theme share bars.
    #[arg(long)]
    pub chart: Option<PathBuf>,
}

/// Arguments of `shoptalk export docs`.
#[derive(Debug, Args)]
pub struct DocsExportArgs {
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `shoptalk export cooccurrence`.
#[derive(Debug, Args)]
pub struct CoocExportArgs {
    /// CSV/JSON: the theme x theme count matrix instead of the pair table (XLSX has both).
    #[arg(long)]
    pub matrix: bool,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also draw a heatmap (.svg or .png).
    #[arg(long)]
    pub chart: Option<PathBuf>,
}

pub(crate) fn run(a: &ExportArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    match &a.command {
        ExportCommand::Themes(a) => themes(a, out, reporter),
        ExportCommand::Docs(a) => docs(a, out, reporter),
        ExportCommand::Cooccurrence(a) => cooc(a, out, reporter),
    }
}

fn themes(a: &ThemesExportArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let dims = a
        .by
        .iter()
        .map(|b| {
            Dim::parse(b).ok_or_else(|| {
                Error::invalid(format!(
                    "--by: unknown field {b:?}; expected one of month, quarter, year, site, lang, kind"
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let req = a.filters.request()?;
    check_output(&a.output, a.chart.as_deref())?;
    let shop = ShopIndex::open(&a.filters.index)?;
    let groups = export::theme_groups(&shop, &req, &dims)?;
    let total: u64 = groups.values().map(|g| g.docs).sum();
    let mut table = export::themes_table(&shop, &groups, &dims);
    if total == 0 {
        table.rows.clear();
        empty_note(reporter);
    }
    if let Some(path) = &a.chart {
        let svg = chart::themes_chart(&shop, &table, &dims)?;
        chart::save(&svg, path, a.output.force)?;
    }
    write(&[table], &a.output, out)
}

fn docs(a: &DocsExportArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let req = a.filters.request()?;
    check_output(&a.output, None)?;
    let shop = ShopIndex::open(&a.filters.index)?;
    let table = export::docs_table(&shop, &req)?;
    if table.rows.is_empty() {
        empty_note(reporter);
    }
    write(&[table], &a.output, out)
}

fn cooc(a: &CoocExportArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let req = a.filters.request()?;
    check_output(&a.output, a.chart.as_deref())?;
    let shop = ShopIndex::open(&a.filters.index)?;
    let c = export::cooccurrence(&shop, &req)?;
    let mut tables = export::cooccurrence_tables(&shop, &c);
    if c.docs == 0 {
        for t in &mut tables {
            t.rows.clear();
        }
        empty_note(reporter);
    }
    if let Some(path) = &a.chart {
        let svg = chart::heatmap(&shop, &c)?;
        chart::save(&svg, path, a.output.force)?;
    }
    if a.output.format != FormatArg::Xlsx {
        if a.matrix {
            tables.swap(0, 1);
        }
        tables.truncate(1);
    }
    write(&tables, &a.output, out)
}

fn empty_note(reporter: &BarReporter) {
    reporter.warn("no documents match the query and filters: the table has a header only");
}

/// Check an output path before any work: its folder must exist, and an existing file needs
/// --force.
pub(crate) fn check_path(path: &Path, force: bool) -> Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent
        && !dir.is_dir()
    {
        return Err(Error::bad_file(
            path,
            format!("the folder {} does not exist", dir.display()),
        ));
    }
    if path.is_dir() {
        return Err(Error::bad_file(path, "is a folder, not a file"));
    }
    if path.exists() && !force {
        return Err(Error::bad_file(path, "exists; add --force to overwrite it"));
    }
    Ok(())
}

fn check_output(o: &OutputArgs, chart: Option<&Path>) -> Result<()> {
    match &o.out {
        Some(p) => check_path(p, o.force)?,
        None if o.format == FormatArg::Xlsx => {
            return Err(Error::invalid("--format xlsx needs --out FILE.xlsx"));
        }
        None => {}
    }
    if let Some(c) = chart {
        chart::kind_of(c)?;
        check_path(c, o.force)?;
    }
    Ok(())
}

fn write(tables: &[Table], o: &OutputArgs, stdout: &mut dyn Write) -> Result<()> {
    let format = match o.format {
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
        FormatArg::Xlsx => Format::Xlsx,
    };
    match &o.out {
        None => export::write_tables(tables, format, o.excel, stdout),
        Some(path) => {
            let mut buf = Vec::new();
            export::write_tables(tables, format, o.excel, &mut buf)?;
            std::fs::write(path, buf).map_err(|e| Error::user_io(path, e))
        }
    }
}
