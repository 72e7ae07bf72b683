//! Dictionary files in jieba format (`word [freq] [tag]` per line) and the shipped domain dictionary.

use std::path::Path;

use crate::error::{Error, Result};

/// Commerce words jieba's general dictionary splits apart (直播带货, 跨境电商, 海外仓, ...).
pub const DOMAIN_DICT: &str = include_str!("domain_dict.txt");

/// One dictionary entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictEntry {
    /// The word, folded to simplified Chinese.
    pub word: String,
    /// Its frequency; `None` lets jieba pick one that keeps the word whole.
    pub freq: Option<usize>,
    /// Part-of-speech tag, if given.
    pub tag: Option<String>,
}

/// Parse a dictionary in jieba format. Blank lines and `#` comments are skipped. Words are
/// folded like analysed text (traditional to simplified), so a dictionary may use either.
/// Entries without a Chinese character are skipped: Latin words are cut at spaces and
/// punctuation anyway, and a phrase of them is found as a phrase query.
pub fn parse_dict(text: &str, path: &Path) -> Result<Vec<DictEntry>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let word = parts.next().unwrap_or_default();
        // Like Python jieba, frequency and tag are both optional: `word`, `word freq`,
        // `word tag` or `word freq tag`.
        let rest: Vec<&str> = parts.collect();
        let (freq, tag) = match rest.as_slice() {
            [] => (None, None),
            [one] if one.bytes().all(|b| b.is_ascii_digit()) => (Some(*one), None),
            [one] => (None, Some(*one)),
            [f, t] => (Some(*f), Some(*t)),
            _ => {
                return Err(Error::bad_line(
                    path,
                    i + 1,
                    "expected `word [freq] [tag]`: too many fields",
                ));
            }
        };
        let freq = match freq {
            None => None,
            Some(f) => Some(f.parse::<usize>().map_err(|_| {
                Error::bad_line(
                    path,
                    i + 1,
                    format!("frequency {f:?} of {word:?} is not a whole number"),
                )
            })?),
        };
        let tag = tag.map(str::to_string);
        let folded = super::normalize(word).text().to_string();
        if !folded.chars().any(super::is_cjk) {
            continue;
        }
        out.push(DictEntry {
            word: folded,
            freq,
            tag,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_bad_lines() {
        let p = Path::new("user.dict");
        let e = parse_dict("# c\n海外仓 100 n\n直播带货\n", p).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].freq, Some(100));
        assert_eq!(e[1].freq, None);
        let err = parse_dict("好词\n坏词 many n\n", p)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "user.dict:2: frequency \"many\" of \"坏词\" is not a whole number"
        );
    }

    #[test]
    fn domain_dict_parses() {
        assert!(parse_dict(DOMAIN_DICT, Path::new("domain")).unwrap().len() > 100);
    }
}
