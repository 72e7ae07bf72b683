//! The learned second signal: one logistic regression per theme over hashed token and character n-grams, trained on labelled texts, for the implicit mentions a dictionary misses.
//!
//! Features come from the analyzer's tokens, so a document analysed once for the index is
//! scored without reading its text again: every token's term (words, their dictionary pieces,
//! English stems), every pair of consecutive words, and the character unigrams and bigrams of
//! each run of Chinese words (robust to segmentation). They are hashed into 2^16 buckets and
//! weighted by sublinear tf-idf with L2 normalisation. Training minimises the class-balanced
//! logistic loss with a light L2 penalty (full-batch Adam, deterministic). Long texts are
//! scored in chunks of about [`CHUNK_CHARS`] characters, the size of the texts the model
//! learns from.

use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use crate::analyze::{Analyzer, Token, is_cjk};
use crate::error::{Error, Result};

/// Hash buckets: 2^16.
pub const BUCKET_BITS: u32 = 16;
/// Texts longer than this are scored in chunks of about this many characters.
pub const CHUNK_CHARS: usize = 300;
const MAGIC: &[u8; 4] = b"STM3";
/// The magic bytes of earlier models with other features: character n-grams of the folded
/// text (STM1), and character trigrams besides (STM2).
const OLD_MAGICS: [&[u8; 4]; 2] = [b"STM1", b"STM2"];
/// The model shipped with the default taxonomy (`shoptalk themes train`, see ARCHITECTURE.md).
static BUILTIN: &[u8] = include_bytes!("model.bin");

/// The shipped model, loaded once; `None` when the binary was built without one.
pub fn builtin() -> Option<std::sync::Arc<Model>> {
    static MODEL: std::sync::OnceLock<Option<std::sync::Arc<Model>>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            (!BUILTIN.is_empty()).then(|| {
                std::sync::Arc::new(
                    Model::from_bytes(BUILTIN, Path::new("model.bin"))
                        .expect("the built-in theme model is valid"),
                )
            })
        })
        .clone()
}
const NO_ROW: u16 = u16::MAX;
/// Most feature rows a model keeps (row numbers are 16 bits).
const MAX_ROWS: usize = NO_ROW as usize;

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Inverse regularisation strength (as in liblinear/scikit-learn `C`).
    pub c: f32,
    /// Full-batch optimisation steps.
    pub iterations: usize,
    /// Features must occur in at least this many texts.
    pub min_df: u32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            c: 10.0,
            iterations: 400,
            min_df: 2,
        }
    }
}

/// A trained model: per feature row its idf and one weight per theme.
#[derive(Debug, Clone)]
pub struct Model {
    themes: Vec<String>,
    /// Bucket -> row, or `NO_ROW`.
    slot: Vec<u16>,
    /// Bucket of each row (for saving).
    buckets: Vec<u32>,
    idf: Vec<f32>,
    /// Row-major, quantised to 16 bits: `weights[row * themes + t] * scales[t]` (as in the
    /// file; small enough to stay in a core's cache).
    weights: Vec<i16>,
    /// Per theme column.
    scales: Vec<f32>,
    bias: Vec<f32>,
}

const K: u64 = 0x517c_c1b7_2722_0a95;

fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(K)
}

fn bucket(h: u64) -> u32 {
    (h >> (64 - BUCKET_BITS)) as u32
}

/// Call `f` with the hash bucket of every feature of an analysed text (see the module
/// documentation), in one pass over its tokens.
fn features(tokens: &[Token], mut f: impl FnMut(u32)) {
    // The current word (primary token): its end offset and term hash; pieces start before it.
    let mut word: Option<(usize, u64)> = None;
    // The Chinese run so far: its end offset and last character (0: none).
    let (mut run_end, mut c1) = (usize::MAX, 0u64);
    for t in tokens {
        let h = xxhash_rust::xxh3::xxh3_64(t.text.as_bytes());
        f(bucket(mix(1, h)));
        if word.is_some_and(|(end, _)| t.offset_from < end) {
            continue;
        }
        if let Some((_, prev)) = word {
            f(bucket(mix(mix(2, prev), h)));
        }
        word = Some((t.offset_to, h));
        if !t.text.chars().next().is_some_and(is_cjk) {
            run_end = usize::MAX;
            continue;
        }
        if t.offset_from != run_end {
            c1 = 0;
        }
        for c in t.text.chars() {
            let c = c as u64;
            f(bucket(mix(3, c)));
            if c1 != 0 {
                f(bucket(mix(mix(4, c1), c)));
            }
            c1 = c;
        }
        run_end = t.offset_to;
    }
}

