//! Extraction: one raw web page (bytes) in, its main text, metadata and reviews out; reads no corpus and prints nothing.
//!
//! ```
//! use shoptalk::extract::{Options, extract};
//!
//! let html = "<html><head><title>Kettle review | Shop</title></head><body><nav><a href='/'>Home</a></nav>\
//!     <article><p>The kettle boils fast and the lid closes well, but the handle gets hot.</p></article></body></html>";
//! let page = extract(html.as_bytes(), &Options::default()).unwrap();
//! assert_eq!(page.title.as_deref(), Some("Kettle review"));
//! assert!(page.body.starts_with("The kettle boils fast"));
//! ```

mod boilerplate;
pub mod charset;
pub mod dates;
mod dom;
mod meta;
pub mod reviews;
pub mod rules;
mod text;

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

pub use reviews::{AggregateRating, Review};
pub use rules::Rules;

use crate::corpus::Document;

/// Fold runs of whitespace to one space and trim.
pub fn fold_text(s: &str) -> String {
    dom::fold(s)
}

/// Pages larger than this (after decompression) are skipped, not parsed.
pub const MAX_PAGE_BYTES: usize = 16 << 20;

/// What the caller knows about a page besides its bytes.
#[derive(Debug, Default, Clone, Copy)]
pub struct Options<'a> {
    /// Where the page was fetched from (for the site and ids).
    pub url: Option<&'a str>,
    /// The charset of the HTTP `Content-Type` header, when known.
    pub http_charset: Option<&'a str>,
    /// When the page was fetched (resolves "3 天前").
    pub fetched: Option<DateTime<FixedOffset>>,
    /// Per-site review rules.
    pub rules: Option<&'a Rules>,
}

/// Why a page was not extracted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Skip {
    /// Not text: NUL bytes or control characters.
    #[error("binary content, not an HTML page")]
    Binary,
    /// Over [`MAX_PAGE_BYTES`].
    #[error("page is larger than {} MB", MAX_PAGE_BYTES >> 20)]
    TooLarge,
    /// A gzip stream that does not decompress.
    #[error("bad gzip data: {0}")]
    BadGzip(String),
    /// The file cannot be read.
    #[error("cannot read: {0}")]
    Unreadable(String),
}

/// One extracted page.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// The page's URL: given, from a crawler envelope, or `<link rel=canonical>`.
    pub url: Option<String>,
    /// Title without the site-name suffix.
    pub title: Option<String>,
    /// Author or byline.
    pub author: Option<String>,
    /// Publication date: RFC 3339 or `YYYY-MM-DD`.
    pub published: Option<String>,
    /// The host of `url`, without `www.`.
    pub site: Option<String>,
    /// The site's own name (`og:site_name`, JSON-LD publisher).
    pub site_name: Option<String>,
    /// ISO 639-1 language of the text.
    pub lang: String,
    /// The main text, paragraphs separated by blank lines.
    pub body: String,
    /// Buyer reviews on the page.
    pub reviews: Vec<Review>,
    /// The product's average rating, when the page gives one.
    pub aggregate_rating: Option<AggregateRating>,
    /// The charset the page was decoded with.
    pub encoding: &'static str,
}

/// Read a page file, decompressing `.gz` (or gzip magic) with the size bounded by [`MAX_PAGE_BYTES`].
pub fn read_page(path: &Path) -> Result<Vec<u8>, Skip> {
    let f = std::fs::File::open(path).map_err(|e| Skip::Unreadable(e.to_string()))?;
    read_bounded(f)
}

/// Read page bytes from a stream, decompressing gzip, bounded by [`MAX_PAGE_BYTES`].
pub fn read_bounded(r: impl Read) -> Result<Vec<u8>, Skip> {
    let mut r = std::io::BufReader::new(r);
    let gz = {
        use std::io::BufRead;
        let head = r.fill_buf().map_err(|e| Skip::Unreadable(e.to_string()))?;
        head.starts_with(&[0x1f, 0x8b])
    };
    let mut buf = Vec::new();
    let limit = MAX_PAGE_BYTES as u64 + 1;
    let res = if gz {
        flate2::read::MultiGzDecoder::new(r)
            .take(limit)
            .read_to_end(&mut buf)
            .map_err(|e| Skip::BadGzip(e.to_string()))
    } else {
        r.take(limit)
            .read_to_end(&mut buf)
            .map_err(|e| Skip::Unreadable(e.to_string()))
    };
    res?;
    if buf.len() > MAX_PAGE_BYTES {
        return Err(Skip::TooLarge);
    }
    Ok(buf)
}

