//! Searching: query parsing with the index's analyzer, filters, BM25 ranking and highlighted snippets.

use std::ops::Bound;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, RangeQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, TantivyDocument, Term};

use super::ShopIndex;
use crate::corpus::{Document, Kind};
use crate::error::{Error, Result, UserError};

/// A search: the query text plus filters.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// tantivy query syntax: terms, "phrases", AND/OR/NOT, +/-, field:term. Empty matches all.
    pub query: String,
    /// Only documents in this language.
    pub lang: Option<String>,
    /// Only articles or only reviews.
    pub kind: Option<Kind>,
    /// Only documents from these sites (any of them).
    pub sites: Vec<String>,
    /// Only documents published at or after this time (Unix seconds).
    pub since: Option<i64>,
    /// Only documents published before this time (Unix seconds, exclusive).
    pub until: Option<i64>,
    /// Only documents with all of these themes assigned.
    pub themes: Vec<String>,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip (paging).
    pub offset: usize,
    /// Maximum snippet length in characters.
    pub snippet_chars: usize,
    /// Result order.
    pub sort: Sort,
}

/// The order of search results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// By BM25 score, best first.
    #[default]
    Relevance,
    /// By publication date, newest first (undated documents last).
    Newest,
    /// By publication date, oldest first (undated documents last).
    Oldest,
}

/// A snippet of a document's text around the query terms.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Snippet {
    /// The fragment text.
    pub text: String,
    /// Highlighted ranges in `text`, as character (Unicode scalar) offsets `[start, end)`.
    pub highlights: Vec<[usize; 2]>,
    /// The same ranges as UTF-8 byte offsets.
    pub highlights_bytes: Vec<[usize; 2]>,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// BM25 score.
    pub score: f32,
    /// The stored document.
    pub doc: Document,
    /// A snippet of the body (the start of the body when the query matched elsewhere).
    pub snippet: Snippet,
    /// The document's assigned themes.
    pub themes: Vec<String>,
    /// Hits per theme with at least one hit (assigned or not).
    pub theme_hits: std::collections::BTreeMap<String, u32>,
    /// Why each assigned theme was assigned: up to three hits with their context (or the
    /// learned model's best sentence), with byte ranges into the body (part 0) or title (1).
    pub evidence: std::collections::BTreeMap<String, Vec<crate::themes::Evidence>>,
}

/// The results of a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// All matching documents.
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// Time taken in milliseconds.
    pub took_ms: f64,
}

impl ShopIndex {
    /// Parse query text with this index's analyzer; errors are user errors naming the query.
    pub fn parse_query(&self, text: &str) -> Result<Box<dyn Query>> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed == "*" {
            return Ok(Box::new(AllQuery));
        }
        let f = self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.body, f.product]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 2.0);
        parser.parse_query(trimmed).map_err(|e| {
            UserError::BadQuery {
                query: text.to_string(),
                message: e.to_string(),
            }
            .into()
        })
    }

    /// The query plus the request's filters, the filters scoring nothing.
    pub fn filtered_query(&self, req: &SearchRequest) -> Result<Box<dyn Query>> {
        let query = self.parse_query(&req.query)?;
        let f = self.fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        let term = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        if let Some(lang) = &req.lang {
            filters.push(term(f.lang, lang));
        }
        for theme in &req.themes {
            if self.tagger.taxonomy().position(theme).is_none() {
                return Err(Error::invalid(format!(
                    "unknown theme {theme:?}; this index's themes are: {}",
                    self.tagger.taxonomy().ids().join(", ")
                )));
            }
            filters.push(term(f.themes, theme));
        }
        if let Some(kind) = req.kind {
            filters.push(term(f.kind, kind.as_str()));
        }
        if !req.sites.is_empty() {
            let any: Vec<(Occur, Box<dyn Query>)> = req
                .sites
                .iter()
                .map(|s| (Occur::Should, term(f.site, &s.to_ascii_lowercase())))
                .collect();
            filters.push(Box::new(BooleanQuery::new(any)));
        }
        if req.since.is_some() || req.until.is_some() {
            let at = |s: i64| Term::from_field_date(f.published, DateTime::from_timestamp_secs(s));
            let lo = req
                .since
                .map_or(Bound::Unbounded, |s| Bound::Included(at(s)));
            let hi = req
                .until
                .map_or(Bound::Unbounded, |s| Bound::Excluded(at(s)));
            filters.push(Box::new(RangeQuery::new(lo, hi)));
        }
        if filters.is_empty() {
            return Ok(query);
        }
        let mut clauses = vec![(Occur::Must, query)];
        for q in filters {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>,
            ));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// Read a stored document's tagging back, its evidence rendered from `doc` (the stored
    /// document, see [`ShopIndex::stored_document`]).
    pub fn stored_tagging(
        &self,
        stored: &TantivyDocument,
        doc: &Document,
    ) -> Result<crate::themes::Tagging> {
        let bytes = stored
            .get_first(self.fields.tags)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| Error::Internal("stored tags missing".into()))?;
        let mut tagging = super::schema::decode_tagging(bytes, &self.tagger)?;
        tagging.render_evidence(&[&doc.body, doc.title.as_deref().unwrap_or("")]);
        Ok(tagging)
    }

    /// Read a stored document back.
    pub fn stored_document(&self, doc: &TantivyDocument) -> Result<Document> {
        let json = doc
            .get_first(self.fields.doc)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Internal("stored document missing".into()))?;
        serde_json::from_str(json).map_err(|e| Error::Internal(format!("stored document: {e}")))
    }
}

