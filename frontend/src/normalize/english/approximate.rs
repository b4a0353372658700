//! A rule-based English spelling → katakana approximation (docker → ドッカー), the last resort
//! for a Latin word nothing else reads.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum V {
    A,
    I,
    U,
    E,
    O,
    /// ユ after a consonant: ミュ, キュ.
    Yu,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Cons(&'static str),
    /// A vowel sound and what follows it in katakana (ー for long, イ for a diphthong).
    Vowel(V, &'static str),
    /// ッ.
    Geminate,
}

fn is_vowel_letter(b: u8) -> bool {
    b"aeiou".contains(&b)
}

/// y is a consonant at the start of a word or syllable before a vowel (yes, beyond).
fn is_vowel_at(w: &[u8], i: usize) -> bool {
    match w.get(i) {
        Some(&b'y') => !(w.get(i + 1).copied().is_some_and(is_vowel_letter)),
        Some(&c) => is_vowel_letter(c),
        None => false,
    }
}

/// A rough English spelling → katakana: enough that an unknown word sounds like itself
/// rather than like its letters (server サーバー, docker ドッカー, make メイク).
pub(super) fn approximate(word: &str) -> String {
    let w = word.as_bytes();
    let units = english_units(w);
    render(&units)
}

fn english_units(w: &[u8]) -> Vec<Unit> {
    use Unit::{Cons, Geminate, Vowel};
    let n = w.len();
    let vowel_count = (0..n).filter(|&i| is_vowel_at(w, i)).count();
    let mut units: Vec<Unit> = Vec::with_capacity(n + 4);
    let at = |i: usize, s: &str| w.get(i..i + s.len()) == Some(s.as_bytes());
    let short_vowel_before =
        |units: &Vec<Unit>| matches!(units.last(), Some(Vowel(v, "")) if *v != V::Yu);
    let mut i = 0;
    while i < n {
        let c = w[i];
        let rest_len = n - i;
        if is_vowel_at(w, i) {
            let (unit, len) = english_vowel(w, i, vowel_count);
            if let Some(u) = unit {
                units.push(u);
            }
            i += len;
            continue;
        }
        // Consonants, longest spelling first.
        let next_is_vowel = is_vowel_at(w, i + 1);
        if at(i, "tion") {
            units.extend([Cons("sh"), Vowel(V::O, ""), Cons("n")]);
            i += 4;
        } else if at(i, "sion") {
            units.extend([Cons("j"), Vowel(V::O, ""), Cons("n")]);
            i += 4;
        } else if at(i, "ture") {
            units.extend([Cons("ch"), Vowel(V::A, "ー")]);
            i += 4;
        } else if at(i, "tch") {
            if short_vowel_before(&units) {
                units.push(Geminate);
            }
            units.push(Cons("ch"));
            i += 3;
        } else if at(i, "sch") {
            units.extend([Cons("s"), Cons("k")]);
            i += 3;
        } else if at(i, "ch") {
            units.push(Cons("ch"));
            i += 2;
        } else if at(i, "sh") {
            units.push(Cons("sh"));
            i += 2;
        } else if at(i, "th") {
            units.push(Cons("s"));
            i += 2;
        } else if at(i, "ph") {
            units.push(Cons("f"));
            i += 2;
        } else if at(i, "gh") {
            if i == 0 {
                units.push(Cons("g"));
            }
            i += 2;
        } else if at(i, "ck") {
            if short_vowel_before(&units) {
                units.push(Geminate);
            }
            units.push(Cons("k"));
            i += 2;
        } else if at(i, "ng") && !is_vowel_at(w, i + 2) {
            units.push(Cons("ng"));
            i += 2;
        } else if at(i, "qu") {
            units.push(Cons("kw"));
            i += 2;
        } else if at(i, "wh") {
            units.push(Cons("w"));
            i += 2;
        } else if i == 0 && (at(0, "wr") || at(0, "kn") || at(0, "gn") || at(0, "ps")) {
            // Silent first letter.
            i += 1;
        } else if at(i, "mb") && rest_len == 2 {
            units.push(Cons("m"));
            i += 2;
        } else if at(i, "dg") {
            units.push(Cons("j"));
            i += 2;
        } else if at(i, "ts") && rest_len == 2 {
            units.push(Cons("ts"));
            i += 2;
        } else if c == b'x' {
            if i == 0 {
                units.push(Cons("z"));
            } else {
                if rest_len == 1 && short_vowel_before(&units) {
                    units.push(Geminate);
                }
                units.extend([Cons("k"), Cons("s")]);
            }
            i += 1;
        } else if w.get(i + 1) == Some(&c) && !next_is_vowel {
            // Doubled consonant: geminate after a short vowel for stops and s before a vowel.
            let stop = b"ptkgdbcz".contains(&c) || (c == b's' && is_vowel_at(w, i + 2));
            if stop && short_vowel_before(&units) && i + 2 < n {
                units.push(Geminate);
            }
            units.push(Cons(consonant(c, w.get(i + 2).copied())));
            i += 2;
        } else {
            // A final c/k after a short vowel (magic マジック), and a final t/p after the
            // only (short) vowel (cat キャット, hot ホット), are geminated.
            let final_stop =
                rest_len == 1 && (b"ck".contains(&c) || (b"tp".contains(&c) && vowel_count == 1));
            if final_stop && short_vowel_before(&units) {
                units.push(Geminate);
            }
            let long_vowel_before = matches!(units.last(), Some(Vowel(_, "ー")));
            units.push(Cons(if c == b'g' && i == 0 {
                "g"
            } else if c == b's' && long_vowel_before && next_is_vowel {
                // Voiced between a long vowel and a vowel: music ミュージック, rose ローズ.
                "z"
            } else {
                consonant(c, w.get(i + 1).copied())
            }));
            i += 1;
        }
    }
    units
}

/// One consonant letter, with soft c and g before e, i, y.
fn consonant(c: u8, next: Option<u8>) -> &'static str {
    let soft = next.is_some_and(|n| b"eiy".contains(&n));
    match c {
        b'c' if soft => "s",
        b'c' | b'k' | b'q' => "k",
        b'g' if soft => "j",
        b'g' => "g",
        b's' => "s",
        b'z' => "z",
        b't' => "t",
        b'd' => "d",
        b'n' => "n",
        b'h' => "h",
        b'b' => "b",
        b'v' => "v",
        b'p' => "p",
        b'm' => "m",
        b'r' => "r",
        b'l' => "l",
        b'w' => "w",
        b'y' => "y",
        b'f' => "f",
        b'j' => "j",
        _ => "",
    }
}

