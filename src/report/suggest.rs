//! Term suggestion: words over-represented in a theme's evidence sentences, by Dunning's log-likelihood.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::TantivyDocument;

use crate::analyze::{is_cjk, stopwords::is_stopword};
use crate::error::{Error, Result};
use crate::index::ShopIndex;

/// A candidate term for a theme.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    /// The term as it most often appears.
    pub term: String,
    /// Log-likelihood G2 of theme sentences against all other sentences.
    pub g2: f64,
    /// Theme sentences containing the term.
    pub in_theme: u64,
    /// Other sentences containing it.
    pub elsewhere: u64,
    /// A theme sentence that contains it.
    pub example: String,
}

/// Counts of one candidate term.
#[derive(Default)]
struct TermCounts {
    in_theme: u64,
    elsewhere: u64,
    surfaces: HashMap<String, u32>,
    example: Option<String>,
}

/// Dunning's G2 for a term seen in `a` of `na` sentences of one set and `b` of `nb` of another.
pub fn log_likelihood(a: u64, na: u64, b: u64, nb: u64) -> f64 {
    let (a, na, b, nb) = (a as f64, na as f64, b as f64, nb as f64);
    let e1 = na * (a + b) / (na + nb);
    let e2 = nb * (a + b) / (na + nb);
    let t = |o: f64, e: f64| {
        if o > 0.0 && e > 0.0 {
            o * (o / e).ln()
        } else {
            0.0
        }
    };
    2.0 * (t(a, e1) + t(b, e2) + t(na - a, na - e1) + t(nb - b, nb - e2))
}

fn sentence_bounds(text: &str) -> Vec<usize> {
    let mut b = vec![0];
    for (i, c) in text.char_indices() {
        if matches!(c, '。' | '！' | '？' | '!' | '?' | ';' | '；' | '\n')
            || (c == '.' && text[i + 1..].starts_with(char::is_whitespace))
        {
            b.push(i + c.len_utf8());
        }
    }
    b.push(text.len());
    b
}

/// Candidate terms for `theme`: words that occur in sentences with the theme's hits much more
/// often than elsewhere in the index, excluding stop words and the theme's current matches.
pub fn suggest(
    shop: &ShopIndex,
    theme: &str,
    top: usize,
    min_count: u64,
) -> Result<Vec<Suggestion>> {
    let tagger = &shop.tagger;
    if tagger.taxonomy().position(theme).is_none() {
        return Err(Error::invalid(format!(
            "unknown theme {theme:?}; this index's themes are: {}",
            tagger.taxonomy().ids().join(", ")
        )));
    }
    let searcher = shop.searcher()?;
    // term -> (theme sentences, other sentences, surface counts, example)
    let mut counts: HashMap<String, TermCounts> = HashMap::new();
    let (mut na, mut nb) = (0u64, 0u64);
    for segment in searcher.segment_readers() {
        let store = segment
            .get_store_reader(64)
            .map_err(|e| Error::io(&shop.dir, e))?;
        for d in segment.doc_ids_alive() {
            let stored: TantivyDocument = store.get(d)?;
            let doc = shop.stored_document(&stored)?;
            let mut texts = vec![doc.body.as_str()];
            if let Some(t) = &doc.title {
                texts.push(t);
            }
            for text in texts {
                let tokens = shop.analyzer.tokens(text);
                let tagging = tagger.tag_tokens(text, &tokens);
                let spans: Vec<(usize, usize)> = tagging
                    .themes
                    .iter()
                    .filter(|t| t.id == theme)
                    .flat_map(|t| t.all_hits.iter().map(|h| (h.start, h.end)))
                    .collect();
                let bounds = sentence_bounds(text);
                let mut ti = 0;
                for w in bounds.windows(2) {
                    let (s, e) = (w[0], w[1]);
                    if s == e {
                        continue;
                    }
                    let hit = spans.iter().any(|&(hs, _)| hs >= s && hs < e);
                    let mut seen: HashSet<&str> = HashSet::new();
                    while ti < tokens.len() && tokens[ti].offset_from < e {
                        let t = &tokens[ti];
                        ti += 1;
                        let inside = spans
                            .iter()
                            .any(|&(hs, he)| t.offset_from < he && hs < t.offset_to);
                        let single_cjk = t.text.chars().count() == 1 && t.text.chars().all(is_cjk);
                        let numeric = t
                            .text
                            .chars()
                            .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
                        if inside
                            || single_cjk
                            || numeric
                            || t.text.len() < 2
                            || is_stopword(&t.text)
                            || !seen.insert(&t.text)
                        {
                            continue;
                        }
                        let entry = counts.entry(t.text.clone()).or_default();
                        if hit {
                            entry.in_theme += 1;
                            if entry.example.is_none() {
                                entry.example = Some(text[s..e].trim().chars().take(100).collect());
                            }
                        } else {
                            entry.elsewhere += 1;
                        }
                        *entry
                            .surfaces
                            .entry(text[t.offset_from..t.offset_to].to_lowercase())
                            .or_default() += 1;
                    }
                    if hit {
                        na += 1;
                    } else {
                        nb += 1;
                    }
                }
            }
        }
    }
    let mut out: Vec<Suggestion> = counts
        .into_iter()
        .filter(|(_, c)| {
            c.in_theme >= min_count
                && (c.in_theme as f64 / na.max(1) as f64) > (c.elsewhere as f64 / nb.max(1) as f64)
        })
        .map(|(_, c)| {
            let (a, b) = (c.in_theme, c.elsewhere);
            let term = c
                .surfaces
                .into_iter()
                .max_by(|x, y| x.1.cmp(&y.1).then(y.0.cmp(&x.0)))
                .map(|s| s.0)
                .unwrap_or_default();
            Suggestion {
                term,
                g2: log_likelihood(a, na, b, nb),
                in_theme: a,
                elsewhere: b,
                example: c.example.unwrap_or_default(),
            }
        })
        .collect();
    out.sort_by(|x, y| y.g2.total_cmp(&x.g2).then(x.term.cmp(&y.term)));
    out.truncate(top);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::log_likelihood;

    #[test]
    fn g2_matches_a_hand_computed_value() {
        // 10 of 100 vs 10 of 1000: a clear over-representation.
        let g = log_likelihood(10, 100, 10, 1000);
        assert!((g - 22.91).abs() < 0.01, "{g}");
        assert!(log_likelihood(5, 100, 50, 1000).abs() < 1e-9);
    }
}
