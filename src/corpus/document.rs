//! The document model: one article or buyer review, validated, with a stable id.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Whether a document is a trade-press article or a buyer review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An article, news item or post.
    Article,
    /// A buyer review of a product or shop.
    Review,
}

impl Kind {
    /// The lower-case name used in the corpus, the index and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Article => "article",
            Kind::Review => "review",
        }
    }

    /// Parse `article` or `review`.
    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "article" => Some(Kind::Article),
            "review" => Some(Kind::Review),
            _ => None,
        }
    }
}

/// One document of a corpus, as stored in `docs.jsonl` (one JSON object per line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable id: given, else derived from the canonical URL, else from a content hash.
    pub id: String,
    /// Where the document was found.
    pub url: Option<String>,
    /// The site's host name (derived from `url` when absent).
    pub site: Option<String>,
    /// `article` or `review`.
    pub kind: Kind,
    /// ISO 639-1 language code, detected when absent.
    pub lang: String,
    /// Title or headline.
    pub title: Option<String>,
    /// Author or reviewer name.
    pub author: Option<String>,
    /// Publication date: RFC 3339 date-time or date (`2023-04-12`).
    pub published: Option<String>,
    /// When the page was fetched: RFC 3339.
    pub fetched: Option<String>,
    /// The main text; paragraphs separated by blank lines.
    pub body: String,
    /// Review rating normalised to 0-5; null for articles.
    pub rating: Option<f64>,
    /// The product a review (or article) is about.
    pub product: Option<String>,
    /// Where the document came from (a crawl, an ingest file, `sample`).
    pub source: Option<String>,
}

/// A document as it may appear on input: every field optional, checked by [`RawDocument::validate`].
#[derive(Debug, Default, Deserialize)]
pub struct RawDocument {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    site: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    fetched: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    rating: Option<f64>,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl RawDocument {
    /// Check every field and fill in derived ones (id, site, lang). The error names the field.
    pub fn validate(self) -> Result<Document, String> {
        let body = match self.body {
            None => return Err("missing field \"body\"".into()),
            Some(b) if b.trim().is_empty() => return Err("field \"body\" is empty".into()),
            Some(b) => b,
        };
        let url = clean(self.url);
        if let Some(u) = &url {
            let parsed = url::Url::parse(u).map_err(|e| format!("field \"url\": {e}: {u:?}"))?;
            if !matches!(parsed.scheme(), "http" | "https" | "file") {
                return Err(format!("field \"url\": unsupported scheme in {u:?}"));
            }
        }
        let rating = match self.rating {
            Some(r) if !(0.0..=5.0).contains(&r) || r.is_nan() => {
                return Err(format!("field \"rating\": {r} is outside 0-5"));
            }
            r => r,
        };
        let kind = match clean(self.kind) {
            None if rating.is_some() => Kind::Review,
            None => Kind::Article,
            Some(k) => Kind::parse(&k).ok_or_else(|| {
                format!("field \"kind\": expected \"article\" or \"review\", got {k:?}")
            })?,
        };
        let published = clean(self.published);
        if let Some(p) = &published {
            parse_date(p).ok_or_else(|| {
                format!("field \"published\": {p:?} is not an RFC 3339 date or date-time")
            })?;
        }
        let fetched = clean(self.fetched);
        if let Some(p) = &fetched {
            parse_date(p).ok_or_else(|| {
                format!("field \"fetched\": {p:?} is not an RFC 3339 date or date-time")
            })?;
        }
        let title = clean(self.title);
        let lang = match clean(self.lang) {
            Some(l) => normalize_lang(&l)
                .ok_or_else(|| format!("field \"lang\": {l:?} is not an ISO 639-1 code"))?,
            None => super::lang::detect(title.as_deref().unwrap_or(""), &body).to_string(),
        };
        let site = clean(self.site)
            .map(|s| s.to_ascii_lowercase())
            .or_else(|| url.as_deref().and_then(super::ids::site_of));
        let id = match self.id {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => clean(Some(s)),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                return Err(format!(
                    "field \"id\": expected a string or number, got {other}"
                ));
            }
        };
        let id = id.unwrap_or_else(|| {
            super::ids::derive_id(
                url.as_deref(),
                title.as_deref(),
                &body,
                kind == Kind::Review,
            )
        });
        Ok(Document {
            id,
            url,
            site,
            kind,
            lang,
            title,
            author: clean(self.author),
            published,
            fetched,
            body,
            rating,
            product: clean(self.product),
            source: clean(self.source),
        })
    }
}

