//! Analyses over an index for analysts that read the stored text: term suggestion for themes, keyword in context, keywords and keyness (the fast-field aggregations live in `export`).

mod keywords;
mod kwic;
mod suggest;

pub use keywords::{Counts, Keyness, Keyword, Method, is_content, keyness, keywords};
pub use kwic::{KwicLine, KwicTarget, find_term, kwic, matching_documents};
pub use suggest::{Suggestion, log_likelihood, suggest};
