//! The tantivy index: opening and creating it with the right analyzer, building and updating it from a corpus, and searching it.

mod build;
pub mod schema;
mod search;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::Index;

pub use build::{BuildOptions, BuildStats, build, peak_rss_mb, retag};
pub use schema::{Fields, names, theme_code};
pub use search::{Hit, SearchRequest, SearchResults, Snippet, Sort, search};

use crate::analyze::{Analyzer, ShoptalkTokenizer, TOKENIZER_NAME};
use crate::error::{Error, Result, UserError};
use crate::themes::{Tagger, Taxonomy};

/// shoptalk's own settings file inside an index folder, beside tantivy's `meta.json`.
pub const SETTINGS_FILE: &str = "shoptalk.json";

/// The format version of [`IndexSettings`]; bumped when the schema changes incompatibly.
pub const FORMAT: u32 = 3;

/// What an index was built with, so searching analyses queries the same way.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct IndexSettings {
    /// Schema format version.
    pub format: u32,
    /// The user dictionary text (jieba format), empty for none.
    #[serde(default)]
    pub user_dict: String,
    /// The theme taxonomy (TOML) documents were tagged with, empty for the default.
    #[serde(default)]
    pub themes: String,
}

/// What to build an index with. `None` keeps what an existing index has (or the defaults for
/// a new one).
#[derive(Debug, Clone, Default)]
pub struct IndexConfig {
    /// A user dictionary: its text and where it came from.
    pub user_dict: Option<(String, PathBuf)>,
    /// A taxonomy: its TOML text and where it came from.
    pub themes: Option<(String, PathBuf)>,
    /// Allow the dictionary or taxonomy of an existing index to change (the caller then
    /// re-indexes or re-tags every document).
    pub allow_change: bool,
    /// Replace an index of an older format with a new, empty one (for callers that rebuild
    /// every document anyway: `index --rebuild` and the demo).
    pub replace_old_format: bool,
}

/// An open shoptalk index: tantivy's index, the field handles and the analyzer.
pub struct ShopIndex {
    /// The folder.
    pub dir: PathBuf,
    /// The tantivy index, with the shoptalk tokenizer registered.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// The analyzer the index was built with.
    pub analyzer: Arc<Analyzer>,
    /// The settings read from `shoptalk.json`.
    pub settings: IndexSettings,
    /// The tagger for the index's taxonomy.
    pub tagger: Arc<Tagger>,
}

impl std::fmt::Debug for ShopIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopIndex").field("dir", &self.dir).finish()
    }
}

fn read_settings(dir: &Path) -> Result<IndexSettings> {
    let path = dir.join(SETTINGS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::user_io(&path, e))?;
    let settings: IndexSettings =
        serde_json::from_str(&text).map_err(|e| Error::bad_file(&path, e))?;
    if settings.format != FORMAT {
        return Err(Error::bad_file(
            &path,
            format!(
                "index format {} is not the supported format {FORMAT}: rebuild it with `shoptalk index --corpus CORPUS --index DIR --rebuild`",
                settings.format
            ),
        ));
    }
    Ok(settings)
}

fn write_settings(dir: &Path, settings: &IndexSettings) -> Result<()> {
    let path = dir.join(SETTINGS_FILE);
    let tmp = dir.join(format!("{SETTINGS_FILE}.tmp"));
    let text =
        serde_json::to_string_pretty(settings).map_err(|e| Error::Internal(e.to_string()))?;
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
}

/// The format an index folder's settings file records, if it can be read.
fn stored_format(dir: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(dir.join(SETTINGS_FILE)).ok()?;
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()?
        .get("format")?
        .as_u64()
        .and_then(|f| u32::try_from(f).ok())
}

/// Delete an index's files (keeping a README.md or .gitignore beside them).
fn clear_index_dir(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::user_io(dir, e))? {
        let entry = entry.map_err(|e| Error::user_io(dir, e))?;
        let name = entry.file_name();
        if name == "README.md" || name == ".gitignore" {
            continue;
        }
        let path = entry.path();
        let r = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        r.map_err(|e| Error::user_io(&path, e))?;
    }
    Ok(())
}

/// Whether `dir` holds a shoptalk index.
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file() && dir.join(SETTINGS_FILE).is_file()
}

impl ShopIndex {
    /// Open the index in `dir`, at its last commit.
    pub fn open(dir: &Path) -> Result<ShopIndex> {
        if !exists(dir) {
            return Err(UserError::MissingIndex(dir.to_path_buf()).into());
        }
        let settings = read_settings(dir)?;
        let index = Index::open_in_dir(dir)?;
        Self::wrap(dir, index, settings)
    }

