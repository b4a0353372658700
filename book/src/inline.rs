//! Text rules shared by the readers: decoding, ruby (《》 with ｜), Aozora annotations inside
//! a line (gaiji notes), and repeat marks.

/// Decodes book text: UTF-8 (with or without BOM) first, else Shift_JIS (Windows-31J, what
/// Aozora Bunko files use). `None` when neither decodes cleanly or it looks binary, so a
/// wrong file is an error instead of mojibake read aloud.
pub fn decode_text(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            let (cow, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
            if had_errors {
                return None;
            }
            cow.into_owned()
        }
    };
    let binary = text
        .chars()
        .filter(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    (binary * 100 <= text.chars().count().max(1)).then_some(text.replace("\r\n", "\n"))
}

/// A line read two ways: as printed (ruby bases, for titles) and as spoken (ruby readings).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inline {
    pub display: String,
    pub spoken: String,
}

/// Script classes for finding a ruby base without ｜: the base is the run of characters of
/// the same class just before 《.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Kanji,
    Hiragana,
    Katakana,
    Latin,
    Other,
}

fn script(c: char) -> Script {
    match c {
        '々'
        | '〆'
        | 'ヶ'
        | 'ケ'
        | '〇'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3FFFF}' => Script::Kanji,
        '\u{3041}'..='\u{309F}' => Script::Hiragana,
        '\u{30A0}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' => Script::Katakana,
        c if c.is_ascii_alphanumeric()
            || ('Ａ'..='ｚ').contains(&c)
            || ('０'..='９').contains(&c) =>
        {
            Script::Latin
        }
        _ => Script::Other,
    }
}

/// Reads one line of Aozora-style inline notation: `｜base《reading》` and `漢字《かんじ》`
/// (the reading is spoken, the base shown), `※［＃「…」、U+XXXX、…］` gaiji notes (the
/// character, where the note names its code point; dropped with a warning otherwise), and
/// every other `［＃…］` annotation dropped. Repeat marks are expanded in the spoken form.
pub fn read_inline(line: &str) -> Inline {
    let chars: Vec<char> = line.chars().collect();
    let mut display = String::new();
    let mut spoken = String::new();
    // Where an explicit ｜ put the base start, in both outputs.
    let mut marker: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '｜' | '|' if chars[i + 1..].contains(&'《') => {
                marker = Some((display.len(), spoken.len()));
                i += 1;
            }
            '※' if chars.get(i + 1) == Some(&'［') && chars.get(i + 2) == Some(&'＃') => {
                let (body, next) = annotation(&chars, i + 1);
                match gaiji(&body) {
                    Some(g) => {
                        display.push(g);
                        spoken.push(g);
                    }
                    None => tracing::warn!(note = %body, "gaiji without a code point, dropped"),
                }
                i = next;
            }
            '［' if chars.get(i + 1) == Some(&'＃') => {
                let (_, next) = annotation(&chars, i);
                i = next;
            }
            '《' => match chars[i + 1..].iter().position(|&c| c == '》') {
                Some(len) => {
                    let reading: String = chars[i + 1..i + 1 + len].iter().collect();
                    let start = match marker.take() {
                        Some((_, s)) => s,
                        None => base_start(&spoken),
                    };
                    let reading = read_inline(&reading).spoken;
                    spoken.truncate(start);
                    spoken.push_str(&reading);
                    i += len + 2;
                }
                None => {
                    display.push(c);
                    spoken.push(c);
                    i += 1;
                }
            },
            _ => {
                display.push(c);
                spoken.push(c);
                i += 1;
            }
        }
    }
    Inline {
        display,
        spoken: expand_repeats(&spoken),
    }
}

/// The byte index where the run of same-script characters ending `s` starts.
fn base_start(s: &str) -> usize {
    let mut it = s.char_indices().rev();
    let Some((mut start, last)) = it.next() else {
        return 0;
    };
    let class = script(last);
    if class == Script::Other {
        return start;
    }
    for (i, c) in it {
        if script(c) != class {
            break;
        }
        start = i;
    }
    start
}

