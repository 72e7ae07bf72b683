//! The corpus: the document model, its validation and ids, and the JSONL store it lives in.

mod document;
pub mod ids;
pub mod lang;
mod store;

pub use document::{Document, Kind, RawDocument, normalize_lang, parse_date};
pub use store::{Corpus, DOCS_FILE, LineReader, MAX_LINE_BYTES, RawLine, ReadStats, parse_batch};
