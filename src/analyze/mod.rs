//! Bilingual analyzer: folds text (full-width, traditional, case, accents) and cuts it into search tokens, jieba for Chinese and stemmed words for Latin script.
//!
//! The analyzer is the single source of tokens for the index, the query parser, snippets and
//! the theme tagger, so that all of them agree on what a word is. Offsets always point into
//! the caller's original text, on character boundaries, so highlights land on the right
//! characters even when folding changed the text.

mod dict;
mod normalize;
pub mod stopwords;
mod tantivy_tokenizer;

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use rust_stemmers::{Algorithm, Stemmer};
pub use tantivy::tokenizer::Token;

pub use dict::{DOMAIN_DICT, parse_dict};
pub use normalize::{Normalized, fold_char, normalize};
pub use tantivy_tokenizer::{ShoptalkTokenizer, TOKENIZER_NAME};

use crate::error::Result;

/// Tokens longer than this many bytes are dropped (URLs glued together, base64 noise).
const MAX_TOKEN_BYTES: usize = 64;

/// Which script a character belongs to, as far as tokenising is concerned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// Han ideographs and kana: segmented by jieba.
    Cjk,
    /// Letters and digits of other scripts: cut into words.
    Word,
    /// Everything else: whitespace, punctuation, symbols, emoji.
    Sep,
}

fn class(c: char) -> Class {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            Class::Word
        } else {
            Class::Sep
        };
    }
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Sep
    }
}

/// Whether `c` is a Han ideograph or kana (segmented as Chinese).
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3040}'..='\u{30ff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2ffff}')
}

/// The bilingual analyzer. Cheap to share: clone the `Arc`.
pub struct Analyzer {
    jieba: Jieba,
    stemmer: Stemmer,
    /// The user dictionary this analyzer was built with (empty for none).
    user_dict: String,
    /// Tokens computed for a text that tantivy is about to tokenize again (see
    /// [`Analyzer::hand_over`]), keyed by the text's hash and length.
    handed: std::sync::Mutex<Handed>,
}

/// Tokens waiting to be taken, and how many there are in all.
#[derive(Default)]
struct Handed {
    map: rustc_hash::FxHashMap<(u64, usize), Vec<Token>>,
    tokens: usize,
}

/// At most this many tokens wait to be taken (about 100 MB); past it, hand-overs are skipped
/// and tantivy analyses the text itself, so memory stays bounded whatever the batch size.
const MAX_HANDED_TOKENS: usize = 1_200_000;

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("user_dict_bytes", &self.user_dict.len())
            .finish()
    }
}

impl Analyzer {
    /// An analyzer with jieba's dictionary, the shipped domain dictionary and an optional user
    /// dictionary in jieba format (`word [freq] [tag]` per line). `source` names the user
    /// dictionary in error messages.
    pub fn new(user_dict: Option<(&str, &std::path::Path)>) -> Result<Self> {
        let mut jieba = Jieba::new();
        for entry in parse_dict(DOMAIN_DICT, std::path::Path::new("<domain dictionary>"))? {
            jieba.add_word(&entry.word, entry.freq, entry.tag.as_deref());
        }
        if let Some((text, path)) = user_dict {
            for entry in parse_dict(text, path)? {
                jieba.add_word(&entry.word, entry.freq, entry.tag.as_deref());
            }
        }
        Ok(Analyzer {
            jieba,
            stemmer: Stemmer::create(Algorithm::English),
            user_dict: user_dict.map(|(t, _)| t.to_string()).unwrap_or_default(),
            handed: Default::default(),
        })
    }

    /// The process-wide analyzer without a user dictionary, loaded once.
    pub fn shared_default() -> Arc<Analyzer> {
        static DEFAULT: OnceLock<Arc<Analyzer>> = OnceLock::new();
        DEFAULT
            .get_or_init(|| Arc::new(Analyzer::new(None).expect("the shipped dictionary parses")))
            .clone()
    }

    /// The analyzer for an optional user dictionary: the shared default when there is none.
    pub fn with_user_dict(user_dict: Option<(&str, &std::path::Path)>) -> Result<Arc<Analyzer>> {
        match user_dict {
            None => Ok(Analyzer::shared_default()),
            Some(d) if d.0.trim().is_empty() => Ok(Analyzer::shared_default()),
            Some(d) => Ok(Arc::new(Analyzer::new(Some(d))?)),
        }
    }

    /// The user dictionary text this analyzer was built with (empty for none).
    pub fn user_dict(&self) -> &str {
        &self.user_dict
    }

    /// Keep the tokens of `text` for the next time this analyzer is asked to tokenize the same
    /// text (the indexer analyses a document for tagging, then tantivy tokenizes it again in
    /// its own thread: this saves the second analysis).
    pub fn hand_over(&self, text: &str, tokens: Vec<Token>) {
        let key = (xxhash_rust::xxh3::xxh3_64(text.as_bytes()), text.len());
        let mut handed = self.handed.lock().unwrap_or_else(|e| e.into_inner());
        if handed.tokens + tokens.len() > MAX_HANDED_TOKENS {
            return;
        }
        handed.tokens += tokens.len();
        if let Some(old) = handed.map.insert(key, tokens) {
            handed.tokens -= old.len();
        }
    }

