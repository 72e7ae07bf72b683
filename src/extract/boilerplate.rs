//! Paragraph-level boilerplate: share bars, tip boxes, copyright notices, "related" lists and
//! QR-code captions, in Chinese and English.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// Phrases that mark a short paragraph as page furniture.
const SHORT_MARKERS: &[&str] = &[
    "分享到",
    "分享至",
    "分享给",
    "一键分享",
    "打赏",
    "赞赏",
    "扫码",
    "扫一扫",
    "二维码",
    "长按识别",
    "关注我们",
    "关注公众号",
    "微信公众号",
    "点击关注",
    "上一篇",
    "下一篇",
    "返回首页",
    "返回顶部",
    "返回列表",
    "打印本页",
    "关闭窗口",
    "收藏本文",
    "字号",
    "点击查看",
    "点击进入",
    "点击阅读",
    "阅读原文",
    "查看原文",
    "我要评论",
    "发表评论",
    "网友评论",
    "相关阅读",
    "相关文章",
    "相关新闻",
    "相关推荐",
    "延伸阅读",
    "推荐阅读",
    "热门推荐",
    "猜你喜欢",
    "免责声明",
    "版权声明",
    "版权所有",
    "转载请注明",
    "禁止转载",
    "未经许可",
    "未经授权",
    "本文来源",
    "举报",
    "share this",
    "share on",
    "share article",
    "tweet this",
    "follow us",
    "sign up for",
    "subscribe to",
    "subscribe now",
    "newsletter",
    "advertisement",
    "related articles",
    "related stories",
    "related coverage",
    "read more:",
    "more from",
    "all rights reserved",
    "copyright ©",
    "© copyright",
    "click here to",
    "image caption",
    "image copyright",
    "getty images",
    "photo by",
    "leave a comment",
    "comments are closed",
    "continue reading",
    "clicking here",
    "click here",
    "previous article",
    "next article",
    "recommended for you",
    "you may also like",
    "you might also like",
    "most popular",
    "most read",
];

/// Phrases that start a tail of furniture: everything from such a paragraph on is dropped when
/// it sits in the second half of the text.
const TAIL_MARKERS: &[&str] = &[
    "反侵权公告",
    "侵权声明",
    "版权说明",
    "相关阅读",
    "相关文章",
    "相关新闻",
    "延伸阅读",
    "推荐阅读",
    "猜你喜欢",
    "版权声明",
    "免责声明",
    "related articles",
    "related stories",
    "recommended for you",
    "more stories",
];

static SHORT: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(SHORT_MARKERS)
        .expect("patterns")
});

static TAIL: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(TAIL_MARKERS)
        .expect("patterns")
});

/// Weighted length: Chinese characters count twice.
fn wlen(s: &str) -> usize {
    s.chars()
        .map(|c| if crate::analyze::is_cjk(c) { 2 } else { 1 })
        .sum()
}

/// Whether a paragraph is furniture rather than text.
pub fn is_boilerplate(p: &str) -> bool {
    let len = wlen(p);
    if len <= 80 && SHORT.is_match(p) {
        return true;
    }
    // Lines made of separators and a few words: "首页 | 新闻 | 评论", "Tags: a, b".
    let seps = p
        .chars()
        .filter(|c| matches!(c, '|' | '｜' | '>' | '»' | '·'))
        .count();
    if seps >= 2 && len < 60 {
        return true;
    }
    let label = p
        .trim_end_matches([':', '：', '.', '!', '…'])
        .trim()
        .to_lowercase();
    if matches!(
        label.as_str(),
        "tags" | "share" | "comments" | "related" | "标签" | "评论" | "分享" | "广告"
    ) || (label.len() <= 24 && LABELS.contains(&label.as_str()))
    {
        return true;
    }
    // "Read more: <headline>", "Related: <headline>": a pointer to another page.
    len <= 160
        && POINTER_PREFIXES.iter().any(|pre| {
            p.get(..pre.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(pre))
        })
}

/// Whole paragraphs that are a widget's label, not text (compared lower-cased, without a
/// trailing colon or ellipsis).
const LABELS: &[&str] = &[
    "advert",
    "advertisement",
    "sponsored",
    "read more",
    "see more",
    "more",
    "don't miss",
    "don’t miss",
    "trending",
    "trending now",
    "highlights",
    "subscribe",
    "learn more",
    "about the author",
    "skip to content",
    "text size",
    "sharing is caring",
    "print",
    "email",
    "iklan",
];

