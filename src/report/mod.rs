//! Analyses over an index for analysts: term suggestion for themes (and, later, frequencies, trends, keywords, exports).

mod suggest;

pub use suggest::{Suggestion, suggest};