    /// The tokens of `text`: handed over earlier (and taken), or analysed now.
    pub fn take_or_tokens(&self, text: &str) -> Vec<Token> {
        let key = (xxhash_rust::xxh3::xxh3_64(text.as_bytes()), text.len());
        let taken = {
            let mut handed = self.handed.lock().unwrap_or_else(|e| e.into_inner());
            let taken = handed.map.remove(&key);
            handed.tokens -= taken.as_ref().map_or(0, Vec::len);
            taken
        };
        taken.unwrap_or_else(|| self.tokens(text))
    }

    /// Drop every hand-over still waiting (after a build).
    pub fn clear_handed(&self) {
        *self.handed.lock().unwrap_or_else(|e| e.into_inner()) = Handed::default();
    }

    /// Hand-overs still waiting (for tests).
    pub fn handed_len(&self) -> usize {
        self.handed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .len()
    }

    /// The underlying jieba segmenter (for raw-segmentation benchmarks and keyword tools).
    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// Cut `text` into tokens. Offsets are byte offsets into `text`.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::with_capacity(text.len() / 3 + 1);
        self.tokens_into(text, &mut out);
        out
    }

    /// Cut `text` into tokens, appending to `out` (positions continue from `out`'s last token).
    pub fn tokens_into(&self, text: &str, out: &mut Vec<Token>) {
        let norm = normalize(text);
        let s = norm.text();
        let mut position = out.last().map_or(0, |t| t.position + 1);
        let push = |out: &mut Vec<Token>, start: usize, end: usize, term: String, pos: usize| {
            if term.is_empty() || term.len() > MAX_TOKEN_BYTES {
                return;
            }
            out.push(Token {
                offset_from: norm.original_offset(start),
                offset_to: norm.original_offset(end),
                position: pos,
                text: term,
                position_length: 1,
            });
        };
        for (start, end, cls) in runs(s) {
            match cls {
                Class::Sep => {}
                Class::Cjk => {
                    let run = &s[start..end];
                    for w in self.jieba.cut(run, true) {
                        let (ws, we) = (start + w.byte_start, start + w.byte_end);
                        push(out, ws, we, w.word.to_string(), position);
                        let pieces = self.pieces(w.word);
                        if pieces.len() < 2 {
                            position += 1;
                            continue;
                        }
                        // A long word is also indexed as its dictionary pieces, stacked from
                        // the word's own position, so 质量 finds 产品质量 and a phrase of the
                        // pieces matches the word. Single characters only take up a position.
                        for (ps, pe) in pieces {
                            if s[ws + ps..ws + pe].chars().nth(1).is_some() {
                                push(out, ws + ps, ws + pe, w.word[ps..pe].to_string(), position);
                            }
                            position += 1;
                        }
                    }
                }
                Class::Word => {
                    let term = self.word_term(&s[start..end]);
                    push(out, start, end, term, position);
                    position += 1;
                }
            }
        }
    }

    /// The dictionary pieces of a Chinese word of three to twelve characters, by greedy
    /// longest match of shorter dictionary words (single characters where none matches), as
    /// byte ranges. Empty when the word has no shorter dictionary word inside it.
    fn pieces(&self, word: &str) -> Vec<(usize, usize)> {
        // Fewer than three characters (CJK characters take three bytes): nothing to split.
        if word.len() < 9 {
            return Vec::new();
        }
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(word.len()))
            .collect();
        let n = bounds.len() - 1;
        if !(3..=12).contains(&n) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut i = 0;
        let mut found = false;
        while i < n {
            let longest = (2..=(n - i).min(n - 1))
                .rev()
                .find(|&len| self.jieba.has_word(&word[bounds[i]..bounds[i + len]]));
            let len = longest.unwrap_or(1);
            found |= longest.is_some();
            out.push((bounds[i], bounds[i + len]));
            i += len;
        }
        if found { out } else { Vec::new() }
    }

    /// The search term for one Latin-script word: lower-cased, accents removed, stemmed.
    /// Stems are cached per thread (vocabularies are small; stemming is the analyzer's
    /// costliest step on English text).
    pub fn word_term(&self, word: &str) -> String {
        use std::cell::RefCell;
        thread_local! {
            static STEMS: RefCell<rustc_hash::FxHashMap<String, String>> = RefCell::default();
        }
        const MAX_CACHED: usize = 100_000;
        let mut lower = word.to_lowercase();
        if !lower.is_ascii() {
            lower = normalize::fold_accents(&lower);
        }
        lower.retain(|c| c != ',');
        if !lower.bytes().any(|b| b.is_ascii_alphabetic()) {
            return lower;
        }
        STEMS.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(stem) = cache.get(&lower) {
                return stem.clone();
            }
            let stem = self.stemmer.stem(&lower).into_owned();
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(lower, stem.clone());
            stem
        })
    }

    /// The terms of `text` as plain strings (for tests, term lists and query building).
    pub fn terms(&self, text: &str) -> Vec<String> {
        self.tokens(text).into_iter().map(|t| t.text).collect()
    }
}