/// The vowel (group) at `i`: the unit (None for a silent e) and how many letters it takes.
fn english_vowel(w: &[u8], i: usize, vowel_count: usize) -> (Option<Unit>, usize) {
    use Unit::Vowel;
    let n = w.len();
    let at = |s: &str| w.get(i..i + s.len()) == Some(s.as_bytes());
    let c = w[i];
    let after = |k: usize| w.get(i + k).copied();
    let is_end = |k: usize| i + k >= n;
    let cons_or_end = |k: usize| is_end(k) || !is_vowel_at(w, i + k);
    let prev = i.checked_sub(1).map(|p| w[p]);
    // u after these reads ウー, not ユー (super, rule, june).
    let plain_u = prev.is_some_and(|p| b"jlrs".contains(&p));
    let long_u = if plain_u { V::U } else { V::Yu };

    // R-coloured vowels, with a final silent e (care, more, fire, pure, here).
    if after(1) == Some(b'r') && at_re_end(w, i + 1) {
        let u = match c {
            b'a' => Vowel(V::E, "ア"),
            b'e' => Vowel(V::I, "ア"),
            b'i' | b'y' => Vowel(V::A, "イアー"),
            b'o' => Vowel(V::O, "ア"),
            _ => Vowel(long_u, "ア"),
        };
        return (Some(u), 3);
    }
    for (digraph, unit) in [
        ("air", Vowel(V::E, "ア")),
        ("ear", Vowel(V::I, "ア")),
        ("eer", Vowel(V::I, "ア")),
        ("our", Vowel(V::A, "ワー")),
    ] {
        if at(digraph) && cons_or_end(3) {
            return (Some(unit), 3);
        }
    }
    if after(1) == Some(b'r') && cons_or_end(2) {
        let u = match c {
            b'o' => Vowel(V::O, "ー"),
            _ => Vowel(V::A, "ー"),
        };
        return (Some(u), 2);
    }
    let table: &[(&str, Unit)] = &[
        ("eau", Vowel(V::O, "ー")),
        ("igh", Vowel(V::A, "イ")),
        ("ee", Vowel(V::I, "ー")),
        ("ea", Vowel(V::I, "ー")),
        ("oo", Vowel(V::U, "ー")),
        ("ou", Vowel(V::A, "ウ")),
        ("oa", Vowel(V::O, "ー")),
        ("oi", Vowel(V::O, "イ")),
        ("oy", Vowel(V::O, "イ")),
        ("ai", Vowel(V::E, "イ")),
        ("ay", Vowel(V::E, "イ")),
        ("ei", Vowel(V::E, "イ")),
        ("au", Vowel(V::O, "ー")),
        ("aw", Vowel(V::O, "ー")),
        ("ui", Vowel(V::U, "ー")),
    ];
    for (digraph, unit) in table {
        if at(digraph) {
            return (Some(*unit), digraph.len());
        }
    }
    if at("ow") {
        let u = if is_end(2) {
            Vowel(V::O, "ー")
        } else {
            Vowel(V::A, "ウ")
        };
        return (Some(u), 2);
    }
    if at("ey") {
        let u = if is_end(2) {
            Vowel(V::I, "ー")
        } else {
            Vowel(V::E, "イ")
        };
        return (Some(u), 2);
    }
    if at("ue") || at("ew") {
        return (Some(Vowel(long_u, "ー")), 2);
    }
    if at("ie") {
        let u = if is_end(2) && vowel_count <= 2 {
            Vowel(V::A, "イ")
        } else {
            Vowel(V::I, "ー")
        };
        return (Some(u), 2);
    }
    if at("oe") && is_end(2) {
        return (Some(Vowel(V::O, "ー")), 2);
    }
    // Long before -tion/-sion: station ステーション, motion モーション.
    if w.get(i + 1..i + 5)
        .is_some_and(|t| t == b"tion" || t == b"sion")
    {
        let u = match c {
            b'a' => Vowel(V::E, "ー"),
            b'o' => Vowel(V::O, "ー"),
            b'u' => Vowel(long_u, "ー"),
            b'e' => Vowel(V::E, ""),
            _ => Vowel(V::I, ""),
        };
        return (Some(u), 1);
    }
    // Silent final e (make, rose), unless it is the only vowel (be, he are in the table).
    if c == b'e' && is_end(1) && vowel_count > 1 {
        return (None, 1);
    }
    if c == b'y' {
        let u = if vowel_count == 1 {
            Vowel(V::A, "イ") // my, fly, sky
        } else if is_end(1) {
            Vowel(V::I, "ー") // happy, copy
        } else {
            Vowel(V::I, "")
        };
        return (Some(u), 1);
    }
    if magic_e(w, i) {
        let u = match c {
            b'a' => Vowel(V::E, "イ"),
            b'e' => Vowel(V::I, "ー"),
            b'i' => Vowel(V::A, "イ"),
            b'o' => Vowel(V::O, "ー"),
            _ => Vowel(long_u, "ー"),
        };
        return (Some(u), 1);
    }
    let u = match c {
        b'a' => Vowel(V::A, ""),
        b'e' => Vowel(V::E, ""),
        b'i' => Vowel(V::I, ""),
        b'o' => Vowel(V::O, ""),
        // u in a closed syllable is the vowel of cut, bus (カット, バス).
        _ if cons_or_end(1) && (is_end(1) || cons_or_end(2)) => Vowel(V::A, ""),
        _ => Vowel(long_u, "ー"),
    };
    (Some(u), 1)
}

