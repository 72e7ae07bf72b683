//! The compiled tagger: one Aho-Corasick automaton per taxonomy over a token stream, hits aligned to analyzer tokens, exclusions, gaps, scores and evidence.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use daachorse::CharwiseDoubleArrayAhoCorasick;
use serde::{Deserialize, Serialize};

use std::ops::Range;

use super::model::{Model, tokens_in};
use super::taxonomy::{EntryShape, Settings, Taxonomy, entry_shape};
use crate::analyze::{Analyzer, Token, is_cjk, normalize};
use crate::error::{Error, Result};

/// Characters of evidence kept on each side of a hit.
pub const EVIDENCE_CONTEXT: usize = 40;
/// Evidence snippets kept per theme and document.
pub const MAX_EVIDENCE: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// A whole entry.
    Term,
    /// The left side of gap entry `gap`.
    GapLeft(u32),
    /// The right side of gap entry `gap`.
    GapRight(u32),
    /// An exclusion pattern.
    Exclude,
}

#[derive(Debug, Clone)]
struct Pattern {
    theme: u16,
    role: Role,
    /// Index into `Tagger::entries` (the entry as written), unused for exclusions.
    entry: u32,
    weight: f32,
    /// For `=` entries: the text a match must be, byte for byte.
    exact: Option<Box<str>>,
}

/// One matched entry in a document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hit {
    /// The entry that matched: an index for [`Tagger::entry`].
    pub entry: u32,
    /// Byte range in the original text.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// The entry's weight.
    pub weight: f32,
}

/// How one theme fares in one document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThemeResult {
    /// Theme id.
    pub id: String,
    /// Hits (after exclusions and overlap removal).
    pub hits: u32,
    /// Sum of hit weights.
    pub weighted: f32,
    /// Weighted hits per 1,000 tokens.
    pub per_1000: f32,
    /// Whether the theme is assigned (passes the thresholds).
    pub assigned: bool,
    /// Context windows around the first hits, with the matched entry.
    pub evidence: Vec<Evidence>,
    /// The learned model's highest probability over the text's chunks, when a model ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<f32>,
    /// Every hit.
    #[serde(skip, default)]
    pub all_hits: Vec<Hit>,
}

/// The evidence term of a theme the learned model assigned.
pub const MODEL_TERM: &str = "(model)";
/// Share of a long text's chunks in which the model must reach its threshold.
pub const MODEL_CHUNK_SHARE: f32 = 0.25;

/// A piece of evidence: the window of text around a hit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    /// The entry that matched.
    pub term: String,
    /// About 40 characters each side of the hit, within its paragraph (for the model, its best
    /// sentence). Empty until rendered when the tagging was made without text (the indexer's,
    /// see [`Tagging::render_evidence`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// The part of the document (0: the body, 1: the title) the evidence lies in.
    #[serde(default)]
    pub part: u32,
    /// Byte range of the hit in its part, or of the sentence the model chose.
    #[serde(default)]
    pub start: usize,
    /// End of the byte range.
    #[serde(default)]
    pub end: usize,
    /// Whether the range is a whole sentence (the model's evidence) rather than a hit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sentence: bool,
}

impl Evidence {
    /// The evidence text, from the text of its part.
    pub fn render(&self, part: &str) -> String {
        let (start, end) = (self.start.min(part.len()), self.end.min(part.len()));
        if !part.is_char_boundary(start) || !part.is_char_boundary(end) || start > end {
            return String::new();
        }
        if !self.sentence {
            return window(part, start, end, EVIDENCE_CONTEXT);
        }
        let best = part[start..end].trim();
        match best.char_indices().nth(2 * EVIDENCE_CONTEXT) {
            Some((i, _)) => format!("{}…", &best[..i]),
            None => best.to_string(),
        }
    }
}

/// The themes of one document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Tagging {
    /// Tokens (positions) in the text, the denominator of rates.
    pub tokens: u32,
    /// Every theme with at least one hit or assigned by the learned model, in taxonomy order.
    pub themes: Vec<ThemeResult>,
}

impl Tagging {
    /// Fill in the text of every evidence that has none, from the document's parts (the
    /// texts tagged, in order).
    pub fn render_evidence(&mut self, parts: &[&str]) {
        for e in self.themes.iter_mut().flat_map(|t| t.evidence.iter_mut()) {
            if e.text.is_empty()
                && let Some(part) = parts.get(e.part as usize)
            {
                e.text = e.render(part);
            }
        }
    }

    /// Ids of the assigned themes.
    pub fn assigned(&self) -> Vec<&str> {
        self.themes
            .iter()
            .filter(|t| t.assigned)
            .map(|t| t.id.as_str())
            .collect()
    }
}

/// A taxonomy compiled for fast tagging. Build once, share across threads.
pub struct Tagger {
    taxonomy: Taxonomy,
    analyzer: Arc<Analyzer>,
    /// Double-array Aho-Corasick over characters; its values index `groups`.
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    /// Per distinct pattern text: the patterns (indices into `patterns`) with that text.
    groups: Vec<Vec<u32>>,
    patterns: Vec<Pattern>,
    entries: Vec<String>,
    /// Wildcard prefixes (surface form, lower-case).
    prefixes: PrefixTrie,
    /// The id character of every non-Chinese term in an entry.
    vocab: Vocab,
    /// Per automaton pattern: all Chinese and two or more characters, so one aligned end suffices.
    relaxed: Vec<bool>,
    gap_tokens: u32,
    /// The learned second signal, and each theme's column in it.
    model: Option<(Arc<Model>, Vec<Option<usize>>)>,
}