/// Reusable buffers for scoring: term frequencies per model row (all zero between uses), and
/// the rows seen.
#[derive(Default)]
struct Scratch {
    tf: Vec<u16>,
    seen: Vec<u16>,
}

thread_local! {
    /// One scratch per thread, so scoring a text allocates nothing per row.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Run-length counts of sorted values: (value, count).
fn counts(sorted: &[u32]) -> impl Iterator<Item = (u32, u32)> + '_ {
    sorted
        .chunk_by(|a, b| a == b)
        .map(|r| (r[0], r.len() as u32))
}

/// Sublinear term frequency: 1 + ln(tf).
fn sublinear(tf: u32) -> f32 {
    if tf == 1 { 1.0 } else { 1.0 + (tf as f32).ln() }
}

/// Split a text into pieces of about `CHUNK_CHARS` characters at sentence or line ends.
#[cfg(test)]
fn chunks(text: &str) -> Vec<&str> {
    chunk_ranges(text).into_iter().map(|r| &text[r]).collect()
}

/// The byte ranges of pieces of about `CHUNK_CHARS` characters, cut at sentence or line ends.
fn chunk_ranges(text: &str) -> Vec<Range<usize>> {
    // Bytes, not chars: a character starts at every byte that is not a continuation byte.
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut chars, mut last_end) = (0usize, 0usize, None);
    let mut i = 0;
    while i < bytes.len() {
        let end = (i + utf8_len(bytes[i])).min(bytes.len());
        chars += 1;
        if ends_sentence(&bytes[i..end]) {
            last_end = Some(end);
        }
        if chars >= CHUNK_CHARS {
            let cut = last_end.filter(|&e| e > start).unwrap_or(end);
            if !text[start..cut].trim().is_empty() {
                out.push(start..cut);
            }
            chars = char_count(&bytes[cut..end]);
            start = cut;
            last_end = None;
        }
        i = end;
    }
    if !text[start..].trim().is_empty() {
        out.push(start..text.len());
    }
    out
}

/// The length of the UTF-8 sequence a lead byte starts.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0..0xc0 => 1,
        0xc0..0xe0 => 2,
        0xe0..0xf0 => 3,
        _ => 4,
    }
}

/// Characters in UTF-8 bytes.
fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xc0 != 0x80).count()
}

/// Whether one character's bytes end a sentence: 。！？；!?.;\n
fn ends_sentence(c: &[u8]) -> bool {
    match c {
        [b] => matches!(b, b'!' | b'?' | b'.' | b'\n' | b';'),
        [0xe3, 0x80, 0x82] | [0xef, 0xbc, 0x81 | 0x9f | 0x9b] => true,
        _ => false,
    }
}

