//! The index schema, kept in one place: every field, its options, and how a document fills it.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{DateTime, TantivyDocument};

use crate::analyze::{Analyzer, TOKENIZER_NAME, Token};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::themes::{Evidence, Tagger, Tagging, ThemeResult};

/// Field names, as used in queries (`site:example.com`, `title:物流`).
pub mod names {
    pub const ID: &str = "id";
    pub const URL: &str = "url";
    pub const SITE: &str = "site";
    pub const KIND: &str = "kind";
    pub const LANG: &str = "lang";
    pub const TITLE: &str = "title";
    pub const BODY: &str = "body";
    pub const AUTHOR: &str = "author";
    pub const PRODUCT: &str = "product";
    pub const PUBLISHED: &str = "published";
    pub const RATING: &str = "rating";
    pub const TOKENS: &str = "tokens";
    pub const DOC: &str = "doc";
    pub const THEMES: &str = "theme";
    pub const TAGS: &str = "tags";
    pub const THEME_CODES: &str = "theme_codes";
}

/// How `theme_codes` packs one theme of one document into a u64: the theme's position in the
/// index's taxonomy, whether it is assigned, and its hits.
pub mod theme_code {
    /// Pack a theme position, its assignment and its hits.
    pub fn pack(position: usize, assigned: bool, hits: u32) -> u64 {
        ((position as u64) << 33) | (u64::from(assigned) << 32) | u64::from(hits)
    }
    /// The taxonomy position of a code.
    pub fn position(code: u64) -> usize {
        (code >> 33) as usize
    }
    /// Whether the theme is assigned.
    pub fn assigned(code: u64) -> bool {
        code & (1 << 32) != 0
    }
    /// The theme's hits in the document.
    pub fn hits(code: u64) -> u32 {
        code as u32
    }
}

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Document id: exact, stored, fast (upserts delete by it).
    pub id: Field,
    /// Canonical URL, exact.
    pub url: Field,
    /// Site host name, exact and fast (grouping).
    pub site: Field,
    /// `article` or `review`, exact and fast.
    pub kind: Field,
    /// Language code, exact and fast.
    pub lang: Field,
    /// Title, analysed with positions.
    pub title: Field,
    /// Main text, analysed with positions.
    pub body: Field,
    /// Author, analysed.
    pub author: Field,
    /// Product, analysed.
    pub product: Field,
    /// Publication time, indexed and fast (seconds).
    pub published: Field,
    /// Review rating, indexed and fast.
    pub rating: Field,
    /// Number of tokens in title and body, fast (rates per 1,000 tokens).
    pub tokens: Field,
    /// The whole corpus document as JSON, stored (results and re-tagging read it back).
    pub doc: Field,
    /// Assigned theme ids, exact and fast (filters and counts).
    pub themes: Field,
    /// The tagging as JSON, stored, with evidence as byte ranges into the body (part 0) and
    /// title (part 1): read back with [`super::ShopIndex::stored_tagging`], which renders it.
    pub tags: Field,
    /// One u64 per theme with a hit ([`theme_code`]: taxonomy position, assigned, hits),
    /// multi-valued fast: exports aggregate it in one column read per document.
    pub theme_codes: Field,
}

fn analysed(positions: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(record),
    )
}

/// The schema of every shoptalk index.
pub fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field(names::ID, STRING | STORED | FAST);
    b.add_text_field(names::URL, STRING);
    b.add_text_field(names::SITE, STRING | FAST);
    b.add_text_field(names::KIND, STRING | FAST);
    b.add_text_field(names::LANG, STRING | FAST);
    b.add_text_field(names::TITLE, analysed(true));
    b.add_text_field(names::BODY, analysed(true));
    b.add_text_field(names::AUTHOR, analysed(false));
    b.add_text_field(names::PRODUCT, analysed(true));
    b.add_date_field(
        names::PUBLISHED,
        DateOptions::from(INDEXED)
            .set_fast()
            .set_precision(DateTimePrecision::Seconds),
    );
    b.add_f64_field(names::RATING, INDEXED | FAST);
    b.add_u64_field(names::TOKENS, FAST);
    b.add_text_field(names::DOC, STORED);
    b.add_text_field(names::THEMES, STRING | FAST);
    b.add_bytes_field(names::TAGS, STORED);
    b.add_u64_field(names::THEME_CODES, FAST);
    b.build()
}

