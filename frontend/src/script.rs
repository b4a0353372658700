//! Which writing system a character belongs to, for the rules that read by spelling (one
//! definition each, so the normalizer, the reading rules and the kanji readings agree).

/// Kanji: CJK ideographs (unified, extensions, compatibility) and the marks written among
/// them (々 〆 ヶ).
pub(crate) fn is_kanji(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3FFFF}' | '々' | '〆' | 'ヶ')
}

/// Katakana that spell moras, and the long-vowel mark ー (not ・ or the iteration marks).
pub(crate) fn is_katakana(c: char) -> bool {
    matches!(c, 'ァ'..='ヺ' | 'ー')
}

/// A word written in katakana, names joined by ・ included (ダ・ヴィンチ, クロンクヴィスト).
pub(crate) fn is_katakana_word(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| is_katakana(c) || c == '・')
}

/// Hiragana that spell moras (ぁ to ゖ).
pub(crate) fn is_hiragana(c: char) -> bool {
    matches!(c, 'ぁ'..='ゖ')
}

/// The katakana of a hiragana (the blocks are 0x60 apart); `None` for anything else.
pub(crate) fn to_katakana(c: char) -> Option<char> {
    is_hiragana(c)
        .then(|| char::from_u32(u32::from(c) + 0x60))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts() {
        assert!(is_kanji('龘') && is_kanji('𠮷') && is_kanji('々') && !is_kanji('あ'));
        assert!(is_katakana('ヴ') && is_katakana('ー') && !is_katakana('・'));
        assert!(is_hiragana('ゖ') && !is_hiragana('ア'));
        assert!(is_katakana_word("ダ・ヴィンチ") && !is_katakana_word("ダ・ヴィンチ展"));
        assert!(!is_katakana_word(""));
        assert_eq!(to_katakana('ぁ'), Some('ァ'));
        assert_eq!(to_katakana('ア'), None);
    }
}
