//! Turning page bytes into text: crawler envelopes, BOM, HTTP and `<meta>` charsets, detection.

use encoding_rs::{Encoding, UTF_8};

/// A page's text after decoding, with what the bytes said about it.
#[derive(Debug)]
pub struct Decoded {
    /// The page as text.
    pub text: String,
    /// The encoding used.
    pub encoding: &'static Encoding,
    /// The URL a crawler envelope (`<text id=URL ...>`) gave, if any.
    pub envelope_url: Option<String>,
}

/// Why bytes are not a page.
pub fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.is_empty() {
        return false;
    }
    // UTF-16 pages start with a BOM; anything else with NULs or many control bytes is binary.
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
        .count();
    head.contains(&0) || controls * 20 > head.len()
}

/// Decode page bytes. `http_charset` is the charset of an HTTP `Content-Type` header when known.
///
/// Order: a crawler envelope's `encoding=` or the HTTP charset, then a BOM, then `<meta charset>`,
/// then detection with chardetng. A declared UTF-8 that does not decode, or a declared legacy
/// charset on bytes that are valid UTF-8, falls back to what the bytes show.
pub fn decode(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    let (bytes, envelope) = strip_envelope(bytes);
    let (envelope_url, envelope_charset) = envelope.unwrap_or_default();
    let declared = http_charset
        .map(str::to_string)
        .or(envelope_charset)
        .and_then(|l| Encoding::for_label(l.trim().as_bytes()));
    let encoding = if let Some((enc, _)) = Encoding::for_bom(bytes) {
        enc
    } else {
        match declared.or_else(|| meta_charset(bytes)) {
            Some(enc) => check_declared(enc, bytes),
            None => detect(bytes),
        }
    };
    let (text, _, _) = encoding.decode(bytes);
    Decoded {
        text: text.into_owned(),
        encoding,
        envelope_url,
    }
}

/// Trust a declared charset unless the bytes clearly say otherwise.
fn check_declared(enc: &'static Encoding, bytes: &[u8]) -> &'static Encoding {
    // UTF-16 cannot be declared inside an ASCII-compatible document.
    let enc = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        UTF_8
    } else {
        enc
    };
    let utf8_ok = std::str::from_utf8(bytes).is_ok();
    if enc == UTF_8 {
        if utf8_ok || invalid_utf8_share(bytes) < 0.01 {
            return UTF_8;
        }
        return detect(bytes);
    }
    if utf8_ok && !bytes.is_ascii() && enc != encoding_rs::WINDOWS_1252 {
        // Valid UTF-8 with non-ASCII text is almost never a legacy charset.
        return UTF_8;
    }
    enc
}

/// The share of bytes that are not valid UTF-8.
fn invalid_utf8_share(bytes: &[u8]) -> f64 {
    let mut bad = 0usize;
    for chunk in bytes.utf8_chunks() {
        bad += chunk.invalid().len();
    }
    bad as f64 / bytes.len().max(1) as f64
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(256 * 1024)];
    det.feed(sample, sample.len() == bytes.len());
    det.guess(None, chardetng::Utf8Detection::Allow)
}

/// The charset of a `<meta charset=...>` or `<meta http-equiv content="...; charset=...">` in
/// the first 8 KB.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(8192)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta") {
        let start = from + i;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = rest
                .iter()
                .position(|&b| !matches!(b, b' ' | b'='))
                .map_or(&rest[rest.len()..], |p| &rest[p..]);
            let rest = rest
                .strip_prefix(b"\"")
                .or_else(|| rest.strip_prefix(b"'"))
                .unwrap_or(rest);
            let label: Vec<u8> = rest
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                .copied()
                .collect();
            if let Some(enc) = Encoding::for_label(&label) {
                return Some(enc);
            }
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Strip a crawler envelope `<text id=URL title=... encoding="gb2312"> ... </text>` around a page,
/// returning the inner bytes and the envelope's URL and encoding.
#[allow(clippy::type_complexity)]
fn strip_envelope(bytes: &[u8]) -> (&[u8], Option<(Option<String>, Option<String>)>) {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let rest = &bytes[start..];
    if rest.len() < 6 || !rest[..6].eq_ignore_ascii_case(b"<text ") {
        return (bytes, None);
    }
    let Some(end) = rest.iter().take(4096).position(|&b| b == b'>') else {
        return (bytes, None);
    };
    let tag = String::from_utf8_lossy(&rest[6..end]).into_owned();
    let mut inner = &rest[end + 1..];
    let trimmed_len = inner
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    inner = &inner[..trimmed_len];
    if inner.len() >= 7 && inner[inner.len() - 7..].eq_ignore_ascii_case(b"</text>") {
        inner = &inner[..inner.len() - 7];
    }
    let url = attr_value(&tag, "id").filter(|u| u.starts_with("http"));
    let enc = attr_value(&tag, "encoding");
    (inner, Some((url, enc)))
}