impl std::fmt::Debug for Tagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tagger")
            .field("themes", &self.taxonomy.themes.len())
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

/// The private-use character that stands for a word no entry contains.
const OTHER_WORD: char = '\u{e000}';

/// The non-Chinese terms of a taxonomy's entries, each with its own private-use character,
/// so that a word takes one automaton step instead of one per letter.
#[derive(Default)]
struct Vocab {
    ids: FxHashMap<String, char>,
}

impl Vocab {
    /// The character of `term`, [`OTHER_WORD`] for a term no entry contains.
    fn get(&self, term: &str) -> char {
        self.ids.get(term).copied().unwrap_or(OTHER_WORD)
    }

    /// The character of `term`, given one if it has none yet.
    fn insert(&mut self, term: &str) -> Result<char> {
        if let Some(&c) = self.ids.get(term) {
            return Ok(c);
        }
        // The Basic Multilingual Plane's private use area first (it keeps the automaton's
        // character table small), then plane 15's.
        let n = self.ids.len() as u32 + 1;
        let code = if n < 0x1900 {
            0xe000 + n
        } else {
            0xf0000 + n - 0x1900
        };
        let c = char::from_u32(code)
            .filter(|_| code <= 0xffffd)
            .ok_or_else(|| Error::invalid("too many distinct words in the taxonomy's entries"))?;
        self.ids.insert(term.to_string(), c);
        Ok(c)
    }
}

/// Wildcard prefixes as a byte trie: a word's surface walks it once, collecting the patterns
/// of every prefix on the way.
struct PrefixTrie {
    /// The root's (node 0's) child per byte, 0 for none: most words stop here.
    root: Box<[u32; 256]>,
    /// The children of node `n` below the root: `kids[first[n]..first[n + 1]]`, as (byte,
    /// child) sorted by byte (nodes have few children: a scan beats hashing).
    first: Vec<u32>,
    kids: Vec<(u8, u32)>,
    /// The patterns whose prefix ends at each node.
    ends: Vec<Vec<Pattern>>,
}

impl PrefixTrie {
    /// The trie of `(prefix, pattern)` pairs.
    fn new(prefixes: Vec<(String, Pattern)>) -> PrefixTrie {
        let mut root = Box::new([0u32; 256]);
        // (node, byte) -> child below the root; ordered, so each node's children are one run.
        let mut edges: std::collections::BTreeMap<(u32, u8), u32> = Default::default();
        let mut ends = vec![Vec::new()];
        for (prefix, p) in prefixes {
            let mut node = 0u32;
            for &b in prefix.as_bytes() {
                let next = ends.len() as u32;
                let child = if node == 0 {
                    let c = &mut root[b as usize];
                    if *c == 0 {
                        *c = next;
                    }
                    *c
                } else {
                    *edges.entry((node, b)).or_insert(next)
                };
                if child == next {
                    ends.push(Vec::new());
                }
                node = child;
            }
            ends[node as usize].push(p);
        }
        let mut first = Vec::with_capacity(ends.len() + 1);
        let mut kids = Vec::with_capacity(edges.len());
        let mut edges = edges.into_iter().peekable();
        for node in 0..ends.len() as u32 {
            first.push(kids.len() as u32);
            while let Some(((_, b), child)) = edges.next_if(|((n, _), _)| *n == node) {
                kids.push((b, child));
            }
        }
        first.push(kids.len() as u32);
        PrefixTrie {
            root,
            first,
            kids,
            ends,
        }
    }

    fn is_empty(&self) -> bool {
        self.ends.len() == 1
    }

    /// Call `f` with the patterns of every prefix of `surface` (lower-case bytes), shortest
    /// first.
    fn walk(&self, surface: impl Iterator<Item = u8>, mut f: impl FnMut(&Pattern)) {
        let mut node = 0u32;
        for b in surface {
            node = if node == 0 {
                self.root[b as usize]
            } else {
                let n = node as usize;
                let kids = &self.kids[self.first[n] as usize..self.first[n + 1] as usize];
                kids.iter().find(|k| k.0 == b).map_or(0, |k| k.1)
            };
            if node == 0 {
                return;
            }
            self.ends[node as usize].iter().for_each(&mut f);
        }
    }
}

/// The token stream the automaton runs over: the analysed terms of the primary tokens, Chinese
/// words of one run glued together, every other word as its [`Vocab`] character, tokens
/// otherwise separated by a space and sentences by a newline.
#[derive(Default)]
struct Stream {
    text: String,
    /// (stream offset, original offset, token index) where a token or word piece starts,
    /// one per offset, sorted: entry `i` is the `i`-th set bit of `start_bits`.
    starts: Vec<(u32, u32, u32)>,
    /// The same where one ends.
    ends: Vec<(u32, u32, u32)>,
    /// Non-Chinese tokens for wildcard matching: their original ranges.
    words: Vec<(usize, usize)>,
    /// Chinese primary tokens: (stream start, stream end, original start, token index).
    cjk: Vec<(u32, u32, u32, u32)>,
    /// Bit sets over stream offsets: where some token or piece starts, and ends; with the set
    /// bits before each 64-bit word (so an offset's entry is found by counting bits).
    start_bits: Vec<u64>,
    end_bits: Vec<u64>,
    start_rank: Vec<u32>,
    end_rank: Vec<u32>,
    /// Number of token positions.
    positions: u32,
    /// Stream offsets of the sentence breaks (newlines), in order.
    breaks: Vec<u32>,
}

