use proptest::prelude::*;
use shoptalk::analyze::{Analyzer, is_cjk, normalize};

/// Characters that exercise every path: simplified and traditional Han, full-width forms,
/// accented Latin, digits with separators, punctuation of both scripts, emoji, kana.
const ALPHABET: &[&str] = &[
    "物流",
    "質量",
    "退貨",
    "快递",
    "海外仓",
    "直播带货",
    "假期",
    "评价",
    "的",
    "了",
    "Shipping",
    "refunds",
    "Café",
    "TikTok",
    "ＴｉｋＴｏｋ",
    "Ｓｈｏｐ",
    "１２３",
    "3.5",
    "1,000",
    " ",
    "  ",
    "\n\n",
    "，",
    "。",
    "！",
    ",",
    ".",
    "-",
    "'",
    "😀",
    "ー",
    "カタカナ",
    "\u{3000}",
    "ß",
    "İ",
];

fn mixed_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(ALPHABET), 0..40).prop_map(|v| v.concat())
}

/// What the analyzer makes of a token's own surface text.
fn surface_term(a: &Analyzer, surface: &str) -> String {
    let folded = normalize(surface).text().to_string();
    if folded.chars().all(is_cjk) {
        folded
    } else {
        a.word_term(&folded)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn offsets_fall_on_char_boundaries_and_slice_to_the_token(text in mixed_text()) {
        let a = Analyzer::shared_default();
        let tokens = a.tokens(&text);
        let mut last = (0, 0);
        for t in &tokens {
            prop_assert!(text.is_char_boundary(t.offset_from) && text.is_char_boundary(t.offset_to));
            prop_assert!(t.offset_from < t.offset_to);
            // Offsets and positions never go backwards (a word's pieces stack on the word).
            prop_assert!(t.offset_from >= last.0 && t.position >= last.1);
            let surface = &text[t.offset_from..t.offset_to];
            prop_assert_eq!(surface_term(&a, surface), t.text.clone(), "surface {:?}", surface);
            last = (t.offset_from, t.position);
        }
    }
}

#[test]
fn search_and_query_tokenizers_agree() {
    // The registered tantivy tokenizer and the analyzer yield the same tokens.
    use tantivy::tokenizer::{TokenStream, Tokenizer};
    let a = Analyzer::shared_default();
    let mut tok = shoptalk::analyze::ShoptalkTokenizer::new(a.clone());
    let text = "跨境電商的ＴｉｋＴｏｋ Shop 物流 shipped 3.5 kg";
    let mut stream = tok.token_stream(text);
    let mut via_tantivy = vec![];
    while stream.advance() {
        via_tantivy.push(stream.token().clone());
    }
    assert_eq!(via_tantivy, a.tokens(text));
    let terms: Vec<&str> = via_tantivy.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(
        terms,
        vec![
            "跨境电商",
            "跨境",
            "电商",
            "的",
            "tiktok",
            "shop",
            "物流",
            "ship",
            "3.5",
            "kg"
        ]
    );
}