/// The value of `name=` in the inside of a start tag, quoted or not.
fn attr_value(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - after.len() + 1;
        let v = tag[value_start..].trim_start();
        let value = match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
            _ => v.split(|c: char| c.is_whitespace()).next().unwrap_or(""),
        };
        return Some(value.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_and_envelope() {
        let (gbk, _, _) = encoding_rs::GBK
            .encode("<html><head><meta charset=\"gb2312\"></head><body>跨境电商卖家</body></html>");
        let d = decode(&gbk, None);
        assert_eq!(d.encoding, encoding_rs::GBK);
        assert!(d.text.contains("跨境电商卖家"));

        let mut env = b"<text id=http://a.example/x title=\"t\" encoding=\"gb2312\">\n".to_vec();
        let (body, _, _) = encoding_rs::GBK.encode("<p>海外仓的租金也在提高</p>");
        env.extend_from_slice(&body);
        env.extend_from_slice(b"\n</text>\n");
        let d = decode(&env, None);
        assert_eq!(d.envelope_url.as_deref(), Some("http://a.example/x"));
        assert_eq!(d.text.trim(), "<p>海外仓的租金也在提高</p>");
    }

    #[test]
    fn detection_and_bom() {
        let (big5, _, _) = encoding_rs::BIG5
            .encode("<p>這家店的出貨速度很慢，客服也不回覆訊息，商品品質普通，不推薦購買。</p>");
        assert!(decode(&big5, None).text.contains("出貨速度很慢"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("<p>物流</p>".as_bytes());
        assert_eq!(decode(&bom, Some("gbk")).text, "<p>物流</p>");
        // Declared GBK but valid UTF-8: the bytes win.
        let utf = "<meta charset=gbk><p>物流很快</p>".as_bytes();
        assert!(decode(utf, None).text.contains("物流很快"));
        assert!(looks_binary(b"\x7fELF\x02\x01\x01\0\0\0\0"));
        assert!(!looks_binary(b"<html>\n<p>hi</p>"));
    }
}

static RAW_TEXT: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["<script", "<style", "<!--", "<svg"])
        .expect("patterns")
});

static SCRIPT_END: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["</script", "</style", "</svg"])
            .expect("patterns")
    });

/// The page without the bodies of scripts (other than JSON-LD), style sheets, SVG images and comments,
/// which never hold text: the HTML tokenizer then has far less to read.
pub fn strip_raw_text(html: &str) -> std::borrow::Cow<'_, str> {
    let b = html.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut pos = 0;
    while let Some(m) = RAW_TEXT.find(&html[pos..]) {
        let start = pos + m.start();
        let after = pos + m.end();
        if m.pattern().as_usize() == 2 {
            // A comment: drop through `-->` (or to the end).
            let end = html[after..]
                .find("-->")
                .map_or(html.len(), |e| after + e + 3);
            out.get_or_insert_with(|| String::with_capacity(html.len()))
                .push_str(&html[copied..start]);
            copied = end;
            pos = end;
            continue;
        }
        // `<script`, `<style` or `<svg` must be followed by a tag-name end.
        if !b
            .get(after)
            .is_some_and(|c| matches!(c, b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/'))
        {
            pos = after;
            continue;
        }
        let Some(tag_end) = html[after..].find('>').map(|e| after + e + 1) else {
            break;
        };
        let opening = &html[start..tag_end];
        if opening.to_ascii_lowercase().contains("ld+json") {
            pos = tag_end;
            continue;
        }
        let close = SCRIPT_END
            .find(&html[tag_end..])
            .map_or(html.len(), |m| tag_end + m.start());
        let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
        o.push_str(&html[copied..tag_end]);
        copied = close;
        if close == html.len() {
            break;
        }
        // Step past the closing tag's name so the search moves on.
        pos = (close + 2).min(html.len());
    }
    match out {
        None => std::borrow::Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[copied..]);
            std::borrow::Cow::Owned(o)
        }
    }
}

