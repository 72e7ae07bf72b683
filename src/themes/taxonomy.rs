//! The theme taxonomy file (TOML): parsing, validation with line-precise diagnostics, and the default taxonomy.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analyze::Analyzer;
use crate::error::{Error, Result};

/// The default taxonomy, embedded in the binary (`shoptalk themes default` prints it).
pub const DEFAULT_TOML: &str = include_str!("default.toml");

/// Thresholds that decide when a theme is assigned to a document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Weighted hits a theme needs in a document.
    #[serde(default = "default_min_hits")]
    pub min_hits: f32,
    /// Documents with more tokens than this also need `min_per_1000`.
    #[serde(default = "default_long_doc_tokens")]
    pub long_doc_tokens: u32,
    /// Weighted hits per 1,000 tokens a long document needs.
    #[serde(default = "default_min_per_1000")]
    pub min_per_1000: f32,
    /// How many tokens may stand between the two sides of an `A ... B` entry.
    #[serde(default = "default_gap_tokens")]
    pub gap_tokens: u32,
    /// The learned second signal: `"builtin"` (the model shipped for the default theme ids,
    /// applied to themes with those ids) or `"none"`.
    #[serde(default = "default_model")]
    pub model: String,
    /// Probability at which the model assigns a theme the dictionary did not.
    #[serde(default = "default_model_threshold")]
    pub model_threshold: f32,
    /// Probability below which (in every chunk) the model overrules the dictionary: the
    /// theme's entries only passed through the text. 0 (and 0 for `model_veto_long`) turns
    /// the veto off.
    #[serde(default = "default_model_veto")]
    pub model_veto: f32,
    /// The veto for texts over `model_veto_long_tokens` tokens: longer texts mention other
    /// themes' words in passing more often, so the model must be surer to keep them.
    #[serde(default = "default_model_veto_long")]
    pub model_veto_long: f32,
    /// Texts with more tokens than this get `model_veto_long` instead of `model_veto`.
    #[serde(default = "default_model_veto_long_tokens")]
    pub model_veto_long_tokens: u32,
}

impl Settings {
    /// The model veto for a text of `tokens` tokens.
    pub fn veto_for(&self, tokens: u32) -> f32 {
        if tokens > self.model_veto_long_tokens {
            self.model_veto_long
        } else {
            self.model_veto
        }
    }
}

fn default_model() -> String {
    "none".into()
}
fn default_model_threshold() -> f32 {
    0.5
}
fn default_model_veto() -> f32 {
    0.15
}
fn default_model_veto_long() -> f32 {
    0.4
}
fn default_model_veto_long_tokens() -> u32 {
    60
}

fn default_min_hits() -> f32 {
    1.0
}
fn default_long_doc_tokens() -> u32 {
    400
}
fn default_min_per_1000() -> f32 {
    1.5
}
fn default_gap_tokens() -> u32 {
    8
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_hits: default_min_hits(),
            long_doc_tokens: default_long_doc_tokens(),
            min_per_1000: default_min_per_1000(),
            gap_tokens: default_gap_tokens(),
            model: default_model(),
            model_threshold: default_model_threshold(),
            model_veto: default_model_veto(),
            model_veto_long: default_model_veto_long(),
            model_veto_long_tokens: default_model_veto_long_tokens(),
        }
    }
}

/// A theme's labels.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
}

/// One theme as written in the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Identifier: lower-case letters, digits and `_`.
    pub id: String,
    /// Labels in both languages.
    pub label: Labels,
    /// What the theme covers.
    #[serde(default)]
    pub description: String,
    /// Chinese entries.
    #[serde(default)]
    pub zh: Vec<String>,
    /// English entries (`deliver*` wildcards, multi-word phrases, `A ... B` gaps).
    #[serde(default)]
    pub en: Vec<String>,
    /// Patterns that cancel any hit of this theme they overlap.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Weights other than 1.0, by entry.
    #[serde(default)]
    pub weights: BTreeMap<String, f32>,
    /// Overrides `settings.min_hits` for this theme.
    #[serde(default)]
    pub min_hits: Option<f32>,
}

impl Theme {
    /// Every entry with its weight.
    pub fn entries(&self) -> impl Iterator<Item = (&str, f32)> {
        self.zh
            .iter()
            .chain(&self.en)
            .map(|e| (e.as_str(), self.weights.get(e).copied().unwrap_or(1.0)))
    }
}

/// A whole taxonomy file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    /// Format version (1).
    #[serde(default = "default_version")]
    pub version: u32,
    /// Assignment thresholds.
    #[serde(default)]
    pub settings: Settings,
    /// The themes, in display order.
    #[serde(default)]
    pub themes: Vec<Theme>,
}

