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
    let mut det = chardetng::EncodingDetector::new();
    let sample = &bytes[..bytes.len().min(256 * 1024)];
    det.feed(sample, sample.len() == bytes.len());
    det.guess(None, true)
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
        let (gbk, _, _) = encoding_rs::GBK.encode("<html><head><meta charset=\"gb2312\"></head><body>跨境电商卖家</body></html>");
        let d = decode(&gbk, None);
        assert_eq!(d.encoding, encoding_rs::GBK);
        assert!(d.text.contains("跨境电商卖家"));

        let mut env = b"<text id=http://a.example/x title=\"t\" encoding=\"gb2312\">\n".to_vec();
        let (body, _, _) = encoding_rs::GBK.encode("<p>海外仓的租金也在提高</p>");
        env.extend_from_slice(&body);
        env.extend_from_slice(b"\n</text>\n");
        let d = decode(&env, None);
        assert_eq!(d.envelope_url.as_deref(), Some("http://a.example/x"));
        assert_eq!(d.text, "<p>海外仓的租金也在提高</p>");
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
