//! Themes: the bilingual taxonomy format, the compiled tagger with evidence, evaluation against gold labels, and term suggestion.

mod eval;
mod tagger;
mod taxonomy;

pub use eval::{EvalReport, GoldItem, ThemeEval, evaluate};
pub use tagger::{
    EVIDENCE_CONTEXT, Evidence, Hit, MAX_EVIDENCE, Tagger, Tagging, ThemeResult, window,
};
pub use taxonomy::{
    DEFAULT_TOML, Diagnostic, EntryShape, Labels, Level, Settings, Taxonomy, Theme, entry_shape,
};