/// The text inside `［＃…］` starting at `open` (the ［), and the index after its ］.
/// Brackets nest; an unclosed annotation runs to the end of the line.
fn annotation(chars: &[char], open: usize) -> (String, usize) {
    let mut depth = 0usize;
    for (j, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '［' => depth += 1,
            '］' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return (chars[open + 2..j].iter().collect(), j + 1);
                }
            }
            _ => {}
        }
    }
    (
        chars[(open + 2).min(chars.len())..].iter().collect(),
        chars.len(),
    )
}

/// The character a gaiji note names by code point (`U+XXXX` or `UCS-XXXX`, Aozora's two
/// spellings). Notes that give only a JIS X 0213 men-ku-ten are not resolved: no maintained
/// crate maps them, and a table is out of scope here.
fn gaiji(note: &str) -> Option<char> {
    for key in ["U+", "u+", "UCS-"] {
        if let Some(pos) = note.find(key) {
            let hex: String = note[pos + key.len()..]
                .chars()
                .take_while(char::is_ascii_hexdigit)
                .collect();
            if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                return Some(c);
            }
        }
    }
    None
}

/// The voiced (dakuten) form of a kana, if it has one.
fn voiced(c: char) -> char {
    let code = c as u32;
    let base = |k: u32| -> bool {
        // か..ぢ, つ..ど (even offsets in the か-row to た-row), は..ぽ rows.
        matches!(k, 0x304B..=0x3062 | 0x3064..=0x3069 | 0x306F..=0x307D)
    };
    let hira = if (0x30A1..=0x30F6).contains(&code) {
        code - 0x60
    } else {
        code
    };
    let is_kata = hira != code;
    let out = if base(hira) && is_unvoiced(hira) {
        hira + 1
    } else if hira == 0x3046 {
        // う → ゔ
        0x3094
    } else {
        hira
    };
    let out = if is_kata { out + 0x60 } else { out };
    char::from_u32(out).unwrap_or(c)
}

/// The plain form of a voiced kana (が → か), or the kana itself.
fn unvoiced(c: char) -> char {
    let code = c as u32;
    let hira = if (0x30A1..=0x30F6).contains(&code) {
        code - 0x60
    } else {
        code
    };
    let is_kata = hira != code;
    let out = match hira {
        0x304B..=0x3062 => hira - (hira - 0x304B) % 2,
        0x3064..=0x3069 => hira - (hira - 0x3064) % 2,
        0x306F..=0x307D => hira - (hira - 0x306F) % 3,
        0x3094 => 0x3046,
        _ => hira,
    };
    let out = if is_kata { out + 0x60 } else { out };
    char::from_u32(out).unwrap_or(c)
}

/// In the か to ど rows unvoiced kana sit at one parity, voiced at the other (the parity flips
/// after っ/つ); the は row comes in threes (は ば ぱ).
fn is_unvoiced(h: u32) -> bool {
    match h {
        0x304B..=0x3062 => (h - 0x304B).is_multiple_of(2),
        0x3064..=0x3069 => (h - 0x3064).is_multiple_of(2),
        0x306F..=0x307D => (h - 0x306F).is_multiple_of(3),
        _ => true,
    }
}

