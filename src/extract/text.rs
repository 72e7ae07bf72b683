//! Main-text selection: score text blocks, pick the best container and its siblings, render
//! it as paragraphs without navigation, link lists and boilerplate.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::boilerplate;
use super::dom::{Dom, Node};

/// Class/id words of elements that are almost never content.
const UNLIKELY_WORDS: &[&str] = &[
    "-ad-",
    "ai2html",
    "banner",
    "breadcrumb",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "header",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "rss",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "links",
    "icons",
    "bar",
    "follow)",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "popup",
    "yom-remote",
    "share",
    "subscribe",
    "newsletter",
    "promo",
    "recommend",
    "copyright",
    "fenxiang",
    "dashang",
    "reward",
    "qrcode",
    "erweima",
    "ewm",
    "pinglun",
    "xgyd",
    "xgwz",
    "toolbar",
    "navbar",
    "topbar",
    "cookie",
    "login",
    "signup",
    "modal",
    "outbrain",
    "taboola",
    "more-stories",
    "trending",
    "most-popular",
    "byline",
    "caption",
    "author-info",
    "tags",
    "keywords",
    "social-share",
    "social-links",
    "social-icons",
    "social-bar",
    "social-follow",
];
static UNLIKELY: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(UNLIKELY_WORDS).expect("patterns"));

/// Class/id words so clearly not content that even a container holding most text is dropped.
const STRONG_WORDS: &[&str] = &[
    "comment",
    "disqus",
    "replies",
    "pinglun",
    "related",
    "recommend",
    "share",
    "cookie",
    "gdpr",
    "footer",
    "popup",
    "modal",
    "newsletter",
    "subscribe",
];
static STRONG: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(STRONG_WORDS).expect("patterns"));

/// Class/id words that rescue an element from `UNLIKELY`.
const MAYBE_WORDS: &[&str] = &[
    "and", "article", "body", "column", "content", "main", "shadow", "zhengwen", "text",
];
static MAYBE: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(MAYBE_WORDS).expect("patterns"));

const POSITIVE_WORDS: &[&str] = &[
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
    "blog", "story", "zhengwen", "detail", "neirong", "artical", "con_txt", "txt",
];
static POSITIVE: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(POSITIVE_WORDS).expect("patterns"));

const NEGATIVE_WORDS: &[&str] = &[
    "-ad-",
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "foot",
    "footnote",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "tool",
    "widget",
    "nav",
    "menu",
    "recommend",
    "hot",
    "rank",
    "list",
    "links",
    "copyright",
    "pinglun",
    "xgwz",
    "dashang",
];
static NEGATIVE: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(NEGATIVE_WORDS).expect("patterns"));

/// Inline elements: their text belongs to the enclosing block.
fn inline(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "abbr"
            | "b"
            | "big"
            | "cite"
            | "code"
            | "em"
            | "font"
            | "i"
            | "img"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
            | "wbr"
            | "label"
            | "ins"
            | "del"
            | "nobr"
            | "acronym"
            | "dfn"
            | "bdi"
            | "bdo"
    )
}

/// Elements that are navigation or chrome by their tag alone.
fn junk_tag(tag: &str) -> bool {
    matches!(
        tag,
        "nav" | "aside" | "footer" | "menu" | "dialog" | "figcaption" | "header"
    )
}

/// The class and id of an element, lower-cased, space-separated.
fn class_id(n: &Node) -> String {
    let mut s = String::new();
    if let Some(c) = n.attr("class") {
        s.push_str(c);
    }
    if let Some(i) = n.attr("id") {
        s.push(' ');
        s.push_str(i);
    }
    s.to_ascii_lowercase()
}

fn hidden(n: &Node) -> bool {
    if n.attr("hidden").is_some() || n.attr("aria-hidden").is_some_and(|v| v.trim() == "true") {
        return true;
    }
    if let Some(style) = n.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    matches!(
        n.attr("role"),
        Some(
            "navigation"
                | "complementary"
                | "banner"
                | "contentinfo"
                | "menu"
                | "menubar"
                | "dialog"
                | "alert"
        )
    )
}

/// A character's weight in text length: a Chinese character carries about two Latin letters.
fn char_weight(c: char) -> usize {
    if crate::analyze::is_cjk(c) { 2 } else { 1 }
}

fn is_comma(c: char) -> bool {
    matches!(c, ',' | '，' | '、' | '。' | '；' | '！' | '？')
}