thread_local! {
    /// One stream per thread, reused from document to document.
    static STREAM: std::cell::RefCell<Stream> = std::cell::RefCell::new(Stream::default());
}

fn ends_sentence(gap: &str) -> bool {
    !(gap.is_empty() || gap == " ")
        && gap.contains(['。', '！', '？', '!', '?', '.', ';', '；', '\n', '…'])
}

impl Stream {
    /// Rebuild the stream for `text` and its `tokens`; `word` gives the character of a
    /// non-Chinese term.
    fn build(&mut self, text: &str, tokens: &[Token], mut word: impl FnMut(&str) -> char) {
        self.text.clear();
        self.starts.clear();
        self.ends.clear();
        self.words.clear();
        self.cjk.clear();
        self.breaks.clear();
        self.positions = tokens.last().map_or(0, |t| t.position as u32 + 1);
        // The current primary token: its stream start, original end and CJK-ness.
        let mut prim: Option<(usize, usize, bool)> = None;
        let mut prim_term: &str = "";
        let mut piece_from = 0usize;
        // The end of the current primary token, pushed after its pieces' ends (keeps `ends`
        // sorted).
        let mut word_end: Option<(u32, u32, u32)> = None;
        let mut idx = 0u32;
        for t in tokens {
            if let Some((ps, pe, cjk)) = prim
                && t.offset_from < pe
            {
                // A piece of the current (Chinese) word: locate it inside the word's term.
                if cjk && let Some(rel) = prim_term[piece_from..].find(t.text.as_str()) {
                    let at = ps + piece_from + rel;
                    let start = (at as u32, t.offset_from as u32, idx - 1);
                    // The first piece starts where its word does, the last may end there.
                    if self.starts.last() != Some(&start) {
                        self.starts.push(start);
                    }
                    let end = ((at + t.text.len()) as u32, t.offset_to as u32, idx - 1);
                    if word_end != Some(end) {
                        self.ends.push(end);
                    }
                    piece_from += rel + t.text.len();
                }
                continue;
            }
            self.ends.extend(word_end.take());
            let cjk = t.text.chars().next().is_some_and(is_cjk);
            match prim {
                Some((_, pe, was_cjk)) => {
                    let gap = &text[pe..t.offset_from];
                    if ends_sentence(gap) {
                        self.breaks.push(self.text.len() as u32);
                        self.text.push('\n');
                    } else if !(cjk && was_cjk && gap.is_empty()) {
                        self.text.push(' ');
                    }
                }
                None => self.text.push(' '),
            }
            let at = self.text.len();
            if cjk {
                self.text.push_str(&t.text);
            } else {
                self.text.push(word(&t.text));
            }
            self.starts.push((at as u32, t.offset_from as u32, idx));
            word_end = Some((self.text.len() as u32, t.offset_to as u32, idx));
            if cjk {
                self.cjk
                    .push((at as u32, self.text.len() as u32, t.offset_from as u32, idx));
            } else {
                self.words.push((t.offset_from, t.offset_to));
            }
            prim = Some((at, t.offset_to, cjk));
            prim_term = &t.text;
            piece_from = 0;
            idx += 1;
        }
        self.ends.extend(word_end);
        self.text.push(' ');
        debug_assert!(self.starts.windows(2).all(|w| w[0].0 < w[1].0));
        debug_assert!(self.ends.windows(2).all(|w| w[0].0 < w[1].0));
        let words = self.text.len() / 64 + 1;
        fill_bits(
            &self.starts,
            words,
            &mut self.start_bits,
            &mut self.start_rank,
        );
        fill_bits(&self.ends, words, &mut self.end_bits, &mut self.end_rank);
    }

    fn bit(bits: &[u64], at: usize) -> bool {
        bits.get(at / 64).is_some_and(|w| w & (1 << (at % 64)) != 0)
    }

    /// The entry of `entries` at stream offset `at` (whose bit is set).
    fn entry(entries: &[(u32, u32, u32)], bits: &[u64], rank: &[u32], at: usize) -> (u32, u32) {
        let below = bits[at / 64] & ((1u64 << (at % 64)) - 1);
        let e = entries[rank[at / 64] as usize + below.count_ones() as usize];
        debug_assert_eq!(e.0 as usize, at);
        (e.1, e.2)
    }

    /// The original offset and token where a token or piece starts at `at` (bit set).
    fn start(&self, at: usize) -> (u32, u32) {
        Stream::entry(&self.starts, &self.start_bits, &self.start_rank, at)
    }

    /// The same where one ends.
    fn end(&self, at: usize) -> (u32, u32) {
        Stream::entry(&self.ends, &self.end_bits, &self.end_rank, at)
    }

    /// The original offset and token of a stream offset strictly inside a Chinese token.
    fn inside_cjk(&self, text: &str, at: usize) -> Option<(u32, u32)> {
        let i = self
            .cjk
            .partition_point(|e| (e.0 as usize) <= at)
            .checked_sub(1)?;
        let (ss, se, os, idx) = self.cjk[i];
        if at <= ss as usize || at >= se as usize {
            return None;
        }
        // Folding keeps one character for one, so count characters into the token.
        let chars = self.text[ss as usize..at].chars().count();
        let (off, _) = text[os as usize..].char_indices().nth(chars)?;
        Some((os + off as u32, idx))
    }
}

/// Set the bit of every entry's stream offset in `bits` (of `words` words), and the running
/// count of set bits before each word in `rank`.
fn fill_bits(entries: &[(u32, u32, u32)], words: usize, bits: &mut Vec<u64>, rank: &mut Vec<u32>) {
    bits.clear();
    bits.resize(words, 0);
    for &(at, ..) in entries {
        bits[at as usize / 64] |= 1 << (at % 64);
    }
    rank.clear();
    let mut total = 0u32;
    rank.extend(bits.iter().map(|w| {
        let before = total;
        total += w.count_ones();
        before
    }));
}

