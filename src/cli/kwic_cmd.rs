//! `shoptalk kwic`: keyword-in-context lines for a term or a theme, aligned by display width (CJK characters are two columns), or as CSV/JSON.

use std::io::Write;

use clap::{Args, ValueEnum};
use unicode_width::UnicodeWidthStr;

use super::export_cmd::FilterArgs;
use super::out_err;
use crate::error::{Error, Result};
use crate::export::{Cell, Format, Table, write_tables};
use crate::index::ShopIndex;
use crate::report::{KwicLine, KwicTarget, kwic};

/// Output formats of `kwic`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum KwicFormat {
    /// Aligned concordance lines.
    Table,
    /// CSV: id, published, lang, term, left, match, right, offset.
    Csv,
    /// JSON array of lines with the CSV's columns.
    Json,
}

/// Arguments of `shoptalk kwic`.
#[derive(Debug, Args)]
pub struct KwicArgs {
    /// The word or phrase (matched like search terms: stems, traditional characters, the
    /// pieces of long Chinese words), or a theme id (e.g. logistics) for that theme's hits.
    pub term: String,
    /// Look for TERM as a word even when it is also a theme id.
    #[arg(long)]
    pub word: bool,
    /// Characters of context each side.
    #[arg(long, default_value_t = 30)]
    pub window: usize,
    /// At most this many lines.
    #[arg(long, short = 'n', default_value_t = 50)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = KwicFormat::Table)]
    pub format: KwicFormat,
    /// A taxonomy (TOML) for theme hits instead of the index's: every matching document is
    /// re-tagged with it.
    #[arg(long)]
    pub themes: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub filters: FilterArgs,
}

pub(crate) fn run(a: &KwicArgs, out: &mut dyn Write) -> Result<()> {
    if a.limit == 0 || a.window == 0 {
        return Err(Error::invalid("--limit and --window must be at least 1"));
    }
    let req = a.filters.request()?;
    let shop = ShopIndex::open(&a.filters.index)?;
    let taxonomy = match &a.themes {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::user_io(path, e))?;
            Some(crate::themes::Taxonomy::load(&text, path, &shop.analyzer)?.0)
        }
        None => None,
    };
    let tax = taxonomy.as_ref().unwrap_or(shop.tagger.taxonomy());
    let is_theme = !a.word && tax.position(a.term.trim()).is_some();
    let target = if is_theme {
        KwicTarget::Theme(a.term.trim().to_string())
    } else {
        KwicTarget::Term(a.term.clone())
    };
    let (lines, total) = kwic(&shop, &req, &target, a.window, a.limit, taxonomy)?;
    match a.format {
        KwicFormat::Table => {
            render(&lines, a.window, out).map_err(out_err)?;
            let what = if is_theme {
                format!("hits of theme {}", a.term.trim())
            } else {
                format!("occurrences of {:?}", a.term)
            };
            writeln!(out, "{} of {total} {what}", lines.len()).map_err(out_err)?;
        }
        KwicFormat::Csv => write_tables(&[table(&lines)], Format::Csv, false, out)?,
        KwicFormat::Json => write_tables(&[table(&lines)], Format::Json, false, out)?,
    }
    Ok(())
}

/// The lines as a table (columns documented in the README).
pub fn table(lines: &[KwicLine]) -> Table {
    let mut t = Table::new(
        "kwic",
        &[
            "id",
            "published",
            "lang",
            "term",
            "left",
            "match",
            "right",
            "offset",
        ],
    );
    for l in lines {
        t.push(vec![
            l.id.as_str().into(),
            Cell::from(l.published.clone()),
            l.lang.as_str().into(),
            l.term.as_str().into(),
            l.left.as_str().into(),
            l.matched.as_str().into(),
            l.right.as_str().into(),
            Cell::from(l.offset as u64),
        ]);
    }
    t
}

/// Concordance layout: the left context right-aligned to one display width, so every match
/// starts in the same terminal column whatever mix of Chinese and Latin text precedes it.
fn render(lines: &[KwicLine], window: usize, out: &mut dyn Write) -> std::io::Result<()> {
    let id_w = lines
        .iter()
        .map(|l| l.id.width())
        .max()
        .unwrap_or(2)
        .min(24);
    let left_w = lines
        .iter()
        .map(|l| l.left.width())
        .max()
        .unwrap_or(0)
        .min(window * 2);
    for l in lines {
        let id: String = truncate(&l.id, id_w);
        let left = tail(&l.left, left_w);
        writeln!(
            out,
            "{id}{}  {}{left}  【{}】  {}",
            " ".repeat(id_w - id.width()),
            " ".repeat(left_w - left.width()),
            l.matched,
            l.right
        )?;
    }
    Ok(())
}

/// The end of `s` that fits in `w` display columns.
fn tail(s: &str, w: usize) -> String {
    let mut out: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > w {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.into_iter().rev().collect()
}

/// The start of `s` that fits in `w` display columns.
fn truncate(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > w {
            break;
        }
        used += cw;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_align_by_display_width() {
        let mk = |left: &str| KwicLine {
            id: "d".into(),
            published: None,
            lang: "zh".into(),
            term: "物流".into(),
            left: left.into(),
            matched: "物流".into(),
            right: "很快".into(),
            offset: 0,
        };
        let mut v = Vec::new();
        render(&[mk("跨境电商的"), mk("fast "), mk("")], 30, &mut v).unwrap();
        let text = String::from_utf8(v).unwrap();
        let cols: Vec<usize> = text
            .lines()
            .map(|l| l[..l.find('【').unwrap()].width())
            .collect();
        assert!(cols.windows(2).all(|w| w[0] == w[1]), "{text}");
    }
}