/// Per-node text measures.
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    /// Weighted text length of the subtree.
    len: usize,
    /// Of which inside links.
    link: usize,
    /// Commas and sentence ends.
    punct: usize,
    /// Text the node holds itself (text children and inline descendants, not child blocks).
    own_len: usize,
    own_link: usize,
    own_punct: usize,
    /// Paragraph-like blocks (`p`, or blocks with their own text) in the subtree.
    paras: usize,
    /// `li` elements in the subtree.
    lis: usize,
    /// `article` elements in the subtree, the node itself included.
    arts: usize,
}

/// The main text of a page as paragraphs, or an empty list when nothing looks like content.
pub fn main_text(dom: &Dom, title: Option<&str>) -> Vec<String> {
    let n = dom.nodes.len();
    if n <= 1 {
        return Vec::new();
    }
    // Junk marks, forward (a node is junk when an ancestor is): first by tag and visibility,
    // then by class/id words, except on containers that hold most of the page's text.
    let mut cid: Vec<String> = vec![String::new(); n];
    let mut junk = vec![false; n];
    let mut unlikely = vec![false; n];
    for i in 1..n {
        let node = &dom.nodes[i];
        let p = node.parent as usize;
        if junk[p] {
            junk[i] = true;
            continue;
        }
        if node.is_text() {
            continue;
        }
        cid[i] = class_id(node);
        let tag = node.tag;
        junk[i] = junk_tag(tag) || hidden(node);
        unlikely[i] = !matches!(tag, "html" | "body" | "article" | "main" | "a" | "p")
            && !cid[i].is_empty()
            && UNLIKELY.is_match(&cid[i])
            && !MAYBE.is_match(&cid[i]);
    }
    let first = measure(dom, &junk);
    let total = first[0].len.max(1);
    let any_unlikely = unlikely.iter().any(|&u| u);
    for i in 1..n {
        if !any_unlikely {
            break;
        }
        let p = dom.nodes[i].parent as usize;
        if junk[p] {
            junk[i] = true;
            continue;
        }
        if unlikely[i] {
            let s = first[i];
            let holds_most = s.len * 5 >= total * 2
                && s.link * 3 < s.len
                && s.paras >= 3
                && !STRONG.is_match(&cid[i]);
            junk[i] = !holds_most;
        }
    }
    let st = if any_unlikely {
        measure(dom, &junk)
    } else {
        first
    };
    // Scoring.
    let mut score = vec![0f64; n];
    let mut scored = vec![false; n];
    let init = |i: usize, score: &mut Vec<f64>, scored: &mut Vec<bool>| {
        if scored[i] {
            return;
        }
        scored[i] = true;
        let tag = dom.nodes[i].tag;
        let mut s = match tag {
            "div" | "article" | "section" | "main" => 5.0,
            "pre" | "td" | "blockquote" => 3.0,
            "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
            _ => 0.0,
        };
        // Class words count fully only on blocks with some text.
        s += class_weight(&cid[i]) * (st[i].len as f64 / 300.0).min(1.0);
        score[i] = s;
    };
    for i in 1..n {
        let node = &dom.nodes[i];
        if junk[i] || node.is_text() || inline(node.tag) {
            continue;
        }
        let s = st[i];
        if s.own_len < 25 {
            continue;
        }
        let link_share = s.own_link as f64 / s.own_len as f64;
        if link_share > 0.6 {
            continue;
        }
        let para =
            (1.0 + s.own_punct as f64 + (s.own_len as f64 / 100.0).min(3.0)) * (1.0 - link_share);
        // The block itself, then its ancestors with falling shares.
        let mut j = i;
        let mut level = 0usize;
        while j != u32::MAX as usize && level <= 5 {
            if j == 0 {
                break;
            }
            let tag = dom.nodes[j].tag;
            if matches!(tag, "html") {
                break;
            }
            init(j, &mut score, &mut scored);
            let div = match level {
                0 | 1 => 1.0,
                2 => 2.0,
                l => (l - 1) as f64 * 3.0,
            };
            score[j] += para / div;
            j = dom.nodes[j].parent as usize;
            level += 1;
        }
    }
    // A block holding several <article>s is a list of stories, not one: it is the answer only
    // when nothing else scored.
    let story_list = |i: usize| {
        let own = usize::from(dom.nodes[i].tag == "article");
        st[i].arts >= own + 2
    };
    let mut top = None;
    let mut best = f64::MIN;
    let mut top_list = None;
    let mut best_list = f64::MIN;
    for i in 1..n {
        if !scored[i] {
            continue;
        }
        let s = st[i];
        let ld = if s.len == 0 {
            0.0
        } else {
            s.link as f64 / s.len as f64
        };
        score[i] *= 1.0 - ld;
        if story_list(i) {
            if score[i] > best_list {
                best_list = score[i];
                top_list = Some(i);
            }
        } else if score[i] > best {
            best = score[i];
            top = Some(i);
        }
    }
    if top.is_none() {
        top = top_list;
        best = best_list;
    }
    let Some(mut top) = top else {
        return Vec::new();
    };
    let best_block = top;
    let is_top_level = |i: usize| i == 0 || matches!(dom.nodes[i].tag, "html" | "body" | "#root");
    // The block under the page's headline wins over a stronger one elsewhere (a teaser in a
    // list of stories) when it scores and holds at least half as much.
    if let Some(h) = (1..n).find(|&i| dom.nodes[i].tag == "h1" && !junk[i]) {
        let mut p = dom.nodes[h].parent as usize;
        while !is_top_level(p) && !contains(dom, p, top) {
            if scored[p] && !story_list(p) && score[p] >= best * 0.5 && st[p].len * 2 >= st[top].len
            {
                top = p;
                best = score[p];
                break;
            }
            p = dom.nodes[p].parent as usize;
        }
    }
    // Several near-equal candidates under one ancestor: the ancestor is the article.
    let mut alts: Vec<usize> = (1..n)
        .filter(|&i| scored[i] && i != top && score[i] >= best * 0.75)
        .collect();
    alts.sort_by(|a, b| score[*b].total_cmp(&score[*a]));
    alts.truncate(5);
    if alts.len() >= 3 {
        let mut p = dom.nodes[top].parent as usize;
        while !is_top_level(p) {
            let inside = alts
                .iter()
                .filter(|&&a| {
                    let mut q = a;
                    while q != u32::MAX as usize {
                        if q == p {
                            return true;
                        }
                        q = dom.nodes[q].parent as usize;
                    }
                    false
                })
                .count();
            if inside >= 3 {
                if !story_list(p) || story_list(top) {
                    top = p;
                }
                break;
            }
            p = dom.nodes[p].parent as usize;
        }
    }
    // Climb while an ancestor scores higher than what lies below it, but never from one
    // <article> into a list of them.
    let many_articles = |i: usize| {
        let p = dom.nodes[i].parent as usize;
        dom.nodes[p]
            .children
            .iter()
            .filter(|&&c| dom.nodes[c as usize].tag == "article")
            .count()
            > 1
    };
    if !(dom.nodes[top].tag == "article" && many_articles(top)) {
        let mut last = score[top];
        let mut p = dom.nodes[top].parent as usize;
        while !is_top_level(p) {
            if !scored[p] {
                p = dom.nodes[p].parent as usize;
                continue;
            }
            if score[p] < last / 3.0 || (story_list(p) && !story_list(top)) {
                break;
            }
            if score[p] > last {
                top = p;
                break;
            }
            last = score[p];
            p = dom.nodes[p].parent as usize;
        }
    }
    // A lone child says no more than its parent.
    while !is_top_level(dom.nodes[top].parent as usize)
        && dom.nodes[dom.nodes[top].parent as usize]
            .children
            .iter()
            .filter(|&&c| {
                !dom.nodes[c as usize].is_text() || !dom.nodes[c as usize].text.trim().is_empty()
            })
            .count()
            == 1
    {
        top = dom.nodes[top].parent as usize;
    }
    let best = score[top].max(best);
    // The top candidate plus siblings that look like content too.
    let mut chosen = Vec::new();
    let parent = dom.nodes[top].parent as usize;
    let threshold = (best * 0.2).max(10.0);
    let top_class = dom.nodes[top].attr("class").unwrap_or("");
    if parent == 0 || dom.nodes[parent].tag == "html" {
        chosen.push(top);
    } else {
        for &c in &dom.nodes[parent].children {
            let c = c as usize;
            if c == top {
                chosen.push(c);
                continue;
            }
            if junk[c] {
                continue;
            }
            let node = &dom.nodes[c];
            let s = st[c];
            if node.is_text() {
                continue;
            }
            let bonus = if !top_class.is_empty() && node.attr("class") == Some(top_class) {
                best * 0.2
            } else {
                0.0
            };
            // Separate <article>s are separate stories.
            if node.tag == "article" && dom.nodes[top].tag == "article" {
                continue;
            }
            if scored[c] && score[c] + bonus >= threshold {
                chosen.push(c);
                continue;
            }
            let ld = if s.len == 0 {
                0.0
            } else {
                s.link as f64 / s.len as f64
            };
            if node.tag == "p" || (inline(node.tag) && s.own_len > 0) {
                let text_end = dom.text_of(c);
                if (s.len > 80 && ld < 0.25)
                    || (s.len > 0
                        && s.len <= 80
                        && ld == 0.0
                        && text_end.ends_with(['.', '。', '!', '?', '！', '？', '"', '”']))
                {
                    chosen.push(c);
                }
            }
        }
    }
    // An article cut into sections by full-width figures or ads: other blocks of the best
    // block's own tag and class, in the same story, that read like content too.
    let block_class = dom.nodes[best_block].attr("class").unwrap_or("");
    if !block_class.trim().is_empty() && contains(dom, top, best_block) {
        let story = |i: usize| {
            let mut q = dom.nodes[i].parent as usize;
            while q != u32::MAX as usize && dom.nodes[q].tag != "article" {
                q = dom.nodes[q].parent as usize;
            }
            q
        };
        let top_story = story(top);
        // One forward pass: a node is covered when it or an ancestor is already chosen, and
        // nodes holding a chosen block are skipped too.
        let mut covered = vec![false; n];
        let mut above = vec![false; n];
        for &c in &chosen {
            covered[c] = true;
            let mut q = dom.nodes[c].parent as usize;
            while q != u32::MAX as usize && !above[q] {
                above[q] = true;
                q = dom.nodes[q].parent as usize;
            }
        }
        let mut more = Vec::new();
        for i in 1..n {
            let node = &dom.nodes[i];
            if covered[node.parent as usize] {
                covered[i] = true;
            }
            if covered[i]
                || above[i]
                || i == best_block
                || junk[i]
                || !scored[i]
                || node.tag != dom.nodes[best_block].tag
                || node.attr("class") != Some(block_class)
                || score[i] < threshold
                || st[i].link * 4 >= st[i].len
                || story_list(i)
                || story(i) != top_story
            {
                continue;
            }
            covered[i] = true;
            more.push(i);
        }
        if !more.is_empty() {
            chosen.extend(more);
            chosen.sort_unstable();
        }
    }
    let mut r = Renderer {
        dom,
        junk: &junk,
        st: &st,
        cid: &cid,
        paras: Vec::new(),
        cur: String::new(),
        cur_link: 0,
        in_link: 0,
        cur_links: 0,
    };
    for &c in &chosen {
        r.render(c);
    }
    r.flush();
    boilerplate::clean(r.paras, title)
}

