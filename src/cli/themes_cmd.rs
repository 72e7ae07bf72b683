//! `shoptalk themes`: print the default taxonomy, check a taxonomy file, tag text, evaluate against gold labels, suggest new terms.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::{BarReporter, out_err};
use crate::analyze::Analyzer;
use crate::error::{Error, Result};
use crate::themes::{DEFAULT_TOML, GoldItem, Level, Tagger, Taxonomy, evaluate};

/// Arguments of `shoptalk themes`.
#[derive(Debug, Args)]
pub struct ThemesArgs {
    #[command(subcommand)]
    pub command: ThemesCommand,
}

/// The `themes` subcommands.
#[derive(Debug, Subcommand)]
pub enum ThemesCommand {
    /// Print the embedded default taxonomy (TOML) to edit: `shoptalk themes default > my.toml`.
    Default,
    /// Validate a taxonomy file: errors (exit 2) and warnings.
    Check {
        /// The TOML file.
        file: PathBuf,
    },
    /// Tag text: one document per input line, or JSONL objects with id and text (--jsonl).
    Tag(TagArgs),
    /// Score the tagger against labelled JSONL ({"id", "text", "themes": [...]}).
    Eval(EvalArgs),
    /// Propose new terms for a theme from an index's documents.
    Suggest(SuggestArgs),
    /// Train the learned second signal on labelled JSONL and write a model file (this is how
    /// the built-in model is made; see ARCHITECTURE.md).
    Train(TrainArgs),
}

/// Arguments of `shoptalk themes train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled JSONL files ({"id", "text", "themes": [...]}).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long)]
    pub out: PathBuf,
    /// A taxonomy file whose theme ids the model learns (default: the default taxonomy).
    #[arg(long)]
    pub themes: Option<PathBuf>,
    /// Optimisation steps.
    #[arg(long, default_value_t = 400)]
    pub iterations: usize,
    /// Inverse regularisation strength.
    #[arg(long, default_value_t = 10.0)]
    pub c: f32,
}

/// Output formats of `themes tag`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TagFormat {
    /// One JSON object per input.
    Jsonl,
    /// A line per input with its themes and evidence.
    Table,
}

/// Arguments of `shoptalk themes tag`.
#[derive(Debug, Args)]
pub struct TagArgs {
    /// Input file, or - (default) for standard input.
    pub input: Option<PathBuf>,
    /// A taxonomy file instead of the default.
    #[arg(long)]
    pub themes: Option<PathBuf>,
    /// Input lines are JSON objects with `id` and `text`.
    #[arg(long)]
    pub jsonl: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TagFormat::Jsonl)]
    pub format: TagFormat,
    /// Also output themes below the threshold (with "assigned": false) and scores.
    #[arg(long)]
    pub explain: bool,
}

/// Arguments of `shoptalk themes eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled JSONL files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// A taxonomy file instead of the default.
    #[arg(long)]
    pub themes: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// List every false positive and false negative with its text.
    #[arg(long)]
    pub mistakes: bool,
    /// Use this model file (from `themes train`) as the learned signal instead of the
    /// taxonomy's, e.g. to compare a new model with the built-in one.
    #[arg(long)]
    pub model: Option<PathBuf>,
}

/// Arguments of `shoptalk themes suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// The theme to grow.
    pub theme: String,
    /// The index to learn from.
    #[arg(long, default_value = "indexes/sample")]
    pub index: PathBuf,
    /// How many candidates.
    #[arg(long, default_value_t = 30)]
    pub top: usize,
    /// Only candidates seen in at least this many evidence sentences.
    #[arg(long, default_value_t = 3)]
    pub min_count: u64,
    /// Print JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Load a taxonomy file (or the default), printing warnings through the reporter.
pub(crate) fn load_taxonomy(
    path: Option<&Path>,
    analyzer: &Analyzer,
    reporter: &BarReporter,
) -> Result<Taxonomy> {
    use crate::reporter::Reporter;
    match path {
        None => Ok(Taxonomy::default_taxonomy()),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Error::user_io(p, e))?;
            let (tax, diags) = Taxonomy::load(&text, p, analyzer)?;
            for d in diags {
                reporter.warn(&format!("{}: {}", p.display(), d.message));
            }
            Ok(tax)
        }
    }
}

pub(crate) fn run(a: &ThemesArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    match &a.command {
        ThemesCommand::Default => out.write_all(DEFAULT_TOML.as_bytes()).map_err(out_err),
        ThemesCommand::Check { file } => check(file, out),
        ThemesCommand::Tag(t) => tag(t, out, reporter),
        ThemesCommand::Eval(e) => eval(e, out, reporter),
        ThemesCommand::Train(t) => train(t, out, reporter),
        ThemesCommand::Suggest(s) => super::suggest_cmd::run(s, out),
    }
}