fn default_version() -> u32 {
    1
}

/// A problem found by [`Taxonomy::check`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// `error` makes the file unusable; `warning` is worth a look.
    pub level: Level,
    /// What is wrong, naming the theme and entry.
    pub message: String,
}

/// Severity of a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The taxonomy cannot be used.
    Error,
    /// The taxonomy works but something looks wrong.
    Warning,
}

/// The parts of an entry: words, a trailing wildcard, or the two sides of a gap.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryShape<'a> {
    /// Words matched as they stand (one or more tokens).
    Plain(&'a str),
    /// A single word matched by prefix on its surface form (`deliver*`).
    Prefix(&'a str),
    /// `=UPS`: words matched only where the text writes them exactly so (case and all), for
    /// acronyms whose analysed form is a common word (UPS would otherwise match every "up").
    Exact(&'a str),
    /// `A ... B`: A then B in the same sentence within `gap_tokens` tokens.
    Gap(&'a str, &'a str),
}

impl<'a> EntryShape<'a> {
    /// The surface an `=` entry must match, byte for byte.
    pub fn exact(&self) -> Option<&'a str> {
        match *self {
            EntryShape::Exact(p) => Some(p),
            _ => None,
        }
    }
}

/// Split an entry into its shape, or say why it is malformed.
pub fn entry_shape(entry: &str) -> std::result::Result<EntryShape<'_>, String> {
    let e = entry.trim();
    if e.is_empty() {
        return Err("empty entry".into());
    }
    if let Some((a, b)) = e.split_once("...").or_else(|| e.split_once('…')) {
        let (a, b) = (a.trim(), b.trim());
        if a.is_empty() || b.is_empty() {
            return Err(format!("{entry:?}: both sides of `...` need words"));
        }
        if a.contains('*')
            || b.contains('*')
            || a.starts_with('=')
            || b.starts_with('=')
            || b.contains("...")
            || b.contains('…')
        {
            return Err(format!(
                "{entry:?}: a gap entry takes no wildcard, no `=` and one `...`"
            ));
        }
        return Ok(EntryShape::Gap(a, b));
    }
    if let Some(exact) = e.strip_prefix('=') {
        let exact = exact.trim();
        if exact.is_empty() || exact.contains('*') {
            return Err(format!(
                "{entry:?}: `=` takes the words exactly as written, without `*`"
            ));
        }
        return Ok(EntryShape::Exact(exact));
    }
    match e.find('*') {
        None => Ok(EntryShape::Plain(e)),
        Some(i) if i == e.len() - 1 && !e.contains(char::is_whitespace) && i > 0 => {
            Ok(EntryShape::Prefix(&e[..i]))
        }
        Some(_) => Err(format!(
            "{entry:?}: `*` may only end a single word (like deliver*)"
        )),
    }
}