/// Openings of a line that points to another page.
const POINTER_PREFIXES: &[&str] = &[
    "read more:",
    "see more:",
    "related:",
    "related post:",
    "related article:",
    "also read:",
    "more:",
    "more great ",
    "you might also like",
    "recommended:",
];

/// A short line that is only a byline, a date, a photo credit or a URL.
fn is_byline_or_credit(p: &str) -> bool {
    let len = p.chars().count();
    if len > 80 {
        return false;
    }
    let lower = p.to_lowercase();
    // "光明日报记者 王建宏 张文攀", "本报记者 李明": a reporter line on its own.
    if len <= 30
        && let Some(at) = p.find("记者")
        && p[..at].chars().count() <= 8
        && !p.contains(['，', '。'])
    {
        return true;
    }
    // "来源：新华网", "（ 责任编辑：王明 ）": the source or editor line of a Chinese news page.
    if len <= 30 && !p.contains(['，', '。']) {
        let t = p.trim_start_matches(['（', '(', '【', '[', ' ']);
        if ["来源", "文章来源", "稿源", "编辑", "责任编辑", "作者"]
            .iter()
            .any(|w| {
                t.strip_prefix(w)
                    .is_some_and(|r| r.trim_start().starts_with(['：', ':']))
            })
        {
            return true;
        }
    }
    if (lower.starts_with('©') || lower.starts_with("updated ") || lower.starts_with("photo:"))
        && len <= 60
    {
        return true;
    }
    if lower.starts_with("by ") && len <= 60 {
        return true;
    }
    if p.starts_with('(') && p.ends_with(')') && len <= 80 {
        return true;
    }
    let urls: usize = p
        .split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::len)
        .sum();
    if urls * 2 > p.len() && p.split_whitespace().count() > 1 {
        return true;
    }
    // An embedded post's signature ("— Name (@handle) November 18, 2019") belongs to the post.
    if !p.bytes().any(|b| b.is_ascii_digit()) || p.contains('@') {
        return false;
    }
    if len > 120 || super::dates::find(p, None, false).is_none() {
        return false;
    }
    // A dateline: "Published Nov 18, 2019 at 4:07 PM | Updated at 5:36 PM".
    if DATELINE_OPENINGS.iter().any(|o| lower.starts_with(o)) {
        return true;
    }
    // Only a date (and maybe a time): at most a few letters besides day and month names.
    len <= 80
        && p.split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty() && !calendar_word(w))
            .map(|w| w.chars().count())
            .sum::<usize>()
            <= 14
}

/// How a line that only dates the article starts.
const DATELINE_OPENINGS: &[&str] = &[
    "published",
    "first published",
    "updated",
    "last updated",
    "posted",
    "by ",
];

/// Day and month names, their abbreviations, and the words around a time.
fn calendar_word(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "am",
        "pm",
        "a",
        "p",
        "m",
        "at",
        "on",
        "st",
        "nd",
        "rd",
        "th",
    ];
    let l = w.to_lowercase();
    WORDS.contains(&l.as_str()) || (w.len() <= 4 && w.chars().all(|c| c.is_ascii_uppercase()))
}

/// Letters and digits only, lower-cased: what two spellings of a headline share.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a paragraph repeats the title: the same words up to punctuation and quotes, or one
/// the other's opening when the title lost a part after a separator (`Russia and Syria: U.S.`
/// for `Russia and Syria: U.S.-backed forces ...`).
fn same_headline(title: &str, p: &str) -> bool {
    let (t, q) = (squash(title), squash(p));
    if t.is_empty() || q.is_empty() {
        return false;
    }
    if t == q {
        return true;
    }
    // A paragraph that is only the title's opening must cover most of it.
    let (short, long) = if t.len() < q.len() {
        (&t, &q)
    } else if q.len() * 5 >= t.len() * 3 {
        (&q, &t)
    } else {
        return false;
    };
    short.chars().count() >= 12
        && long.starts_with(short.as_str())
        && p.chars().count() <= 200
        && !p.trim_end().ends_with(['.', '。'])
}

