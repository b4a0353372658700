//! Romanized Japanese → hiragana (sakura → さくら), for words that are plainly romaji.

/// Hepburn/kunrei syllables, longest first within each starting letter.
const ROMAJI: &[(&str, &str)] = &[
    ("kya", "きゃ"),
    ("kyu", "きゅ"),
    ("kyo", "きょ"),
    ("sha", "しゃ"),
    ("shi", "し"),
    ("shu", "しゅ"),
    ("she", "しぇ"),
    ("sho", "しょ"),
    ("cha", "ちゃ"),
    ("chi", "ち"),
    ("chu", "ちゅ"),
    ("che", "ちぇ"),
    ("cho", "ちょ"),
    ("tsu", "つ"),
    ("nya", "にゃ"),
    ("nyu", "にゅ"),
    ("nyo", "にょ"),
    ("hya", "ひゃ"),
    ("hyu", "ひゅ"),
    ("hyo", "ひょ"),
    ("mya", "みゃ"),
    ("myu", "みゅ"),
    ("myo", "みょ"),
    ("rya", "りゃ"),
    ("ryu", "りゅ"),
    ("ryo", "りょ"),
    ("gya", "ぎゃ"),
    ("gyu", "ぎゅ"),
    ("gyo", "ぎょ"),
    ("jya", "じゃ"),
    ("jyu", "じゅ"),
    ("jyo", "じょ"),
    ("bya", "びゃ"),
    ("byu", "びゅ"),
    ("byo", "びょ"),
    ("pya", "ぴゃ"),
    ("pyu", "ぴゅ"),
    ("pyo", "ぴょ"),
    ("ka", "か"),
    ("ki", "き"),
    ("ku", "く"),
    ("ke", "け"),
    ("ko", "こ"),
    ("sa", "さ"),
    ("si", "し"),
    ("su", "す"),
    ("se", "せ"),
    ("so", "そ"),
    ("ta", "た"),
    ("ti", "ち"),
    ("tu", "つ"),
    ("te", "て"),
    ("to", "と"),
    ("na", "な"),
    ("ni", "に"),
    ("nu", "ぬ"),
    ("ne", "ね"),
    ("no", "の"),
    ("ha", "は"),
    ("hi", "ひ"),
    ("hu", "ふ"),
    ("fu", "ふ"),
    ("he", "へ"),
    ("ho", "ほ"),
    ("fa", "ふぁ"),
    ("fi", "ふぃ"),
    ("fe", "ふぇ"),
    ("fo", "ふぉ"),
    ("ma", "ま"),
    ("mi", "み"),
    ("mu", "む"),
    ("me", "め"),
    ("mo", "も"),
    ("ya", "や"),
    ("yu", "ゆ"),
    ("yo", "よ"),
    ("ra", "ら"),
    ("ri", "り"),
    ("ru", "る"),
    ("re", "れ"),
    ("ro", "ろ"),
    ("wa", "わ"),
    ("wo", "を"),
    ("ga", "が"),
    ("gi", "ぎ"),
    ("gu", "ぐ"),
    ("ge", "げ"),
    ("go", "ご"),
    ("za", "ざ"),
    ("zi", "じ"),
    ("ji", "じ"),
    ("zu", "ず"),
    ("ze", "ぜ"),
    ("zo", "ぞ"),
    ("ja", "じゃ"),
    ("ju", "じゅ"),
    ("je", "じぇ"),
    ("jo", "じょ"),
    ("da", "だ"),
    ("di", "ぢ"),
    ("du", "づ"),
    ("de", "で"),
    ("do", "ど"),
    ("ba", "ば"),
    ("bi", "び"),
    ("bu", "ぶ"),
    ("be", "べ"),
    ("bo", "ぼ"),
    ("pa", "ぱ"),
    ("pi", "ぴ"),
    ("pu", "ぷ"),
    ("pe", "ぺ"),
    ("po", "ぽ"),
    ("a", "あ"),
    ("i", "い"),
    ("u", "う"),
    ("e", "え"),
    ("o", "お"),
];

/// Spellings that only romanized Japanese has (English has tsunami from Japanese anyway).
const ROMAJI_MARKERS: &[&str] = &[
    "tsu", "shi", "chi", "ky", "ry", "ny", "hy", "my", "gy", "by", "py", "fu", "ji", "uu", "ii",
    "aa",
];

/// Romanized Japanese → hiragana, when the word is plainly romaji: every letter parses as a
/// syllable, it does not end in e (make, rose), and it either has a spelling only romaji has
/// or three syllables or more (sakura, tanaka). English words that pass still read closely
/// (banana ばなな, video びでお).
pub(super) fn romaji(word: &str) -> Option<String> {
    if word.len() < 4 || word.ends_with('e') {
        return None;
    }
    let b = word.as_bytes();
    let mut out = String::new();
    let mut syllables = 0;
    let mut marker = ROMAJI_MARKERS.iter().any(|m| word.contains(m));
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        // Moraic n: before a consonant (not y), an apostrophe or the end.
        if c == b'n' && next.is_none_or(|n| !b"aeiouy".contains(&n)) {
            out.push('ん');
            if next.is_some() {
                marker = true;
            }
            i += 1;
            continue;
        }
        // Geminate: a doubled consonant, or t before ch.
        if !b"aeioun".contains(&c)
            && (next == Some(c) || (c == b't' && next == Some(b'c')))
            && b.get(i + 2).is_some()
        {
            out.push('っ');
            marker = true;
            i += 1;
            continue;
        }
        let rest = &word[i..];
        let (latin, kana) = ROMAJI.iter().find(|(l, _)| rest.starts_with(l))?;
        out.push_str(kana);
        syllables += 1;
        i += latin.len();
    }
    (marker || syllables >= 3).then_some(out)
}
