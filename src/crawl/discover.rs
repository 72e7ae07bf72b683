//! Discovery: links and rel=canonical from HTML, URLs from sitemaps (index files, .gz) and RSS/Atom feeds, and the scope that decides which URLs are crawled.

use std::io::Read;

use regex::Regex;

use crate::corpus::ids::canonical_url;

/// What a fetched body turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// An HTML page.
    Html,
    /// A sitemap `urlset`.
    SitemapUrls,
    /// A sitemap index.
    SitemapIndex,
    /// An RSS, Atom or RDF feed.
    Feed,
}

/// Sniff XML bodies for sitemaps and feeds; anything else is HTML.
pub fn sniff(body: &[u8]) -> Content {
    let head = &body[..body.len().min(2048)];
    let head = String::from_utf8_lossy(head);
    let start = head.trim_start_matches('\u{feff}').trim_start();
    if !start.starts_with("<?xml")
        && !start.starts_with("<urlset")
        && !start.starts_with("<sitemapindex")
        && !start.starts_with("<rss")
        && !start.starts_with("<feed")
        && !start.starts_with("<rdf")
    {
        return Content::Html;
    }
    let lower = head.to_ascii_lowercase();
    if lower.contains("<sitemapindex") {
        Content::SitemapIndex
    } else if lower.contains("<urlset") {
        Content::SitemapUrls
    } else if lower.contains("<rss") || lower.contains("<feed") || lower.contains("<rdf:rdf") {
        Content::Feed
    } else {
        Content::Html
    }
}

/// Links found on an HTML page.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PageLinks {
    /// Absolute http(s) links (`<a href>`, `<area href>`), in page order, not yet canonical.
    pub links: Vec<String>,
    /// `<link rel=canonical>`, absolute.
    pub canonical: Option<String>,
    /// `<meta name=robots content=nofollow>`.
    pub nofollow: bool,
}

/// Find the links of an HTML page by scanning its tags (no DOM: the extractor builds one
/// already, and this runs on every page). `base` is the page's URL.
pub fn page_links(html: &[u8], base: &url::Url) -> PageLinks {
    let text = String::from_utf8_lossy(html);
    let s = text.as_ref();
    let bytes = s.as_bytes();
    let mut out = PageLinks::default();
    let mut base = base.clone();
    let mut i = 0;
    while let Some(p) = memchr_lt(bytes, i) {
        i = p + 1;
        if bytes[i..].starts_with(b"!--") {
            i = s[i..].find("-->").map_or(bytes.len(), |e| i + e + 3);
            continue;
        }
        let name_end = bytes[i..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |e| i + e);
        let name = s[i..name_end].to_ascii_lowercase();
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            let rest = s[name_end..].to_ascii_lowercase();
            i = rest.find(&close).map_or(bytes.len(), |e| name_end + e);
            continue;
        }
        if !matches!(name.as_str(), "a" | "area" | "link" | "base" | "meta") {
            continue;
        }
        let (attrs, end) = attributes(s, name_end);
        i = end;
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        match name.as_str() {
            "base" => {
                if let Some(b) = get("href").and_then(|h| base.join(h).ok()) {
                    base = b;
                }
            }
            "meta" => {
                if get("name").is_some_and(|n| n.eq_ignore_ascii_case("robots"))
                    && get("content").is_some_and(|c| c.to_ascii_lowercase().contains("nofollow"))
                {
                    out.nofollow = true;
                }
            }
            "link" => {
                let canonical = get("rel").is_some_and(|r| {
                    r.split_ascii_whitespace()
                        .any(|t| t.eq_ignore_ascii_case("canonical"))
                });
                if canonical
                    && out.canonical.is_none()
                    && let Some(u) = get("href").and_then(|h| absolute(&base, h))
                {
                    out.canonical = Some(u);
                }
            }
            _ => {
                let nofollow = get("rel").is_some_and(|r| {
                    r.split_ascii_whitespace()
                        .any(|t| t.eq_ignore_ascii_case("nofollow"))
                });
                if !nofollow && let Some(u) = get("href").and_then(|h| absolute(&base, h)) {
                    out.links.push(u);
                }
            }
        }
    }
    out
}

fn memchr_lt(b: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&c| c == b'<')
        .map(|p| from + p)
}

/// Attributes of a tag starting at `i` (after its name), lower-cased names and entity-decoded
/// values, and where the tag ends.
fn attributes(s: &str, mut i: usize) -> (Vec<(String, String)>, usize) {
    let b = s.as_bytes();
    let mut out = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            return (out, (i + 1).min(b.len()));
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = s[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = b[vs..]
                    .iter()
                    .position(|&c| c == q)
                    .map_or(b.len(), |p| vs + p);
                value = decode_entities(&s[vs..ve]);
                i = (ve + 1).min(b.len());
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode_entities(&s[vs..i]);
            }
        }
        if name.is_empty() {
            i += 1;
            continue;
        }
        out.push((name, value));
    }
}