/// One side of an `A ... B` match: original range, first and last token, sentence.
struct Side {
    start: usize,
    end: usize,
    first: u32,
    last: u32,
    sentence: usize,
}

/// The stream form of an entry: analysed like text, so it lines up with documents; its words
/// join `vocab`.
fn pattern_text(analyzer: &Analyzer, vocab: &mut Vocab, entry: &str) -> Result<String> {
    let toks = analyzer.tokens(entry);
    let mut s = Stream::default();
    let mut failed = None;
    s.build(entry, &toks, |w| {
        vocab.insert(w).unwrap_or_else(|e| {
            failed = Some(e);
            OTHER_WORD
        })
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(s.text.trim_matches([' ', '\n']).to_string()),
    }
}

impl Tagger {
    /// Compile `taxonomy` for `analyzer`. Fails only on malformed entries (run `check` first
    /// for messages with context).
    pub fn new(taxonomy: Taxonomy, analyzer: Arc<Analyzer>) -> Result<Tagger> {
        let mut texts: Vec<String> = Vec::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut entries: Vec<String> = Vec::new();
        let mut prefixes: Vec<(String, Pattern)> = Vec::new();
        let mut vocab = Vocab::default();
        let mut gaps = 0u32;
        for (ti, theme) in taxonomy.themes.iter().enumerate() {
            let theme_idx = u16::try_from(ti).map_err(|_| Error::invalid("too many themes"))?;
            let mut add = |text: String, p: Pattern| {
                if !text.is_empty() {
                    texts.push(text);
                    patterns.push(p);
                }
            };
            for (entry, weight) in theme.entries() {
                let e = entries.len() as u32;
                entries.push(entry.to_string());
                let shape = entry_shape(entry).map_err(Error::invalid)?;
                let pat = |role| Pattern {
                    theme: theme_idx,
                    role,
                    entry: e,
                    weight,
                    exact: shape.exact().map(Into::into),
                };
                match shape {
                    EntryShape::Plain(p) | EntryShape::Exact(p) => {
                        add(pattern_text(&analyzer, &mut vocab, p)?, pat(Role::Term))
                    }
                    EntryShape::Prefix(p) => {
                        let surface = normalize(p).text().to_lowercase();
                        prefixes.push((surface, pat(Role::Term)));
                    }
                    EntryShape::Gap(a, b) => {
                        add(
                            pattern_text(&analyzer, &mut vocab, a)?,
                            pat(Role::GapLeft(gaps)),
                        );
                        add(
                            pattern_text(&analyzer, &mut vocab, b)?,
                            pat(Role::GapRight(gaps)),
                        );
                        gaps += 1;
                    }
                }
            }
            for ex in &theme.exclude {
                let shape = entry_shape(ex).map_err(Error::invalid)?;
                let text = match shape {
                    EntryShape::Plain(p) | EntryShape::Prefix(p) | EntryShape::Exact(p) => p,
                    EntryShape::Gap(a, _) => a,
                };
                add(
                    pattern_text(&analyzer, &mut vocab, text)?,
                    Pattern {
                        theme: theme_idx,
                        role: Role::Exclude,
                        entry: u32::MAX,
                        weight: 0.0,
                        exact: shape.exact().map(Into::into),
                    },
                );
            }
        }
        // Entries of several themes may analyse to the same text: one automaton pattern each.
        let mut distinct: HashMap<&str, u32> = HashMap::new();
        let mut unique: Vec<&str> = Vec::new();
        let mut groups: Vec<Vec<u32>> = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let g = *distinct.entry(t.as_str()).or_insert_with(|| {
                unique.push(t.as_str());
                groups.push(Vec::new());
                (unique.len() - 1) as u32
            });
            groups[g as usize].push(i as u32);
        }
        let automaton = if unique.is_empty() {
            None
        } else {
            Some(
                CharwiseDoubleArrayAhoCorasick::<u32>::new(&unique)
                    .map_err(|e| Error::Internal(format!("theme automaton: {e}")))?,
            )
        };
        let relaxed = unique
            .iter()
            .map(|t| t.chars().count() >= 2 && t.chars().all(is_cjk))
            .collect();
        let builtin = (taxonomy.settings.model == "builtin")
            .then(super::model::builtin)
            .flatten();
        let mut tagger = Tagger {
            model: None,
            gap_tokens: taxonomy.settings.gap_tokens,
            taxonomy,
            analyzer,
            automaton,
            groups,
            patterns,
            entries,
            prefixes: PrefixTrie::new(prefixes),
            vocab,
            relaxed,
        };
        if let Some(m) = builtin {
            tagger.set_model(m);
        }
        Ok(tagger)
    }

    /// Use `model` as the learned second signal (for the themes whose ids it knows) instead
    /// of the one the taxonomy names, e.g. to evaluate a freshly trained model.
    pub fn set_model(&mut self, model: Arc<Model>) {
        let cols = self
            .taxonomy
            .themes
            .iter()
            .map(|t| model.themes().iter().position(|id| *id == t.id))
            .collect();
        self.model = Some((model, cols));
    }

    /// The entry, as written in the taxonomy, of a [`Hit`].
    pub fn entry(&self, hit: &Hit) -> &str {
        &self.entries[hit.entry as usize]
    }

    /// The taxonomy this tagger was built from.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The analyzer it aligns to.
    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// The token stream the automaton runs over for an analysed text (for benchmarks).
    #[doc(hidden)]
    pub fn stream_text(&self, text: &str, tokens: &[Token]) -> String {
        STREAM.with_borrow_mut(|stream| {
            stream.build(text, tokens, |w| self.vocab.get(w));
            stream.text.clone()
        })
    }

    /// Run the automaton over a token stream, counting raw matches, without alignment,
    /// exclusions or scoring: the matching step alone (for benchmarks).
    #[doc(hidden)]
    pub fn scan_stream(&self, stream: &str) -> usize {
        self.automaton
            .as_ref()
            .map_or(0, |ac| ac.find_overlapping_iter(stream).count())
    }

    /// Tag a text (analyses it first).
    pub fn tag(&self, text: &str) -> Tagging {
        let tokens = self.analyzer.tokens(text);
        self.tag_tokens(text, &tokens)
    }

    /// Tag a text whose tokens the analyzer already produced (the indexer's path: nothing is
    /// segmented twice).
    pub fn tag_tokens(&self, text: &str, tokens: &[Token]) -> Tagging {
        self.tag_parts(&[(text, tokens)])
    }

    /// Tag a document made of several analysed parts (body, title) as one text: hits add up,
    /// rates use the tokens of all parts.
    pub fn tag_parts(&self, parts: &[(&str, &[Token])]) -> Tagging {
        let mut tagging = self.tag_parts_spans(parts);
        let texts: Vec<&str> = parts.iter().map(|p| p.0).collect();
        tagging.render_evidence(&texts);
        tagging
    }

    /// [`Tagger::tag_parts`] with evidence as ranges only, its text left empty (the indexer
    /// stores the ranges and renders them when a document is read back).
    pub fn tag_parts_spans(&self, parts: &[(&str, &[Token])]) -> Tagging {
        let n = self.taxonomy.themes.len();
        let mut hits: Vec<Vec<(Hit, usize)>> = vec![Vec::new(); n];
        let mut tokens = 0;
        for (i, (text, toks)) in parts.iter().enumerate() {
            let (part_hits, part_tokens) = self.raw_hits(text, toks);
            tokens += part_tokens;
            for (all, mine) in hits.iter_mut().zip(part_hits) {
                all.extend(mine.into_iter().map(|h| (h, i)));
            }
        }
        self.score(parts, tokens, hits)
    }

    /// Aligned hits per theme (before thresholds), and the token count.
    fn raw_hits(&self, text: &str, tokens: &[Token]) -> (Vec<Vec<Hit>>, u32) {
        STREAM.with_borrow_mut(|stream| {
            stream.build(text, tokens, |w| self.vocab.get(w));
            self.stream_hits(text, stream)
        })
    }

    /// [`Tagger::raw_hits`] on the stream of `text`.
    fn stream_hits(&self, text: &str, stream: &Stream) -> (Vec<Vec<Hit>>, u32) {
        let n = self.taxonomy.themes.len();
        // (theme, hit) in the order found; exclusions as (theme, original range).
        let mut hits: Vec<(u16, Hit)> = Vec::new();
        let mut excludes: Vec<(u16, usize, usize)> = Vec::new();
        // Gap sides: (gap id, side).
        let mut lefts: Vec<(u32, Side)> = Vec::new();
        let mut rights: Vec<(u32, Side, &Pattern)> = Vec::new();
        // Sentence number of a stream offset: newlines before it.
        let sentence_of = |at: usize| stream.breaks.partition_point(|&b| (b as usize) < at);
        if let Some(ac) = &self.automaton {
            for m in ac.find_overlapping_iter(stream.text.as_str()) {
                let group = m.value() as usize;
                // Both ends on token boundaries; a Chinese match of two or more characters
                // needs only one (jieba may glue its last character to the next word, as in
                // 主|播讲), which still keeps 价 out of 评价 and 假 out of 假期.
                let (sb, eb) = (
                    Stream::bit(&stream.start_bits, m.start()),
                    Stream::bit(&stream.end_bits, m.end()),
                );
                if !(sb && eb || (sb || eb) && self.relaxed[group]) {
                    continue;
                }
                let start = sb.then(|| stream.start(m.start()));
                let end = eb.then(|| stream.end(m.end()));
                let (Some((os, ts)), Some((oe, te))) = (match (start, end) {
                    (Some(a), Some(b)) => (Some(a), Some(b)),
                    (None, None) => continue,
                    (a, b) if self.relaxed[group] => (
                        a.or_else(|| stream.inside_cjk(text, m.start())),
                        b.or_else(|| stream.inside_cjk(text, m.end())),
                    ),
                    _ => continue,
                }) else {
                    continue;
                };
                let (os, oe) = (os as usize, oe as usize);
                let sentence = || sentence_of(m.start());
                for &pi in &self.groups[group] {
                    let p = &self.patterns[pi as usize];
                    if p.exact.as_deref().is_some_and(|x| x != &text[os..oe]) {
                        continue;
                    }
                    match p.role {
                        Role::Term => hits.push((
                            p.theme,
                            Hit {
                                entry: p.entry,
                                start: os,
                                end: oe,
                                weight: p.weight,
                            },
                        )),
                        Role::Exclude => excludes.push((p.theme, os, oe)),
                        Role::GapLeft(g) => lefts.push((
                            g,
                            Side {
                                start: os,
                                end: oe,
                                first: ts,
                                last: te,
                                sentence: sentence(),
                            },
                        )),
                        Role::GapRight(g) => rights.push((
                            g,
                            Side {
                                start: os,
                                end: oe,
                                first: ts,
                                last: te,
                                sentence: sentence(),
                            },
                            p,
                        )),
                    }
                }
            }
        }
        for (g, r, p) in rights {
            // The nearest left side before this right side, in the same sentence.
            if let Some((_, l)) = lefts
                .iter()
                .filter(|(lg, l)| {
                    *lg == g
                        && l.sentence == r.sentence
                        && l.last < r.first
                        && r.first - l.last <= self.gap_tokens + 1
                })
                .max_by_key(|(_, l)| l.last)
            {
                hits.push((
                    p.theme,
                    Hit {
                        entry: p.entry,
                        start: l.start,
                        end: r.end.max(l.end),
                        weight: p.weight,
                    },
                ));
            }
        }
        if !self.prefixes.is_empty() {
            for &(from, to) in &stream.words {
                let hit = |p: &Pattern| {
                    hits.push((
                        p.theme,
                        Hit {
                            entry: p.entry,
                            start: from,
                            end: to,
                            weight: p.weight,
                        },
                    ))
                };
                let surface = &text[from..to];
                if surface.is_ascii() {
                    let lower = surface.bytes().map(|b| b.to_ascii_lowercase());
                    self.prefixes.walk(lower, hit);
                } else {
                    let folded = normalize(surface).text().to_lowercase();
                    self.prefixes.walk(folded.bytes(), hit);
                }
            }
        }
        hits.retain(|(t, h)| {
            !excludes
                .iter()
                .any(|&(et, s, e)| et == *t && h.start < e && s < h.end)
        });
        // Overlapping hits of one theme count once: leftmost, then longest, wins (the sort is
        // stable: among equal ranges the first found).
        hits.sort_by(|a, b| {
            (a.0.cmp(&b.0))
                .then(a.1.start.cmp(&b.1.start))
                .then(b.1.end.cmp(&a.1.end))
        });
        let mut out: Vec<Vec<Hit>> = vec![Vec::new(); n];
        for (t, h) in hits {
            let kept = &mut out[t as usize];
            if kept.last().is_none_or(|k| h.start >= k.end) {
                kept.push(h);
            }
        }
        (out, stream.positions)
    }

    fn score(
        &self,
        parts: &[(&str, &[Token])],
        tokens: u32,
        hits: Vec<Vec<(Hit, usize)>>,
    ) -> Tagging {
        let s: &Settings = &self.taxonomy.settings;
        let votes = self.model_votes(parts);
        let mut themes = Vec::new();
        for (ti, (theme, hs)) in self.taxonomy.themes.iter().zip(hits).enumerate() {
            let vote = votes.as_ref().and_then(|v| v[ti].as_ref());
            if hs.is_empty() {
                if let Some(v) = vote.filter(|v| v.assigned) {
                    themes.push(ThemeResult {
                        id: theme.id.clone(),
                        hits: 0,
                        weighted: 0.0,
                        per_1000: 0.0,
                        assigned: true,
                        evidence: self
                            .model
                            .iter()
                            .map(|(m, _)| {
                                let (text, toks) = parts[v.part];
                                let r =
                                    best_sentence(m, v.column, text, v.best_chunk.clone(), toks);
                                Evidence {
                                    term: MODEL_TERM.into(),
                                    text: String::new(),
                                    part: v.part as u32,
                                    start: r.start,
                                    end: r.end,
                                    sentence: true,
                                }
                            })
                            .collect(),
                        model: Some(v.best),
                        all_hits: Vec::new(),
                    });
                }
                continue;
            }
            let weighted: f32 = hs.iter().map(|h| h.0.weight).sum();
            let per_1000 = per_1000(weighted, tokens);
            let min_hits = theme.min_hits.unwrap_or(s.min_hits);
            // The dictionary's verdict stands unless the model is all but sure the text is not
            // about the theme anywhere (a passing mention); the model alone may also assign.
            let assigned = weighted + 1e-4 >= min_hits
                && (tokens <= s.long_doc_tokens || per_1000 + 1e-4 >= s.min_per_1000)
                && !vote.is_some_and(|v| v.best < s.veto_for(tokens))
                || vote.is_some_and(|v| v.assigned);
            let evidence = hs
                .iter()
                .take(MAX_EVIDENCE)
                .map(|(h, part)| Evidence {
                    term: self.entries[h.entry as usize].clone(),
                    text: String::new(),
                    part: *part as u32,
                    start: h.start,
                    end: h.end,
                    sentence: false,
                })
                .collect();
            themes.push(ThemeResult {
                id: theme.id.clone(),
                hits: hs.len() as u32,
                weighted,
                per_1000,
                assigned,
                evidence,
                model: vote.map(|v| v.best),
                all_hits: hs.into_iter().map(|h| h.0).collect(),
            });
        }
        Tagging { tokens, themes }
    }

    /// The learned model's verdict per theme (None for themes it does not know): scored per
    /// chunk of every part; assigned when enough chunks reach the threshold.
    fn model_votes(&self, parts: &[(&str, &[Token])]) -> Option<Vec<Option<Vote>>> {
        let (model, cols) = self.model.as_ref()?;
        let chunks: Vec<(usize, Range<usize>, Vec<f32>)> = parts
            .iter()
            .enumerate()
            .flat_map(|(i, (text, toks))| {
                model
                    .predict_chunks(text, toks)
                    .into_iter()
                    .map(move |(r, p)| (i, r, p))
            })
            .collect();
        if chunks.is_empty() {
            return None;
        }
        let threshold = self.taxonomy.settings.model_threshold;
        let need = ((chunks.len() as f32 * MODEL_CHUNK_SHARE).ceil() as usize).max(1);
        Some(
            cols.iter()
                .map(|col| {
                    let c = (*col)?;
                    let (part, best_chunk, best) = chunks
                        .iter()
                        .map(|(part, r, p)| (*part, r, p[c]))
                        .max_by(|a, b| a.2.total_cmp(&b.2))?;
                    let passing = chunks.iter().filter(|(.., p)| p[c] >= threshold).count();
                    Some(Vote {
                        best,
                        assigned: passing >= need,
                        part,
                        best_chunk: best_chunk.clone(),
                        column: c,
                    })
                })
                .collect(),
        )
    }
}

