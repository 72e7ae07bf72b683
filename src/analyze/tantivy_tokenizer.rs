//! The analyzer registered as a tantivy tokenizer, for the query parser and snippets.

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::Analyzer;

/// The name the tokenizer is registered under in every shoptalk index.
pub const TOKENIZER_NAME: &str = "shoptalk";

/// A tantivy tokenizer over a shared [`Analyzer`]: cloning it clones an `Arc`, never the
/// dictionary.
#[derive(Clone, Debug)]
pub struct ShoptalkTokenizer {
    analyzer: Arc<Analyzer>,
}

impl ShoptalkTokenizer {
    /// A tokenizer over `analyzer`.
    pub fn new(analyzer: Arc<Analyzer>) -> Self {
        ShoptalkTokenizer { analyzer }
    }
}

/// The tokens of one text, handed out one by one.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for ShoptalkTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream {
            tokens: self.analyzer.take_or_tokens(text),
            next: 0,
        }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}