fn check(file: &Path, out: &mut dyn Write) -> Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::user_io(file, e))?;
    let tax = Taxonomy::from_toml(&text, file)?;
    let diags = tax.check(&Analyzer::shared_default());
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    for d in &diags {
        let level = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        writeln!(out, "{}: {level}: {}", file.display(), d.message).map_err(out_err)?;
    }
    let entries: usize = tax.themes.iter().map(|t| t.zh.len() + t.en.len()).sum();
    writeln!(
        out,
        "{}: {} themes, {entries} entries, {errors} errors, {} warnings",
        file.display(),
        tax.themes.len(),
        diags.len() - errors
    )
    .map_err(out_err)?;
    if errors > 0 {
        return Err(Error::bad_file(
            file,
            format!("{errors} errors in the taxonomy"),
        ));
    }
    Ok(())
}

fn tag(a: &TagArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let analyzer = Analyzer::shared_default();
    let tax = load_taxonomy(a.themes.as_deref(), &analyzer, reporter)?;
    let tagger = Tagger::new(tax, analyzer)?;
    let (name, reader): (PathBuf, Box<dyn BufRead>) = match a.input.as_deref() {
        None => (PathBuf::from("<stdin>"), Box::new(std::io::stdin().lock())),
        Some(p) if p == Path::new("-") => {
            (PathBuf::from("<stdin>"), Box::new(std::io::stdin().lock()))
        }
        Some(p) => {
            let f = std::fs::File::open(p).map_err(|e| Error::user_io(p, e))?;
            (p.to_path_buf(), Box::new(std::io::BufReader::new(f)))
        }
    };
    let mut lines = crate::corpus::LineReader::from_reader(&name, reader);
    let (mut tagged, mut skipped) = (0usize, 0usize);
    while let Some(batch) = lines.next_batch(1024)? {
        for (no, line) in batch {
            let line = match line {
                Ok(l) => l,
                Err(msg) => {
                    use crate::reporter::Reporter;
                    reporter.warn(&format!("skipped {}:{no}: {msg}", name.display()));
                    skipped += 1;
                    continue;
                }
            };
            let (id, text) = if a.jsonl {
                let v: serde_json::Value = serde_json::from_str(&line)
                    .map_err(|e| Error::bad_line(&name, no, format!("invalid JSON: {e}")))?;
                let text = v
                    .get("text")
                    .or_else(|| v.get("body"))
                    .and_then(|t| t.as_str())
                    .ok_or_else(|| Error::bad_line(&name, no, "missing string field \"text\""))?
                    .to_string();
                (v.get("id").cloned().unwrap_or(json!(no)), text)
            } else {
                (json!(no), line)
            };
            let t = tagger.tag(&text);
            tagged += 1;
            let shown: Vec<_> = t
                .themes
                .iter()
                .filter(|r| a.explain || r.assigned)
                .collect();
            match a.format {
                TagFormat::Jsonl => {
                    let mut obj = json!({
                        "id": id,
                        "themes": t.assigned(),
                        "hits": shown.iter().map(|r| (r.id.clone(), json!(r.hits))).collect::<serde_json::Map<_, _>>(),
                        "evidence": shown.iter().map(|r| (r.id.clone(), json!(r.evidence.iter().map(|e| &e.text).collect::<Vec<_>>()))).collect::<serde_json::Map<_, _>>(),
                        "terms": shown.iter().map(|r| (r.id.clone(), json!(terms_of(&tagger, r)))).collect::<serde_json::Map<_, _>>(),
                    });
                    if a.explain {
                        obj["tokens"] = json!(t.tokens);
                        obj["scores"] = shown
                            .iter()
                            .map(|r| {
                                let mut o = json!({"weighted": r.weighted, "per_1000": r.per_1000, "assigned": r.assigned});
                                if let Some(p) = r.model {
                                    o["model"] = json!(p);
                                }
                                (r.id.clone(), o)
                            })
                            .collect::<serde_json::Map<_, _>>()
                            .into();
                    }
                    serde_json::to_writer(&mut *out, &obj)
                        .map_err(|e| Error::Internal(e.to_string()))?;
                    writeln!(out).map_err(out_err)?;
                }
                TagFormat::Table => {
                    let names: Vec<String> = shown
                        .iter()
                        .map(|r| {
                            format!("{}{}({})", r.id, if r.assigned { "" } else { "?" }, r.hits)
                        })
                        .collect();
                    writeln!(
                        out,
                        "{id}\t{}",
                        if names.is_empty() {
                            "-".into()
                        } else {
                            names.join(" ")
                        }
                    )
                    .map_err(out_err)?;
                    for r in &shown {
                        for e in &r.evidence {
                            writeln!(out, "\t{}: [{}] {}", r.id, e.term, e.text)
                                .map_err(out_err)?;
                        }
                    }
                }
            }
        }
    }
    if tagged == 0 && skipped == 0 {
        return Err(Error::bad_file(&name, "empty input: nothing to tag"));
    }
    Ok(())
}

