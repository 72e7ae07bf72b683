//! Keywords of a subset of documents (frequency, tf-idf against the whole index, TextRank) and keyness of one subset against another (log-likelihood G2 and log ratio), over analyzer terms with stop words removed.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::Term;

use super::kwic::matching_documents;
use super::suggest::log_likelihood;
use crate::analyze::{Token, is_cjk, stopwords::is_stopword};
use crate::corpus::Document;
use crate::error::Result;
use crate::index::{SearchRequest, ShopIndex};

/// How keywords are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Occurrences in the subset.
    Freq,
    /// Occurrences times inverse document frequency in the whole index.
    Tfidf,
    /// PageRank over a word co-occurrence graph (window of 5 words).
    Textrank,
}

/// One keyword.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Keyword {
    /// The word as most often written (lower-cased).
    pub term: String,
    /// Its score by the method.
    pub score: f64,
    /// Occurrences in the subset.
    pub freq: u64,
    /// Documents of the subset containing it.
    pub docs: u64,
}

/// One row of a keyness table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Keyness {
    /// The word as most often written.
    pub term: String,
    /// Occurrences in subset A.
    pub freq_a: u64,
    /// Occurrences in subset B.
    pub freq_b: u64,
    /// Per 1,000 words of A.
    pub per_1000_a: f64,
    /// Per 1,000 words of B.
    pub per_1000_b: f64,
    /// Log-likelihood G2 (3.84: p < 0.05; 6.63: p < 0.01; 15.13: p < 0.0001).
    pub g2: f64,
    /// Effect size: log2 of the ratio of relative frequencies (0.5 added to a zero count);
    /// positive when the word is relatively more frequent in A.
    pub log_ratio: f64,
}

/// Word counts of a set of documents.
#[derive(Debug, Default)]
pub struct Counts {
    /// Documents.
    pub docs: u64,
    /// Words kept (after stop words, numbers, punctuation and single characters).
    pub words: u64,
    /// term -> (occurrences, documents)
    pub terms: HashMap<String, (u64, u64)>,
    /// term -> surface -> count
    surfaces: HashMap<String, HashMap<String, u32>>,
}

/// A document's content words in order: (analysed term, written form); an empty pair
/// separates its body from its title.
pub type WordSeq = Vec<(String, String)>;

/// Whether an analysed term is a content word worth counting: not a stop word, a number, a
/// single character or punctuation.
pub fn is_content(term: &str) -> bool {
    let mut chars = term.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if chars.next().is_none() {
        return false;
    }
    if !term.chars().any(|c| c.is_alphabetic() || is_cjk(c)) {
        return false;
    }
    if term
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        || first.is_ascii_digit()
    {
        return false;
    }
    // The halves of English contractions ("didn't" is cut into didn + t).
    const FRAGMENTS: [&str; 14] = [
        "didn", "doesn", "isn", "wasn", "aren", "weren", "hasn", "haven", "hadn", "couldn",
        "wouldn", "shouldn", "don", "won",
    ];
    !is_stopword(term) && !FRAGMENTS.contains(&term)
}

/// The content words of a text in order (word tokens, not the pieces of long words).
fn words<'a>(text: &'a str, tokens: &'a [Token]) -> impl Iterator<Item = (&'a str, &'a str)> {
    let mut last: Option<(usize, usize)> = None;
    tokens.iter().filter_map(move |t| {
        if let Some((s, e)) = last
            && s <= t.offset_from
            && t.offset_to <= e
            && (s, e) != (t.offset_from, t.offset_to)
        {
            return None;
        }
        last = Some((t.offset_from, t.offset_to));
        is_content(&t.text).then(|| (t.text.as_str(), &text[t.offset_from..t.offset_to]))
    })
}

