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
    matches!(
        p.trim_end_matches(':').to_lowercase().as_str(),
        "tags" | "share" | "comments" | "related" | "标签" | "评论" | "分享"
    )
}

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
    // Only a date (and maybe a time): at most a few other letters.
    if len <= 40
        && p.bytes().any(|b| b.is_ascii_digit())
        && super::dates::find(p, None, false).is_some()
    {
        let letters = p.chars().filter(|c| c.is_alphabetic()).count();
        return letters <= 14;
    }
    false
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
        if i < 3 && title.is_some_and(|t| t.trim() == p) {
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
}
