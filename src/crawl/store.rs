//! The crawl state on disk (redb, `corpora/NAME/.crawl/state.redb`): frontier, seen set, per-host state, failures and the commit outbox.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Queued URLs by sequence number (the crawl order).
const QUEUE: TableDefinition<u64, &[u8]> = TableDefinition::new("queue");
/// Every canonical URL ever queued: its state and (while queued) its sequence number.
const SEEN: TableDefinition<&str, (u8, u64)> = TableDefinition::new("seen");
/// Permanent failures: URL -> reason.
const FAILED: TableDefinition<&str, &str> = TableDefinition::new("failed");
/// Per-host state (robots.txt) as JSON.
const HOSTS: TableDefinition<&str, &[u8]> = TableDefinition::new("hosts");
/// Counters, file lengths and the outbox.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// A URL in the seen set is waiting in the queue.
pub const QUEUED: u8 = 0;
/// Fetched and committed.
pub const DONE: u8 = 1;
/// Failed permanently (reason in the failure table).
pub const FAILED_STATE: u8 = 2;

/// What a queued URL is expected to be; the content decides in the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    /// An HTML page (links followed, text extracted).
    Page,
    /// A sitemap or sitemap index (XML, maybe gzipped).
    Sitemap,
    /// An RSS or Atom feed.
    Feed,
}

/// One URL in the frontier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    /// The canonical URL.
    pub url: String,
    /// Link distance from a seed.
    pub depth: u32,
    /// Expected kind.
    pub kind: ItemKind,
    /// Redirects followed to reach this URL.
    #[serde(default)]
    pub hops: u32,
    /// Sequence number in the queue (set by the store).
    #[serde(default)]
    pub seq: u64,
}

/// Counters kept across runs.
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    /// Pages, sitemaps and feeds fetched and committed.
    pub fetched: u64,
    /// Documents appended to the corpus.
    pub documents: u64,
    /// URLs that failed permanently (robots exclusions included).
    pub failed: u64,
    /// URLs excluded by robots.txt.
    pub robots_excluded: u64,
    /// Pages that were a duplicate of one already crawled (rel=canonical).
    pub duplicates: u64,
}

/// One finished URL, to be committed.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The item as it was queued.
    pub item: Item,
    /// `None` when done, else the reason it failed.
    pub failure: Option<String>,
    /// Whether a failure was a robots.txt exclusion.
    pub robots: bool,
    /// Whether the page counted as fetched.
    pub fetched: bool,
    /// Whether the page duplicated another (its documents were dropped).
    pub duplicate: bool,
    /// URLs found on it, to queue if new.
    pub links: Vec<Item>,
    /// Other URLs this result stands for (rel=canonical target, redirect source): marked done.
    pub also_done: Vec<String>,
}

/// The crawl store of one corpus.
pub struct Store {
    db: Database,
    path: PathBuf,
}

fn db_err(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("crawl store: {e}"))
}

fn json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("serialisable")
}