fn doc_words(shop: &ShopIndex, doc: &Document) -> WordSeq {
    let mut out = Vec::new();
    let mut texts = vec![doc.body.as_str()];
    if let Some(t) = &doc.title {
        texts.push(t);
    }
    for text in texts {
        let tokens = shop.analyzer.tokens(text);
        out.extend(words(text, &tokens).map(|(t, s)| (t.to_string(), s.to_lowercase())));
        // A sentinel keeps TextRank windows from crossing from body to title.
        out.push((String::new(), String::new()));
    }
    out
}

impl Counts {
    fn add(&mut self, words: &[(String, String)]) {
        self.docs += 1;
        let mut seen = std::collections::HashSet::new();
        for (t, s) in words.iter().filter(|(t, _)| !t.is_empty()) {
            self.words += 1;
            let e = self.terms.entry(t.clone()).or_default();
            e.0 += 1;
            if seen.insert(t) {
                e.1 += 1;
            }
            *self
                .surfaces
                .entry(t.clone())
                .or_default()
                .entry(s.clone())
                .or_default() += 1;
        }
    }

    /// The most frequent written form of a term.
    pub fn surface(&self, term: &str) -> String {
        self.surfaces
            .get(term)
            .and_then(|m| {
                m.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(s, _)| s.clone())
            })
            .unwrap_or_else(|| term.to_string())
    }
}

/// Count the content words of the documents matching `req`; also returns each document's
/// word sequence (for TextRank).
pub fn count(shop: &ShopIndex, req: &SearchRequest) -> Result<(Counts, Vec<WordSeq>)> {
    let docs = matching_documents(shop, req)?;
    let mut counts = Counts::default();
    let mut seqs = Vec::with_capacity(docs.len());
    for d in &docs {
        let w = doc_words(shop, d);
        counts.add(&w);
        seqs.push(w);
    }
    Ok((counts, seqs))
}

/// The top `top` keywords of the documents matching `req`.
pub fn keywords(
    shop: &ShopIndex,
    req: &SearchRequest,
    method: Method,
    top: usize,
) -> Result<(Vec<Keyword>, Counts)> {
    let (counts, seqs) = count(shop, req)?;
    let scores: HashMap<&str, f64> = match method {
        Method::Freq => counts
            .terms
            .iter()
            .map(|(t, (f, _))| (t.as_str(), *f as f64))
            .collect(),
        Method::Tfidf => {
            let searcher = shop.searcher()?;
            let n = searcher.num_docs() as f64;
            let mut m = HashMap::new();
            for (t, (f, _)) in &counts.terms {
                let mut df = 0u64;
                for field in [shop.fields.body, shop.fields.title] {
                    df = df.max(searcher.doc_freq(&Term::from_field_text(field, t))?);
                }
                m.insert(
                    t.as_str(),
                    *f as f64 * ((n + 1.0) / (df as f64 + 1.0)).ln() + *f as f64 * 1e-9,
                );
            }
            m
        }
        Method::Textrank => textrank(&seqs),
    };
    let mut out: Vec<Keyword> = scores
        .into_iter()
        .map(|(t, score)| {
            let (freq, docs) = counts.terms[t];
            Keyword {
                term: counts.surface(t),
                score,
                freq,
                docs,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.freq.cmp(&a.freq))
            .then(a.term.cmp(&b.term))
    });
    out.truncate(top);
    Ok((out, counts))
}

