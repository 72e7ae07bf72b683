//! WARC files (plain or gzipped, as Common Crawl ships them): HTML `response` records go
//! through extraction; other records are passed over.

use std::io::{BufReader, Read};
use std::path::Path;

use warc::{RecordType, WarcHeader, WarcReader};

use super::formats::Item;
use crate::extract::{MAX_PAGE_BYTES, Options, Rules, extract, read_bounded};

/// Status line and headers of an HTTP response, and where its body starts.
struct Http<'a> {
    status: u16,
    content_type: Option<String>,
    body: &'a [u8],
}

fn parse_http(payload: &[u8]) -> Option<Http<'_>> {
    let head_end = payload
        .windows(4)
        .take(64 * 1024)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| {
            payload
                .windows(2)
                .take(64 * 1024)
                .position(|w| w == b"\n\n")
                .map(|p| (p, p + 2))
        })?;
    let head = String::from_utf8_lossy(&payload[..head_end.0]);
    let mut lines = head.lines();
    let status_line = lines.next()?;
    if !status_line.starts_with("HTTP/") {
        return None;
    }
    let status = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let content_type = lines.find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-type")
            .then(|| v.trim().to_string())
    });
    Some(Http {
        status,
        content_type,
        body: &payload[head_end.1..],
    })
}

fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"'))
    })
}

/// Read the records of a WARC file. Each HTML response yields its documents; a non-HTML or
/// failed response or an oversized one yields a skip reason; a broken record ends the file with
/// a skip reason naming the record number.
pub fn read(
    path: &Path,
    rules: Option<&Rules>,
    source: &str,
    out: &mut dyn FnMut(Item),
) -> std::io::Result<()> {
    let file = std::fs::File::open(path)?;
    let mut head = [0u8; 2];
    let n = {
        let mut f = &file;
        f.read(&mut head)?
    };
    let file = std::fs::File::open(path)?;
    let reader: Box<dyn Read> = if n == 2 && head == [0x1f, 0x8b] {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(file)
    };
    let mut warc = WarcReader::new(super::LineCap::new(reader, 1 << 20));
    let mut stream = warc.stream_records();
    let mut number = 0usize;
    while let Some(rec) = stream.next_item() {
        number += 1;
        let at = format!("{}: record {number}", path.display());
        let mut rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out(Err(format!(
                    "{at}: invalid WARC record ({e}); the rest of the file is skipped"
                )));
                return Ok(());
            }
        };
        if *rec.warc_type() != RecordType::Response {
            continue;
        }
        let uri = rec
            .header(WarcHeader::TargetURI)
            .map(|u| u.trim_matches(['<', '>']).to_string());
        let date = rec.date().to_rfc3339();
        let mut payload = Vec::new();
        let limit = MAX_PAGE_BYTES as u64 + 64 * 1024;
        if let Err(e) = (&mut rec).take(limit + 1).read_to_end(&mut payload) {
            out(Err(format!(
                "{at}: cannot read the record body ({e}); the rest of the file is skipped"
            )));
            return Ok(());
        }
        if payload.len() as u64 > limit {
            out(Err(format!(
                "{at}: response larger than {} MB",
                MAX_PAGE_BYTES >> 20
            )));
            continue;
        }
        let Some(http) = parse_http(&payload) else {
            out(Err(format!("{at}: not an HTTP response")));
            continue;
        };
        if !(200..300).contains(&http.status) {
            out(Err(format!("{at}: HTTP status {}", http.status)));
            continue;
        }
        if let Some(ct) = &http.content_type
            && !ct.to_ascii_lowercase().contains("html")
        {
            out(Err(format!("{at}: not HTML ({ct})")));
            continue;
        }
        let bytes = match read_bounded(http.body) {
            Ok(b) => b,
            Err(e) => {
                out(Err(format!("{at}: {e}")));
                continue;
            }
        };
        let fetched = crate::corpus::parse_date(&date);
        let opts = Options {
            url: uri.as_deref().filter(|u| url::Url::parse(u).is_ok()),
            http_charset: http.content_type.as_deref().and_then(charset_of),
            fetched,
            rules,
        };
        match extract(&bytes, &opts) {
            Ok(page) => {
                let docs = page.documents(Some(&date), Some(source));
                if docs.is_empty() {
                    out(Err(format!("{at}: no main text")));
                }
                for d in docs {
                    out(Ok(d));
                }
            }
            Err(e) => out(Err(format!("{at}: {e}"))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_payload() {
        let h =
            parse_http(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=GBK\r\n\r\n<p>x</p>")
                .unwrap();
        assert_eq!(h.status, 200);
        assert_eq!(charset_of(h.content_type.as_deref().unwrap()), Some("GBK"));
        assert_eq!(h.body, b"<p>x</p>");
        assert!(parse_http(b"GET / HTTP/1.1\r\n\r\n").is_none());
    }
}
