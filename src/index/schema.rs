//! The index schema, kept in one place: every field, its options, and how a document fills it.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::PreTokenizedString;
use tantivy::{DateTime, TantivyDocument};

use crate::analyze::{Analyzer, TOKENIZER_NAME};
use crate::corpus::Document;

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
        })
    }

    /// Analyse `doc` once and build its index document: the tokens feed the index directly,
    /// so nothing is segmented twice.
    pub fn to_tantivy(&self, doc: &Document, analyzer: &Analyzer) -> TantivyDocument {
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
        let pre = |field: Field, text: &str, t: &mut TantivyDocument| {
            let tokens = analyzer.tokens(text);
            let n = tokens.last().map_or(0, |t| t.position as u64 + 1);
            t.add_pre_tokenized_text(
                field,
                PreTokenizedString {
                    text: String::new(),
                    tokens,
                },
            );
            n
        };
        let mut body_title_tokens = pre(self.body, &doc.body, &mut t);
        if let Some(title) = &doc.title {
            body_title_tokens += pre(self.title, title, &mut t);
        }
        if let Some(a) = &doc.author {
            pre(self.author, a, &mut t);
        }
        if let Some(p) = &doc.product {
            pre(self.product, p, &mut t);
        }
        if let Some(ts) = doc.published_timestamp() {
            t.add_date(self.published, DateTime::from_timestamp_secs(ts));
        }
        if let Some(r) = doc.rating {
            t.add_f64(self.rating, r);
        }
        t.add_u64(self.tokens, body_title_tokens);
        t.add_text(
            self.doc,
            serde_json::to_string(doc).expect("a document serialises"),
        );
        t
    }
}
