//! Page metadata: title, author, publication date and site name from meta tags, JSON-LD,
//! `<time>`, bylines and Chinese date lines.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset};
use regex::Regex;
use serde_json::Value;

use super::dom::{Dom, fold};
use super::reviews::text as json_text;

/// The first `<meta>` content with one of these keys.
fn meta<'a>(dom: &'a Dom, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| {
        dom.metas
            .iter()
            .find(|m| m.key == *k && !m.content.is_empty())
            .map(|m| m.content.as_str())
    })
}

/// JSON-LD objects that describe the page itself (articles and web pages), flattened from
/// `@graph` and arrays.
pub fn articles(json_ld: &[Value]) -> Vec<&serde_json::Map<String, Value>> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = json_ld.iter().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(o) => {
                if let Some(g) = o.get("@graph") {
                    stack.push(g);
                }
                let t = match o.get("@type") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Array(a)) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                    _ => String::new(),
                };
                if t.contains("Article")
                    || t.contains("Posting")
                    || t.contains("Report")
                    || t.contains("BlogPosting")
                    || t == "WebPage"
                {
                    out.push(o);
                }
            }
            _ => {}
        }
    }
    out
}

fn ld_field(arts: &[&serde_json::Map<String, Value>], keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| arts.iter().find_map(|o| o.get(*k).and_then(json_text)))
}

static SEPARATORS: &[&str] = &[
    " | ", " - ", " – ", " — ", "_", "｜", " :: ", " · ", "--", "-",
];

/// A `<title>` without its site-name part: the part that matches the `h1` when there is one,
/// else the longest part.
pub fn strip_site_suffix(title: &str, h1: Option<&str>) -> String {
    let title = fold(title);
    for sep in SEPARATORS {
        if !title.contains(sep) {
            continue;
        }
        let parts: Vec<&str> = title
            .split(sep)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() < 2 {
            continue;
        }
        if let Some(h) = h1
            && let Some(p) = parts.iter().find(|p| h.contains(**p) || p.contains(h))
        {
            return p.to_string();
        }
        // "-" alone splits hyphenated words: only use it with spaces round it.
        if *sep == "-" {
            continue;
        }
        let best = parts
            .iter()
            .max_by_key(|p| {
                p.chars()
                    .map(|c| if crate::analyze::is_cjk(c) { 2 } else { 1 })
                    .sum::<usize>()
            })
            .copied()
            .unwrap_or(&title);
        return best.to_string();
    }
    title
}

/// Things found in one pass over the body.
#[derive(Debug, Default)]
pub struct BodyHints {
    pub h1: Option<String>,
    pub time: Option<String>,
    pub author: Option<String>,
}

/// The first `h1`, `<time datetime>` and author-looking element of the page.
pub fn body_hints(dom: &Dom) -> BodyHints {
    let mut h = BodyHints::default();
    for (i, n) in dom.nodes.iter().enumerate() {
        if n.is_text() {
            continue;
        }
        match n.tag {
            "h1" if h.h1.is_none() => {
                let t = dom.text_of(i);
                if !t.is_empty() && t.len() < 400 {
                    h.h1 = Some(t);
                }
            }
            "time" if h.time.is_none() => {
                h.time = n
                    .attr("datetime")
                    .map(str::to_string)
                    .or_else(|| Some(dom.text_of(i)).filter(|t| !t.is_empty()));
            }
            _ => {}
        }
        if h.author.is_none() {
            let itemprop_author = n
                .attr("itemprop")
                .is_some_and(|p| p.split_whitespace().any(|p| p == "author"));
            let rel_author = n.tag == "a" && n.attr("rel").is_some_and(|r| r.contains("author"));
            let class_author = n.attr("class").is_some_and(|c| {
                c.split_whitespace().any(|w| {
                    [
                        "author",
                        "byline",
                        "author-name",
                        "byline-name",
                        "article-author",
                    ]
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(w))
                })
            });
            if itemprop_author || rel_author || class_author {
                let t = dom.text_of(i);
                let t = t.trim_start_matches(|c: char| !c.is_alphanumeric());
                let t = t
                    .strip_prefix("By ")
                    .or_else(|| t.strip_prefix("by "))
                    .unwrap_or(t)
                    .trim();
                if !t.is_empty() && t.chars().count() <= 60 {
                    h.author = Some(t.to_string());
                }
            }
        }
    }
    h
}