impl Fields {
    /// Look up every field in `schema`.
    pub fn new(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |n: &str| schema.get_field(n);
        Ok(Fields {
            id: f(names::ID)?,
            url: f(names::URL)?,
            site: f(names::SITE)?,
            kind: f(names::KIND)?,
            lang: f(names::LANG)?,
            title: f(names::TITLE)?,
            body: f(names::BODY)?,
            author: f(names::AUTHOR)?,
            product: f(names::PRODUCT)?,
            published: f(names::PUBLISHED)?,
            rating: f(names::RATING)?,
            tokens: f(names::TOKENS)?,
            doc: f(names::DOC)?,
            themes: f(names::THEMES)?,
            tags: f(names::TAGS)?,
            theme_codes: f(names::THEME_CODES)?,
        })
    }

    /// The index documents of `docs`: each analysed once and tagged with the same tokens
    /// (nothing is segmented twice). All are analysed, then all tagged, then built, so the
    /// segmenter's and the tagger's tables each stay in the core's cache for a whole batch
    /// instead of evicting each other document by document.
    pub fn to_tantivy_batch(
        &self,
        docs: &[Document],
        analyzer: &Analyzer,
        tagger: Option<&Tagger>,
    ) -> Vec<TantivyDocument> {
        // Analyse once here for tagging, then hand the tokens over to the registered tokenizer
        // that tantivy calls on the same text in its own thread (see `Analyzer::hand_over`):
        // measured cheaper than pre-tokenized strings, which tantivy round-trips through JSON.
        let tokens: Vec<(Vec<Token>, Option<Vec<Token>>)> = docs
            .iter()
            .map(|d| {
                let title = d.title.as_deref().map(|t| analyzer.tokens(t));
                (analyzer.tokens(&d.body), title)
            })
            .collect();
        let taggings: Vec<Tagging> = docs
            .iter()
            .zip(&tokens)
            .map(|(d, (body, title))| {
                let mut parts: Vec<(&str, &[Token])> = vec![(&d.body, body)];
                if let (Some(text), Some(toks)) = (&d.title, title) {
                    parts.push((text, toks));
                }
                match tagger {
                    Some(tagger) => tagger.tag_parts_spans(&parts),
                    None => Tagging {
                        tokens: parts
                            .iter()
                            .map(|(_, t)| t.last().map_or(0, |t| t.position as u32 + 1))
                            .sum(),
                        themes: vec![],
                    },
                }
            })
            .collect();
        docs.iter()
            .zip(tokens)
            .zip(taggings)
            .map(|((doc, (body, title)), tagging)| {
                self.build(doc, body, title, &tagging, analyzer, tagger)
            })
            .collect()
    }

    fn build(
        &self,
        doc: &Document,
        body_tokens: Vec<Token>,
        title_tokens: Option<Vec<Token>>,
        tagging: &Tagging,
        analyzer: &Analyzer,
        tagger: Option<&Tagger>,
    ) -> TantivyDocument {
        let mut t = TantivyDocument::new();
        t.add_text(self.id, &doc.id);
        if let Some(u) = &doc.url {
            t.add_text(
                self.url,
                crate::corpus::ids::canonical_url(u).as_deref().unwrap_or(u),
            );
        }
        if let Some(s) = &doc.site {
            t.add_text(self.site, s);
        }
        t.add_text(self.kind, doc.kind.as_str());
        t.add_text(self.lang, &doc.lang);
        analyzer.hand_over(&doc.body, body_tokens);
        t.add_text(self.body, &doc.body);
        if let (Some(title), Some(toks)) = (&doc.title, title_tokens) {
            analyzer.hand_over(title, toks);
            t.add_text(self.title, title);
        }
        if let Some(a) = &doc.author {
            t.add_text(self.author, a);
        }
        if let Some(p) = &doc.product {
            t.add_text(self.product, p);
        }
        if let Some(ts) = doc.published_timestamp() {
            t.add_date(self.published, DateTime::from_timestamp_secs(ts));
        }
        if let Some(r) = doc.rating {
            t.add_f64(self.rating, r);
        }
        t.add_u64(self.tokens, tagging.tokens as u64);
        self.add_tags(&mut t, tagging, tagger);
        t.add_text(
            self.doc,
            serde_json::to_string(doc).expect("a document serialises"),
        );
        t
    }