/// Expands repeat marks: ゝ/ヽ repeat the kana before (plain), ゞ/ヾ repeat it voiced; the
/// くの字点 `／＼` repeats the word before (`／″＼` voiced): the kana before it, at most
/// two, plus the kanji run they follow (いよ／＼ → いよいよ, 代る／＼ → 代る代る,
/// しみ／″＼ → しみじみ).
pub fn expand_repeats(s: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            'ゝ' | 'ヽ' | 'ゞ' | 'ヾ' => {
                match out.last().copied().filter(|&p| is_kana(p)) {
                    Some(prev) => out.push(if matches!(c, 'ゞ' | 'ヾ') {
                        voiced(prev)
                    } else {
                        unvoiced(prev)
                    }),
                    None => out.push(c),
                }
                i += 1;
            }
            '／' if matches!(chars.get(i + 1), Some('＼'))
                || (matches!(chars.get(i + 1), Some('″' | '゛' | '\u{3099}'))
                    && chars.get(i + 2) == Some(&'＼')) =>
            {
                let voice = chars[i + 1] != '＼';
                let word = repeat_word(&out);
                if word.is_empty() {
                    i += if voice { 3 } else { 2 };
                    continue;
                }
                for (k, &w) in word.iter().enumerate() {
                    out.push(if voice && k == 0 { voiced(w) } else { w });
                }
                i += if voice { 3 } else { 2 };
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out.into_iter().collect()
}

fn is_kana(c: char) -> bool {
    matches!(script(c), Script::Hiragana | Script::Katakana)
}

/// The word a くの字点 repeats (see [`expand_repeats`]).
fn repeat_word(out: &[char]) -> Vec<char> {
    let mut start = out.len();
    while start > 0 && out.len() - start < 2 && is_kana(out[start - 1]) {
        start -= 1;
    }
    let mut kanji = 0;
    while start > 0 && kanji < 2 && script(out[start - 1]) == Script::Kanji {
        start -= 1;
        kanji += 1;
    }
    if start == out.len() && !out.is_empty() {
        start = out.len().saturating_sub(2);
    }
    out[start..].to_vec()
}

/// Collapses runs of whitespace (full-width spaces included) and trims, for speech.
pub fn tidy(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruby_without_bar_replaces_the_kanji_run() {
        let r = read_inline("その時、東雲《しののめ》の空が白んだ。");
        assert_eq!(r.spoken, "その時、しののめの空が白んだ。");
        assert_eq!(r.display, "その時、東雲の空が白んだ。");
    }

    #[test]
    fn ruby_with_bar_starts_at_the_bar() {
        let r = read_inline("彼は｜一寸法師《いっすんぼうし》と呼ばれた。");
        assert_eq!(r.spoken, "彼はいっすんぼうしと呼ばれた。");
        let r = read_inline("今日の｜日本晴れ《にほんばれ》だ");
        assert_eq!(r.spoken, "今日のにほんばれだ");
        assert_eq!(r.display, "今日の日本晴れだ");
    }

    #[test]
    fn gaiji_by_code_point_and_annotations_dropped() {
        let r = read_inline("※［＃「木＋吉」、U+6854、12-3］の木［＃「木」に傍点］だ");
        assert_eq!(r.spoken, "桔の木だ");
        let r = read_inline("※［＃「口＋世」、第3水準1-14-9］が");
        assert_eq!(r.spoken, "が");
    }

    #[test]
    fn repeat_marks() {
        assert_eq!(expand_repeats("こゝろ"), "こころ");
        assert_eq!(expand_repeats("いすゞ"), "いすず");
        assert_eq!(expand_repeats("バヽ"), "バハ");
        assert_eq!(expand_repeats("いよ／＼"), "いよいよ");
        assert_eq!(expand_repeats("しみ／″＼と"), "しみじみと");
        assert_eq!(expand_repeats("代る／＼"), "代る代る");
        assert_eq!(expand_repeats("ほの／″＼"), "ほのぼの");
    }

    #[test]
    fn voicing_tables() {
        assert_eq!(voiced('か'), 'が');
        assert_eq!(voiced('つ'), 'づ');
        assert_eq!(voiced('は'), 'ば');
        assert_eq!(voiced('ホ'), 'ボ');
        assert_eq!(voiced('が'), 'が');
        assert_eq!(unvoiced('が'), 'か');
        assert_eq!(unvoiced('ぱ'), 'は');
        assert_eq!(unvoiced('ば'), 'は');
        assert_eq!(unvoiced('あ'), 'あ');
    }

    #[test]
    fn decodes_shift_jis_and_rejects_garbage() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("吾輩は猫である。");
        assert_eq!(decode_text(&sjis).as_deref(), Some("吾輩は猫である。"));
        assert_eq!(decode_text("猫".as_bytes()).as_deref(), Some("猫"));
        assert!(decode_text(&[0x82, 0xFF, 0xFF, 0x00, 0x01, 0x02]).is_none());
    }
}