    /// Open the index in `dir`, or create an empty one there. A dictionary or taxonomy that
    /// differs from an existing index's is an error unless `config.allow_change`.
    pub fn open_or_create(dir: &Path, config: &IndexConfig) -> Result<ShopIndex> {
        // Validate the inputs now, so messages name the user's files; the analyzer the index
        // uses is built once, from the settings, when it is opened.
        if let Some((text, path)) = &config.user_dict {
            crate::analyze::parse_dict(text, path)?;
        }
        if let Some((text, path)) = &config.themes {
            Taxonomy::load(text, path, &Analyzer::shared_default())?;
        }
        if exists(dir) && config.replace_old_format && stored_format(dir) != Some(FORMAT) {
            clear_index_dir(dir)?;
        }
        if exists(dir) {
            let mut settings = read_settings(dir)?;
            let mut changed = false;
            if let Some((text, _)) = &config.user_dict
                && *text != settings.user_dict
            {
                if !config.allow_change {
                    return Err(Error::invalid(format!(
                        "index {} was built with a different user dictionary; add --rebuild to re-segment every document with the new one",
                        dir.display()
                    )));
                }
                settings.user_dict = text.clone();
                changed = true;
            }
            if let Some((text, _)) = &config.themes
                && *text != settings.themes
            {
                if !config.allow_change {
                    return Err(Error::invalid(format!(
                        "index {} was tagged with a different taxonomy; add --retag (or --rebuild) to re-tag every document",
                        dir.display()
                    )));
                }
                settings.themes = text.clone();
                changed = true;
            }
            if changed {
                write_settings(dir, &settings)?;
            }
            let index = Index::open_in_dir(dir)?;
            return Self::wrap(dir, index, settings);
        }
        if dir.exists()
            && std::fs::read_dir(dir)
                .map_err(|e| Error::user_io(dir, e))?
                .flatten()
                .any(|e| e.file_name() != "README.md" && e.file_name() != ".gitignore")
        {
            return Err(Error::invalid(format!(
                "{} exists and is not a shoptalk index; choose an empty or new folder",
                dir.display()
            )));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::user_io(dir, e))?;
        let settings = IndexSettings {
            format: FORMAT,
            user_dict: config
                .user_dict
                .as_ref()
                .map(|(t, _)| t.clone())
                .unwrap_or_default(),
            themes: config
                .themes
                .as_ref()
                .map(|t| t.0.clone())
                .unwrap_or_default(),
        };
        let index = Index::create_in_dir(dir, schema::schema())?;
        write_settings(dir, &settings)?;
        Self::wrap(dir, index, settings)
    }

    fn wrap(dir: &Path, index: Index, settings: IndexSettings) -> Result<ShopIndex> {
        let settings_path = dir.join(SETTINGS_FILE);
        let analyzer = Analyzer::with_user_dict(
            (!settings.user_dict.is_empty())
                .then_some((settings.user_dict.as_str(), settings_path.as_path())),
        )?;
        let taxonomy = if settings.themes.is_empty() {
            Taxonomy::default_taxonomy()
        } else {
            Taxonomy::from_toml(&settings.themes, &settings_path)?
        };
        let tagger = Arc::new(Tagger::new(taxonomy, analyzer.clone())?);
        index
            .tokenizers()
            .register(TOKENIZER_NAME, ShoptalkTokenizer::new(analyzer.clone()));
        let fields = Fields::new(&index.schema()).map_err(|_| {
            Error::bad_file(
                dir,
                "the index schema is not shoptalk's: rebuild it with `shoptalk index --rebuild`",
            )
        })?;
        Ok(ShopIndex {
            dir: dir.to_path_buf(),
            index,
            fields,
            analyzer,
            settings,
            tagger,
        })
    }

    /// A searcher at the last commit.
    pub fn searcher(&self) -> Result<tantivy::Searcher> {
        let reader = self
            .index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        Ok(reader.searcher())
    }

    /// Number of live documents at the last commit.
    pub fn num_docs(&self) -> Result<u64> {
        Ok(self.searcher()?.num_docs())
    }
}

/// Map tantivy's lock error to the user error it is.
pub(crate) fn lock_error(dir: &Path, e: tantivy::TantivyError) -> Error {
    match e {
        tantivy::TantivyError::LockFailure(..) => UserError::IndexLocked(dir.to_path_buf()).into(),
        e => e.into(),
    }
}
