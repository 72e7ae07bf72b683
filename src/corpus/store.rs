//! The JSONL corpus store: `corpora/NAME/docs.jsonl`, read in parallel batches and appended atomically.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Document;
use crate::error::{Error, Result};

/// The file name of a corpus inside its folder.
pub const DOCS_FILE: &str = "docs.jsonl";

/// Lines longer than this are rejected rather than read into memory.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// A corpus: a folder holding `docs.jsonl`, one document per line. A later line with the same
/// id replaces an earlier one, so appending is how documents are added and updated.
#[derive(Debug, Clone)]
pub struct Corpus {
    path: PathBuf,
}

impl Corpus {
    /// The corpus at `path`: a folder with `docs.jsonl`, or a `.jsonl` file itself. It must exist.
    pub fn open(path: &Path) -> Result<Corpus> {
        let file = if path.is_dir() {
            path.join(DOCS_FILE)
        } else {
            path.to_path_buf()
        };
        if !file.is_file() {
            return Err(Error::bad_file(
                &file,
                "no such corpus file (a corpus is a folder with docs.jsonl, or a .jsonl file)",
            ));
        }
        Ok(Corpus { path: file })
    }

    /// The corpus in folder `dir`, created empty if it does not exist yet.
    pub fn create(dir: &Path) -> Result<Corpus> {
        fs::create_dir_all(dir).map_err(|e| Error::user_io(dir, e))?;
        let path = dir.join(DOCS_FILE);
        if !path.exists() {
            File::create(&path).map_err(|e| Error::user_io(&path, e))?;
        }
        Ok(Corpus { path })
    }

    /// The path of `docs.jsonl`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A reader over the corpus's lines.
    pub fn reader(&self) -> Result<LineReader> {
        LineReader::open(&self.path)
    }

    /// Read every valid document, later ids replacing earlier ones. Fails on the first invalid
    /// line unless `skip_invalid`, in which case `stats` counts and explains the skips.
    pub fn load(&self, skip_invalid: bool, stats: &mut ReadStats) -> Result<Vec<Document>> {
        let mut reader = self.reader()?;
        let mut docs: Vec<Document> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = Default::default();
        while let Some(batch) = reader.next_batch(4096)? {
            for doc in parse_batch(&self.path, batch, skip_invalid, stats)? {
                match at.get(&doc.id) {
                    Some(&i) => {
                        stats.replaced += 1;
                        docs[i] = doc;
                    }
                    None => {
                        at.insert(doc.id.clone(), docs.len());
                        docs.push(doc);
                    }
                }
            }
        }
        Ok(docs)
    }

    /// Append documents in one write and flush them to disk. A torn last line left by a crash
    /// is cut off first, so the file always holds whole lines.
    pub fn append(&self, docs: &[Document]) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(docs.len() * 1024);
        for d in docs {
            serde_json::to_writer(&mut buf, d).map_err(|e| Error::Internal(e.to_string()))?;
            buf.push(b'\n');
        }
        let mut f = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(|e| Error::user_io(&self.path, e))?;
        repair_tail(&mut f).map_err(|e| Error::io(&self.path, e))?;
        f.write_all(&buf).map_err(|e| Error::io(&self.path, e))?;
        f.sync_data().map_err(|e| Error::io(&self.path, e))?;
        Ok(())
    }
}

/// Cut a last line that has no newline (a write interrupted by a crash).
fn repair_tail(f: &mut File) -> std::io::Result<()> {
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let mut last = [0u8; 1];
    f.seek(SeekFrom::Start(len - 1))?;
    f.read_exact(&mut last)?;
    if last[0] == b'\n' {
        return Ok(());
    }
    // Scan back for the last newline, in blocks.
    let mut end = len;
    let mut block = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(block.len() as u64);
        let n = (end - start) as usize;
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut block[..n])?;
        if let Some(i) = block[..n].iter().rposition(|&b| b == b'\n') {
            f.set_len(start + i as u64 + 1)?;
            return Ok(());
        }
        end = start;
    }
    f.set_len(0)
}

/// Counts from reading a corpus.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ReadStats {
    /// Non-blank lines read.
    pub lines: usize,
    /// Valid documents.
    pub valid: usize,
    /// Invalid lines skipped (with `--skip-invalid`).
    pub skipped: usize,
    /// The first few skip reasons, as `file:line: message`.
    pub skip_reasons: Vec<String>,
    /// Documents that replaced an earlier one with the same id.
    pub replaced: usize,
}

impl ReadStats {
    fn skip(&mut self, message: String) {
        self.skipped += 1;
        if self.skip_reasons.len() < 20 {
            self.skip_reasons.push(message);
        }
    }
}

