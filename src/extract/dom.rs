//! A compact, flat copy of the parsed page: nodes in document order, depth-capped, with the
//! head's metadata collected on the way.

use scraper::{Html, Node as SNode};

/// Elements nested deeper than this are flattened into their ancestor at this depth.
pub const MAX_DEPTH: usize = 200;
/// Pages with more nodes than this keep only the first ones.
pub const MAX_NODES: usize = 2_000_000;

/// One node: an element or a text.
#[derive(Debug)]
pub struct Node {
    /// Index of the parent (`u32::MAX` for the root).
    pub parent: u32,
    /// Indices of the children, in order.
    pub children: Vec<u32>,
    /// Lower-case tag name; empty for text nodes; `#root` for the root; `*` for tags
    /// extraction does not know (custom elements).
    pub tag: &'static str,
    /// Attributes (elements only), names lower-case.
    pub attrs: Vec<(String, String)>,
    /// Text (text nodes only).
    pub text: String,
}

impl Node {
    /// Whether this is a text node.
    pub fn is_text(&self) -> bool {
        self.tag.is_empty()
    }

    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A `<meta>` tag: its key (`name`, `property`, `itemprop` or `http-equiv`) and content.
#[derive(Debug, Clone)]
pub struct Meta {
    pub key: String,
    pub content: String,
}

/// The flat page.
#[derive(Debug, Default)]
pub struct Dom {
    /// Nodes in document order: a node's descendants follow it, so a pass in reverse index
    /// order visits children before parents.
    pub nodes: Vec<Node>,
    /// `<title>` text.
    pub title: Option<String>,
    /// `<meta>` tags in order.
    pub metas: Vec<Meta>,
    /// Text of each `<script type="application/ld+json">`.
    pub json_ld: Vec<String>,
    /// `<html lang>`.
    pub lang: Option<String>,
    /// `<link rel=canonical href>`.
    pub canonical: Option<String>,
}

/// Tag names extraction knows, sorted (binary search).
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "map",
    "mark",
    "math",
    "menu",
    "meta",
    "meter",
    "nav",
    "nobr",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "script",
    "section",
    "select",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// The static name of a tag, `*` when unknown.
fn intern(name: &str) -> &'static str {
    TAGS.binary_search(&name).map_or("*", |i| TAGS[i])
}

/// The attributes extraction reads; others are not copied.
const KEPT_ATTRS: &[&str] = &[
    "class",
    "id",
    "style",
    "hidden",
    "aria-hidden",
    "role",
    "itemprop",
    "itemscope",
    "itemtype",
    "content",
    "href",
    "datetime",
    "rel",
    "src",
    "value",
];

/// Elements dropped while copying: never text, never content.
fn dropped(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "canvas"
            | "iframe"
            | "object"
            | "embed"
            | "head"
            | "select"
            | "textarea"
            | "button"
            | "input"
            | "video"
            | "audio"
            | "map"
    )
}

