//! Very long stretches of text without a break, cut into pieces the analysis takes one by one.
//!
//! jpreprocess's analysis grows faster than linearly with the length of a stretch it sees at
//! once (measured: 8× a run of one kanji took 112× as long, 8× a run of Latin letters 38×),
//! so a 100 000-character line without punctuation could hold a server thread for minutes.
//! Real sentences are far shorter than [`MAX_PIECE_CHARS`] and are never cut.

/// The longest piece handed to jpreprocess at once, in characters.
pub(crate) const MAX_PIECE_CHARS: usize = 1000;

/// `text` in pieces of at most `max` characters, each cut after the last sentence end in its
/// window (。！？!?), else the last pause (、，,), else the last space, else at `max`.
pub(crate) fn pieces(text: &str, max: usize) -> Vec<&str> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        // Byte offset just past the `max`-th character, if the rest is longer than that.
        let Some((window_end, _)) = rest.char_indices().nth(max) else {
            if !rest.is_empty() {
                out.push(rest);
            }
            return out;
        };
        let window = &rest[..window_end];
        let after = |set: &[char]| window.rfind(set).map(|i| i + next_len(window, i));
        let cut = after(&['。', '！', '？', '!', '?'])
            .or_else(|| after(&['、', '，', ',']))
            .or_else(|| after(&[' ', '　']))
            .filter(|&c| c > 0)
            .unwrap_or(window_end);
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
}

/// Length in bytes of the character at byte `i`.
fn next_len(s: &str, i: usize) -> usize {
    s[i..].chars().next().map_or(0, char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_piece() {
        assert_eq!(pieces("今日は。いい天気", 100), ["今日は。いい天気"]);
        assert!(pieces("", 10).is_empty());
    }

    #[test]
    fn cuts_after_the_last_break_in_the_window() {
        assert_eq!(pieces("あい。うえ、おか", 6), ["あい。", "うえ、おか"]);
        assert_eq!(pieces("あい、うえおかき", 6), ["あい、", "うえおかき"]);
        assert_eq!(pieces("あいう えおかき", 6), ["あいう ", "えおかき"]);
        assert_eq!(pieces("ああああああああ", 3), ["あああ", "あああ", "ああ"]);
    }

    #[test]
    fn pieces_join_back_to_the_text() {
        let text = "漢字、かな。English words! ".repeat(50);
        let p = pieces(&text, 17);
        assert_eq!(p.concat(), text);
        assert!(p.iter().all(|p| p.chars().count() <= 17));
    }
}
