//! Keyword in context: every occurrence of a term (matched on analyzer terms, so stems, traditional characters and word pieces count) or every hit of a theme, with character-window context.

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::{DocAddress, TantivyDocument};

use crate::analyze::Token;
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::index::{SearchRequest, ShopIndex};

/// What to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KwicTarget {
    /// A word or phrase, matched on analyzer terms.
    Term(String),
    /// Every hit of a theme (its evidence), by re-tagging the stored text.
    Theme(String),
}

/// One concordance line.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KwicLine {
    /// The document id.
    pub id: String,
    /// Publication date as stored.
    pub published: Option<String>,
    /// Language code.
    pub lang: String,
    /// For a theme, the taxonomy entry that matched; for a term, the term.
    pub term: String,
    /// Up to `window` characters before the match (whitespace runs as one space).
    pub left: String,
    /// The matched text as written.
    pub matched: String,
    /// Up to `window` characters after the match.
    pub right: String,
    /// Character offset of the match in the body.
    pub offset: usize,
}

/// The documents matching `req` (stored copies), ordered by publication date (undated last),
/// then id.
pub fn matching_documents(shop: &ShopIndex, req: &SearchRequest) -> Result<Vec<Document>> {
    let query = shop.filtered_query(req)?;
    let searcher = shop.searcher()?;
    let mut addrs: Vec<DocAddress> = searcher
        .search(&*query, &DocSetCollector)?
        .into_iter()
        .collect();
    addrs.sort();
    let mut docs = Vec::with_capacity(addrs.len());
    for a in addrs {
        let stored: TantivyDocument = searcher.doc(a)?;
        docs.push(shop.stored_document(&stored)?);
    }
    docs.sort_by(|a, b| {
        let (ta, tb) = (a.published_timestamp(), b.published_timestamp());
        (ta.is_none(), ta, &a.id).cmp(&(tb.is_none(), tb, &b.id))
    });
    Ok(docs)
}

/// Tokens that are words rather than the dictionary pieces stacked under a long word.
fn primaries(tokens: &[Token]) -> Vec<&Token> {
    let mut out: Vec<&Token> = Vec::new();
    for t in tokens {
        if let Some(p) = out.last()
            && p.offset_from <= t.offset_from
            && t.offset_to <= p.offset_to
            && (p.offset_from, p.offset_to) != (t.offset_from, t.offset_to)
        {
            continue;
        }
        out.push(t);
    }
    out
}

/// Byte ranges in `text` where `query` (analysed terms) occurs: one term matches a word or a
/// piece of a long word; several terms match consecutive words.
pub fn find_term(shop: &ShopIndex, text: &str, query: &[String]) -> Vec<(usize, usize)> {
    let tokens = shop.analyzer.tokens(text);
    match query {
        [] => vec![],
        [one] => tokens
            .iter()
            .filter(|t| t.text == *one)
            .map(|t| (t.offset_from, t.offset_to))
            .collect(),
        many => {
            let words = primaries(&tokens);
            words
                .windows(many.len())
                .filter(|w| w.iter().zip(many).all(|(t, q)| t.text == *q))
                .map(|w| (w[0].offset_from, w[many.len() - 1].offset_to))
                .collect()
        }
    }
}

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn line(doc: &Document, term: &str, start: usize, end: usize, window: usize) -> KwicLine {
    let text = &doc.body;
    let before = &text[..start];
    let left_start = before
        .char_indices()
        .rev()
        .nth(window.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    let after = &text[end..];
    let right_end = after
        .char_indices()
        .nth(window)
        .map_or(after.len(), |(i, _)| i);
    // Context stays within the paragraph: cut at a blank line.
    let mut left = &text[left_start..start];
    if let Some(i) = left.rfind("\n\n") {
        left = &left[i + 2..];
    }
    let mut right = &after[..right_end];
    if let Some(i) = right.find("\n\n") {
        right = &right[..i];
    }
    KwicLine {
        id: doc.id.clone(),
        published: doc.published.clone(),
        lang: doc.lang.clone(),
        term: term.to_string(),
        left: flat(left),
        matched: flat(&text[start..end]),
        right: flat(right),
        offset: before.chars().count(),
    }
}

/// Concordance lines for `target` in the bodies of the documents matching `req`, at most
/// `limit`, with `window` characters of context each side; also the number of lines found
/// before the limit. A theme's hits come from `taxonomy` when given (every matching document
/// is re-tagged with it), else from the index's taxonomy (documents with the theme assigned).
pub fn kwic(
    shop: &ShopIndex,
    req: &SearchRequest,
    target: &KwicTarget,
    window: usize,
    limit: usize,
    taxonomy: Option<crate::themes::Taxonomy>,
) -> Result<(Vec<KwicLine>, usize)> {
    let mut req = req.clone();
    let own = taxonomy.is_some();
    let tagger = match taxonomy {
        Some(t) => std::sync::Arc::new(crate::themes::Tagger::new(t, shop.analyzer.clone())?),
        None => shop.tagger.clone(),
    };
    let query_terms: Vec<String> = match target {
        KwicTarget::Term(term) => {
            let terms: Vec<String> = primaries(&shop.analyzer.tokens(term))
                .into_iter()
                .map(|t| t.text.clone())
                .collect();
            if terms.is_empty() {
                return Err(Error::invalid(format!(
                    "kwic: {term:?} has no words to look for"
                )));
            }
            // Only documents containing the term: the term as a phrase, beside the user's query.
            let phrase = format!("\"{}\"", term.replace('"', " "));
            req.query = if req.query.trim().is_empty() || req.query.trim() == "*" {
                phrase
            } else {
                format!("({}) AND {phrase}", req.query)
            };
            terms
        }
        KwicTarget::Theme(id) => {
            if tagger.taxonomy().position(id).is_none() {
                return Err(Error::invalid(format!(
                    "unknown theme {id:?}; the themes are: {}",
                    tagger.taxonomy().ids().join(", ")
                )));
            }
            if !own && !req.themes.contains(id) {
                req.themes.push(id.clone());
            }
            vec![]
        }
    };
    let mut lines = Vec::new();
    let mut total = 0;
    for doc in matching_documents(shop, &req)? {
        let found: Vec<(String, usize, usize)> = match target {
            KwicTarget::Term(term) => find_term(shop, &doc.body, &query_terms)
                .into_iter()
                .map(|(s, e)| (term.clone(), s, e))
                .collect(),
            KwicTarget::Theme(id) => {
                let tagging = tagger.tag(&doc.body);
                tagging
                    .themes
                    .iter()
                    .filter(|t| t.id == *id)
                    .flat_map(|t| t.all_hits.iter())
                    .map(|h| (tagger.entry(h).to_string(), h.start, h.end))
                    .collect()
            }
        };
        for (term, s, e) in found {
            total += 1;
            if lines.len() < limit {
                lines.push(line(&doc, &term, s, e, window));
            }
        }
    }
    Ok((lines, total))
}
