//! Sentence scheduling: the text is cut into sentences, each analysed and synthesized on its
//! own, so long texts never hit the model's token limit and audio can flow sentence by sentence.

/// Splits after sentence-final punctuation (。！？ and their ASCII forms) and at line breaks.
/// An ASCII `.` ends a sentence only before whitespace or the end, so `3.14` stays whole.
pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let ends = match c {
            '。' | '！' | '？' | '!' | '?' | '．' | '\n' => {
                // keep runs like ？！ or 。」 together with the sentence they end
                !matches!(
                    next,
                    Some('。' | '！' | '？' | '!' | '?' | '」' | '』' | '）' | ')')
                )
            }
            '.' => next.is_none_or(char::is_whitespace),
            _ => false,
        };
        if ends {
            let end = i + c.len_utf8();
            push(&mut out, &text[start..end]);
            start = end;
        }
    }
    push(&mut out, &text[start..]);
    out
}

fn push<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_japanese_and_ascii_sentence_ends() {
        assert_eq!(
            split_sentences("今日は晴れ。明日は？ そうですね!\n次の行"),
            ["今日は晴れ。", "明日は？", "そうですね!", "次の行"]
        );
    }

    #[test]
    fn keeps_decimals_closing_brackets_and_punctuation_runs() {
        assert_eq!(
            split_sentences("円周率は3.14です。"),
            ["円周率は3.14です。"]
        );
        assert_eq!(
            split_sentences("「行く？」と聞いた。本当？！"),
            ["「行く？」と聞いた。", "本当？！"]
        );
    }

    #[test]
    fn blank_text_has_no_sentences() {
        assert!(split_sentences("  \n\n ").is_empty());
    }
}