/// Run a search.
pub fn search(shop: &ShopIndex, req: &SearchRequest) -> Result<SearchResults> {
    let started = Instant::now();
    let query = shop.filtered_query(req)?;
    let searcher = shop.searcher()?;
    let limit = req.limit.max(1);
    let top_docs = TopDocs::with_limit(limit).and_offset(req.offset);
    let (top, total): (Vec<(f32, tantivy::DocAddress)>, usize) = match req.sort {
        Sort::Relevance => searcher.search(&*query, &(top_docs.order_by_score(), Count))?,
        Sort::Newest | Sort::Oldest => {
            let order = if req.sort == Sort::Newest {
                tantivy::Order::Desc
            } else {
                tantivy::Order::Asc
            };
            let by_date = top_docs.order_by_fast_field::<DateTime>(super::names::PUBLISHED, order);
            // Date order has no score. tantivy puts undated documents last in both orders
            // (pinned by a test).
            let (dated, total) = searcher.search(&*query, &(by_date, Count))?;
            (dated.into_iter().map(|(_, a)| (0.0, a)).collect(), total)
        }
    };
    let mut snippets = SnippetGenerator::create(&searcher, &*query, shop.fields.body)?;
    snippets.set_max_num_chars(req.snippet_chars.max(20));
    let mut hits = Vec::with_capacity(top.len());
    for (i, (score, addr)) in top.into_iter().enumerate() {
        let stored: TantivyDocument = searcher.doc(addr)?;
        let doc = shop.stored_document(&stored)?;
        let tagging = shop.stored_tagging(&stored, &doc)?;
        let snip = snippets.snippet(&doc.body);
        let snippet = if snip.highlighted().is_empty() {
            lead(&doc.body, req.snippet_chars.max(20))
        } else {
            to_snippet(snip.fragment(), snip.highlighted())
        };
        hits.push(Hit {
            rank: req.offset + i + 1,
            score,
            doc,
            snippet,
            themes: tagging.assigned().into_iter().map(String::from).collect(),
            theme_hits: tagging
                .themes
                .iter()
                .map(|t| (t.id.clone(), t.hits))
                .collect(),
            evidence: tagging
                .themes
                .into_iter()
                .filter(|t| t.assigned)
                .map(|t| (t.id, t.evidence))
                .collect(),
        });
    }
    Ok(SearchResults {
        query: req.query.clone(),
        total,
        hits,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// The first `chars` characters of `text` on one line, as a snippet without highlights.
fn lead(text: &str, chars: usize) -> Snippet {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text: String = flat.chars().take(chars).collect();
    Snippet {
        text,
        highlights: vec![],
        highlights_bytes: vec![],
    }
}

fn to_snippet(fragment: &str, ranges: &[std::ops::Range<usize>]) -> Snippet {
    // A long word and its pieces are both highlighted: merge overlapping ranges.
    let mut merged: Vec<[usize; 2]> = Vec::new();
    let mut sorted: Vec<_> = ranges.iter().map(|r| [r.start, r.end]).collect();
    sorted.sort_unstable();
    for [s, e] in sorted {
        match merged.last_mut() {
            Some(last) if s <= last[1] => last[1] = last[1].max(e),
            _ => merged.push([s, e]),
        }
    }
    let char_at = |b: usize| fragment[..b].chars().count();
    Snippet {
        text: fragment.to_string(),
        highlights: merged
            .iter()
            .map(|r| [char_at(r[0]), char_at(r[1])])
            .collect(),
        highlights_bytes: merged,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn overlapping_highlights_merge() {
        let s = super::to_snippet("海外仓很贵", &[3..9, 0..9, 0..6]);
        assert_eq!(s.highlights_bytes, vec![[0, 9]]);
        assert_eq!(s.highlights, vec![[0, 3]]);
    }
}
