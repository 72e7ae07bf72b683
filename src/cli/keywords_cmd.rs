//! `shoptalk keywords`: top terms of a subset, or a keyness table against a second subset, as an aligned table, CSV or JSON.

use std::io::Write;

use clap::{Args, ValueEnum};

use super::export_cmd::FilterArgs;
use super::out_err;
use crate::error::{Error, Result};
use crate::export::{Cell, Format, Table, write_tables};
use crate::index::ShopIndex;
use crate::report::{Method, keyness, keywords};

/// Ranking methods.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum MethodArg {
    /// tf-idf: occurrences in the subset times log((N+1)/(df+1)) over the whole index.
    Tfidf,
    /// TextRank: PageRank over the words' co-occurrence graph (window of 5 words).
    Textrank,
    /// Raw frequency.
    Freq,
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum KeywordsFormat {
    /// Aligned columns.
    Table,
    /// CSV with a header row.
    Csv,
    /// JSON array of rows.
    Json,
}

/// Arguments of `shoptalk keywords`.
#[derive(Debug, Args)]
pub struct KeywordsArgs {
    /// Number of terms (with --compare: for each side).
    #[arg(long, default_value_t = 30)]
    pub top: usize,
    /// Ranking method.
    #[arg(long, value_enum, default_value_t = MethodArg::Tfidf)]
    pub method: MethodArg,
    /// Compare the subset (A: --query and filters) with subset B: this query with the same
    /// filters. Gives log-likelihood (G2) and log ratio per word.
    #[arg(long)]
    pub compare: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = KeywordsFormat::Table)]
    pub format: KeywordsFormat,
    #[command(flatten)]
    pub filters: FilterArgs,
}

pub(crate) fn run(a: &KeywordsArgs, out: &mut dyn Write) -> Result<()> {
    if a.top == 0 {
        return Err(Error::invalid("--top must be at least 1"));
    }
    let req = a.filters.request()?;
    let shop = ShopIndex::open(&a.filters.index)?;
    let (table, note) = match &a.compare {
        None => {
            let method = match a.method {
                MethodArg::Tfidf => Method::Tfidf,
                MethodArg::Textrank => Method::Textrank,
                MethodArg::Freq => Method::Freq,
            };
            let (list, counts) = keywords(&shop, &req, method, a.top)?;
            let mut t = Table::new("keywords", &["term", "score", "freq", "docs"]);
            for k in list {
                t.push(vec![
                    k.term.into(),
                    Cell::Float(k.score),
                    Cell::from(k.freq),
                    Cell::from(k.docs),
                ]);
            }
            (
                t,
                format!(
                    "{} documents, {} words after stop words",
                    counts.docs, counts.words
                ),
            )
        }
        Some(q) => {
            let b = a.filters.request_for(q)?;
            let (rows, ca, cb) = keyness(&shop, &req, &b, a.top)?;
            let mut t = Table::new(
                "keyness",
                &[
                    "term",
                    "freq_a",
                    "freq_b",
                    "per_1000_a",
                    "per_1000_b",
                    "g2",
                    "log_ratio",
                ],
            );
            for k in rows {
                t.push(vec![
                    k.term.into(),
                    Cell::from(k.freq_a),
                    Cell::from(k.freq_b),
                    Cell::Float(k.per_1000_a),
                    Cell::Float(k.per_1000_b),
                    Cell::Float(k.g2),
                    Cell::Float(k.log_ratio),
                ]);
            }
            (
                t,
                format!(
                    "A: {} documents, {} words; B: {} documents, {} words (G2 > 3.84: p < 0.05; > 15.13: p < 0.0001)",
                    ca.docs, ca.words, cb.docs, cb.words
                ),
            )
        }
    };
    match a.format {
        KeywordsFormat::Table => {
            table.write_text(out, 2).map_err(out_err)?;
            writeln!(out, "{note}").map_err(out_err)?;
        }
        KeywordsFormat::Csv => write_tables(&[table], Format::Csv, false, out)?,
        KeywordsFormat::Json => write_tables(&[table], Format::Json, false, out)?,
    }
    Ok(())
}