impl Store {
    /// Open (or create) the store in `dir` (the corpus folder's `.crawl`).
    pub fn open(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|e| Error::user_io(dir, e))?;
        let path = dir.join("state.redb");
        if !path.exists() {
            // A new state file is made whole under another name first: a kill while redb
            // writes its first pages must not leave a file that cannot be opened.
            let new = dir.join("state.redb.new");
            let _ = std::fs::remove_file(&new);
            let db = Self::builder().create(&new).map_err(|e| {
                Error::bad_file(&new, format!("cannot create the crawl state: {e}"))
            })?;
            create_tables(&db)?;
            drop(db);
            std::fs::rename(&new, &path).map_err(|e| Error::io(&path, e))?;
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        let db = Self::builder().create(&path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => Error::invalid(format!(
                "{} is in use by another crawl of this corpus",
                path.display()
            )),
            e => Error::bad_file(&path, format!("cannot open the crawl state: {e}")),
        })?;
        create_tables(&db)?;
        Ok(Store { db, path })
    }

    fn builder() -> redb::Builder {
        let mut b = Database::builder();
        // The seen set and queue live on disk; a small cache keeps memory flat.
        b.set_cache_size(32 << 20);
        b
    }

    /// The file holding the state.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(META).map_err(db_err)?;
        Ok(t.get(key).map_err(db_err)?.map(|v| v.value().to_vec()))
    }

    /// A number kept in the meta table (0 when absent).
    pub fn meta_u64(&self, key: &str) -> Result<u64> {
        Ok(self
            .meta_get(key)?
            .and_then(|v| v.try_into().ok().map(u64::from_le_bytes))
            .unwrap_or(0))
    }

    /// The counters so far.
    pub fn counts(&self) -> Result<Counts> {
        Ok(self
            .meta_get("counts")?
            .and_then(|v| serde_json::from_slice(&v).ok())
            .unwrap_or_default())
    }

    /// Queue URLs that were never seen (seeds); returns how many were new.
    pub fn add_seeds(&self, items: &[Item]) -> Result<usize> {
        let w = self.db.begin_write().map_err(db_err)?;
        let n;
        {
            let mut q = w.open_table(QUEUE).map_err(db_err)?;
            let mut seen = w.open_table(SEEN).map_err(db_err)?;
            let mut meta = w.open_table(META).map_err(db_err)?;
            let mut next = read_u64(&meta, "next_seq")?;
            n = queue_new(&mut q, &mut seen, &mut next, items)?;
            meta.insert("next_seq", &next.to_le_bytes()[..])
                .map_err(db_err)?;
        }
        w.commit().map_err(db_err)?;
        Ok(n)
    }

    /// Up to `n` queued items with a sequence number of at least `from`, in order.
    pub fn load_queue(&self, from: u64, n: usize) -> Result<Vec<Item>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let q = r.open_table(QUEUE).map_err(db_err)?;
        let mut out = Vec::with_capacity(n.min(4096));
        for e in q.range(from..).map_err(db_err)?.take(n) {
            let (k, v) = e.map_err(db_err)?;
            let mut item: Item = serde_json::from_slice(v.value()).map_err(db_err)?;
            item.seq = k.value();
            out.push(item);
        }
        Ok(out)
    }

    /// How many URLs wait in the queue.
    pub fn queued(&self) -> Result<u64> {
        let r = self.db.begin_read().map_err(db_err)?;
        r.open_table(QUEUE).map_err(db_err)?.len().map_err(db_err)
    }

    /// The state of a canonical URL, if it was ever queued.
    pub fn state(&self, url: &str) -> Result<Option<u8>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(SEEN).map_err(db_err)?;
        Ok(t.get(url).map_err(db_err)?.map(|v| v.value().0))
    }

    /// Permanent failures so far, up to `n`: (URL, reason).
    pub fn failures(&self, n: usize) -> Result<Vec<(String, String)>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(FAILED).map_err(db_err)?;
        let mut out = Vec::new();
        for e in t.iter().map_err(db_err)?.take(n) {
            let (k, v) = e.map_err(db_err)?;
            out.push((k.value().to_string(), v.value().to_string()));
        }
        Ok(out)
    }

    /// The stored state of a host (robots.txt), as JSON.
    pub fn host(&self, host: &str) -> Result<Option<Vec<u8>>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(HOSTS).map_err(db_err)?;
        Ok(t.get(host).map_err(db_err)?.map(|v| v.value().to_vec()))
    }

    /// The outbox left by an interrupted commit: (corpus length before it, its lines).
    pub fn outbox(&self) -> Result<Option<(u64, Vec<u8>)>> {
        Ok(self.meta_get("outbox")?.map(|v| {
            let (len, lines) = v.split_at(8);
            (
                u64::from_le_bytes(len.try_into().expect("8 bytes")),
                lines.to_vec(),
            )
        }))
    }

    /// Phase one of a commit: in one transaction, the finished URLs are marked, new links
    /// queued, host states stored, counters moved, and the corpus lines to append are put in the outbox together
    /// with the corpus length they go after (and the WARC length already on disk).
    pub fn commit_batch(
        &self,
        finished: &[Finished],
        documents: u64,
        corpus_len: u64,
        lines: &[u8],
        warc_len: u64,
        hosts: &[(String, Vec<u8>)],
    ) -> Result<Counts> {
        let w = self.db.begin_write().map_err(db_err)?;
        let counts;
        {
            let mut h = w.open_table(HOSTS).map_err(db_err)?;
            for (host, rec) in hosts {
                h.insert(host.as_str(), rec.as_slice()).map_err(db_err)?;
            }
            let mut q = w.open_table(QUEUE).map_err(db_err)?;
            let mut seen = w.open_table(SEEN).map_err(db_err)?;
            let mut failed = w.open_table(FAILED).map_err(db_err)?;
            let mut meta = w.open_table(META).map_err(db_err)?;
            let mut next = read_u64(&meta, "next_seq")?;
            let mut c: Counts = meta
                .get("counts")
                .map_err(db_err)?
                .and_then(|v| serde_json::from_slice(v.value()).ok())
                .unwrap_or_default();
            for f in finished {
                q.remove(f.item.seq).map_err(db_err)?;
                let state = if f.failure.is_some() {
                    FAILED_STATE
                } else {
                    DONE
                };
                seen.insert(f.item.url.as_str(), (state, 0))
                    .map_err(db_err)?;
                if let Some(reason) = &f.failure {
                    failed
                        .insert(f.item.url.as_str(), reason.as_str())
                        .map_err(db_err)?;
                    c.failed += 1;
                    c.robots_excluded += f.robots as u64;
                }
                c.fetched += f.fetched as u64;
                c.duplicates += f.duplicate as u64;
                for other in &f.also_done {
                    let prev = seen.get(other.as_str()).map_err(db_err)?.map(|v| v.value());
                    if let Some((QUEUED, seq)) = prev {
                        q.remove(seq).map_err(db_err)?;
                    }
                    seen.insert(other.as_str(), (DONE, 0)).map_err(db_err)?;
                }
                queue_new(&mut q, &mut seen, &mut next, &f.links)?;
            }
            c.documents += documents;
            counts = c;
            meta.insert("next_seq", &next.to_le_bytes()[..])
                .map_err(db_err)?;
            meta.insert("counts", json(&c).as_slice()).map_err(db_err)?;
            meta.insert("warc_len", &warc_len.to_le_bytes()[..])
                .map_err(db_err)?;
            if !lines.is_empty() {
                let mut v = corpus_len.to_le_bytes().to_vec();
                v.extend_from_slice(lines);
                meta.insert("outbox", v.as_slice()).map_err(db_err)?;
            }
        }
        w.commit().map_err(db_err)?;
        Ok(counts)
    }

    /// Phase two: the outbox's lines are in the corpus (ending at `corpus_len`); clear it.
    pub fn clear_outbox(&self, corpus_len: u64) -> Result<()> {
        let w = self.db.begin_write().map_err(db_err)?;
        {
            let mut meta = w.open_table(META).map_err(db_err)?;
            meta.remove("outbox").map_err(db_err)?;
            meta.insert("corpus_len", &corpus_len.to_le_bytes()[..])
                .map_err(db_err)?;
        }
        w.commit().map_err(db_err)
    }
}