/// The tokens of `tokens` (sorted by start) that start inside `range`.
pub(crate) fn tokens_in<'a>(tokens: &'a [Token], range: &Range<usize>) -> &'a [Token] {
    let from = tokens.partition_point(|t| t.offset_from < range.start);
    let to = from + tokens[from..].partition_point(|t| t.offset_from < range.end);
    &tokens[from..to]
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl Model {
    /// Theme ids, in column order.
    pub fn themes(&self) -> &[String] {
        &self.themes
    }

    /// Logits per theme (column order) of one short analysed text, into `z`.
    fn logits(&self, tokens: &[Token], scratch: &mut Scratch, z: &mut Vec<f32>) {
        let k = self.themes.len();
        scratch.tf.resize(self.buckets.len(), 0);
        let Scratch { tf, seen } = scratch;
        features(tokens, |b| {
            let row = self.slot[b as usize];
            if row != NO_ROW {
                let t = &mut tf[row as usize];
                if *t == 0 {
                    seen.push(row);
                }
                *t = t.saturating_add(1);
            }
        });
        z.clear();
        z.resize(k, 0.0);
        let mut norm = 0.0f32;
        for row in seen.drain(..) {
            let row = row as usize;
            let v = sublinear(std::mem::take(&mut tf[row]) as u32) * self.idf[row];
            norm += v * v;
            for (zt, &wt) in z.iter_mut().zip(&self.weights[row * k..(row + 1) * k]) {
                *zt += v * f32::from(wt);
            }
        }
        // The features are L2-normalised: scale the dot products instead.
        let scale = if norm > 0.0 { 1.0 / norm.sqrt() } else { 0.0 };
        for ((zt, b), q) in z.iter_mut().zip(&self.bias).zip(&self.scales) {
            *zt = *zt * q * scale + b;
        }
    }

    /// Probability per theme (column order) of one short text, analysed by `analyzer`.
    pub fn predict(&self, analyzer: &Analyzer, text: &str) -> Vec<f32> {
        self.predict_tokens(&analyzer.tokens(text))
    }

    /// Probability per theme (column order) of one short analysed text.
    pub fn predict_tokens(&self, tokens: &[Token]) -> Vec<f32> {
        SCRATCH.with_borrow_mut(|scratch| self.predict_with(tokens, scratch))
    }

    fn predict_with(&self, tokens: &[Token], scratch: &mut Scratch) -> Vec<f32> {
        let mut z = Vec::new();
        self.logits(tokens, scratch, &mut z);
        z.into_iter().map(sigmoid).collect()
    }

    /// Probabilities per chunk of an analysed text (see [`chunk_ranges`]): one row per chunk, with
    /// its byte range.
    pub fn predict_chunks(&self, text: &str, tokens: &[Token]) -> Vec<(Range<usize>, Vec<f32>)> {
        SCRATCH.with_borrow_mut(|scratch| {
            if text.len() <= CHUNK_CHARS || char_count(text.as_bytes()) <= CHUNK_CHARS {
                if text.trim().is_empty() {
                    return Vec::new();
                }
                return vec![(0..text.len(), self.predict_with(tokens, scratch))];
            }
            chunk_ranges(text)
                .into_iter()
                .map(|r| {
                    let p = self.predict_with(tokens_in(tokens, &r), scratch);
                    (r, p)
                })
                .collect()
        })
    }

    /// Train on labelled texts, analysed by `analyzer`: `labels[i]` holds the column indices
    /// of text `i`'s themes.
    pub fn train(
        themes: Vec<String>,
        analyzer: &Analyzer,
        texts: &[&str],
        labels: &[Vec<usize>],
        opts: &TrainOptions,
    ) -> Result<Model> {
        let n = texts.len();
        if n == 0 {
            return Err(Error::invalid("no labelled texts to train on"));
        }
        let k = themes.len();
        let docs: Vec<Vec<(u32, u32)>> = texts
            .par_iter()
            .map(|t| {
                let mut s = Vec::new();
                features(&analyzer.tokens(t), |b| s.push(b));
                s.sort_unstable();
                counts(&s).collect()
            })
            .collect();
        let mut df = vec![0u32; 1 << BUCKET_BITS];
        for d in &docs {
            for &(b, _) in d {
                df[b as usize] += 1;
            }
        }
        // Features seen in at least min_df texts; the most frequent when there are too many.
        let mut kept: Vec<u32> = (0..df.len() as u32)
            .filter(|&b| df[b as usize] >= opts.min_df)
            .collect();
        if kept.len() > MAX_ROWS {
            kept.sort_by_key(|&b| std::cmp::Reverse(df[b as usize]));
            kept.truncate(MAX_ROWS);
            kept.sort_unstable();
        }
        let mut slot = vec![NO_ROW; 1 << BUCKET_BITS];
        let mut buckets_of = Vec::with_capacity(kept.len());
        let mut idf = Vec::with_capacity(kept.len());
        for b in kept {
            slot[b as usize] = buckets_of.len() as u16;
            buckets_of.push(b);
            idf.push(((1.0 + n as f32) / (1.0 + df[b as usize] as f32)).ln() + 1.0);
        }
        let rows = buckets_of.len();
        let mut model = Model {
            themes,
            slot,
            buckets: buckets_of,
            idf,
            weights: vec![0; rows * k],
            scales: vec![1.0; k],
            bias: vec![0.0; k],
        };
        // The design matrix, rows L2-normalised.
        let x: Vec<Vec<(u32, f32)>> = docs
            .iter()
            .map(|d| {
                let mut f: Vec<(u32, f32)> = d
                    .iter()
                    .filter_map(|&(b, c)| {
                        let row = model.slot[b as usize];
                        (row != NO_ROW)
                            .then(|| (row as u32, sublinear(c) * model.idf[row as usize]))
                    })
                    .collect();
                let norm = f.iter().map(|v| v.1 * v.1).sum::<f32>().sqrt();
                if norm > 0.0 {
                    f.iter_mut().for_each(|v| v.1 /= norm);
                }
                f
            })
            .collect();
        let columns: Vec<(Vec<f32>, f32)> = (0..k)
            .into_par_iter()
            .map(|t| {
                let y: Vec<bool> = labels.iter().map(|l| l.contains(&t)).collect();
                fit_one(&x, &y, rows, opts)
            })
            .collect();
        // Quantise each column to 16 bits, as it is saved: a trained model scores exactly like
        // the same model read back.
        for (t, (w, b)) in columns.into_iter().enumerate() {
            let max = w.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
            for (r, v) in w.into_iter().enumerate() {
                model.weights[r * k + t] = (v / scale).round() as i16;
            }
            model.scales[t] = scale;
            model.bias[t] = b;
        }
        Ok(model)
    }

    /// Serialise (little-endian; weights quantised to 16 bits per theme column).
    pub fn to_bytes(&self) -> Vec<u8> {
        let k = self.themes.len();
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&BUCKET_BITS.to_le_bytes());
        out.extend_from_slice(&(k as u32).to_le_bytes());
        for t in &self.themes {
            out.extend_from_slice(&(t.len() as u32).to_le_bytes());
            out.extend_from_slice(t.as_bytes());
        }
        for (b, scale) in self.bias.iter().zip(&self.scales) {
            out.extend_from_slice(&b.to_le_bytes());
            out.extend_from_slice(&scale.to_le_bytes());
        }
        out.extend_from_slice(&(self.buckets.len() as u32).to_le_bytes());
        for (r, &b) in self.buckets.iter().enumerate() {
            out.extend_from_slice(&b.to_le_bytes());
            out.extend_from_slice(&self.idf[r].to_le_bytes());
            for q in &self.weights[r * k..(r + 1) * k] {
                out.extend_from_slice(&q.to_le_bytes());
            }
        }
        out
    }

    /// Read a model written by [`Model::to_bytes`]; `path` names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Model> {
        let bad = |what: &str| Error::bad_file(path, format!("not a shoptalk theme model: {what}"));
        let mut at = 0usize;
        let mut take = |n: usize| -> Result<&[u8]> {
            let s = bytes.get(at..at + n).ok_or_else(|| bad("truncated"))?;
            at += n;
            Ok(s)
        };
        match take(4)? {
            m if m == MAGIC => {}
            m if OLD_MAGICS.iter().any(|o| m == *o) => {
                return Err(bad(
                    "an older format (other features); retrain it with `shoptalk themes train`",
                ));
            }
            _ => return Err(bad("wrong magic bytes")),
        }
        let u32_of = |s: &[u8]| u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
        let f32_of = |s: &[u8]| f32::from_le_bytes([s[0], s[1], s[2], s[3]]);
        if u32_of(take(4)?) != BUCKET_BITS {
            return Err(bad("different hash size"));
        }
        let k = u32_of(take(4)?) as usize;
        if k == 0 || k > 10_000 {
            return Err(bad("theme count out of range"));
        }
        let mut themes = Vec::with_capacity(k);
        for _ in 0..k {
            let len = u32_of(take(4)?) as usize;
            let s = std::str::from_utf8(take(len)?).map_err(|_| bad("theme id is not UTF-8"))?;
            themes.push(s.to_string());
        }
        let mut bias = Vec::with_capacity(k);
        let mut scales = Vec::with_capacity(k);
        for _ in 0..k {
            bias.push(f32_of(take(4)?));
            scales.push(f32_of(take(4)?));
        }
        let rows = u32_of(take(4)?) as usize;
        if rows > MAX_ROWS {
            return Err(bad("row count out of range"));
        }
        let mut slot = vec![NO_ROW; 1 << BUCKET_BITS];
        let mut buckets = Vec::with_capacity(rows);
        let mut idf = Vec::with_capacity(rows);
        let mut weights = Vec::with_capacity(rows * k);
        for r in 0..rows {
            let b = u32_of(take(4)?);
            if b as usize >= slot.len() {
                return Err(bad("bucket out of range"));
            }
            slot[b as usize] = r as u16;
            buckets.push(b);
            idf.push(f32_of(take(4)?));
            let ws = take(2 * k)?;
            for q in ws.chunks_exact(2) {
                weights.push(i16::from_le_bytes([q[0], q[1]]));
            }
        }
        if at != bytes.len() {
            return Err(bad("trailing bytes"));
        }
        Ok(Model {
            themes,
            slot,
            buckets,
            idf,
            weights,
            scales,
            bias,
        })
    }
}

