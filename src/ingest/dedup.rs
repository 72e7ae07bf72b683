//! Near-duplicate detection: the same text after normalisation, or a 64-bit simhash within a
//! small Hamming distance (found through six bands of 11 bits: two hashes at most five bits
//! apart agree on at least one band, so no pair is missed).

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

use crate::corpus::{Document, Kind};

/// Simhashes at most this many bits apart are near-duplicates.
pub const MAX_DISTANCE: u32 = 5;
const BANDS: usize = MAX_DISTANCE as usize + 1;
const BAND_BITS: usize = 64_usize.div_ceil(BANDS);
/// Texts with fewer tokens are compared exactly only: short reviews often repeat by chance.
const MIN_TOKENS_FOR_SIMHASH: usize = 30;

/// Lower-cased text without punctuation or spaces; Chinese characters each a token, other words whole.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if crate::analyze::is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// A 64-bit simhash over token bigrams.
fn simhash(toks: &[String]) -> u64 {
    let mut v = [0i32; 64];
    let n = toks.len();
    for i in 0..n.saturating_sub(1).max(1) {
        let end = (i + 2).min(n);
        let h = xxh3_64(toks[i..end].join(" ").as_bytes());
        for (b, slot) in v.iter_mut().enumerate() {
            if h >> b & 1 == 1 {
                *slot += 1;
            } else {
                *slot -= 1;
            }
        }
    }
    v.iter()
        .enumerate()
        .fold(0u64, |acc, (b, &x)| if x > 0 { acc | 1 << b } else { acc })
}

fn band(h: u64, b: usize) -> u16 {
    ((h >> (b * BAND_BITS)) & ((1 << BAND_BITS) - 1)) as u16
}

/// What a new document duplicates.
#[derive(Debug, Clone, PartialEq)]
pub enum Dup {
    /// The same text after normalisation as this id.
    Same(String),
    /// A near-identical text (simhash distance) as this id.
    Near(String, u32),
}

/// Texts seen so far.
#[derive(Debug, Default)]
pub struct Seen {
    exact: HashMap<u64, String>,
    hashes: Vec<(u64, String)>,
    bands: [HashMap<u16, Vec<usize>>; BANDS],
}

impl Seen {
    /// Check a document against those seen; remember it when it is new.
    pub fn check(&mut self, doc: &Document) -> Option<Dup> {
        let toks = tokens(&doc.body);
        let mut key = toks.join(" ");
        if doc.kind == Kind::Review {
            // Two buyers may write the same short review: only the same author on the same
            // product and page repeats one.
            for part in [&doc.author, &doc.product, &doc.url] {
                key.push('\u{1}');
                key.push_str(part.as_deref().unwrap_or(""));
            }
        }
        let exact = xxh3_64(key.as_bytes());
        if let Some(id) = self.exact.get(&exact) {
            return (id != &doc.id).then(|| Dup::Same(id.clone()));
        }
        let sim = (toks.len() >= MIN_TOKENS_FOR_SIMHASH).then(|| simhash(&toks));
        if let Some(h) = sim {
            let mut best: Option<(u32, usize)> = None;
            for (b, slot) in self.bands.iter().enumerate() {
                let k = band(h, b);
                for &i in slot.get(&k).map(Vec::as_slice).unwrap_or(&[]) {
                    let d = (self.hashes[i].0 ^ h).count_ones();
                    if d <= MAX_DISTANCE && best.is_none_or(|(bd, _)| d < bd) {
                        best = Some((d, i));
                    }
                }
            }
            if let Some((d, i)) = best
                && self.hashes[i].1 != doc.id
            {
                return Some(Dup::Near(self.hashes[i].1.clone(), d));
            }
        }
        self.exact.insert(exact, doc.id.clone());
        if let Some(h) = sim {
            let i = self.hashes.len();
            self.hashes.push((h, doc.id.clone()));
            for (b, slot) in self.bands.iter_mut().enumerate() {
                slot.entry(band(h, b)).or_default().push(i);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, body: &str) -> Document {
        Document::from_json_line(&serde_json::json!({"id": id, "body": body}).to_string()).unwrap()
    }

    #[test]
    fn finds_exact_and_near_duplicates() {
        let base = "Sellers on the marketplace said shipping costs rose sharply this spring, and many of them moved stock to overseas warehouses to keep delivery times short while paying less for each parcel they sent to buyers in Europe and North America this year. Several large sellers also renegotiated their contracts with carriers, asked for volume discounts and moved slow-selling products out of the most expensive warehouses. Analysts expect the pressure on margins to continue into next year, when new customs rules for small parcels take effect across the region and many platforms raise their fees again.";
        let mut seen = Seen::default();
        assert_eq!(seen.check(&doc("a", base)), None);
        assert_eq!(
            seen.check(&doc("b", &base.to_uppercase().replace(',', " ,"))),
            Some(Dup::Same("a".into()))
        );
        let near = base.replace("this spring", "this summer");
        let d = (simhash(&tokens(base)) ^ simhash(&tokens(&near))).count_ones();
        assert!(d <= MAX_DISTANCE, "distance {d}");
        assert!(matches!(seen.check(&doc("c", &near)), Some(Dup::Near(id, _)) if id == "a"));
        assert_eq!(seen.check(&doc("d", "A different text about refunds entirely, with its own words and nothing shared with the first one at all, so it must be kept as a new document by the checker.")), None);
        // The same id again is a replacement, not a duplicate.
        assert_eq!(seen.check(&doc("a", base)), None);
    }

    #[test]
    fn short_reviews_by_different_buyers_are_kept() {
        let r = |id: &str, author: &str| {
            Document::from_json_line(
                &serde_json::json!({"id": id, "body": "好评", "rating": 5, "author": author})
                    .to_string(),
            )
            .unwrap()
        };
        let mut seen = Seen::default();
        assert_eq!(seen.check(&r("1", "甲")), None);
        assert_eq!(seen.check(&r("2", "乙")), None);
        assert_eq!(seen.check(&r("3", "甲")), Some(Dup::Same("1".into())));
    }
}
