//! Analyst exports over an index: theme frequencies by time, site, language and kind, per-document theme hits, theme co-occurrence, as tables (CSV, JSON, XLSX) and charts (SVG, PNG), aggregated from fast fields only.

pub mod chart;
pub mod scan;
pub mod table;

use std::collections::BTreeSet;

use tantivy::collector::DocSetCollector;
use tantivy::{DocAddress, TantivyDocument};

pub use scan::{Cooccurrence, Dim, GroupCounts, Groups, Key};
pub use table::{Cell, Format, Table, write_tables};

use crate::error::{Error, Result};
use crate::index::{SearchRequest, ShopIndex};

/// Columns of `export themes` after the `--by` columns.
pub const THEME_COLUMNS: [&str; 10] = [
    "theme",
    "label",
    "docs_in_group",
    "tokens_in_group",
    "docs",
    "share",
    "hits",
    "hits_per_1000_tokens",
    "rated_docs",
    "mean_rating",
];

/// Documents matching `req` (query and filters), counted per group of `dims` from fast fields.
pub fn theme_groups(shop: &ShopIndex, req: &SearchRequest, dims: &[Dim]) -> Result<Groups> {
    if dims.len() > 2 {
        return Err(Error::invalid("--by: at most two dimensions"));
    }
    if dims.len() == 2 && dims[0] == dims[1] {
        return Err(Error::invalid(format!(
            "--by: {} is given twice",
            dims[0].name()
        )));
    }
    let query = shop.filtered_query(req)?;
    let searcher = shop.searcher()?;
    let collector = scan::ThemeCollector {
        dims: dims.to_vec(),
        n_themes: shop.tagger.taxonomy().themes.len(),
    };
    Ok(searcher.search(&*query, &collector)?)
}

/// Every key of each dimension to show: the values present, with time dimensions made
/// continuous from the first to the last non-empty bucket (undated last, when present).
fn axes(groups: &Groups, dims: &[Dim]) -> Vec<Vec<Key>> {
    dims.iter()
        .enumerate()
        .map(|(i, d)| {
            let present: BTreeSet<&Key> = groups.keys().map(|k| &k[i]).collect();
            if !d.is_time() {
                return present.into_iter().cloned().collect();
            }
            let times: Vec<i32> = present
                .iter()
                .filter_map(|k| match k {
                    Key::Time(t) => Some(*t),
                    _ => None,
                })
                .collect();
            let mut axis: Vec<Key> = match (times.first(), times.last()) {
                (Some(&a), Some(&b)) => (a..=b).map(Key::Time).collect(),
                _ => vec![],
            };
            if present.contains(&Key::Missing) {
                axis.push(Key::Missing);
            }
            axis
        })
        .collect()
}

/// Every combination of the axes, in order.
fn cross(axes: &[Vec<Key>]) -> Vec<Vec<Key>> {
    let mut out: Vec<Vec<Key>> = vec![vec![]];
    for axis in axes {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                axis.iter().map(move |k| {
                    let mut p = prefix.clone();
                    p.push(k.clone());
                    p
                })
            })
            .collect();
    }
    out
}

/// The `export themes` table: one row per group and theme, groups without documents as zero
/// rows (a continuous time axis; with two dimensions, every combination).
pub fn themes_table(shop: &ShopIndex, groups: &Groups, dims: &[Dim]) -> Table {
    let tax = shop.tagger.taxonomy();
    let mut columns: Vec<&str> = dims.iter().map(|d| d.name()).collect();
    columns.extend(THEME_COLUMNS);
    let mut table = Table::new("themes", &columns);
    let empty = GroupCounts::new(tax.themes.len());
    for key in cross(&axes(groups, dims)) {
        let g = groups.get(&key).unwrap_or(&empty);
        for (theme, c) in tax.themes.iter().zip(&g.themes) {
            let mut row: Vec<Cell> = key
                .iter()
                .zip(dims)
                .map(|(k, d)| Cell::Str(k.label(*d)))
                .collect();
            let ratio = |a: u64, b: u64, scale: f64| {
                if b == 0 {
                    0.0
                } else {
                    a as f64 * scale / b as f64
                }
            };
            row.extend([
                Cell::from(theme.id.as_str()),
                Cell::from(label(&theme.label)),
                Cell::from(g.docs),
                Cell::from(g.tokens),
                Cell::from(c.docs),
                Cell::Float(ratio(c.docs, g.docs, 1.0)),
                Cell::from(c.hits),
                Cell::Float(ratio(c.hits, g.tokens, 1000.0)),
                Cell::from(c.rated),
                if c.rated == 0 {
                    Cell::Null
                } else {
                    Cell::Float(c.rating_sum / c.rated as f64)
                },
            ]);
            table.push(row);
        }
    }
    table
}

/// A theme's label for tables and charts: `物流 Logistics`.
pub fn label(l: &crate::themes::Labels) -> String {
    match (l.zh.is_empty(), l.en.is_empty()) {
        (false, false) => format!("{} {}", l.zh, l.en),
        (false, true) => l.zh.clone(),
        _ => l.en.clone(),
    }
}

