//! shoptalk: bilingual (Chinese/English) text mining for commerce articles and buyer reviews.
//!
//! Data flows one way: a corpus of documents ([`corpus`]) is analysed ([`analyze`]), tagged
//! with themes ([`themes`]) and indexed ([`index`]), then searched, exported ([`export`]) and reported on
//! ([`report`]). The binary is a thin shell over [`cli`].
//!
//! ```no_run
//! use shoptalk::corpus::Corpus;
//! use shoptalk::index::{BuildOptions, IndexConfig, SearchRequest, ShopIndex, build, search};
//! use std::path::Path;
//!
//! let corpus = Corpus::open(Path::new("corpora/sample"))?;
//! let shop = ShopIndex::open_or_create(Path::new("indexes/sample"), &IndexConfig::default())?;
//! build(&shop, &corpus, &BuildOptions::default(), &shoptalk::reporter::Silent)?;
//! let req = SearchRequest { query: "海外仓".into(), limit: 5, snippet_chars: 120, ..Default::default() };
//! for hit in search(&shop, &req)?.hits {
//!     println!("{} {} {:?}", hit.score, hit.doc.title.unwrap_or_default(), hit.themes);
//! }
//! # Ok::<(), shoptalk::Error>(())
//! ```

pub mod analyze;
pub mod cli;
pub mod corpus;
pub mod crawl;
pub mod error;
pub mod export;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod report;
pub mod reporter;
pub mod themes;

pub use error::{Error, Result, UserError};