/// `r` at `r_at` followed by a final e (or es/ed): care, mores, fired.
fn at_re_end(w: &[u8], r_at: usize) -> bool {
    let tail = &w[r_at + 1..];
    tail == b"e" || tail == b"es" || tail == b"ed"
}

/// A vowel made long by a final silent e after one consonant: make, time, home, cute.
fn magic_e(w: &[u8], i: usize) -> bool {
    let Some(&c) = w.get(i + 1) else {
        return false;
    };
    if is_vowel_at(w, i + 1) || b"wxyr".contains(&c) {
        return false;
    }
    let tail = &w[i + 2..];
    tail == b"e" || tail == b"es" || tail == b"ed"
}

fn render(units: &[Unit]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < units.len() {
        match units[i] {
            Unit::Geminate => {
                out.push('ッ');
                i += 1;
            }
            Unit::Vowel(v, tail) => {
                out.push_str(syllable("", v));
                out.push_str(tail);
                i += 1;
            }
            Unit::Cons(c) => match units.get(i + 1) {
                Some(Unit::Vowel(v, tail)) => {
                    // k/g + short a in a closed syllable: cat キャ, gap ギャ.
                    let closed = matches!(units.get(i + 2), Some(Unit::Cons(_) | Unit::Geminate));
                    if *v == V::A && tail.is_empty() && closed && (c == "k" || c == "g") {
                        out.push_str(if c == "k" { "キャ" } else { "ギャ" });
                    } else {
                        out.push_str(syllable(c, *v));
                    }
                    out.push_str(tail);
                    i += 2;
                }
                next => {
                    let before_labial = matches!(next, Some(Unit::Cons("b" | "p" | "m")));
                    let after_vowel = i > 0 && matches!(units[i - 1], Unit::Vowel(..));
                    out.push_str(match c {
                        "m" if before_labial => "ン",
                        "h" if after_vowel && next.is_none() => "ー",
                        _ => final_consonant(c),
                    });
                    i += 1;
                }
            },
        }
    }
    out
}

