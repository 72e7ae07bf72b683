//! Themes: the bilingual taxonomy format, the compiled tagger with evidence, a learned second signal, evaluation against gold labels, and term suggestion.

mod eval;
mod model;
mod tagger;
mod taxonomy;

pub use eval::{EvalReport, GoldItem, ThemeEval, evaluate};
pub use model::{CHUNK_CHARS, Model, TrainOptions, builtin as builtin_model};
pub use tagger::{
    EVIDENCE_CONTEXT, Evidence, Hit, MAX_EVIDENCE, MODEL_CHUNK_SHARE, MODEL_TERM, Tagger, Tagging,
    ThemeResult, per_1000, window,
};
pub use taxonomy::{
    DEFAULT_TOML, Diagnostic, EntryShape, Labels, Level, Settings, Taxonomy, Theme, entry_shape,
};