impl Dom {
    /// Copy a parsed page.
    pub fn from_html(html: &Html) -> Dom {
        let mut dom = Dom::default();
        dom.nodes.push(Node {
            parent: u32::MAX,
            children: Vec::new(),
            tag: "#root",
            attrs: Vec::new(),
            text: String::new(),
        });
        // (node, parent index in dom, depth)
        let mut stack = Vec::new();
        for c in html.tree.root().children().rev() {
            stack.push((c, 0u32, 1usize));
        }
        while let Some((n, parent, depth)) = stack.pop() {
            if dom.nodes.len() >= MAX_NODES {
                break;
            }
            match n.value() {
                SNode::Text(t) => {
                    if let Some(&last) = dom.nodes[parent as usize].children.last()
                        && dom.nodes[last as usize].is_text()
                    {
                        dom.nodes[last as usize].text.push_str(t);
                        continue;
                    }
                    let id = dom.nodes.len() as u32;
                    dom.nodes.push(Node {
                        parent,
                        children: Vec::new(),
                        tag: "",
                        attrs: Vec::new(),
                        text: t.to_string(),
                    });
                    dom.nodes[parent as usize].children.push(id);
                }
                SNode::Element(e) => {
                    let tag = intern(e.name());
                    match tag {
                        "meta" => {
                            let key = e
                                .attr("property")
                                .or_else(|| e.attr("name"))
                                .or_else(|| e.attr("itemprop"))
                                .or_else(|| e.attr("http-equiv"));
                            if let (Some(k), Some(c)) = (key, e.attr("content")) {
                                dom.metas.push(Meta {
                                    key: k.trim().to_ascii_lowercase(),
                                    content: c.trim().to_string(),
                                });
                            }
                            // Microdata may sit on a <meta> inside the body.
                            if e.attr("itemprop").is_none() {
                                continue;
                            }
                        }
                        "title" if dom.title.is_none() => {
                            let t: String = n
                                .children()
                                .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                                .collect();
                            dom.title = Some(t);
                            continue;
                        }
                        "script" => {
                            if e.attr("type").is_some_and(|t| {
                                t.trim().eq_ignore_ascii_case("application/ld+json")
                            }) {
                                let t: String = n
                                    .children()
                                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                                    .collect();
                                dom.json_ld.push(t);
                            }
                            continue;
                        }
                        "html" if dom.lang.is_none() => {
                            dom.lang = e.attr("lang").map(str::to_string);
                        }
                        "link" => {
                            if e.attr("rel")
                                .is_some_and(|r| r.eq_ignore_ascii_case("canonical"))
                            {
                                dom.canonical = e.attr("href").map(str::to_string);
                            }
                            continue;
                        }
                        _ => {}
                    }
                    if dropped(tag) && tag != "head" {
                        continue;
                    }
                    if tag == "head" || depth >= MAX_DEPTH {
                        // Keep walking for metadata (head) or flatten (too deep).
                        for c in n.children().rev() {
                            stack.push((c, parent, depth));
                        }
                        continue;
                    }
                    let id = dom.nodes.len() as u32;
                    dom.nodes.push(Node {
                        parent,
                        children: Vec::new(),
                        tag,
                        attrs: e
                            .attrs()
                            .filter(|(k, _)| KEPT_ATTRS.contains(k))
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                        text: String::new(),
                    });
                    dom.nodes[parent as usize].children.push(id);
                    for c in n.children().rev() {
                        stack.push((c, id, depth + 1));
                    }
                }
                SNode::Document | SNode::Fragment => {
                    for c in n.children().rev() {
                        stack.push((c, parent, depth));
                    }
                }
                _ => {}
            }
        }
        dom
    }

    /// All text under node `i`, whitespace folded.
    pub fn text_of(&self, i: usize) -> String {
        let mut out = String::new();
        let mut stack = vec![i];
        while let Some(j) = stack.pop() {
            let n = &self.nodes[j];
            if n.is_text() {
                out.push_str(&n.text);
                out.push(' ');
            } else {
                if matches!(n.tag, "br" | "p" | "div" | "li") {
                    out.push(' ');
                }
                stack.extend(n.children.iter().rev().map(|&c| c as usize));
            }
        }
        fold(&out)
    }
}

/// The page's text from node `start` on, in document order, up to about `max` bytes.
pub fn text_from(dom: &Dom, start: usize, max: usize) -> String {
    let mut out = String::new();
    for n in &dom.nodes[start.min(dom.nodes.len())..] {
        if n.is_text() {
            out.push_str(&n.text);
            out.push(' ');
        } else if n.tag == "br" {
            out.push(' ');
        }
        if out.len() > max {
            break;
        }
    }
    fold(&out)
}

/// Fold runs of whitespace to one space and trim.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_sorted_for_lookup() {
        assert!(TAGS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(intern("div"), "div");
        assert_eq!(intern("amp-img"), "*");
    }

    #[test]
    fn copies_and_collects_head() {
        let html = Html::parse_document(
            r#"<html lang="zh-CN"><head><title>标题 - 站点</title><meta property="og:title" content="标题">
            <script type="application/ld+json">{"@type":"NewsArticle"}</script><script>var x=1</script></head>
            <body><p>一 <b>二</b></p><style>p{}</style></body></html>"#,
        );
        let dom = Dom::from_html(&html);
        assert_eq!(dom.title.as_deref(), Some("标题 - 站点"));
        assert_eq!(dom.metas[0].key, "og:title");
        assert_eq!(dom.json_ld.len(), 1);
        assert_eq!(dom.lang.as_deref(), Some("zh-CN"));
        assert_eq!(dom.text_of(0), "一 二");
        assert!(
            !dom.nodes
                .iter()
                .any(|n| n.tag == "style" || n.text.contains("var x"))
        );
    }

    #[test]
    fn deep_nesting_is_flattened() {
        let html = Html::parse_document(&format!(
            "{}x{}",
            "<div>".repeat(5000),
            "</div>".repeat(5000)
        ));
        let dom = Dom::from_html(&html);
        assert_eq!(dom.text_of(0), "x");
        let mut depth = 0;
        let mut i = dom.nodes.iter().position(|n| n.text == "x").unwrap();
        while dom.nodes[i].parent != u32::MAX {
            i = dom.nodes[i].parent as usize;
            depth += 1;
        }
        assert!(depth <= MAX_DEPTH + 1, "{depth}");
    }
}