/// Consonant + vowel → katakana (v is read as b, l as r: the usual loanword forms).
fn syllable(c: &str, v: V) -> &'static str {
    let row: [&'static str; 6] = match c {
        "" => ["ア", "イ", "ウ", "エ", "オ", "ユ"],
        "k" => ["カ", "キ", "ク", "ケ", "コ", "キュ"],
        "g" => ["ガ", "ギ", "グ", "ゲ", "ゴ", "ギュ"],
        "s" => ["サ", "シ", "ス", "セ", "ソ", "シュ"],
        "z" => ["ザ", "ジ", "ズ", "ゼ", "ゾ", "ジュ"],
        "t" => ["タ", "ティ", "トゥ", "テ", "ト", "チュ"],
        "d" => ["ダ", "ディ", "ドゥ", "デ", "ド", "デュ"],
        "n" => ["ナ", "ニ", "ヌ", "ネ", "ノ", "ニュ"],
        "h" => ["ハ", "ヒ", "フ", "ヘ", "ホ", "ヒュ"],
        "b" | "v" => ["バ", "ビ", "ブ", "ベ", "ボ", "ビュ"],
        "p" => ["パ", "ピ", "プ", "ペ", "ポ", "ピュ"],
        "m" => ["マ", "ミ", "ム", "メ", "モ", "ミュ"],
        "r" | "l" => ["ラ", "リ", "ル", "レ", "ロ", "リュ"],
        "w" => ["ワ", "ウィ", "ウ", "ウェ", "ウォ", "ユ"],
        "y" => ["ヤ", "イ", "ユ", "イエ", "ヨ", "ユ"],
        "f" => ["ファ", "フィ", "フ", "フェ", "フォ", "フュ"],
        "j" => ["ジャ", "ジ", "ジュ", "ジェ", "ジョ", "ジュ"],
        "ch" => ["チャ", "チ", "チュ", "チェ", "チョ", "チュ"],
        "sh" => ["シャ", "シ", "シュ", "シェ", "ショ", "シュ"],
        "ts" => ["ツァ", "ツィ", "ツ", "ツェ", "ツォ", "ツ"],
        "kw" => ["クワ", "クイ", "ク", "クエ", "クオ", "キュ"],
        "ng" => ["ンガ", "ンギ", "ング", "ンゲ", "ンゴ", "ンギュ"],
        _ => ["ア", "イ", "ウ", "エ", "オ", "ユ"],
    };
    row[match v {
        V::A => 0,
        V::I => 1,
        V::U => 2,
        V::E => 3,
        V::O => 4,
        V::Yu => 5,
    }]
}

/// A consonant with no vowel after it, with the vowel Japanese adds (t → ト, k → ク).
fn final_consonant(c: &str) -> &'static str {
    match c {
        "k" | "kw" => "ク",
        "g" => "グ",
        "s" => "ス",
        "z" => "ズ",
        "t" => "ト",
        "d" => "ド",
        "n" => "ン",
        "b" | "v" => "ブ",
        "p" => "プ",
        "m" => "ム",
        "r" | "l" => "ル",
        "w" => "ウ",
        "y" => "イ",
        "f" => "フ",
        "j" => "ジ",
        "ch" => "チ",
        "sh" => "シュ",
        "ts" => "ツ",
        "ng" => "ング",
        _ => "",
    }
}
