//! Text folding before segmentation: full-width to half-width and traditional to simplified Chinese, with a map back to original offsets.

use std::borrow::Cow;

/// Text folded for analysis, remembering where each character came from.
pub struct Normalized<'a> {
    text: Cow<'a, str>,
    /// `map[b]` is the original byte offset of the folded character starting at byte `b`
    /// (`map[len]` is the original length). `None` when folding changed nothing.
    map: Option<Vec<u32>>,
}

impl Normalized<'_> {
    /// The folded text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The byte offset in the original text of the folded character boundary `offset`.
    pub fn original_offset(&self, offset: usize) -> usize {
        match &self.map {
            None => offset,
            Some(map) => map[offset] as usize,
        }
    }
}

/// Fold one character: full-width ASCII forms and the ideographic space to their ASCII
/// counterparts. Traditional characters are folded by [`normalize`], which looks at neighbours.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Fold `text` for analysis: full-width forms to half-width, traditional Chinese to simplified
/// (character by character, with fast2s's context rules). Case is folded later, per word.
pub fn normalize(text: &str) -> Normalized<'_> {
    if text.is_ascii() {
        return Normalized {
            text: Cow::Borrowed(text),
            map: None,
        };
    }
    let folded: String = text.chars().map(fold_char).collect();
    let simplified = fast2s::convert(&folded);
    if simplified == text {
        return Normalized {
            text: Cow::Borrowed(text),
            map: None,
        };
    }
    // Both folds map one character to one character, so walk the two strings in step.
    let mut map = vec![0u32; simplified.len() + 1];
    let mut orig = text.char_indices();
    for (b, _) in simplified.char_indices() {
        let (o, _) = orig.next().expect("folding keeps the character count");
        map[b] = o as u32;
    }
    map[simplified.len()] = text.len() as u32;
    Normalized {
        text: Cow::Owned(simplified),
        map: Some(map),
    }
}

/// Remove accents from Latin letters (`café` to `cafe`) by canonical decomposition.
pub fn fold_accents(word: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    word.nfkd().filter(|c| !is_combining_mark(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_offsets_back() {
        let text = "ＡＢ質量";
        let n = normalize(text);
        assert_eq!(n.text(), "AB质量");
        assert_eq!(n.original_offset(1), 3);
        assert_eq!(n.original_offset(2), 6);
        assert_eq!(n.original_offset(n.text().len()), text.len());
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        assert!(matches!(normalize("物流 fast").text, Cow::Borrowed(_)));
    }
}
