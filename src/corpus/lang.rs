//! Language detection for documents that do not say their language.

/// Detect the ISO 639-1 language of a document from its title and body: by script for
/// Chinese, Japanese and Korean, by whatlang for Latin-script text long enough to tell,
/// English otherwise.
pub fn detect(title: &str, body: &str) -> &'static str {
    let sample: String = title
        .chars()
        .chain(" ".chars())
        .chain(body.chars())
        .take(3000)
        .collect();
    let (mut han, mut kana, mut hangul, mut letters) = (0usize, 0usize, 0usize, 0usize);
    for c in sample.chars() {
        match c {
            '\u{3040}'..='\u{30ff}' => kana += 1,
            '\u{ac00}'..='\u{d7af}' => hangul += 1,
            c if crate::analyze::is_cjk(c) => han += 1,
            c if c.is_alphabetic() => letters += 1,
            _ => {}
        }
    }
    let cjk = han + kana + hangul;
    // One Chinese character carries about as much as four Latin letters.
    if cjk > 0 && cjk * 4 >= letters {
        return if kana * 10 > han {
            "ja"
        } else if hangul > han {
            "ko"
        } else {
            "zh"
        };
    }
    if sample.len() < 60 {
        return "en";
    }
    match whatlang::detect(&sample) {
        Some(info) if info.is_reliable() => iso639_1(info.lang()).unwrap_or("en"),
        _ => "en",
    }
}

fn iso639_1(lang: whatlang::Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match lang {
        Eng => "en",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Nld => "nl",
        Rus => "ru",
        Tur => "tr",
        Vie => "vi",
        Ind => "id",
        Pol => "pl",
        Swe => "sv",
        Dan => "da",
        Nob => "no",
        Fin => "fi",
        Ces => "cs",
        Ukr => "uk",
        Tha => "th",
        Ara => "ar",
        Hin => "hi",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::detect;

    #[test]
    fn detects() {
        assert_eq!(detect("", "快递太慢了"), "zh");
        assert_eq!(
            detect("TikTok Shop 物流", "跨境电商卖家说海外仓成本上涨了。"),
            "zh"
        );
        assert_eq!(detect("", "Arrived late, box crushed."), "en");
        assert_eq!(
            detect(
                "",
                "The parcel arrived two weeks late and the seller never answered my emails about a refund."
            ),
            "en"
        );
        assert_eq!(
            detect(
                "",
                "Das Paket kam zwei Wochen zu spät an und der Verkäufer hat nie auf meine E-Mails geantwortet."
            ),
            "de"
        );
    }
}