impl Taxonomy {
    /// Parse TOML; syntax errors and unknown keys name the line and column.
    pub fn from_toml(text: &str, path: &Path) -> Result<Taxonomy> {
        toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            let msg = e.message().replace('\n', " ");
            Error::bad_file(path, format!("line {line}, column {col}: {msg}"))
        })
    }

    /// Parse and validate: errors become a user error (the first one), warnings are returned.
    pub fn load(
        text: &str,
        path: &Path,
        analyzer: &Analyzer,
    ) -> Result<(Taxonomy, Vec<Diagnostic>)> {
        let tax = Taxonomy::from_toml(text, path)?;
        let diags = tax.check(analyzer);
        if let Some(d) = diags.iter().find(|d| d.level == Level::Error) {
            return Err(Error::bad_file(path, &d.message));
        }
        Ok((tax, diags))
    }

    /// The embedded default taxonomy.
    pub fn default_taxonomy() -> Taxonomy {
        Taxonomy::from_toml(DEFAULT_TOML, Path::new("default.toml"))
            .expect("default taxonomy parses")
    }

    /// Index of a theme id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.themes.iter().position(|t| t.id == id)
    }

    /// The ids, in order.
    pub fn ids(&self) -> Vec<&str> {
        self.themes.iter().map(|t| t.id.as_str()).collect()
    }

    /// Check the taxonomy: errors make it unusable, warnings point at likely mistakes.
    pub fn check(&self, analyzer: &Analyzer) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut err = |m: String| {
            out.push(Diagnostic {
                level: Level::Error,
                message: m,
            })
        };
        if self.version != 1 {
            err(format!("version {} is not supported (use 1)", self.version));
        }
        let s = &self.settings;
        if s.model != "builtin" && s.model != "none" {
            err(format!(
                "settings.model must be \"builtin\" or \"none\", got {:?}",
                s.model
            ));
        }
        if !(s.model_threshold > 0.0 && s.model_threshold < 1.0) {
            err(format!(
                "settings.model_threshold must be between 0 and 1, got {}",
                s.model_threshold
            ));
        }
        if !(s.model_veto >= 0.0 && s.model_veto < s.model_threshold) {
            err(format!(
                "settings.model_veto must be at least 0 and below model_threshold ({}), got {}",
                s.model_threshold, s.model_veto
            ));
        }
        if !(s.model_veto_long >= 0.0 && s.model_veto_long < 1.0) {
            err(format!(
                "settings.model_veto_long must be at least 0 and below 1, got {}",
                s.model_veto_long
            ));
        }
        if !(s.min_hits > 0.0 && s.min_hits.is_finite()) {
            err(format!(
                "settings.min_hits must be a positive number, got {}",
                s.min_hits
            ));
        }
        if !(s.min_per_1000 >= 0.0 && s.min_per_1000.is_finite()) {
            err(format!(
                "settings.min_per_1000 must be zero or more, got {}",
                s.min_per_1000
            ));
        }
        if s.gap_tokens == 0 || s.gap_tokens > 50 {
            err(format!(
                "settings.gap_tokens must be 1 to 50, got {}",
                s.gap_tokens
            ));
        }
        if self.themes.is_empty() {
            err("no themes: add at least one [[themes]] table".into());
        }
        let mut ids: HashMap<&str, usize> = HashMap::new();
        for (i, t) in self.themes.iter().enumerate() {
            if t.id.is_empty()
                || !t
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                err(format!(
                    "theme {}: id {:?} must be lower-case letters, digits and _",
                    i + 1,
                    t.id
                ));
            }
            if ids.insert(&t.id, i).is_some() {
                err(format!("theme id {:?} is defined twice", t.id));
            }
            if t.zh.is_empty() && t.en.is_empty() {
                err(format!(
                    "theme {:?} has no entries (add zh or en terms)",
                    t.id
                ));
            }
            if let Some(m) = t.min_hits
                && !(m > 0.0 && m.is_finite())
            {
                err(format!(
                    "theme {:?}: min_hits must be a positive number",
                    t.id
                ));
            }
            for (e, w) in &t.weights {
                if !t.zh.contains(e) && !t.en.contains(e) {
                    err(format!(
                        "theme {:?}: weight for {e:?}, which is not one of its entries",
                        t.id
                    ));
                }
                if !(*w > 0.0 && w.is_finite()) {
                    err(format!(
                        "theme {:?}: weight of {e:?} must be a positive number",
                        t.id
                    ));
                }
            }
            for e in t.zh.iter().chain(&t.en).chain(&t.exclude) {
                if let Err(m) = entry_shape(e) {
                    err(format!("theme {:?}: {m}", t.id));
                }
            }
        }
        // Warnings: duplicates, entries in the wrong list, entries that can never match.
        let mut seen: HashMap<String, &str> = HashMap::new();
        for t in &self.themes {
            let mut mine: HashMap<String, ()> = HashMap::new();
            for e in t.zh.iter().chain(&t.en) {
                let key = analyzer.terms(e).join(" ") + if e.ends_with('*') { "*" } else { "" };
                if mine.insert(key.clone(), ()).is_some() {
                    out.push(Diagnostic {
                        level: Level::Warning,
                        message: format!(
                            "theme {:?}: {e:?} is listed twice (same analysed form)",
                            t.id
                        ),
                    });
                    continue;
                }
                match seen.get(&key) {
                    Some(other) if *other != t.id => out.push(Diagnostic {
                        level: Level::Warning,
                        message: format!("{e:?} is in both {other:?} and {:?}", t.id),
                    }),
                    _ => {
                        seen.insert(key, &t.id);
                    }
                }
            }
            for e in t.zh.iter().chain(&t.en).chain(&t.exclude) {
                let Ok(shape) = entry_shape(e) else { continue };
                let parts: Vec<&str> = match shape {
                    EntryShape::Plain(p) | EntryShape::Prefix(p) | EntryShape::Exact(p) => {
                        vec![p]
                    }
                    EntryShape::Gap(a, b) => vec![a, b],
                };
                for p in parts {
                    if analyzer.terms(p).is_empty() {
                        out.push(Diagnostic {
                            level: Level::Warning,
                            message: format!(
                                "theme {:?}: {e:?} can never match (the analyzer keeps no word of it)",
                                t.id
                            ),
                        });
                    }
                }
            }
            for e in &t.zh {
                if !e.chars().any(crate::analyze::is_cjk) {
                    out.push(Diagnostic {
                        level: Level::Warning,
                        message: format!(
                            "theme {:?}: zh entry {e:?} has no Chinese characters",
                            t.id
                        ),
                    });
                }
            }
            for e in &t.en {
                if e.chars().any(crate::analyze::is_cjk) {
                    out.push(Diagnostic {
                        level: Level::Warning,
                        message: format!("theme {:?}: en entry {e:?} has Chinese characters", t.id),
                    });
                }
            }
        }
        if self.settings.model == "builtin"
            && let Some(model) = super::model::builtin()
        {
            for t in &self.themes {
                if !model.themes().contains(&t.id) {
                    out.push(Diagnostic {
                        level: Level::Warning,
                        message: format!(
                            "theme {:?} is unknown to the built-in model: it is tagged by its entries alone",
                            t.id
                        ),
                    });
                }
            }
        }
        out
    }
}

