//! `shoptalk search`: run a query with filters and render hits as a table, JSON or JSON lines.

use std::io::{IsTerminal, Write};

use chrono::{Datelike, NaiveDate};

use super::{SearchArgs, SearchFormat, out_err};
use crate::corpus::parse_date;
use crate::error::{Error, Result};
use crate::index::{SearchRequest, SearchResults, ShopIndex, Sort, search};

pub(crate) fn run(a: &SearchArgs, out: &mut dyn Write) -> Result<()> {
    let req = request(a)?;
    let shop = ShopIndex::open(&a.index)?;
    let results = search(&shop, &req)?;
    match a.format {
        SearchFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &results)
                .map_err(|e| Error::Internal(e.to_string()))?;
            writeln!(out).map_err(out_err)?;
        }
        SearchFormat::Jsonl => {
            for hit in &results.hits {
                serde_json::to_writer(&mut *out, hit)
                    .map_err(|e| Error::Internal(e.to_string()))?;
                writeln!(out).map_err(out_err)?;
            }
        }
        SearchFormat::Table => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            render_table(&results, color, out).map_err(out_err)?;
        }
    }
    Ok(())
}

/// Turn arguments into a request, checking every filter.
pub(crate) fn request(a: &SearchArgs) -> Result<SearchRequest> {
    if a.limit == 0 {
        return Err(Error::invalid("--limit must be at least 1"));
    }
    Ok(SearchRequest {
        limit: a.limit,
        offset: a.offset,
        snippet_chars: a.snippet_chars,
        sort: match a.sort {
            super::SortArg::Relevance => Sort::Relevance,
            super::SortArg::Newest => Sort::Newest,
            super::SortArg::Oldest => Sort::Oldest,
        },
        ..a.filters.request(&a.query)?
    })
}

/// The time span `[start, end)` in Unix seconds that a date names: a year, a month, a day, or
/// an instant (RFC 3339, whose span is that second).
pub fn period(s: &str, flag: &str) -> Result<(i64, i64)> {
    let s = s.trim();
    let bad = || {
        Error::invalid(format!(
            "{flag}: {s:?} is not a date (YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339)"
        ))
    };
    let day = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
    let parts: Vec<&str> = s.split('-').collect();
    let all_digits = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if all_digits && parts.len() == 1 && s.len() == 4 {
        let y: i32 = s.parse().map_err(|_| bad())?;
        let a = NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(day)
            .ok_or_else(bad)?;
        let b = NaiveDate::from_ymd_opt(y + 1, 1, 1)
            .and_then(day)
            .ok_or_else(bad)?;
        return Ok((a, b));
    }
    if all_digits && parts.len() == 2 {
        let y: i32 = parts[0].parse().map_err(|_| bad())?;
        let m: u32 = parts[1].parse().map_err(|_| bad())?;
        let start = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(start.year(), m + 1, 1)
        };
        return Ok((
            day(start).ok_or_else(bad)?,
            next.and_then(day).ok_or_else(bad)?,
        ));
    }
    if all_digits && parts.len() == 3 {
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
        let next = d.succ_opt().ok_or_else(bad)?;
        return Ok((day(d).ok_or_else(bad)?, day(next).ok_or_else(bad)?));
    }
    let t = parse_date(s).ok_or_else(bad)?.timestamp();
    Ok((t, t + 1))
}

/// Ranked blocks: rank, title, metadata line, snippet with highlights, URL.
pub(crate) fn render_table(
    r: &SearchResults,
    color: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (on, off) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("«", "»")
    };
    writeln!(
        out,
        "{} of {} documents match {:?} ({:.1} ms)",
        r.hits.len(),
        r.total,
        r.query,
        r.took_ms
    )?;
    for h in &r.hits {
        let d = &h.doc;
        let title = d.title.clone().unwrap_or_else(|| {
            d.product
                .clone()
                .map(|p| format!("review of {p}"))
                .unwrap_or_else(|| "(untitled)".into())
        });
        writeln!(out)?;
        writeln!(out, "{:>3}. {title}", h.rank)?;
        let mut meta = vec![d.lang.clone(), d.kind.as_str().to_string()];
        if let Some(s) = &d.site {
            meta.push(s.clone());
        }
        if let Some(p) = &d.published {
            meta.push(p.chars().take(10).collect());
        }
        if let Some(r) = d.rating {
            meta.push(format!("rating {r}"));
        }
        if !h.themes.is_empty() {
            meta.push(format!("themes {}", h.themes.join(",")));
        }
        meta.push(format!("score {:.2}", h.score));
        meta.push(format!("id {}", d.id));
        writeln!(out, "     {}", meta.join(" · "))?;
        let mut line = String::new();
        let mut last = 0;
        let text = &h.snippet.text;
        for [s, e] in &h.snippet.highlights_bytes {
            line.push_str(&text[last..*s]);
            line.push_str(on);
            line.push_str(&text[*s..*e]);
            line.push_str(off);
            last = *e;
        }
        line.push_str(&text[last..]);
        let flat: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
        writeln!(out, "     {flat}")?;
        if let Some(u) = &d.url {
            writeln!(out, "     {u}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::period;

    #[test]
    fn periods() {
        let (a, b) = period("2023", "--since").unwrap();
        assert_eq!(b - a, 365 * 86400);
        let (a, b) = period("2024-02", "--since").unwrap();
        assert_eq!(b - a, 29 * 86400);
        let (a, b) = period("2023-12-31", "--until").unwrap();
        assert_eq!(b - a, 86400);
        assert!(period("2023-02-30", "--until").is_err());
        assert!(period("yesterday", "--until").is_err());
        assert!(period("2023-04-12T09:30:00+08:00", "--until").is_ok());
    }
}
