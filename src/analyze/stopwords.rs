//! Stop words for keyword statistics and term suggestion (never removed from the index, so phrases stay exact).

use std::collections::HashSet;
use std::sync::OnceLock;

const EN: &str = "a about above after again against all also am an and any are aren't as at be because been before being below between both but by can can't could couldn't did didn't do does doesn't doing don't down during each few for from further get got had hadn't has hasn't have haven't having he her here hers herself him himself his how i if in into is isn't it it's its itself just let me more most much my myself no nor not now of off on once one only or other ought our ours ourselves out over own really said same say says she should shouldn't so some such than that that's the their theirs them themselves then there there's these they they're this those through to too under until up us very was wasn't we we're were weren't what what's when where which while who whom why will with won't would wouldn't you you're your yours yourself yourselves s t d ll m re ve y will would could may might must shall also even still yet like just get got go going went make made one two three per via";

const ZH: &str = "的 了 是 在 和 也 就 都 而 及 与 着 或 一个 没有 我们 你们 他们 她们 它们 我 你 他 她 它 这 那 这个 那个 这些 那些 这样 那样 之 其 中 上 下 不 很 还 又 再 对 把 被 让 给 从 到 向 为 为了 以 以及 因为 所以 但是 但 可是 然而 如果 虽然 而且 并且 或者 还是 就是 只是 不是 已经 可以 可能 应该 需要 自己 什么 怎么 怎样 为什么 哪 哪里 哪些 谁 多少 几 个 些 种 次 年 月 日 时 后 前 里 外 等 等等 啊 吧 呢 吗 嘛 呀 哦 哈 嗯 啦 么 得 地 着 过 来 去 说 要 会 能 有 没 让 被 比 更 最 太 真 挺 非常 特别 比较 一些 一下 一样 一直 一点 这么 那么 多 少 大 小 好 人 家 们 所 者 于 则 即 如 若 该 此 每 各 另 其他 其中 之后 之前 以后 以前 现在 今天 目前 同时 通过 进行 表示 认为 觉得 已 将 并 且 被 由 至 当 却 只 才 刚 又 也是 还有 然后 之一 方面";

fn set(text: &'static str) -> HashSet<&'static str> {
    text.split_whitespace().collect()
}

/// Whether `term` (an analysed term: a Chinese word or a lower-case English word or stem) is a
/// stop word in either language.
pub fn is_stopword(term: &str) -> bool {
    static ALL: OnceLock<HashSet<String>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        let analyzer = super::Analyzer::shared_default();
        let mut s: HashSet<String> = set(ZH).into_iter().map(String::from).collect();
        for w in set(EN) {
            s.insert(w.to_string());
            s.insert(analyzer.word_term(w));
        }
        s
    });
    all.contains(term)
}

/// The English stop list, one word per entry.
pub fn english() -> Vec<&'static str> {
    EN.split_whitespace().collect()
}

/// The Chinese stop list.
pub fn chinese() -> Vec<&'static str> {
    ZH.split_whitespace().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn knows_both_languages() {
        assert!(super::is_stopword("的"));
        assert!(super::is_stopword("the"));
        assert!(!super::is_stopword("物流"));
        assert!(!super::is_stopword("refund"));
    }
}