fn create_tables(db: &Database) -> Result<()> {
    let w = db.begin_write().map_err(db_err)?;
    {
        w.open_table(QUEUE).map_err(db_err)?;
        w.open_table(SEEN).map_err(db_err)?;
        w.open_table(FAILED).map_err(db_err)?;
        w.open_table(HOSTS).map_err(db_err)?;
        w.open_table(META).map_err(db_err)?;
    }
    w.commit().map_err(db_err)
}

fn read_u64(meta: &redb::Table<&str, &[u8]>, key: &str) -> Result<u64> {
    Ok(meta
        .get(key)
        .map_err(db_err)?
        .and_then(|v| v.value().try_into().ok().map(u64::from_le_bytes))
        .unwrap_or(0))
}

/// Queue the items whose URL was never seen; returns how many.
fn queue_new(
    q: &mut redb::Table<u64, &[u8]>,
    seen: &mut redb::Table<&str, (u8, u64)>,
    next: &mut u64,
    items: &[Item],
) -> Result<usize> {
    let mut n = 0;
    for item in items {
        if seen.get(item.url.as_str()).map_err(db_err)?.is_some() {
            continue;
        }
        let seq = *next;
        *next += 1;
        seen.insert(item.url.as_str(), (QUEUED, seq))
            .map_err(db_err)?;
        q.insert(seq, json(item).as_slice()).map_err(db_err)?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(url: &str) -> Item {
        Item {
            url: url.into(),
            depth: 0,
            kind: ItemKind::Page,
            hops: 0,
            seq: 0,
        }
    }

    #[test]
    fn queue_commit_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path()).unwrap();
            assert_eq!(
                s.add_seeds(&[item("http://a.test/"), item("http://a.test/")])
                    .unwrap(),
                1
            );
            let q = s.load_queue(0, 10).unwrap();
            assert_eq!(q.len(), 1);
            let f = Finished {
                item: q[0].clone(),
                failure: None,
                robots: false,
                fetched: true,
                duplicate: false,
                links: vec![item("http://a.test/"), item("http://a.test/b")],
                also_done: vec![],
            };
            let c = s.commit_batch(&[f], 2, 0, b"{}\n", 0, &[]).unwrap();
            assert_eq!((c.fetched, c.documents), (1, 2));
            assert_eq!(s.outbox().unwrap().unwrap(), (0, b"{}\n".to_vec()));
            s.clear_outbox(3).unwrap();
        }
        let s = Store::open(dir.path()).unwrap();
        assert!(s.outbox().unwrap().is_none());
        assert_eq!(s.meta_u64("corpus_len").unwrap(), 3);
        let q = s.load_queue(0, 10).unwrap();
        assert_eq!(
            q.iter().map(|i| i.url.as_str()).collect::<Vec<_>>(),
            ["http://a.test/b"]
        );
        assert_eq!(s.state("http://a.test/").unwrap(), Some(DONE));
    }
}