/// 1-based line and column of byte offset `at`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(toml: &str) -> Vec<Diagnostic> {
        let a = Analyzer::shared_default();
        Taxonomy::from_toml(toml, Path::new("t.toml"))
            .unwrap()
            .check(&a)
    }

    #[test]
    fn syntax_and_unknown_keys_name_line_and_column() {
        let e = Taxonomy::from_toml(
            "version = 1\n[[themes]]\nid = \"x\"\nlabel = {zh=\"a\", en=\"b\"}\nzh = [\"物流\"\n",
            Path::new("t.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("t.toml: line 5"), "{e}");
        let e = Taxonomy::from_toml(
            "[[themes]]\nid = \"x\"\nlabel = {zh=\"a\", en=\"b\"}\nterms = []\n",
            Path::new("t.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("line 4") && e.contains("unknown field `terms`"),
            "{e}"
        );
    }

    #[test]
    fn finds_errors_and_warnings() {
        let d = check(
            r#"
[settings]
model_threshold = 0.4
model_veto = 0.5
model_veto_long = 1.5
[[themes]]
id = "Bad-Id"
label = { zh = "a", en = "b" }
[[themes]]
id = "a"
label = { zh = "a", en = "b" }
zh = ["物流", "！！"]
en = ["de*liver", "parcel"]
weights = { "nope" = 2.0 }
[[themes]]
id = "b"
label = { zh = "a", en = "b" }
en = ["parcels", " ... x", "=UP*", "=UPS ... late"]
"#,
        );
        let msgs: Vec<String> = d
            .iter()
            .map(|d| format!("{:?}: {}", d.level, d.message))
            .collect();
        let has = |s: &str| msgs.iter().any(|m| m.contains(s));
        assert!(has("Error: theme 1: id \"Bad-Id\""), "{msgs:#?}");
        assert!(
            has("settings.model_veto must be at least 0 and below model_threshold (0.4), got 0.5"),
            "{msgs:#?}"
        );
        assert!(
            has("settings.model_veto_long must be at least 0 and below 1, got 1.5"),
            "{msgs:#?}"
        );
        assert!(has("Error: theme \"Bad-Id\" has no entries"), "{msgs:#?}");
        assert!(has("Error: theme \"a\": weight for \"nope\""), "{msgs:#?}");
        assert!(has("`*` may only end a single word"), "{msgs:#?}");
        assert!(has("both sides of `...`"), "{msgs:#?}");
        assert!(has("`=` takes the words exactly as written"), "{msgs:#?}");
        assert!(has("a gap entry takes no wildcard, no `=`"), "{msgs:#?}");
        assert!(
            has("Warning: \"parcels\" is in both \"a\" and \"b\""),
            "{msgs:#?}"
        );
        assert!(
            has("Warning: theme \"a\": \"！！\" can never match"),
            "{msgs:#?}"
        );
    }

    #[test]
    fn default_taxonomy_is_clean() {
        let a = Analyzer::shared_default();
        let t = Taxonomy::default_taxonomy();
        assert_eq!(
            t.ids(),
            [
                "logistics",
                "counterfeit",
                "after_sales",
                "price",
                "quality",
                "payment",
                "work_culture",
                "consumer_habits",
                "livestream",
                "brand"
            ]
        );
        let errors: Vec<_> = t
            .check(&a)
            .into_iter()
            .filter(|d| d.level == Level::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