#[cfg(test)]
mod strip_tests {
    use super::strip_raw_text;

    #[test]
    fn strips_scripts_styles_comments() {
        let s = strip_raw_text(
            "<p>a</p><script>if (a<b) x('</p>')</script><SCRIPT type=\"application/ld+json\">{\"a\":1}</SCRIPT><style>p{}</style><!-- c --><p>b</p><script",
        );
        assert_eq!(
            s,
            "<p>a</p><script></script><SCRIPT type=\"application/ld+json\">{\"a\":1}</SCRIPT><style></style><p>b</p><script"
        );
    }
}

/// Deeper estimated nesting than this is flattened: the HTML parser's work per tag grows with
/// the depth, so a page of a million nested tags would otherwise take hours.
pub const MAX_NESTING: usize = 1000;

/// The page with tags past nesting depth `max` (start tags less end tags, not counting void
/// elements and elements that close themselves implicitly) removed, and their end tags too;
/// the text inside them stays.
pub fn cap_nesting(html: &str, max: usize) -> std::borrow::Cow<'_, str> {
    const NO_DEPTH: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "p", "li", "td", "th", "tr", "option", "dt", "dd", "tbody",
        "thead", "tfoot", "colgroup", "caption", "optgroup", "rp", "rt", "html", "head", "body",
    ];
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut excess = 0usize;
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let at = i + off;
        i = at + 1;
        let Some(&next) = b.get(i) else { break };
        let end = |from: usize| {
            b[from..]
                .iter()
                .position(|&c| c == b'>')
                .map_or(b.len(), |p| from + p + 1)
        };
        if next == b'/' {
            if excess > 0 {
                let e = end(i);
                let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
                o.push_str(&html[copied..at]);
                copied = e;
                i = e;
                excess -= 1;
            } else {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if !next.is_ascii_alphabetic() {
            continue;
        }
        let name_end = b[i..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .map_or(b.len(), |p| i + p);
        let name = &html[i..name_end];
        if NO_DEPTH.iter().any(|t| t.eq_ignore_ascii_case(name)) {
            continue;
        }
        if depth >= max {
            let e = end(name_end);
            if b[..e].ends_with(b"/>") {
                continue;
            }
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..at]);
            copied = e;
            i = e;
            excess += 1;
            continue;
        }
        depth += 1;
    }
    match out {
        None => std::borrow::Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[copied.min(html.len())..]);
            std::borrow::Cow::Owned(o)
        }
    }
}

#[cfg(test)]
mod nesting_tests {
    use super::cap_nesting;

    #[test]
    fn flattens_only_deep_pages() {
        let ok = "<div><p>a<p>b<br><img src=x></div>";
        assert_eq!(cap_nesting(ok, 2), ok);
        let deep = format!("{}x{}", "<div class=a>".repeat(5), "</div>".repeat(5));
        assert_eq!(
            cap_nesting(&deep, 2),
            "<div class=a><div class=a>x</div></div>"
        );
    }
}

/// Attributes kept by [`strip_attributes`]: what extraction and metadata read.
const KEEP_ATTRS: &[&str] = &[
    "aria-hidden",
    "charset",
    "class",
    "content",
    "datetime",
    "hidden",
    "href",
    "http-equiv",
    "id",
    "itemprop",
    "itemscope",
    "itemtype",
    "lang",
    "name",
    "property",
    "rel",
    "role",
    "src",
    "style",
    "type",
    "value",
];