/// TextRank: PageRank (damping 0.85, 50 iterations) over an undirected graph joining words
/// that occur within 5 words of each other, weighted by how often.
fn textrank(seqs: &[WordSeq]) -> HashMap<&str, f64> {
    const WINDOW: usize = 5;
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut edges: HashMap<(usize, usize), f64> = HashMap::new();
    for seq in seqs {
        for (i, (a, _)) in seq.iter().enumerate() {
            if a.is_empty() {
                continue;
            }
            let ia = *ids.entry(a.as_str()).or_insert_with(|| {
                names.push(a.as_str());
                names.len() - 1
            });
            for (b, _) in seq.iter().skip(i + 1).take(WINDOW - 1) {
                if b.is_empty() {
                    break;
                }
                if a == b {
                    continue;
                }
                let ib = *ids.entry(b.as_str()).or_insert_with(|| {
                    names.push(b.as_str());
                    names.len() - 1
                });
                *edges.entry((ia.min(ib), ia.max(ib))).or_default() += 1.0;
            }
        }
    }
    let n = names.len();
    let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for ((a, b), w) in edges {
        adj[a].push((b, w));
        adj[b].push((a, w));
    }
    let out_w: Vec<f64> = adj.iter().map(|v| v.iter().map(|e| e.1).sum()).collect();
    let mut rank = vec![1.0; n];
    for _ in 0..50 {
        let mut next = vec![0.15; n];
        for (v, nb) in adj.iter().enumerate() {
            let s: f64 = nb.iter().map(|&(u, w)| w / out_w[u] * rank[u]).sum();
            next[v] += 0.85 * s;
        }
        rank = next;
    }
    names.into_iter().zip(rank).collect()
}

/// Keyness of subset A (`a`) against subset B (`b`): words relatively more frequent in A
/// first, by G2, then words relatively more frequent in B; `top` of each.
pub fn keyness(
    shop: &ShopIndex,
    a: &SearchRequest,
    b: &SearchRequest,
    top: usize,
) -> Result<(Vec<Keyness>, Counts, Counts)> {
    let (ca, _) = count(shop, a)?;
    let (cb, _) = count(shop, b)?;
    let (na, nb) = (ca.words, cb.words);
    let mut all: Vec<Keyness> = Vec::new();
    let terms: std::collections::BTreeSet<&String> =
        ca.terms.keys().chain(cb.terms.keys()).collect();
    for t in terms {
        let fa = ca.terms.get(t).map_or(0, |x| x.0);
        let fb = cb.terms.get(t).map_or(0, |x| x.0);
        let rel = |f: u64, n: u64| if n == 0 { 0.0 } else { f as f64 / n as f64 };
        let corr = |f: u64| if f == 0 { 0.5 } else { f as f64 };
        let log_ratio = if na == 0 || nb == 0 {
            0.0
        } else {
            ((corr(fa) / na as f64) / (corr(fb) / nb as f64)).log2()
        };
        all.push(Keyness {
            term: if fa >= fb {
                ca.surface(t)
            } else {
                cb.surface(t)
            },
            freq_a: fa,
            freq_b: fb,
            per_1000_a: 1000.0 * rel(fa, na),
            per_1000_b: 1000.0 * rel(fb, nb),
            g2: log_likelihood(fa, na, fb, nb),
            log_ratio,
        });
    }
    let by_g2 = |x: &Keyness, y: &Keyness| y.g2.total_cmp(&x.g2).then(x.term.cmp(&y.term));
    let (mut more_a, mut more_b): (Vec<Keyness>, Vec<Keyness>) =
        all.into_iter().partition(|k| k.per_1000_a >= k.per_1000_b);
    more_a.sort_by(by_g2);
    more_b.sort_by(by_g2);
    more_a.truncate(top);
    more_b.truncate(top);
    more_a.extend(more_b);
    Ok((more_a, ca, cb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_words() {
        assert!(is_content("物流"));
        assert!(is_content("refund"));
        assert!(!is_content("的"));
        assert!(!is_content("the"));
        assert!(!is_content("2023"));
        assert!(!is_content("，"));
        assert!(!is_content("a"));
    }

    #[test]
    fn textrank_prefers_the_hub() {
        let w = |s: &str| (s.to_string(), s.to_string());
        let seqs = vec![
            vec![w("hub"), w("x1"), w("hub"), w("x2"), w("hub"), w("x3")],
            vec![w("hub"), w("y1")],
        ];
        let r = textrank(&seqs);
        let best = r.iter().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
        assert_eq!(*best.0, "hub");
    }
}