/// The page title.
pub fn title(
    dom: &Dom,
    arts: &[&serde_json::Map<String, Value>],
    hints: &BodyHints,
) -> Option<String> {
    let h1 = hints.h1.as_deref();
    if let Some(t) = meta(dom, &["og:title", "twitter:title"]) {
        return Some(strip_site_suffix(t, h1.or(Some(t))));
    }
    if let Some(t) = ld_field(arts, &["headline"]) {
        return Some(t);
    }
    if let Some(t) = dom.title.as_deref().filter(|t| !t.trim().is_empty()) {
        return Some(strip_site_suffix(t, h1));
    }
    h1.map(str::to_string)
}

static CN_AUTHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:作者|文|撰文|编辑|记者)\s*[:：/]\s*([^\s　|｜,，。:：]{2,20})").expect("regex")
});

/// The author or byline.
pub fn author(
    dom: &Dom,
    arts: &[&serde_json::Map<String, Value>],
    hints: &BodyHints,
    page_text: &str,
) -> Option<String> {
    let from_meta = meta(
        dom,
        &[
            "author",
            "article:author",
            "byl",
            "dc.creator",
            "sailthru.author",
            "parsely-author",
        ],
    )
    .filter(|a| !a.starts_with("http"))
    .map(|a| {
        a.trim_start_matches("By ")
            .trim_start_matches("by ")
            .to_string()
    });
    from_meta
        .or_else(|| ld_field(arts, &["author", "creator"]).filter(|a| !a.starts_with("http")))
        .or_else(|| hints.author.clone())
        .or_else(|| {
            let head: String = page_text.chars().take(4000).collect();
            CN_AUTHOR.captures(&head).map(|c| c[1].to_string())
        })
}

/// The publication date, RFC 3339 or `YYYY-MM-DD`.
pub fn published(
    dom: &Dom,
    arts: &[&serde_json::Map<String, Value>],
    hints: &BodyHints,
    page_text: &str,
    fetched: Option<DateTime<FixedOffset>>,
    cst: bool,
) -> Option<String> {
    let parse = |s: &str| super::dates::parse(s, fetched, cst);
    meta(
        dom,
        &[
            "article:published_time",
            "og:published_time",
            "datepublished",
            "publishdate",
            "pubdate",
            "publish-date",
            "publication_date",
            "date",
            "dc.date",
            "dc.date.issued",
            "dcterms.created",
            "sailthru.date",
            "parsely-pub-date",
            "article:modified_time",
        ],
    )
    .and_then(parse)
    .or_else(|| {
        ld_field(arts, &["datePublished", "dateCreated", "uploadDate"]).and_then(|d| parse(&d))
    })
    .or_else(|| hints.time.as_deref().and_then(parse))
    .or_else(|| {
        let head: String = page_text.chars().take(6000).collect();
        super::dates::find(&head, fetched, cst)
    })
}

/// The site's name.
pub fn site_name(dom: &Dom, arts: &[&serde_json::Map<String, Value>]) -> Option<String> {
    meta(dom, &["og:site_name", "application-name", "twitter:site"])
        .map(str::to_string)
        .or_else(|| {
            arts.iter()
                .find_map(|o| o.get("publisher").and_then(json_text))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_site_suffix() {
        assert_eq!(
            strip_site_suffix("海外仓租金上涨_跨境电商网", None),
            "海外仓租金上涨"
        );
        assert_eq!(
            strip_site_suffix("Shipping delays hit sellers | Trade Weekly", None),
            "Shipping delays hit sellers"
        );
        assert_eq!(
            strip_site_suffix(
                "News - Shipping delays hit sellers",
                Some("Shipping delays hit sellers")
            ),
            "Shipping delays hit sellers"
        );
        assert_eq!(
            strip_site_suffix("E-commerce grows", None),
            "E-commerce grows"
        );
    }

    #[test]
    fn chinese_byline() {
        let dom = Dom::default();
        let a = author(
            &dom,
            &[],
            &BodyHints::default(),
            "2022年7月19日 来源：网易 作者：张三 字号",
        );
        assert_eq!(a.as_deref(), Some("张三"));
    }
}
