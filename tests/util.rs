//! Shared test helpers: temporary corpora and running the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary folder that is deleted when dropped.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// Write a file (creating folders) and return its path.
    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// Write a corpus folder `corpora/NAME` from JSON values, one per line.
    pub fn corpus(&self, name: &str, docs: &[serde_json::Value]) -> PathBuf {
        let text: String = docs.iter().map(|d| format!("{d}\n")).collect();
        self.write(&format!("corpora/{name}/docs.jsonl"), &text);
        self.path(&format!("corpora/{name}"))
    }
}

/// The result of running the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Assert success and return stdout.
    #[track_caller]
    pub fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "stderr: {}\nstdout: {}",
            self.stderr, self.stdout
        );
        self.stdout
    }

    /// Assert a user error (exit 2) with a one-line message containing `needle`.
    #[track_caller]
    pub fn user_error(self, needle: &str) {
        assert_eq!(
            self.code, 2,
            "stderr: {}\nstdout: {}",
            self.stderr, self.stdout
        );
        assert!(
            self.stderr.contains(needle),
            "expected {needle:?} in stderr: {}",
            self.stderr
        );
        assert_eq!(
            self.stderr.trim_end().lines().count(),
            1,
            "one line: {}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
    }
}

/// Run `shoptalk ARGS` in `cwd`.
pub fn shoptalk(cwd: &Path, args: &[&str]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_shoptalk"))
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .output()
        .expect("run shoptalk")
        .into()
}

/// A small bilingual corpus used by several tests.
pub fn small_corpus() -> Vec<serde_json::Value> {
    use serde_json::json;
    vec![
        json!({"id": "zh1", "url": "https://news.example/a1", "kind": "article", "lang": "zh",
               "title": "海外物流成本上涨", "published": "2023-04-12T09:30:00+08:00",
               "body": "跨境电商卖家反映，海外物流成本今年明显上涨，海外仓的租金也在提高。"}),
        json!({"id": "zh2", "url": "https://news.example/a2", "kind": "article", "lang": "zh",
               "title": "物流与仓储", "published": "2022-01-05",
               "body": "海外市场的需求很大，但是物流体系还不完善。产品质量是关键。"}),
        json!({"id": "zh3", "url": "https://shop.example/p/1#r1", "kind": "review", "lang": "zh",
               "rating": 2, "product": "电热水壶", "published": "2024-06-01",
               "body": "發貨太慢了，等了一個星期才到，質量一般。"}),
        json!({"id": "en1", "url": "https://press.example/x", "kind": "article", "lang": "en",
               "title": "Shipping delays hit sellers", "published": "2021-03-02T10:00:00Z",
               "body": "Sellers shipped fewer parcels as carriers struggled with the backlog."}),
        json!({"id": "en2", "url": "https://shop2.example/p/9#r3", "kind": "review", "lang": "en",
               "rating": 1, "product": "Kettle", "published": "2024-02-10",
               "body": "Asked for a refund three times and got nothing. Refunds are a joke here."}),
    ]
}

/// A temporary folder with `docs` in `corpora/NAME`, indexed into `indexes/NAME`.
pub fn indexed_with(name: &str, docs: &[serde_json::Value]) -> Dir {
    let dir = Dir::new();
    dir.corpus(name, docs);
    let (corpus, index) = (format!("corpora/{name}"), format!("indexes/{name}"));
    shoptalk(
        dir.tmp.path(),
        &["index", "--corpus", &corpus, "--index", &index, "-q"],
    )
    .ok();
    dir
}

/// A temporary folder with `small_corpus()` in `corpora/NAME`, indexed into `indexes/NAME`.
pub fn indexed_small(name: &str) -> Dir {
    indexed_with(name, &small_corpus())
}

/// Ids of the hits of `shoptalk search ARGS --index INDEX`, in rank order.
pub fn search_ids(dir: &Dir, index: &str, args: &[&str]) -> Vec<String> {
    let mut full = vec!["search"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--index", index, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&shoptalk(dir.tmp.path(), &full).ok()).unwrap();
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["doc"]["id"].as_str().unwrap().to_string())
        .collect()
}