/// `zh`, `zh-CN`, `zh_Hant`, `EN` -> `zh`, `zh`, `zh`, `en`; `None` unless a two-letter code.
pub fn normalize_lang(l: &str) -> Option<String> {
    let primary = l.split(['-', '_']).next()?.to_ascii_lowercase();
    (primary.len() == 2 && primary.bytes().all(|b| b.is_ascii_lowercase())).then_some(primary)
}

/// Parse an RFC 3339 date-time, or a bare date (taken as midnight UTC).
pub fn parse_date(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    // Also accept a space instead of `T`, as many feeds write it.
    if s.len() > 10
        && let Ok(d) = DateTime::parse_from_rfc3339(&s.replacen(' ', "T", 1))
    {
        return Some(d);
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let utc = Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?);
    Some(utc.fixed_offset())
}

impl Document {
    /// The publication time as seconds since the Unix epoch, if known.
    pub fn published_timestamp(&self) -> Option<i64> {
        self.published
            .as_deref()
            .and_then(parse_date)
            .map(|d| d.timestamp())
    }

    /// Parse and validate one JSON line.
    pub fn from_json_line(line: &str) -> Result<Document, String> {
        let raw: RawDocument = serde_json::from_str(line).map_err(|e| json_message(&e))?;
        raw.validate()
    }
}

/// A serde_json error without its "at line 1 column N" tail when the input is one line.
fn json_message(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match e.classify() {
        serde_json::error::Category::Data => msg
            .rsplit_once(" at line ")
            .map(|(m, _)| m.to_string())
            .unwrap_or(msg),
        _ => format!("invalid JSON: {msg}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_fields() {
        let e = |s: &str| Document::from_json_line(s).unwrap_err();
        assert_eq!(e(r#"{"title":"x"}"#), "missing field \"body\"");
        assert_eq!(e(r#"{"body":"  "}"#), "field \"body\" is empty");
        assert!(e(r#"{"body":"x","rating":7}"#).contains("rating"));
        assert!(e(r#"{"body":"x","kind":"blog"}"#).contains("\"kind\""));
        assert!(e(r#"{"body":"x","published":"last week"}"#).contains("published"));
        assert!(e(r#"{"body":"x","rating":"five"}"#).contains("invalid type"));
        assert!(e("{not json").starts_with("invalid JSON"));
    }

    #[test]
    fn derives_missing_fields() {
        let d = Document::from_json_line(
            r#"{"url":"https://WWW.Shop.example/p/1?utm_source=x#r","body":"发货太慢了，等了一个星期才到。","rating":2}"#,
        )
        .unwrap();
        assert_eq!(d.kind, Kind::Review);
        assert_eq!(d.lang, "zh");
        assert_eq!(d.site.as_deref(), Some("shop.example"));
        assert!(d.id.starts_with("r-"), "{}", d.id);
        let same = Document::from_json_line(
            r#"{"url":"https://www.shop.example/p/1","body":"发货太慢了，等了一个星期才到。"}"#,
        )
        .unwrap();
        assert_ne!(d.id, same.id, "a review and an article differ");
        assert_eq!(
            same.id,
            Document::from_json_line(r#"{"url":"https://www.shop.example/p/1?spm=1","body":"x"}"#)
                .unwrap()
                .id
        );
    }

    #[test]
    fn dates() {
        assert!(parse_date("2023-04-12").is_some());
        assert!(parse_date("2023-04-12T09:30:00+08:00").is_some());
        assert!(parse_date("2023-04-12 09:30:00Z").is_some());
        assert!(parse_date("2023-13-12").is_none());
    }
}