/// Whether node `a` is `b` or one of its ancestors.
fn contains(dom: &Dom, a: usize, b: usize) -> bool {
    let mut q = b;
    while q != u32::MAX as usize {
        if q == a {
            return true;
        }
        q = dom.nodes[q].parent as usize;
    }
    false
}

/// Text measures of every node, skipping junk subtrees: a pass in reverse document order, so
/// children are done before their parent.
fn measure(dom: &Dom, junk: &[bool]) -> Vec<Stats> {
    let n = dom.nodes.len();
    let mut st = vec![Stats::default(); n];
    // Inline contributions to the enclosing block: (len, link, punct).
    let mut inl = vec![(0usize, 0usize, 0usize); n];
    for i in (1..n).rev() {
        if junk[i] {
            continue;
        }
        let node = &dom.nodes[i];
        if node.is_text() {
            let mut len = 0;
            let mut punct = 0;
            let mut space = false;
            for c in node.text.chars() {
                if c.is_whitespace() {
                    space = true;
                    continue;
                }
                if space {
                    len += 1;
                    space = false;
                }
                len += char_weight(c);
                punct += usize::from(is_comma(c));
            }
            st[i].len = len;
            st[i].punct = punct;
            inl[i] = (len, 0, punct);
        } else {
            let tag = node.tag;
            if tag == "a" {
                st[i].link = st[i].len;
                inl[i].1 = inl[i].0;
            }
            if tag == "li" {
                st[i].lis += 1;
            }
            if tag == "article" {
                st[i].arts += 1;
            }
            if tag == "p" || (!inline(tag) && st[i].own_len >= 50) {
                st[i].paras += 1;
            }
        }
        let p = node.parent as usize;
        let me = st[i];
        let ps = &mut st[p];
        ps.len += me.len;
        ps.link += me.link;
        ps.punct += me.punct;
        ps.paras += me.paras;
        ps.lis += me.lis;
        ps.arts += me.arts;
        if node.is_text() || inline(node.tag) {
            let (l, k, c) = inl[i];
            ps.own_len += l;
            ps.own_link += k;
            ps.own_punct += c;
            if !dom.nodes[p].is_text() && inline(dom.nodes[p].tag) {
                let t = &mut inl[p];
                t.0 += l;
                t.1 += k;
                t.2 += c;
            }
        }
    }
    st
}