/// The page with every attribute that extraction does not read removed from its start tags:
/// most of a modern page's markup is attributes (`data-*`, `srcset`, inline handlers), and the
/// HTML tokenizer is the slowest step. Script bodies are copied unchanged.
///
/// Also returns an upper bound of the nesting depth (start tags less end tags), so that
/// [`cap_nesting`] runs only on pages that may need it.
pub fn strip_attributes(html: &str) -> (std::borrow::Cow<'_, str>, usize) {
    let b = html.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0usize;
    let mut i = 0usize;
    let (mut depth, mut max_depth) = (0usize, 0usize);
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let at = i + off;
        i = at + 1;
        if b.get(i) == Some(&b'/') {
            depth = depth.saturating_sub(1);
            continue;
        }
        if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        depth += 1;
        max_depth = max_depth.max(depth);
        let name_end = b[i..]
            .iter()
            .position(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c == b':'))
            .map_or(b.len(), |p| i + p);
        let name = &html[i..name_end];
        // Walk the attributes; `kept` collects byte ranges to keep.
        let mut j = name_end;
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let mut dropped = false;
        let mut closed = false;
        while j < b.len() {
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= b.len() {
                break;
            }
            if b[j] == b'>' {
                closed = true;
                break;
            }
            if b[j] == b'/' {
                j += 1;
                continue;
            }
            let attr_start = j;
            while j < b.len()
                && !matches!(
                    b[j],
                    b'=' | b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | 0x0c
                )
            {
                j += 1;
            }
            let attr_name = &html[attr_start..j];
            let mut k = j;
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            if k < b.len() && b[k] == b'=' {
                k += 1;
                while k < b.len() && b[k].is_ascii_whitespace() {
                    k += 1;
                }
                match b.get(k) {
                    Some(&q @ (b'"' | b'\'')) => match b[k + 1..].iter().position(|&c| c == q) {
                        Some(p) => k = k + 1 + p + 1,
                        None => {
                            k = b.len();
                        }
                    },
                    _ => {
                        while k < b.len() && !b[k].is_ascii_whitespace() && b[k] != b'>' {
                            k += 1;
                        }
                    }
                }
                j = k;
            }
            if KEEP_ATTRS.iter().any(|a| a.eq_ignore_ascii_case(attr_name)) {
                ranges.push((attr_start, j));
            } else {
                dropped = true;
            }
        }
        if !closed {
            break;
        }
        let tag_end = j + 1;
        if dropped {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..name_end]);
            for (s, e) in ranges {
                o.push(' ');
                o.push_str(&html[s..e]);
            }
            o.push('>');
            copied = tag_end;
        }
        i = tag_end;
        // Raw-text elements: copy their content as it is.
        if name.eq_ignore_ascii_case("script")
            || name.eq_ignore_ascii_case("style")
            || name.eq_ignore_ascii_case("textarea")
        {
            let close = SCRIPT_END
                .find(&html[i..])
                .map_or(html.len(), |m| i + m.start());
            i = close;
        }
    }
    let text = match out {
        None => std::borrow::Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[copied.min(html.len())..]);
            std::borrow::Cow::Owned(o)
        }
    };
    (text, max_depth)
}

#[cfg(test)]
mod attr_tests {
    use super::strip_attributes;

    #[test]
    fn keeps_only_read_attributes() {
        assert_eq!(
            strip_attributes(r#"<div data-x="a>b" class='c' onclick=go()><a href=/x target="_blank">t</a><br/></div>"#).0,
            r#"<div class='c'><a href=/x>t</a><br/></div>"#
        );
        let ld = r#"<script type="application/ld+json">{"a":"<b data-q=1>"}</script><p id=x>"#;
        assert_eq!(strip_attributes(ld).0, ld);
        assert_eq!(
            strip_attributes("<p x=\"unterminated").0,
            "<p x=\"unterminated"
        );
        assert_eq!(strip_attributes("<div><div></div><p>").1, 2);
    }
}
