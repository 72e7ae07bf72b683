//! Per-site CSS-selector rules (a TOML file) for review lists without schema.org markup.
//!
//! ```toml
//! [[site]]
//! host = "shop.example"        # the page's site, or a parent domain of it; "*" for any page
//! review = "li.comment"        # one element per review (required)
//! text = ".comment-body"       # the review text inside it (default: the whole element)
//! rating = ".stars"            # rating: the first number in its text, or its count of ★
//! rating_attr = "data-score"   # ... or read from this attribute of the `rating` element
//! rating_scale = 5             # the best rating on the site's scale (default 5)
//! author = ".user-name"
//! date = ".comment-time"
//! title = ".comment-title"
//! product = "h1.product-name"  # selected in the whole page
//! ```

use std::path::Path;

use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;

use super::reviews::{Review, normalise};
use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    site: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    host: String,
    review: String,
    text: Option<String>,
    rating: Option<String>,
    rating_attr: Option<String>,
    rating_scale: Option<f64>,
    author: Option<String>,
    date: Option<String>,
    title: Option<String>,
    product: Option<String>,
}

/// One site's rule, with its selectors compiled.
#[derive(Debug)]
pub struct Rule {
    host: String,
    review: Selector,
    text: Option<Selector>,
    rating: Option<Selector>,
    rating_attr: Option<String>,
    rating_scale: f64,
    author: Option<Selector>,
    date: Option<Selector>,
    title: Option<Selector>,
    product: Option<Selector>,
}

/// A set of site rules.
#[derive(Debug, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// Read a rules file; a bad selector or field is an error naming the file, rule and field.
    pub fn load(path: &Path) -> Result<Rules> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::user_io(path, e))?;
        Rules::parse(&text).map_err(|m| Error::bad_file(path, m))
    }

    /// Parse rules from TOML text.
    pub fn parse(text: &str) -> std::result::Result<Rules, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let mut rules = Vec::new();
        for (i, r) in raw.site.into_iter().enumerate() {
            let sel = |field: &str, s: &str| {
                Selector::parse(s).map_err(|e| {
                    format!(
                        "site #{} ({}): field {field:?}: bad selector {s:?}: {e}",
                        i + 1,
                        r.host
                    )
                })
            };
            let opt =
                |field: &str, s: &Option<String>| s.as_deref().map(|s| sel(field, s)).transpose();
            let scale = r.rating_scale.unwrap_or(5.0);
            if !(scale.is_finite() && scale > 0.0) {
                return Err(format!(
                    "site #{} ({}): field \"rating_scale\" must be positive",
                    i + 1,
                    r.host
                ));
            }
            rules.push(Rule {
                review: sel("review", &r.review)?,
                text: opt("text", &r.text)?,
                rating: opt("rating", &r.rating)?,
                rating_attr: r.rating_attr.clone(),
                rating_scale: scale,
                author: opt("author", &r.author)?,
                date: opt("date", &r.date)?,
                title: opt("title", &r.title)?,
                product: opt("product", &r.product)?,
                host: r.host.trim().to_ascii_lowercase(),
            });
        }
        Ok(Rules { rules })
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Reviews on `html` by the rules whose host matches `site`.
    pub fn reviews(&self, html: &Html, site: Option<&str>, cst: bool) -> Vec<Review> {
        let mut out = Vec::new();
        for r in &self.rules {
            let matches = r.host == "*"
                || site.is_some_and(|s| s == r.host || s.ends_with(&format!(".{}", r.host)));
            if !matches {
                continue;
            }
            let product = r
                .product
                .as_ref()
                .and_then(|s| html.select(s).next())
                .map(|e| text(&e))
                .filter(|t| !t.is_empty());
            for el in html.select(&r.review).take(10_000) {
                let pick = |s: &Option<Selector>| {
                    s.as_ref()
                        .and_then(|s| el.select(s).next())
                        .map(|e| text(&e))
                        .filter(|t| !t.is_empty())
                };
                let body = match &r.text {
                    Some(_) => pick(&r.text),
                    None => Some(text(&el)).filter(|t| !t.is_empty()),
                };
                let Some(body) = body else { continue };
                let rating = r
                    .rating
                    .as_ref()
                    .and_then(|s| el.select(s).next())
                    .and_then(|e| {
                        let raw = match &r.rating_attr {
                            Some(a) => e.value().attr(a)?.to_string(),
                            None => text(&e),
                        };
                        rating_from_text(&raw).and_then(|v| normalise(v, Some(r.rating_scale)))
                    });
                out.push(Review {
                    author: pick(&r.author),
                    published: pick(&r.date).and_then(|d| super::dates::parse(&d, None, cst)),
                    rating,
                    product: product.clone(),
                    title: pick(&r.title),
                    body,
                });
            }
        }
        out
    }
}

fn text(e: &ElementRef) -> String {
    super::dom::fold(&e.text().collect::<String>())
}

/// The first number in a text, or the number of ★ when there is none.
fn rating_from_text(s: &str) -> Option<f64> {
    let start = s.find(|c: char| c.is_ascii_digit());
    if let Some(start) = start {
        let num: String = s[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        return num.trim_end_matches('.').parse().ok();
    }
    let stars = s.chars().filter(|&c| c == '★').count();
    (stars > 0).then_some(stars as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_rules() {
        let rules = Rules::parse(
            r#"[[site]]
            host = "shop.example"
            review = "li.c"
            text = ".body"
            rating = ".stars"
            author = ".who"
            date = ".when"
            product = "h1""#,
        )
        .unwrap();
        let html = Html::parse_document(
            r#"<h1>电热水壶</h1><ul><li class="c"><span class="who">小李</span><span class="stars">★★★★☆</span>
            <span class="when">2024年3月2日</span><p class="body">烧水很快。</p></li>
            <li class="c"><span class="stars">评分 2</span><p class="body">有异味。</p></li></ul>"#,
        );
        let r = rules.reviews(&html, Some("m.shop.example"), true);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].rating, Some(4.0));
        assert_eq!(r[0].published.as_deref(), Some("2024-03-02"));
        assert_eq!(r[1].rating, Some(2.0));
        assert_eq!(r[1].product.as_deref(), Some("电热水壶"));
        assert!(rules.reviews(&html, Some("other.example"), true).is_empty());
    }

    #[test]
    fn bad_rules_name_the_field() {
        let e = Rules::parse("[[site]]\nhost = \"a\"\nreview = \"li[\"\n").unwrap_err();
        assert!(e.contains("\"review\""), "{e}");
        let e = Rules::parse("[[site]]\nhost = \"a\"\nreview = \"li\"\ncolour = 1\n").unwrap_err();
        assert!(e.contains("colour"), "{e}");
    }
}