/// Maximal runs of one character class, as `(start, end, class)` byte ranges. A `.` or `,`
/// between two digits stays inside a word, so `3.5` and `1,000` are one token each.
fn runs(s: &str) -> impl Iterator<Item = (usize, usize, Class)> + '_ {
    let bytes = s.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        let c = s[pos..].chars().next()?;
        let start = pos;
        let cls = class(c);
        pos += c.len_utf8();
        while let Some(c2) = s[pos..].chars().next() {
            if class(c2) == cls {
                pos += c2.len_utf8();
            } else if cls == Class::Word
                && (c2 == '.' || c2 == ',')
                && bytes[pos - 1].is_ascii_digit()
                && bytes.get(pos + 1).is_some_and(u8::is_ascii_digit)
            {
                pos += 1;
            } else {
                break;
            }
        }
        Some((start, pos, cls))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        Analyzer::shared_default().terms(text)
    }

    #[test]
    fn chinese_is_segmented_with_domain_words() {
        let t = terms("跨境电商卖家把货放进海外仓，直播带货也火了");
        assert!(t.contains(&"跨境电商".to_string()), "{t:?}");
        assert!(t.contains(&"海外仓".to_string()), "{t:?}");
        assert!(t.contains(&"直播带货".to_string()), "{t:?}");
        assert!(!t.iter().any(|x| x == "，"), "punctuation dropped: {t:?}");
    }

    #[test]
    fn english_is_stemmed_and_folded() {
        assert_eq!(
            terms("Shipping shipped SHIPS"),
            vec!["ship", "ship", "ship"]
        );
        assert_eq!(terms("Café refunds"), vec!["cafe", "refund"]);
    }

    #[test]
    fn traditional_and_full_width_fold() {
        assert_eq!(terms("質量"), terms("质量"));
        assert_eq!(terms("ＴｉｋＴｏｋ１２３"), vec!["tiktok123"]);
        assert_eq!(terms("退貨"), terms("退货"));
    }

    #[test]
    fn numbers_are_kept() {
        let t = terms("2023年降价30%，price 3.5 dollars");
        assert!(t.contains(&"2023".to_string()), "{t:?}");
        assert!(t.contains(&"30".to_string()), "{t:?}");
    }

    #[test]
    fn offsets_point_into_original_text() {
        let a = Analyzer::shared_default();
        let text = "質量很好！ＴｉｋＴｏｋ Shop 的物流";
        for t in a.tokens(text) {
            let surface = &text[t.offset_from..t.offset_to];
            assert!(!surface.is_empty());
        }
        let toks = a.tokens(text);
        let shop = toks.iter().find(|t| t.text == "shop").unwrap();
        assert_eq!(&text[shop.offset_from..shop.offset_to], "Shop");
        let tik = toks.iter().find(|t| t.text == "tiktok").unwrap();
        assert_eq!(&text[tik.offset_from..tik.offset_to], "ＴｉｋＴｏｋ");
    }

    #[test]
    fn positions_are_consecutive() {
        let toks = Analyzer::shared_default().tokens("海外 物流, overseas logistics");
        let pos: Vec<usize> = toks.iter().map(|t| t.position).collect();
        assert_eq!(pos, (0..toks.len()).collect::<Vec<_>>());
    }

    #[test]
    fn handed_over_tokens_are_taken_once() {
        let a = Analyzer::new(None).unwrap();
        let mut fake = a.tokens("物流");
        fake[0].text = "marker".into();
        a.hand_over("物流", fake);
        assert_eq!(a.handed_len(), 1);
        assert_eq!(a.take_or_tokens("物流")[0].text, "marker");
        assert_eq!(
            a.take_or_tokens("物流")[0].text,
            "物流",
            "taken once, then analysed"
        );
        assert_eq!(a.handed_len(), 0);
        a.hand_over("快递", a.tokens("快递"));
        a.clear_handed();
        assert_eq!(a.handed_len(), 0);
    }

    #[test]
    fn long_words_also_yield_their_pieces() {
        let toks = Analyzer::shared_default().tokens("产品质量很好，快递员很快");
        let got: Vec<(&str, usize)> = toks.iter().map(|t| (t.text.as_str(), t.position)).collect();
        assert_eq!(
            got,
            vec![
                ("产品质量", 0),
                ("产品", 0),
                ("质量", 1),
                ("很", 2),
                ("好", 3),
                ("快递员", 4),
                ("快递", 4),
                ("很快", 6)
            ]
        );
    }
}