    fn add_tags(&self, t: &mut TantivyDocument, tagging: &Tagging, tagger: Option<&Tagger>) {
        for r in &tagging.themes {
            if let Some(pos) = tagger.and_then(|g| g.taxonomy().position(&r.id)) {
                t.add_u64(self.theme_codes, theme_code::pack(pos, r.assigned, r.hits));
            }
            if r.assigned {
                t.add_text(self.themes, &r.id);
            }
        }
        t.add_bytes(self.tags, &encode_tagging(tagging, tagger));
    }
}

/// A tagging as the index stores it (postcard): themes by taxonomy position, evidence as byte
/// ranges (rendered from the stored document when read), rates recomputed.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredTagging {
    tokens: u32,
    themes: Vec<StoredTheme>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredTheme {
    position: u16,
    hits: u32,
    weighted: f32,
    assigned: bool,
    model: Option<f32>,
    /// (term, part, start, end, whole sentence).
    evidence: Vec<(String, u8, u32, u32, bool)>,
}

fn encode_tagging(tagging: &Tagging, tagger: Option<&Tagger>) -> Vec<u8> {
    let stored = StoredTagging {
        tokens: tagging.tokens,
        themes: tagging
            .themes
            .iter()
            .filter_map(|r| {
                Some(StoredTheme {
                    position: u16::try_from(tagger?.taxonomy().position(&r.id)?).ok()?,
                    hits: r.hits,
                    weighted: r.weighted,
                    assigned: r.assigned,
                    model: r.model,
                    evidence: r
                        .evidence
                        .iter()
                        .map(|e| {
                            let part = u8::try_from(e.part).unwrap_or(u8::MAX);
                            (
                                e.term.clone(),
                                part,
                                e.start as u32,
                                e.end as u32,
                                e.sentence,
                            )
                        })
                        .collect(),
                })
            })
            .collect(),
    };
    postcard::to_allocvec(&stored).expect("a tagging serialises")
}

/// Read a tagging written by [`encode_tagging`] for an index tagged by `tagger` (evidence text
/// left empty).
pub(crate) fn decode_tagging(bytes: &[u8], tagger: &Tagger) -> Result<Tagging> {
    let bad = |what: String| Error::Internal(format!("stored tags: {what}"));
    let stored: StoredTagging = postcard::from_bytes(bytes).map_err(|e| bad(e.to_string()))?;
    let themes = &tagger.taxonomy().themes;
    let mut out = Tagging {
        tokens: stored.tokens,
        themes: Vec::with_capacity(stored.themes.len()),
    };
    for t in stored.themes {
        let theme = themes
            .get(t.position as usize)
            .ok_or_else(|| bad(format!("theme position {} out of range", t.position)))?;
        out.themes.push(ThemeResult {
            id: theme.id.clone(),
            hits: t.hits,
            weighted: t.weighted,
            per_1000: crate::themes::per_1000(t.weighted, stored.tokens),
            assigned: t.assigned,
            evidence: t
                .evidence
                .into_iter()
                .map(|(term, part, start, end, sentence)| Evidence {
                    term,
                    text: String::new(),
                    part: part.into(),
                    start: start as usize,
                    end: end as usize,
                    sentence,
                })
                .collect(),
            model: t.model,
            all_hits: Vec::new(),
        });
    }
    Ok(out)
}
