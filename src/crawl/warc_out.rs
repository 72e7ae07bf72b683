//! WARC output (`--warc`): every HTTP response as a gzip-per-record WARC/1.0 `response` record in `corpora/NAME/crawl.warc.gz`, readable by `shoptalk ingest`.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::{Compression, write::GzEncoder};
use xxhash_rust::xxh3::xxh3_128;

use super::fetch::Response;
use crate::error::{Error, Result};

/// The WARC file's name inside the corpus folder.
pub const WARC_FILE: &str = "crawl.warc.gz";

/// One `response` record, gzipped on its own (so the file can be cut between records and
/// concatenated). The HTTP block holds the decoded body: Content-Encoding and
/// Transfer-Encoding are dropped and Content-Length is the stored body's length.
pub fn response_record(url: &str, resp: &Response, date: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    let mut http = Vec::with_capacity(resp.body.len() + 512);
    http.extend_from_slice(
        format!("{} {} {}\r\n", resp.version, resp.status, resp.reason).as_bytes(),
    );
    for (k, v) in &resp.headers {
        if ["content-encoding", "transfer-encoding", "content-length"]
            .iter()
            .any(|h| k.eq_ignore_ascii_case(h))
        {
            continue;
        }
        http.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    http.extend_from_slice(format!("content-length: {}\r\n\r\n", resp.body.len()).as_bytes());
    http.extend_from_slice(&resp.body);
    let id = xxh3_128(format!("{url}\n{}\n{}", date.to_rfc3339(), resp.body.len()).as_bytes())
        ^ (date.timestamp_nanos_opt().unwrap_or(0) as u128);
    let mut head = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{}>\r\nWARC-Date: {}\r\nWARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n",
        uuid_like(id),
        date.format("%Y-%m-%dT%H:%M:%SZ"),
        http.len()
    );
    if let Some(why) = &resp.body_skipped {
        head.push_str(&format!(
            "WARC-Truncated: unspecified\r\nX-Shoptalk-Skipped: {why}\r\n"
        ));
    }
    head.push_str("\r\n");
    let mut enc = GzEncoder::new(
        Vec::with_capacity(http.len() / 3 + 256),
        Compression::fast(),
    );
    enc.write_all(head.as_bytes()).expect("in memory");
    enc.write_all(&http).expect("in memory");
    enc.write_all(b"\r\n\r\n").expect("in memory");
    enc.finish().expect("in memory")
}

fn uuid_like(v: u128) -> String {
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The WARC file of a crawl, appended in batches and synced before the crawl state commits.
pub struct WarcOut {
    path: PathBuf,
    file: File,
    len: u64,
}

impl WarcOut {
    /// Open the WARC in `dir`, cutting it back to `committed` bytes when the crawl state knows
    /// that length: anything after it was written for pages the state never recorded, which
    /// will be fetched again.
    pub fn open(dir: &Path, committed: Option<u64>) -> Result<WarcOut> {
        let path = dir.join(WARC_FILE);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::user_io(&path, e))?;
        let on_disk = file.metadata().map_err(|e| Error::io(&path, e))?.len();
        let len = match committed {
            Some(c) if on_disk > c => {
                file.set_len(c).map_err(|e| Error::io(&path, e))?;
                c
            }
            _ => on_disk,
        };
        Ok(WarcOut { path, file, len })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append records (each a gzip member) and sync; returns the new length.
    pub fn append(&mut self, records: &[Vec<u8>]) -> Result<u64> {
        if records.is_empty() {
            return Ok(self.len);
        }
        for r in records {
            self.file
                .write_all(r)
                .map_err(|e| Error::io(&self.path, e))?;
            self.len += r.len() as u64;
        }
        self.file
            .sync_data()
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(self.len)
    }
}