/// Fit one binary logistic regression: class-balanced log loss + L2 (1 / (2 C n)), Adam.
fn fit_one(x: &[Vec<(u32, f32)>], y: &[bool], rows: usize, opts: &TrainOptions) -> (Vec<f32>, f32) {
    let n = x.len() as f32;
    let pos = y.iter().filter(|&&v| v).count() as f32;
    let (wp, wn) = if pos == 0.0 || pos == n {
        (1.0, 1.0)
    } else {
        (n / (2.0 * pos), n / (2.0 * (n - pos)))
    };
    let lambda = 1.0 / (opts.c * n);
    let mut w = vec![0.0f32; rows];
    let mut b = 0.0f32;
    let (mut m, mut v) = (vec![0.0f32; rows], vec![0.0f32; rows]);
    let (mut mb, mut vb) = (0.0f32, 0.0f32);
    let (lr, b1, b2, eps) = (0.05f32, 0.9f32, 0.999f32, 1e-8f32);
    let mut g = vec![0.0f32; rows];
    for step in 1..=opts.iterations {
        g.iter_mut().zip(&w).for_each(|(gi, wi)| *gi = lambda * wi);
        let mut gb = 0.0f32;
        for (xi, &yi) in x.iter().zip(y) {
            let z = b + xi.iter().map(|&(r, val)| w[r as usize] * val).sum::<f32>();
            let p = sigmoid(z);
            let (target, weight) = if yi { (1.0, wp) } else { (0.0, wn) };
            let d = weight * (p - target) / n;
            gb += d;
            for &(r, val) in xi {
                g[r as usize] += d * val;
            }
        }
        let (c1, c2) = (1.0 - b1.powi(step as i32), 1.0 - b2.powi(step as i32));
        for i in 0..rows {
            m[i] = b1 * m[i] + (1.0 - b1) * g[i];
            v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
            w[i] -= lr * (m[i] / c1) / ((v[i] / c2).sqrt() + eps);
        }
        mb = b1 * mb + (1.0 - b1) * gb;
        vb = b2 * vb + (1.0 - b2) * gb * gb;
        b -= lr * (mb / c1) / ((vb / c2).sqrt() + eps);
    }
    (w, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Model {
        let texts = [
            "快递三天才到",
            "物流太慢了，等了一周",
            "发货很快，第二天就到了",
            "the parcel arrived late",
            "shipping took two weeks",
            "衣服质量很好",
            "做工粗糙，线头很多",
            "the fabric feels cheap",
            "great quality, sturdy",
            "屏幕很清晰，做工不错",
        ];
        let labels: Vec<Vec<usize>> = (0..texts.len())
            .map(|i| if i < 5 { vec![0] } else { vec![1] })
            .collect();
        Model::train(
            vec!["logistics".into(), "quality".into()],
            &Analyzer::shared_default(),
            &texts,
            &labels,
            &TrainOptions {
                min_df: 1,
                ..TrainOptions::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn learns_and_round_trips() {
        let m = toy();
        let an = Analyzer::shared_default();
        let p = m.predict(&an, "物流好慢，快递一周才到");
        assert!(p[0] > 0.5 && p[1] < 0.5, "{p:?}");
        let p = m.predict(&an, "做工很粗糙");
        assert!(p[1] > 0.5 && p[0] < 0.5, "{p:?}");
        let back = Model::from_bytes(&m.to_bytes(), Path::new("m.bin")).unwrap();
        assert_eq!(back.themes(), m.themes());
        let (a, b) = (
            m.predict(&an, "shipping was slow"),
            back.predict(&an, "shipping was slow"),
        );
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-3, "{a:?} {b:?}");
        }
    }

    #[test]
    fn bad_model_files_are_user_errors() {
        let bytes = toy().to_bytes();
        for cut in [0, 3, 10, bytes.len() - 1] {
            let e = Model::from_bytes(&bytes[..cut], Path::new("m.bin")).unwrap_err();
            assert!(e.to_string().contains("m.bin"), "{e}");
        }
        let mut more = bytes.clone();
        more.push(0);
        assert!(Model::from_bytes(&more, Path::new("m.bin")).is_err());
        for magic in OLD_MAGICS {
            let mut old = bytes.clone();
            old[..4].copy_from_slice(magic);
            let e = Model::from_bytes(&old, Path::new("m.bin")).unwrap_err();
            assert!(e.to_string().contains("retrain"), "{e}");
        }
    }

    #[test]
    fn features_follow_tokens_not_spelling() {
        let an = Analyzer::shared_default();
        let feats = |text: &str| {
            let mut v = Vec::new();
            features(&an.tokens(text), |b| v.push(b));
            v.sort_unstable();
            v
        };
        // Folding and stemming happen before hashing: these analyse to the same tokens.
        assert_eq!(feats("質量很好"), feats("质量很好"));
        assert_eq!(feats("Refunds ARRIVED"), feats("refund arrived"));
        // Words, word pairs and the Chinese characters' unigrams and bigrams: 质量|很|好 gives
        // 3 + 2 + (4 + 3).
        assert_eq!(feats("质量很好").len(), 12);
        // A chunked text scores each chunk on its own tokens.
        let m = toy();
        let long = "物流很慢，快递一周才到。".repeat(40);
        let rows = m.predict_chunks(&long, &an.tokens(&long));
        assert!(rows.len() > 1);
        assert!(rows.iter().all(|(_, p)| p[0] > 0.5), "{rows:?}");
    }

    /// The character-by-character definition [`chunk_ranges`] implements on bytes.
    fn chunk_ranges_by_chars(text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let (mut start, mut chars, mut last_end) = (0, 0, None);
        for (i, c) in text.char_indices() {
            chars += 1;
            let end = i + c.len_utf8();
            if matches!(c, '。' | '！' | '？' | '!' | '?' | '.' | '\n' | '；' | ';') {
                last_end = Some(end);
            }
            if chars >= CHUNK_CHARS {
                let cut = last_end.filter(|&e| e > start).unwrap_or(end);
                if !text[start..cut].trim().is_empty() {
                    out.push(start..cut);
                }
                chars = text[cut..end].chars().count();
                start = cut;
                last_end = None;
            }
        }
        if !text[start..].trim().is_empty() {
            out.push(start..text.len());
        }
        out
    }

    #[test]
    fn byte_chunking_matches_the_character_definition() {
        let pieces = [
            "物流很慢。",
            "质量不错！",
            "真的吗？",
            "好；",
            "ok. ",
            "Fast!",
            "why?",
            "a;b",
            "\n",
            "普通的文字没有标点",
            "plain words without an end ",
            "é",
            "👍",
            "。。",
            " ",
        ];
        let mut seed = 7u64;
        for _ in 0..300 {
            let mut text = String::new();
            let n = (seed % 400) as usize;
            for _ in 0..n {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            assert_eq!(
                chunk_ranges(&text),
                chunk_ranges_by_chars(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn chunks_cut_long_texts_at_sentence_ends() {
        let s = "物流很慢。".repeat(200);
        let cs = chunks(&s);
        assert!(cs.len() > 2);
        assert_eq!(cs.concat(), s);
        assert!(cs.iter().all(|c| c.ends_with('。')));
        assert_eq!(chunks("short text"), vec!["short text"]);
        assert!(chunks("   ").is_empty());
    }
}