fn decode_entities(v: &str) -> String {
    if !v.contains('&') {
        return v.trim().to_string();
    }
    v.trim()
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// An absolute http(s) URL for `href` on a page at `base`.
fn absolute(base: &url::Url, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let u = base.join(href).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}

/// Gunzip a body when it starts with the gzip magic (sitemaps are often `.xml.gz`), bounded.
pub fn maybe_gunzip(body: &[u8], cap: usize) -> Result<Vec<u8>, String> {
    if !body.starts_with(&[0x1f, 0x8b]) {
        return Ok(body.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(body)
        .take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("bad gzip data: {e}"))?;
    if out.len() > cap {
        return Err(format!("gzipped body larger than {cap} bytes"));
    }
    Ok(out)
}

/// The `<loc>` URLs of a sitemap or sitemap index.
pub fn sitemap_locs(xml: &[u8]) -> Result<Vec<String>, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut in_loc = false;
    let mut cur = String::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if is_loc(e.local_name().into_inner()) => {
                in_loc = true;
                cur.clear();
            }
            Ok(Event::End(e)) if is_loc(e.local_name().into_inner()) => {
                in_loc = false;
                let u = cur.trim();
                if !u.is_empty() {
                    out.push(u.to_string());
                }
            }
            Ok(Event::Text(t)) if in_loc => cur.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) if in_loc => cur.push_str(&t.into_inner()),
            Ok(Event::GeneralRef(r)) if in_loc => match r.resolve_char_ref() {
                Ok(Some(c)) => cur.push(c),
                _ => cur.push_str(match &*r.clone().into_inner() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                }),
            },
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                if out.is_empty() {
                    return Err(format!("invalid sitemap XML: {e}"));
                }
                break;
            }
        }
        buf.clear();
    }
    Ok(out)
}

fn is_loc(name: &str) -> bool {
    name.eq_ignore_ascii_case("loc")
}

/// The entry links of an RSS, Atom or RDF feed.
pub fn feed_links(body: &[u8]) -> Result<Vec<String>, String> {
    let feed = feed_rs::parser::parse(body).map_err(|e| format!("invalid feed: {e}"))?;
    Ok(feed
        .entries
        .iter()
        .filter_map(|e| {
            e.links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(e.links.first())
                .map(|l| l.href.clone())
        })
        .collect())
}

/// Which URLs are crawled: allowed domains (and their subdomains), include and exclude patterns.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Lower-case domains; a host is in scope when it is one or ends with `.` + one.
    pub domains: Vec<String>,
    /// A discovered URL must match one of these (when any).
    pub include: Vec<Regex>,
    /// A discovered URL must match none of these.
    pub exclude: Vec<Regex>,
}

impl Scope {
    /// Whether the host of `url` is an allowed domain.
    pub fn host_allowed(&self, url: &url::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        self.domains.iter().any(|d| {
            let d = d.strip_prefix("www.").unwrap_or(d);
            host == d || host.ends_with(&format!(".{d}"))
        })
    }

    /// Whether a discovered URL (canonical) is crawled.
    pub fn allows(&self, canonical: &str) -> bool {
        let Ok(u) = url::Url::parse(canonical) else {
            return false;
        };
        self.host_allowed(&u)
            && (self.include.is_empty() || self.include.iter().any(|r| r.is_match(canonical)))
            && !self.exclude.iter().any(|r| r.is_match(canonical))
    }
}

/// The canonical crawl key of a URL: [`canonical_url`] for http(s) URLs.
pub fn canonical(raw: &str) -> Option<String> {
    let c = canonical_url(raw)?;
    (c.starts_with("http://") || c.starts_with("https://")).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_links() {
        let base = url::Url::parse("http://a.test/dir/page.html").unwrap();
        let html =
            br#"<html><head><link rel="canonical" href="/dir/page"><BASE href="http://a.test/x/">
            <script>var s = "<a href='/no'>";</script><!-- <a href="/commented"> --></head>
            <body><A HREF=rel.html>r</a> <a href="/abs?a=1&amp;b=2#frag">a</a>
            <a href="mailto:x@y">m</a><a rel="nofollow" href="/nf">n</a><a href='#top'>t</a>
            <area href="https://b.test/z"></body>"#;
        let l = page_links(html, &base);
        assert_eq!(l.canonical.as_deref(), Some("http://a.test/dir/page"));
        assert_eq!(
            l.links,
            [
                "http://a.test/x/rel.html",
                "http://a.test/abs?a=1&b=2#frag",
                "https://b.test/z"
            ]
        );
        assert!(!l.nofollow);
    }

    #[test]
    fn sitemaps_and_feeds() {
        let sm = br#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc> http://a.test/1?x=1&amp;y=2 </loc></url><url><loc><![CDATA[http://a.test/2]]></loc></url></urlset>"#;
        assert_eq!(sniff(sm), Content::SitemapUrls);
        assert_eq!(
            sitemap_locs(sm).unwrap(),
            ["http://a.test/1?x=1&y=2", "http://a.test/2"]
        );
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>a</title><link>http://a.test/post</link></item></channel></rss>"#;
        assert_eq!(sniff(rss), Content::Feed);
        assert_eq!(feed_links(rss).unwrap(), ["http://a.test/post"]);
        assert_eq!(sniff(b"<!doctype html><p>x"), Content::Html);
    }

    #[test]
    fn scope() {
        let s = Scope {
            domains: vec!["a.test".into()],
            include: vec![],
            exclude: vec![Regex::new("/private/").unwrap()],
        };
        assert!(s.allows("http://www.a.test/x"));
        assert!(s.allows("http://shop.a.test/x"));
        assert!(!s.allows("http://b.test/x"));
        assert!(!s.allows("http://a.test/private/1"));
    }
}