fn eval(a: &EvalArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let analyzer = Analyzer::shared_default();
    let tax = load_taxonomy(a.themes.as_deref(), &analyzer, reporter)?;
    let ids: Vec<String> = tax.ids().into_iter().map(String::from).collect();
    let mut tagger = Tagger::new(tax, analyzer)?;
    if let Some(p) = &a.model {
        let bytes = std::fs::read(p).map_err(|e| Error::user_io(p, e))?;
        tagger.set_model(std::sync::Arc::new(crate::themes::Model::from_bytes(
            &bytes, p,
        )?));
    }
    let items = load_gold(&a.files, &ids)?;
    let report = evaluate(&tagger, &items);
    if a.json {
        serde_json::to_writer_pretty(&mut *out, &report)
            .map_err(|e| Error::Internal(e.to_string()))?;
        writeln!(out).map_err(out_err)?;
        return Ok(());
    }
    let w = |out: &mut dyn Write, s: String| writeln!(out, "{s}").map_err(out_err);
    w(out, format!("{} items", report.items))?;
    w(
        out,
        "| theme | support | precision | recall | F1 |".to_string(),
    )?;
    w(out, "|---|---:|---:|---:|---:|".into())?;
    for t in &report.themes {
        w(
            out,
            format!(
                "| {} | {} | {:.3} | {:.3} | {:.3} |",
                t.id, t.support, t.precision, t.recall, t.f1
            ),
        )?;
    }
    w(
        out,
        format!("| **macro** | | | | **{:.3}** |", report.macro_f1),
    )?;
    w(out, format!("micro-F1 {:.3}", report.micro_f1))?;
    if a.mistakes {
        for (id, theme, kind) in &report.mistakes {
            let item = items.iter().find(|i| &i.id == id).expect("item");
            let why = if *kind == "fp" {
                tagger
                    .tag(&item.text)
                    .themes
                    .into_iter()
                    .find(|r| &r.id == theme)
                    .map(|r| {
                        r.all_hits
                            .iter()
                            .map(|h| tagger.entry(h).to_string())
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_default()
            } else {
                String::new()
            };
            w(
                out,
                format!(
                    "{kind} {theme} {id} [{why}] {}",
                    item.text.replace('\n', " ")
                ),
            )?;
        }
    }
    Ok(())
}

/// Read labelled JSONL files; every theme must be one of `ids`.
fn load_gold(files: &[PathBuf], ids: &[String]) -> Result<Vec<GoldItem>> {
    let mut items: Vec<GoldItem> = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| Error::user_io(f, e))?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let item: GoldItem = serde_json::from_str(line)
                .map_err(|e| Error::bad_line(f, i + 1, format!("invalid gold item: {e}")))?;
            if let Some(t) = item.themes.iter().find(|t| !ids.contains(t)) {
                return Err(Error::bad_line(f, i + 1, format!("unknown theme {t:?}")));
            }
            items.push(item);
        }
    }
    if items.is_empty() {
        return Err(Error::invalid("no labelled items in the input"));
    }
    Ok(items)
}

fn train(a: &TrainArgs, out: &mut dyn Write, reporter: &BarReporter) -> Result<()> {
    let analyzer = Analyzer::shared_default();
    let tax = load_taxonomy(a.themes.as_deref(), &analyzer, reporter)?;
    let ids: Vec<String> = tax.ids().into_iter().map(String::from).collect();
    let items = load_gold(&a.files, &ids)?;
    if a.iterations == 0 || !(a.c > 0.0 && a.c.is_finite()) {
        return Err(Error::invalid(
            "--iterations and --c must be positive numbers",
        ));
    }
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let labels: Vec<Vec<usize>> = items
        .iter()
        .map(|i| {
            i.themes
                .iter()
                .filter_map(|t| ids.iter().position(|id| id == t))
                .collect()
        })
        .collect();
    let opts = crate::themes::TrainOptions {
        c: a.c,
        iterations: a.iterations,
        ..crate::themes::TrainOptions::default()
    };
    let model = crate::themes::Model::train(ids, &analyzer, &texts, &labels, &opts)?;
    let bytes = model.to_bytes();
    std::fs::write(&a.out, &bytes).map_err(|e| Error::user_io(&a.out, e))?;
    writeln!(
        out,
        "trained on {} texts; wrote {} ({} KB)",
        items.len(),
        a.out.display(),
        bytes.len() / 1024
    )
    .map_err(out_err)
}

/// The entries behind a theme result: its hits' entries, or the model's marker when only the
/// learned model assigned it.
fn terms_of<'a>(tagger: &'a Tagger, r: &crate::themes::ThemeResult) -> Vec<&'a str> {
    if r.all_hits.is_empty() && r.assigned {
        return vec![crate::themes::MODEL_TERM];
    }
    r.all_hits.iter().map(|h| tagger.entry(h)).collect()
}
