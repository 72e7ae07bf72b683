//! `shoptalk themes suggest`: render term suggestions for a theme.

use std::io::Write;

use super::out_err;
use super::themes_cmd::SuggestArgs;
use crate::error::{Error, Result};
use crate::index::ShopIndex;
use crate::report::suggest;

pub(crate) fn run(a: &SuggestArgs, out: &mut dyn Write) -> Result<()> {
    let shop = ShopIndex::open(&a.index)?;
    let list = suggest(&shop, &a.theme, a.top, a.min_count)?;
    if a.json {
        for s in &list {
            serde_json::to_writer(&mut *out, s).map_err(|e| Error::Internal(e.to_string()))?;
            writeln!(out).map_err(out_err)?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "candidate terms for {:?} (log-likelihood G2 of theme sentences vs the rest)",
        a.theme
    )
    .map_err(out_err)?;
    writeln!(
        out,
        "{:<20} {:>8} {:>7} {:>7}  example",
        "term", "G2", "theme", "rest"
    )
    .map_err(out_err)?;
    for s in &list {
        writeln!(
            out,
            "{:<20} {:>8.1} {:>7} {:>7}  {}",
            s.term, s.g2, s.in_theme, s.elsewhere, s.example
        )
        .map_err(out_err)?;
    }
    if list.is_empty() {
        writeln!(
            out,
            "(no candidates: the theme has too little evidence in this index)"
        )
        .map_err(out_err)?;
    }
    Ok(())
}