/// What the learned model says of one theme in one document.
struct Vote {
    best: f32,
    assigned: bool,
    /// The part and byte range of the chunk with the best probability.
    part: usize,
    best_chunk: Range<usize>,
    column: usize,
}

/// The byte range of the sentence of `text[chunk]` the model scores highest for column `c`.
fn best_sentence(
    model: &Model,
    c: usize,
    text: &str,
    chunk: Range<usize>,
    tokens: &[Token],
) -> Range<usize> {
    let mut best: Option<(Range<usize>, f32)> = None;
    let mut at = chunk.start;
    for s in text[chunk.clone()].split_inclusive(['。', '！', '？', '!', '?', '.', '\n', '；', ';'])
    {
        let r = at..at + s.len();
        at = r.end;
        if s.trim().is_empty() {
            continue;
        }
        let p = model.predict_tokens(tokens_in(tokens, &r))[c];
        if best.as_ref().is_none_or(|b| p > b.1) {
            best = Some((r, p));
        }
    }
    best.map_or(chunk, |b| b.0)
}

/// Weighted hits per 1,000 tokens.
pub fn per_1000(weighted: f32, tokens: u32) -> f32 {
    weighted * 1000.0 / tokens.max(1) as f32
}

/// About `context` characters each side of `[start, end)`, not crossing a blank line, with
/// `…` where the text was cut.
pub fn window(text: &str, start: usize, end: usize, context: usize) -> String {
    let before = &text[..start];
    let mut from = start;
    for (n, (i, c)) in before.char_indices().rev().enumerate() {
        if n >= context || c == '\n' {
            break;
        }
        from = i;
    }
    let mut to = end;
    for (n, (i, c)) in text[end..].char_indices().enumerate() {
        if n >= context || c == '\n' {
            break;
        }
        to = end + i + c.len_utf8();
    }
    let mut out = String::new();
    if from > 0 && !text[..from].ends_with('\n') {
        out.push('…');
    }
    out.push_str(text[from..to].trim());
    if to < text.len() && !text[to..].starts_with('\n') {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn tagger(toml: &str) -> Tagger {
        let t = Taxonomy::from_toml(toml, Path::new("t.toml")).unwrap();
        Tagger::new(t, Analyzer::shared_default()).unwrap()
    }

    const T: &str = r#"
[[themes]]
id = "logistics"
label = { zh = "物流", en = "Logistics" }
zh = ["物流", "快递", "发货", "等了 ... 才到"]
en = ["shipping", "deliver*", "overseas warehouse", "took ... to arrive"]
[[themes]]
id = "counterfeit"
label = { zh = "假货", en = "Counterfeit" }
zh = ["假货", "假"]
en = ["fake"]
exclude = ["fake tan"]
[[themes]]
id = "after_sales"
label = { zh = "售后", en = "After-sales" }
zh = ["服务", "退款"]
en = ["refund"]
exclude = ["服务员"]
weights = { "服务" = 0.5 }
"#;

    fn ids(t: &Tagger, text: &str) -> Vec<String> {
        t.tag(text)
            .assigned()
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn chinese_hits_align_to_tokens() {
        let t = tagger(T);
        assert_eq!(
            ids(&t, "这次放假期间买的"),
            Vec::<String>::new(),
            "假 inside 假期 is no hit"
        );
        assert_eq!(ids(&t, "买到假货了"), vec!["counterfeit"]);
        assert_eq!(
            ids(&t, "快递员态度很好"),
            vec!["logistics"],
            "快递 is a piece of 快递员"
        );
        assert_eq!(
            ids(&t, "質量不錯，物流很快"),
            vec!["logistics"],
            "traditional folds"
        );
    }

    #[test]
    fn english_matches_stems_and_wildcards() {
        let t = tagger(T);
        assert_eq!(ids(&t, "They refunded me quickly"), vec!["after_sales"]);
        assert_eq!(ids(&t, "Delivered late"), vec!["logistics"]);
        assert_eq!(
            ids(&t, "more overseas warehouses this year"),
            vec!["logistics"]
        );
        assert_eq!(ids(&t, "warehouses overseas"), Vec::<String>::new());
    }

    #[test]
    fn exact_entries_match_only_as_written() {
        // "ups" stems to "up": a plain entry would match every "give up".
        let t = tagger(
            r#"
[[themes]]
id = "logistics"
label = { zh = "物流", en = "Logistics" }
en = ["=UPS", "=Royal Mail"]
exclude = ["=UPS Store"]
"#,
        );
        assert_eq!(ids(&t, "Sent it with UPS."), vec!["logistics"]);
        assert_eq!(ids(&t, "It came by Royal Mail"), vec!["logistics"]);
        for no in [
            "I gave up on it",
            "ups and downs",
            "it came by royal mail",
            "dropped it at the UPS Store",
        ] {
            assert_eq!(ids(&t, no), Vec::<String>::new(), "{no}");
        }
    }

    #[test]
    fn exclusions_and_weights() {
        let t = tagger(T);
        assert_eq!(ids(&t, "I love this fake tan lotion"), Vec::<String>::new());
        assert_eq!(ids(&t, "酒店服务员很热情"), Vec::<String>::new());
        assert_eq!(
            ids(&t, "服务一般"),
            Vec::<String>::new(),
            "weight 0.5 is below the threshold"
        );
        assert_eq!(ids(&t, "服务一般，退款很慢"), vec!["after_sales"]);
    }

    #[test]
    fn gaps_stay_in_one_sentence() {
        let t = tagger(T);
        assert_eq!(ids(&t, "等了一个多星期才到"), vec!["logistics"]);
        assert_eq!(ids(&t, "等了很久。后来才到店里"), Vec::<String>::new());
        assert_eq!(
            ids(&t, "It took three whole weeks to arrive"),
            vec!["logistics"]
        );
        // A one-character break (a title's newline, a full stop without a space) ends the
        // sentence too.
        assert_eq!(
            ids(&t, "It took\nthree weeks to arrive"),
            Vec::<String>::new()
        );
        assert_eq!(
            ids(&t, "It took.Three weeks to arrive"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn words_outside_the_entries_stay_apart() {
        let t = tagger(T);
        // Every word no entry contains becomes the same private-use character; it must not
        // join or stand in for an entry's words.
        assert_eq!(ids(&t, "overseas big warehouse"), Vec::<String>::new());
        assert_eq!(ids(&t, "zebra giraffe fake"), vec!["counterfeit"]);
        assert_eq!(ids(&t, "ＦＡＫＥ"), vec!["counterfeit"], "full-width folds");
        assert_eq!(
            ids(&t, "DELIVERIES"),
            vec!["logistics"],
            "wildcards ignore case"
        );
        assert_eq!(
            ids(&t, "ｄｅｌｉｖｅｒｙ"),
            vec!["logistics"],
            "a full-width surface folds before the wildcard"
        );
    }

    #[test]
    fn evidence_shows_the_context() {
        let t = tagger(T);
        let text = "第一段无关。\n\n卖家发货太慢了，等了一周。";
        let tag = t.tag(text);
        let l = &tag.themes[0];
        assert_eq!(l.id, "logistics");
        assert_eq!(l.evidence[0].term, "发货");
        assert_eq!(l.evidence[0].text, "卖家发货太慢了，等了一周。");
        let long = "x ".repeat(100) + "shipping" + &" y".repeat(100);
        let w = &t.tag(&long).themes[0].evidence[0].text;
        assert!(
            w.starts_with('…') && w.ends_with('…') && w.contains("shipping"),
            "{w}"
        );
    }

    #[test]
    fn the_model_vetoes_passing_mentions() {
        use super::super::model::{Model, TrainOptions};
        let analyzer = Analyzer::shared_default();
        // A toy model: parcels and couriers are logistics, copies and knock-offs counterfeit.
        let texts = [
            "the parcel took two weeks to arrive",
            "courier lost my parcel",
            "shipping was slow and the box was crushed",
            "delivery came late again",
            "the logo is a copy, a knock-off bag",
            "counterfeit perfume, smells wrong",
            "not genuine, fake stitching on the logo",
            "knock-off sneakers, the sole is glued",
        ];
        let labels: Vec<Vec<usize>> = (0..texts.len())
            .map(|i| if i < 4 { vec![0] } else { vec![1] })
            .collect();
        let opts = TrainOptions {
            min_df: 1,
            ..TrainOptions::default()
        };
        let model = Arc::new(
            Model::train(
                vec!["logistics".into(), "counterfeit".into()],
                &analyzer,
                &texts,
                &labels,
                &opts,
            )
            .unwrap(),
        );
        let with_veto = |veto: f32| {
            let mut tax = Taxonomy::from_toml(T, Path::new("t.toml")).unwrap();
            tax.settings.model_veto = veto;
            tax.settings.model_threshold = 0.99;
            let mut t = Tagger::new(tax, analyzer.clone()).unwrap();
            t.set_model(model.clone());
            t
        };
        let text = "The courier was late and the parcel took ages to arrive, fake tracking updates";
        let p = model.predict(&analyzer, text);
        assert!(p[1] < 0.3, "{p:?}");
        assert_eq!(ids(&with_veto(0.0), text), vec!["logistics", "counterfeit"]);
        assert_eq!(ids(&with_veto(0.3), text), vec!["logistics"]);
        // The veto never touches a theme the model does not know.
        assert_eq!(ids(&with_veto(0.3), "退款很慢"), vec!["after_sales"]);
        // Past model_veto_long_tokens tokens the long-text veto applies instead.
        let mut long = with_veto(0.0);
        long.taxonomy.settings.model_veto_long = 0.3;
        long.taxonomy.settings.model_veto_long_tokens = 20;
        assert_eq!(ids(&long, text), vec!["logistics", "counterfeit"]);
        let longer = format!("{text}. {text}");
        assert_eq!(ids(&long, &longer), vec!["logistics"]);
    }

    #[test]
    fn long_documents_need_density() {
        let t = tagger(T);
        let filler = "the weather was nice and the team met to talk about plans. ".repeat(60);
        let text = format!("{filler} shipping");
        let tag = t.tag(&text);
        assert!(tag.tokens > 400);
        assert_eq!(tag.themes[0].hits, 1);
        assert!(
            !tag.themes[0].assigned,
            "one passing mention in a long article"
        );
    }
}