/// Extract a page from its bytes.
pub fn extract(bytes: &[u8], opts: &Options) -> Result<Page, Skip> {
    if bytes.len() > MAX_PAGE_BYTES {
        return Err(Skip::TooLarge);
    }
    if charset::looks_binary(bytes) {
        return Err(Skip::Binary);
    }
    let decoded = charset::decode(bytes, opts.http_charset);
    // Cut what the tokenizer would read for nothing, and flatten absurd nesting.
    let stripped = charset::strip_raw_text(&decoded.text);
    let (stripped, depth) = charset::strip_attributes(&stripped);
    let html = if depth > charset::MAX_NESTING {
        scraper::Html::parse_document(&charset::cap_nesting(&stripped, charset::MAX_NESTING))
    } else {
        scraper::Html::parse_document(&stripped)
    };
    let dom = dom::Dom::from_html(&html);
    let json_ld: Vec<serde_json::Value> = dom
        .json_ld
        .iter()
        .filter_map(|t| serde_json::from_str(t.trim().trim_end_matches(';')).ok())
        .collect();
    let arts = meta::articles(&json_ld);
    let hints = meta::body_hints(&dom);
    let title = meta::title(&dom, &arts, &hints);
    let mut paras = text::main_text(&dom, title.as_deref());
    let body_len: usize = paras.iter().map(|p| p.len()).sum();
    // A publisher's own articleBody wins over a thin DOM result.
    if let Some(ab) = arts
        .iter()
        .find_map(|o| o.get("articleBody").and_then(serde_json::Value::as_str))
        && ab.len() > body_len * 2
        && ab.len() > 500
    {
        paras = ab
            .split('\n')
            .map(dom::fold)
            .filter(|p| !p.is_empty())
            .collect();
    }
    let body = paras.join("\n\n");
    let lang = if body.trim().is_empty() {
        dom.lang
            .as_deref()
            .and_then(crate::corpus::normalize_lang)
            .unwrap_or_else(|| {
                crate::corpus::lang::detect(title.as_deref().unwrap_or(""), "").to_string()
            })
    } else {
        // The opening of the text tells the language as well as all of it.
        let cut = body.char_indices().nth(250).map_or(body.len(), |(i, _)| i);
        crate::corpus::lang::detect(title.as_deref().unwrap_or(""), &body[..cut]).to_string()
    };
    let cst = lang == "zh";
    let url = opts
        .url
        .map(str::to_string)
        .or(decoded.envelope_url)
        .or_else(|| dom.canonical.clone().filter(|c| c.starts_with("http")));
    let page_text = dom::text_from(&dom, hints_start(&dom), 8000);
    let author = meta::author(&dom, &arts, &hints, &page_text);
    let published = meta::published(&dom, &arts, &hints, &page_text, opts.fetched, cst);
    let site = url.as_deref().and_then(crate::corpus::ids::site_of);
    let mut found = reviews::find(&json_ld, &dom, cst);
    if let Some(rules) = opts.rules.filter(|r| !r.is_empty()) {
        found
            .reviews
            .extend(rules.reviews(&html, site.as_deref(), cst));
    }
    Ok(Page {
        url,
        title,
        author,
        published,
        site,
        site_name: meta::site_name(&dom, &arts),
        lang,
        body,
        reviews: found.reviews,
        aggregate_rating: found.aggregate,
        encoding: decoded.encoding.name(),
    })
}

/// Where the article's header starts: the first `h1`, else the top of the page.
fn hints_start(dom: &dom::Dom) -> usize {
    dom.nodes.iter().position(|n| n.tag == "h1").unwrap_or(0)
}

impl Page {
    /// The page as corpus documents: the article (when it has text) and one document per review.
    /// Invalid ones (such as a review without text) are dropped.
    pub fn documents(&self, fetched: Option<&str>, source: Option<&str>) -> Vec<Document> {
        let mut out = Vec::new();
        let mut push = |v: serde_json::Value| {
            if let Ok(raw) = serde_json::from_value::<crate::corpus::RawDocument>(v)
                && let Ok(d) = raw.validate()
            {
                out.push(d);
            }
        };
        let url = self.url.as_deref().filter(|u| url::Url::parse(u).is_ok());
        if !self.body.trim().is_empty() {
            push(serde_json::json!({
                "url": url, "kind": "article", "lang": self.lang, "title": self.title,
                "author": self.author, "published": self.published, "fetched": fetched,
                "body": self.body, "source": source,
            }));
        }
        for r in &self.reviews {
            let lang = crate::corpus::lang::detect(r.title.as_deref().unwrap_or(""), &r.body);
            push(serde_json::json!({
                "url": url, "kind": "review", "lang": lang, "title": r.title,
                "author": r.author, "published": r.published, "fetched": fetched,
                "body": r.body, "rating": r.rating, "product": r.product, "source": source,
            }));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_binary_and_huge() {
        assert_eq!(
            extract(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &Options::default()).unwrap_err(),
            Skip::Binary
        );
        let big = vec![b'a'; MAX_PAGE_BYTES + 1];
        assert_eq!(
            extract(&big, &Options::default()).unwrap_err(),
            Skip::TooLarge
        );
    }

    #[test]
    fn gzip_bomb_is_bounded() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..(MAX_PAGE_BYTES >> 20) + 2 {
            enc.write_all(&zeros).unwrap();
        }
        let gz = enc.finish().unwrap();
        assert!(gz.len() < 200_000);
        assert_eq!(read_bounded(&gz[..]).unwrap_err(), Skip::TooLarge);
        assert!(matches!(read_bounded(&gz[..100]), Err(Skip::BadGzip(_))));
    }

    #[test]
    fn page_to_documents() {
        let html = r#"<html><head><meta property="og:title" content="评测：电热水壶"></head><body>
            <article><p>这款电热水壶烧水很快，一升水大约三分钟就能烧开，外壳也不烫手，整体做工不错。</p></article>
            <script type="application/ld+json">{"@type":"Product","name":"电热水壶","review":[{"@type":"Review","reviewBody":"用了一个月就漏水。","reviewRating":{"ratingValue":1}}]}</script>
            </body></html>"#;
        let page = extract(
            html.as_bytes(),
            &Options {
                url: Some("https://shop.example/p/1"),
                ..Default::default()
            },
        )
        .unwrap();
        let docs = page.documents(None, Some("test"));
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].kind, crate::corpus::Kind::Article);
        assert_eq!(docs[0].title.as_deref(), Some("评测：电热水壶"));
        assert_eq!(docs[1].kind, crate::corpus::Kind::Review);
        assert_eq!(docs[1].rating, Some(1.0));
        assert_eq!(docs[1].product.as_deref(), Some("电热水壶"));
        assert_eq!(docs[1].site.as_deref(), Some("shop.example"));
    }
}