/// Reads a JSONL file as batches of `(line number, line)`, with bounded line length.
pub struct LineReader {
    path: PathBuf,
    reader: Box<dyn BufRead>,
    line_no: usize,
}

/// One raw line: its 1-based number and its text (or why it is not text).
pub type RawLine = (usize, std::result::Result<String, String>);

impl LineReader {
    /// Open `path` for reading.
    pub fn open(path: &Path) -> Result<LineReader> {
        let f = File::open(path).map_err(|e| Error::user_io(path, e))?;
        Ok(Self::from_reader(
            path,
            Box::new(BufReader::with_capacity(1 << 20, f)),
        ))
    }

    /// Read lines from any reader; `name` is used in messages.
    pub fn from_reader(name: &Path, reader: Box<dyn BufRead>) -> LineReader {
        LineReader {
            path: name.to_path_buf(),
            reader,
            line_no: 0,
        }
    }

    /// Up to `n` non-blank lines, or `None` at the end of the file.
    pub fn next_batch(&mut self, n: usize) -> Result<Option<Vec<RawLine>>> {
        let mut out = Vec::with_capacity(n);
        let mut buf = Vec::new();
        while out.len() < n {
            buf.clear();
            let read = (&mut self.reader)
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::user_io(&self.path, e))?;
            if read == 0 {
                break;
            }
            self.line_no += 1;
            if buf.len() > MAX_LINE_BYTES {
                return Err(Error::bad_line(
                    &self.path,
                    self.line_no,
                    format!("line is longer than {} MiB", MAX_LINE_BYTES >> 20),
                ));
            }
            let text = match std::str::from_utf8(&buf) {
                Ok(s) => Ok(s.trim_start_matches('\u{feff}').trim().to_string()),
                Err(e) => Err(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
            };
            if matches!(&text, Ok(t) if t.is_empty()) {
                continue;
            }
            out.push((self.line_no, text));
        }
        Ok((!out.is_empty()).then_some(out))
    }
}

/// Parse and validate a batch of lines in parallel. The first invalid line (in file order) is
/// an error naming the file and line, unless `skip_invalid`.
pub fn parse_batch(
    path: &Path,
    lines: Vec<RawLine>,
    skip_invalid: bool,
    stats: &mut ReadStats,
) -> Result<Vec<Document>> {
    let parsed: Vec<(usize, std::result::Result<Document, String>)> = lines
        .into_par_iter()
        .map(|(no, line)| (no, line.and_then(|l| Document::from_json_line(&l))))
        .collect();
    let mut docs = Vec::with_capacity(parsed.len());
    for (no, r) in parsed {
        stats.lines += 1;
        match r {
            Ok(d) => {
                stats.valid += 1;
                docs.push(d);
            }
            Err(msg) if skip_invalid => stats.skip(format!("{}:{no}: {msg}", path.display())),
            Err(msg) => return Err(Error::bad_line(path, no, msg)),
        }
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_repairs_torn_tail_and_load_upserts() {
        let dir = tempfile::tempdir().unwrap();
        let c = Corpus::create(dir.path()).unwrap();
        let d = |id: &str, body: &str| {
            Document::from_json_line(&format!(r#"{{"id":"{id}","body":"{body}"}}"#)).unwrap()
        };
        c.append(&[d("a", "one"), d("b", "two")]).unwrap();
        // A crash mid-write leaves half a line.
        let mut f = OpenOptions::new().append(true).open(c.path()).unwrap();
        f.write_all(br#"{"id":"c","bo"#).unwrap();
        c.append(&[d("a", "uno")]).unwrap();
        let mut stats = ReadStats::default();
        let docs = c.load(false, &mut stats).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].body, "uno");
        assert_eq!(stats.replaced, 1);
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("docs.jsonl");
        fs::write(&p, "{\"body\":\"ok\"}\n\n{\"title\":\"x\"}\n").unwrap();
        let c = Corpus::open(dir.path()).unwrap();
        let err = c.load(false, &mut ReadStats::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}:3: missing field \"body\"", p.display())
        );
        let mut stats = ReadStats::default();
        assert_eq!(c.load(true, &mut stats).unwrap().len(), 1);
        assert_eq!(stats.skipped, 1);
    }

    #[test]
    fn invalid_utf8_is_a_line_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jsonl");
        fs::write(&p, b"{\"body\":\"\xff\"}\n").unwrap();
        let err = Corpus::open(&p)
            .unwrap()
            .load(false, &mut ReadStats::default())
            .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("x.jsonl:1: invalid UTF-8 at byte 9"),
            "{err}"
        );
    }
}