fn class_weight(cid: &str) -> f64 {
    if cid.is_empty() {
        return 0.0;
    }
    let mut w = 0.0;
    if NEGATIVE.is_match(cid) || cid.split_whitespace().any(|t| t == "hid") {
        w -= 25.0;
    }
    if POSITIVE.is_match(cid) {
        w += 25.0;
    }
    w
}

/// A line made only of link text and not ending a sentence: a pointer to another page (a related
/// headline, a "more" link) or a run of links, as jusText and boilerpipe judge by link density.
fn link_line(p: &str, link_chars: usize, links: usize) -> bool {
    let chars = p.chars().filter(|c| !c.is_whitespace()).count();
    // A printed address or a footnote number is a reference the text shows, not navigation.
    let reference = p.starts_with("http")
        || p.starts_with("www.")
        || p.chars()
            .all(|c| c.is_ascii_digit() || c == '[' || c == ']');
    // A run of three or more links with only separators between them (tags, a link cloud)
    // is navigation at any length.
    link_chars * 10 >= chars * 9
        && (chars <= 100 || links >= 3)
        && !reference
        && !p.ends_with(['.', '。', '!', '?', '！', '？', '"', '”', ':', '：'])
}

struct Renderer<'a> {
    dom: &'a Dom,
    junk: &'a [bool],
    st: &'a [Stats],
    cid: &'a [String],
    paras: Vec<String>,
    cur: String,
    /// Characters of `cur` inside links, and how many links are open.
    cur_link: usize,
    in_link: usize,
    /// Links opened in `cur`.
    cur_links: usize,
}