/// Theme co-occurrence over the documents matching `req`, from fast fields.
pub fn cooccurrence(shop: &ShopIndex, req: &SearchRequest) -> Result<Cooccurrence> {
    let query = shop.filtered_query(req)?;
    let searcher = shop.searcher()?;
    let collector = scan::CoocCollector {
        n_themes: shop.tagger.taxonomy().themes.len(),
    };
    Ok(searcher.search(&*query, &collector)?)
}

/// The co-occurrence tables: `pairs` (one row per ordered theme pair, with Jaccard and lift)
/// and `matrix` (theme x theme document counts; the diagonal counts documents with the theme).
pub fn cooccurrence_tables(shop: &ShopIndex, c: &Cooccurrence) -> Vec<Table> {
    let tax = shop.tagger.taxonomy();
    let mut pairs = Table::new(
        "pairs",
        &[
            "theme_a",
            "theme_b",
            "docs",
            "docs_a",
            "docs_b",
            "docs_both",
            "jaccard",
            "lift",
        ],
    );
    for (a, ta) in tax.themes.iter().enumerate() {
        for (b, tb) in tax.themes.iter().enumerate() {
            if a == b {
                continue;
            }
            let (na, nb, nab) = (c.get(a, a), c.get(b, b), c.get(a, b));
            let union = na + nb - nab;
            pairs.push(vec![
                ta.id.as_str().into(),
                tb.id.as_str().into(),
                Cell::from(c.docs),
                Cell::from(na),
                Cell::from(nb),
                Cell::from(nab),
                if union == 0 {
                    Cell::Null
                } else {
                    Cell::Float(nab as f64 / union as f64)
                },
                if na == 0 || nb == 0 {
                    Cell::Null
                } else {
                    Cell::Float(nab as f64 * c.docs as f64 / (na as f64 * nb as f64))
                },
            ]);
        }
    }
    let mut cols: Vec<&str> = vec!["theme"];
    cols.extend(tax.themes.iter().map(|t| t.id.as_str()));
    let mut matrix = Table::new("matrix", &cols);
    for (a, ta) in tax.themes.iter().enumerate() {
        let mut row = vec![Cell::from(ta.id.as_str())];
        row.extend((0..tax.themes.len()).map(|b| Cell::from(c.get(a, b))));
        matrix.push(row);
    }
    vec![pairs, matrix]
}

/// Fixed columns of `export docs`, followed by one column of hits per theme.
pub const DOC_COLUMNS: [&str; 11] = [
    "id",
    "published",
    "kind",
    "lang",
    "site",
    "rating",
    "tokens",
    "title",
    "product",
    "url",
    "themes",
];

/// One row per matching document: metadata, assigned themes (`;`-separated) and one column of
/// hits per theme; ordered by publication date (undated last), then id.
pub fn docs_table(shop: &ShopIndex, req: &SearchRequest) -> Result<Table> {
    let tax = shop.tagger.taxonomy();
    let query = shop.filtered_query(req)?;
    let searcher = shop.searcher()?;
    let addrs: Vec<DocAddress> = {
        let mut v: Vec<DocAddress> = searcher
            .search(&*query, &DocSetCollector)?
            .into_iter()
            .collect();
        v.sort();
        v
    };
    let mut cols: Vec<&str> = DOC_COLUMNS.to_vec();
    cols.extend(tax.themes.iter().map(|t| t.id.as_str()));
    let mut rows: Vec<(Option<i64>, String, Vec<Cell>)> = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let stored: TantivyDocument = searcher.doc(addr)?;
        let doc = shop.stored_document(&stored)?;
        let tagging = shop.stored_tagging(&stored, &doc)?;
        let mut hits = vec![0u64; tax.themes.len()];
        for t in &tagging.themes {
            if let Some(p) = tax.position(&t.id) {
                hits[p] = u64::from(t.hits);
            }
        }
        let mut row = vec![
            Cell::from(doc.id.as_str()),
            Cell::from(doc.published.clone()),
            Cell::from(doc.kind.as_str()),
            Cell::from(doc.lang.as_str()),
            Cell::from(doc.site.clone()),
            Cell::from(doc.rating),
            Cell::from(u64::from(tagging.tokens)),
            Cell::from(doc.title.clone()),
            Cell::from(doc.product.clone()),
            Cell::from(doc.url.clone()),
            Cell::from(tagging.assigned().join(";")),
        ];
        row.extend(hits.into_iter().map(Cell::from));
        rows.push((doc.published_timestamp(), doc.id.clone(), row));
    }
    rows.sort_by(|a, b| (a.0.is_none(), a.0, &a.1).cmp(&(b.0.is_none(), b.0, &b.1)));
    let mut table = Table::new("docs", &cols);
    for (_, _, row) in rows {
        table.push(row);
    }
    Ok(table)
}