/// Drop boilerplate paragraphs, a furniture tail, a leading copy of the title, and repeats.
pub fn clean(paras: Vec<String>, title: Option<&str>) -> Vec<String> {
    let total = paras.len();
    let mut cut = total;
    for (i, p) in paras.iter().enumerate() {
        if i * 2 >= total && wlen(p) <= 40 && TAIL.is_match(p) {
            cut = i;
            break;
        }
    }
    let mut out: Vec<String> = Vec::with_capacity(cut);
    for (i, p) in paras.into_iter().take(cut).enumerate() {
        if is_boilerplate(&p) || is_byline_or_credit(&p) {
            continue;
        }
        if i < 3 && title.is_some_and(|t| same_headline(t, &p)) {
            continue;
        }
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_furniture() {
        assert!(is_boilerplate("分享到：微信 微博 QQ空间"));
        assert!(is_boilerplate("版权声明：本文为原创，未经许可禁止转载。"));
        assert!(is_boilerplate("扫描二维码关注我们"));
        assert!(is_boilerplate("Share this article"));
        assert!(is_boilerplate("首页 | 新闻 | 评论"));
        assert!(!is_boilerplate(
            "卖家在分享到海外市场的经验时说，物流成本和退货率是两个最大的难题，必须先解决它们，再谈品牌建设和长期增长，这需要耐心。"
        ));
        let paras: Vec<String> = [
            "标题",
            "正文一。",
            "正文二。",
            "正文三。",
            "相关阅读",
            "另一篇文章",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            clean(paras, Some("标题")),
            vec!["正文一。", "正文二。", "正文三。"]
        );
    }

    #[test]
    fn drops_widget_labels_and_pointers() {
        for junk in [
            "Advertisement",
            "DON'T MISS",
            "About the author",
            "Trending:",
            "Read more: Ferry fares rise again as the harbour dredging drags on",
            "Related: Ten photos of the harbour at dawn",
        ] {
            assert!(is_boilerplate(junk), "{junk}");
        }
        for text in [
            "More ferries will run on Sundays from May, the operator said.",
            "Related questions came up at the council meeting, but no vote was held.",
            "Read the fine print before you book.",
        ] {
            assert!(!is_boilerplate(text), "{text}");
        }
    }

    #[test]
    fn drops_datelines_but_keeps_dated_text() {
        for junk in [
            "Published Mar 3, 2021 at 9:15 AM | Updated at 11:02 AM",
            "By Harbour Desk | March 3, 2021 at 9:15 AM - Updated March 3 at 11:02 AM",
            "Wednesday 3 March 2021 9:15 am",
        ] {
            assert!(is_byline_or_credit(junk), "{junk}");
        }
        for text in [
            "— Port Watch (@portwatch) March 3, 2021",
            "On March 3, 2021 the harbour master closed the inner basin to all traffic for a week.",
        ] {
            assert!(!is_byline_or_credit(text), "{text}");
        }
    }

    #[test]
    fn drops_a_leading_headline_spelled_differently() {
        let body = "The dredger left at dawn, and the inner basin reopened by noon.";
        let paras = vec![
            "‘Harbour reopens,’ says port chief after dredging".to_string(),
            body.to_string(),
        ];
        assert_eq!(
            clean(
                paras,
                Some("'Harbour reopens,' says port chief after dredging")
            ),
            vec![body]
        );
        // The title lost its second half to a separator; the heading still repeats it.
        let paras = vec![
            "Ferry strike: U.S.-flagged ships stay in port".to_string(),
            body.to_string(),
        ];
        assert_eq!(clean(paras, Some("Ferry strike: U.S.")), vec![body]);
        // A short heading that only opens a longer title is a section, not the headline.
        let paras = vec!["Harbour works".to_string(), body.to_string()];
        assert_eq!(
            clean(
                paras.clone(),
                Some("Harbour works: what changes for the ferries this summer")
            ),
            paras
        );
    }

    #[test]
    fn drops_source_and_editor_lines() {
        for junk in ["来源：晨间日报", "（ 责任编辑：张华 ）", "编辑: 李文"] {
            assert!(is_byline_or_credit(junk), "{junk}");
        }
        for text in [
            "来源：多位卖家表示，今年的物流成本明显上升。",
            "编辑部认为，这项政策对中小卖家影响最大",
        ] {
            assert!(!is_byline_or_credit(text), "{text}");
        }
    }
}