fn block_breaking(tag: &str) -> bool {
    !inline(tag)
}

impl Renderer<'_> {
    fn flush(&mut self) {
        let p = super::dom::fold(&self.cur);
        if !p.is_empty() && !link_line(&p, self.cur_link, self.cur_links) {
            self.paras.push(p);
        }
        self.cur.clear();
        self.cur_link = 0;
        self.cur_links = 0;
    }

    /// Whether a container inside the content is a link list, a widget or empty chrome.
    fn drop_container(&self, i: usize) -> bool {
        let node = &self.dom.nodes[i];
        let tag = node.tag;
        if !matches!(
            tag,
            "div"
                | "section"
                | "ul"
                | "ol"
                | "table"
                | "dl"
                | "form"
                | "center"
                | "tbody"
                | "tr"
                | "td"
        ) {
            return false;
        }
        let s = self.st[i];
        if s.len == 0 {
            return false;
        }
        // A wrapper around a quotation (an embedded post) is part of the story.
        if node
            .children
            .iter()
            .any(|&c| self.dom.nodes[c as usize].tag == "blockquote" && !self.junk[c as usize])
        {
            return false;
        }
        let ld = s.link as f64 / s.len as f64;
        let weight = class_weight(&self.cid[i]);
        if s.punct >= 10 && ld < 0.5 {
            return false;
        }
        // A bullet list of plain text (features, steps) is content whatever its class says.
        let plain_list = matches!(tag, "ul" | "ol") && s.link * 10 < s.len && s.len >= 80;
        if weight < 0.0 && s.punct < 10 && !plain_list {
            return true;
        }
        if ld > 0.5 {
            return true;
        }
        if weight < 25.0 && ld > 0.25 && s.len < 300 {
            return true;
        }
        // A list of many short items with hardly any sentences.
        if !matches!(tag, "ul" | "ol") && s.lis > s.paras + 5 && s.punct < 5 {
            return true;
        }
        false
    }

    fn render(&mut self, root: usize) {
        // Iterative walk: (node, entering)
        let mut stack = vec![(root, true)];
        while let Some((i, enter)) = stack.pop() {
            let node = &self.dom.nodes[i];
            if !enter {
                if node.tag == "a" {
                    self.in_link -= 1;
                }
                if block_breaking(node.tag) {
                    self.flush();
                }
                continue;
            }
            if self.junk[i] {
                continue;
            }
            if node.is_text() {
                self.cur.push_str(&node.text);
                if self.in_link > 0 {
                    self.cur_link += node.text.chars().filter(|c| !c.is_whitespace()).count();
                }
                continue;
            }
            let tag = node.tag;
            if tag == "br" || tag == "hr" {
                self.flush();
                continue;
            }
            if i != root && self.drop_container(i) {
                continue;
            }
            if block_breaking(tag) {
                self.flush();
            }
            if tag == "a" {
                self.in_link += 1;
                self.cur_links += 1;
            }
            stack.push((i, false));
            for &c in node.children.iter().rev() {
                stack.push((c as usize, true));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn run(html: &str) -> Vec<String> {
        main_text(&Dom::from_html(&Html::parse_document(html)), None)
    }

    #[test]
    fn picks_article_over_navigation() {
        let body = "<p>Sellers on the marketplace said shipping costs rose sharply this spring, and many moved stock to overseas warehouses.</p>".repeat(4);
        let html = format!(
            r#"<body><div class="nav"><a href="/">Home</a> <a href="/x">News</a></div>
            <div class="article-body"><h2>Costs</h2>{body}</div>
            <ul class="related"><li><a href="/1">Other story one</a></li><li><a href="/2">Other story two</a></li></ul>
            <footer>Copyright 2024</footer></body>"#
        );
        let paras = run(&html);
        assert_eq!(paras[0], "Costs");
        assert_eq!(paras.len(), 5, "{paras:?}");
        assert!(
            !paras
                .iter()
                .any(|p| p.contains("Home") || p.contains("Other story"))
        );
    }

    #[test]
    fn table_layout_with_line_breaks() {
        let html = "<table><tr><td><a href=/>首页</a> | <a href=/n>新闻</a></td></tr><tr><td>跨境电商卖家反映，海外物流成本今年明显上涨，海外仓的租金也在提高。<br><br>不少卖家开始把库存转移到成本更低的地区，同时调整了定价策略。<br>分享到：微信 微博</td></tr></table>";
        let paras = run(html);
        assert_eq!(paras.len(), 2, "{paras:?}");
        assert!(paras[1].starts_with("不少卖家"));
    }

    #[test]
    fn headline_article_beats_list_of_teasers() {
        let teaser = |n: usize| {
            format!(
                r#"<article class="post"><a href="/s/{n}">Share</a> <a href="/p/{n}">Save</a>
                <p>Teaser {n}: a short summary of another story, with a few clauses, some commas, and a
                line that runs on long enough to look like a paragraph of real text for a moment.</p></article>"#
            )
        };
        let teasers: String = (0..5).map(teaser).collect();
        let html = format!(
            r#"<body><div id="primary"><article class="post">
            <h1>Why the night market moved</h1>
            <p><a href="/">Home</a> » <a href="/city">City</a></p>
            <p>The night market moved two streets north this year, because the old car park was sold,
            and the traders, who had asked for a covered site for a decade, finally got one. Rents went up,
            but footfall rose too, and most stalls say they earn more than before.</p>
            <p><a href="/c/1">City life</a>, <a href="/c/2">Markets</a></p></article>
            <article class="post"><h3>You may also like</h3>{teasers}</article></div></body>"#
        );
        let paras = run(&html);
        assert!(
            paras
                .iter()
                .any(|p| p.starts_with("The night market moved")),
            "{paras:?}"
        );

        assert!(!paras.iter().any(|p| p.contains("Teaser")), "{paras:?}");
    }

    #[test]
    fn drops_short_link_only_lines() {
        let para = "<p>The ferry timetable changes in May, when the <a href=/t>summer service</a> adds \
            two crossings a day, and the early boat leaves at six instead of seven.</p>";
        let html = format!(
            r#"<body><div class="story">{para}{para}{para}
            <p><a href="/a">Ten photos of the harbour at dawn</a></p>
            <p><a href="/b">Harbour fees</a> | <a href="/c">Ferry strike</a></p>
            <p><a href="/t/1">harbour master elections</a>, <a href="/t/2">ferry timetables 2022</a>,
            <a href="/t/3">summer crossings and fares</a>, <a href="/t/4">inner basin dredging works</a>, <a href="/t/5">pier lighting upgrade</a></p>
            <p><a href="https://port.example/notice">https://port.example/notice</a></p>
            <p><a href="/d">Timetables are posted at both piers.</a></p></div></body>"#
        );
        let paras = run(&html);
        assert_eq!(paras.len(), 5, "{paras:?}");
        assert!(paras[0].contains("summer service adds two crossings"));
        assert!(!paras.iter().any(|p| p.contains("Ten photos")
            || p.contains("Harbour fees")
            || p.contains("dredging")));
        assert!(paras.iter().any(|p| p == "https://port.example/notice"));
        assert!(
            paras
                .iter()
                .any(|p| p == "Timetables are posted at both piers.")
        );
    }

    #[test]
    fn keeps_embedded_posts_drops_media_widgets() {
        let para = "<p>Readers kept writing in about the new bus map, and most of them, it turns out, \
            liked the colours but not the route numbers, which changed overnight.</p>";
        let html = format!(
            r#"<body><div class="story">{para}{para}
            <div class="social-media-embed"><blockquote class="embedded-post"><p>Route 9 is now
            route 14 and nobody told the drivers <a href="/x">pic.example/abc</a></p>— Bus Rider
            (@busrider) <a href="/y">May 2, 2022</a></blockquote></div>
            <div class="media-links"><a href="/v1">Video</a> <a href="/v2">Gallery</a></div>
            {para}</div></body>"#
        );
        let paras = run(&html);
        assert!(
            paras
                .iter()
                .any(|p| p.starts_with("Route 9 is now route 14")),
            "{paras:?}"
        );
        assert!(!paras.iter().any(|p| p.contains("Gallery")), "{paras:?}");
    }

    #[test]
    fn joins_an_article_split_by_figures() {
        let para = |n: usize| {
            format!(
                "<p>Part {n}: the river authority measured the flow at six points, and the numbers, \
                once adjusted for the dry spring, showed the weir is doing what it was built for.</p>"
            )
        };
        let section = |a: usize, b: usize| -> String {
            format!(
                r#"<div class="body-text prose">{}</div>"#,
                (a..b).map(para).collect::<String>()
            )
        };
        let html = format!(
            r#"<body><article><h1>The weir works</h1>
            <div class="block"><div class="wrap"><aside class="author">Staff writer</aside>
              <section class="col">{}</section></div></div>
            <figure class="wide"><img src="/w.jpg"></figure>
            <div class="block"><section class="col">{}</section></div>
            <figure class="wide"><img src="/x.jpg"></figure>
            <div class="block"><section class="col">{}</section></div></article>
            <div class="teasers"><div class="body-text prose"><p>Another story: a bridge opens.</p></div></div>
            </body>"#,
            section(0, 2),
            section(2, 8),
            section(8, 10)
        );
        let paras = run(&html);
        let parts: Vec<&str> = paras
            .iter()
            .filter_map(|p| p.strip_prefix("Part "))
            .map(|p| &p[..1])
            .collect();
        assert_eq!(
            parts,
            ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            "{paras:?}"
        );
        assert!(!paras.iter().any(|p| p.contains("bridge")), "{paras:?}");
    }

    #[test]
    fn keeps_plain_bullet_lists_whatever_their_class() {
        let para = "<p>The new kettle is the first one we tested that boils a full litre in under \
            three minutes, and it stays quiet while it does, which matters early in the morning.</p>";
        let html = format!(
            r#"<body><div class="review">{para}{para}
            <ul class="spec-list"><li>Holds 1.7 litres</li><li>Keeps warm for an hour</li>
            <li>Limescale filter you can wash</li><li>Base turns all the way round</li></ul>
            <ul class="more-list"><li><a href="/a">Toasters</a></li><li><a href="/b">Blenders</a></li>
            <li><a href="/c">Coffee grinders</a></li></ul>{para}</div></body>"#
        );
        let paras = run(&html);
        assert!(
            paras.iter().any(|p| p == "Keeps warm for an hour"),
            "{paras:?}"
        );
        assert!(!paras.iter().any(|p| p.contains("Blenders")), "{paras:?}");
    }
}
