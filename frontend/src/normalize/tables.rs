//! Lookup tables for the normalizer: units, currencies, letters, symbols and the NFKC traps.
//!
//! Readings are written the way jpreprocess reads them best: katakana loanwords and kanji that
//! are in NAIST-jdic (キロメートル, 平方メートル, 度), so the dictionary supplies the accent.

/// How a unit after a number is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UnitReading {
    /// number + reading: 5km → 5キロメートル.
    After(&'static str),
    /// prefix + number + reading: 100km/h → 時速100キロ.
    Around(&'static str, &'static str),
}

use UnitReading::{After, Around};

/// Units written after a number, case-sensitive (g is grams, G is not). Matched longest first,
/// and only when no ASCII letter or digit follows (5min is minutes, 5mine is not).
pub(super) const UNITS: &[(&str, UnitReading)] = &[
    // Speeds: spoken Japanese says 時速100キロ rather than 100キロメートル毎時.
    ("km/h", Around("時速", "キロ")),
    ("km/s", Around("秒速", "キロメートル")),
    ("m/s", Around("秒速", "メートル")),
    ("mph", Around("時速", "マイル")),
    // Temperatures and angles (℃ is °C after NFKC).
    ("°C", After("度")),
    ("°F", Around("華氏", "度")),
    ("°", After("度")),
    // Length, area, volume (㎡ and m² are m2 after NFKC).
    ("km2", After("平方キロメートル")),
    ("cm2", After("平方センチメートル")),
    ("mm2", After("平方ミリメートル")),
    ("m2", After("平方メートル")),
    ("cm3", After("立方センチメートル")),
    ("m3", After("立方メートル")),
    ("km", After("キロメートル")),
    ("cm", After("センチメートル")),
    ("mm", After("ミリメートル")),
    ("μm", After("マイクロメートル")),
    ("nm", After("ナノメートル")),
    ("m", After("メートル")),
    ("inch", After("インチ")),
    ("ft", After("フィート")),
    ("yd", After("ヤード")),
    ("ha", After("ヘクタール")),
    ("kL", After("キロリットル")),
    ("kl", After("キロリットル")),
    ("dL", After("デシリットル")),
    ("dl", After("デシリットル")),
    ("mL", After("ミリリットル")),
    ("ml", After("ミリリットル")),
    ("L", After("リットル")),
    ("l", After("リットル")),
    ("cc", After("シーシー")),
    ("gal", After("ガロン")),
    // Mass.
    ("kg", After("キログラム")),
    ("mg", After("ミリグラム")),
    ("μg", After("マイクログラム")),
    ("g", After("グラム")),
    ("t", After("トン")),
    ("lbs", After("ポンド")),
    ("lb", After("ポンド")),
    ("oz", After("オンス")),
    // Time.
    ("hrs", After("時間")),
    ("hr", After("時間")),
    ("h", After("時間")),
    ("min", After("分")),
    ("sec", After("秒")),
    ("ms", After("ミリ秒")),
    ("μs", After("マイクロ秒")),
    ("ns", After("ナノ秒")),
    // Data and media.
    ("KB", After("キロバイト")),
    ("kB", After("キロバイト")),
    ("MB", After("メガバイト")),
    ("GB", After("ギガバイト")),
    ("TB", After("テラバイト")),
    ("PB", After("ペタバイト")),
    ("KiB", After("キビバイト")),
    ("MiB", After("メビバイト")),
    ("GiB", After("ギビバイト")),
    ("TiB", After("テビバイト")),
    ("bps", After("ビーピーエス")),
    ("kbps", After("キロビーピーエス")),
    ("Kbps", After("キロビーピーエス")),
    ("Mbps", After("メガビーピーエス")),
    ("Gbps", After("ギガビーピーエス")),
    ("bit", After("ビット")),
    ("fps", After("エフピーエス")),
    ("dpi", After("ディーピーアイ")),
    ("px", After("ピクセル")),
    ("pt", After("ポイント")),
    // Electricity, frequency, sound, energy, pressure.
    ("kWh", After("キロワットアワー")),
    ("Wh", After("ワットアワー")),
    ("mAh", After("ミリアンペアアワー")),
    ("mA", After("ミリアンペア")),
    ("kW", After("キロワット")),
    ("MW", After("メガワット")),
    ("mW", After("ミリワット")),
    ("W", After("ワット")),
    ("kV", After("キロボルト")),
    ("mV", After("ミリボルト")),
    ("V", After("ボルト")),
    ("GHz", After("ギガヘルツ")),
    ("MHz", After("メガヘルツ")),
    ("kHz", After("キロヘルツ")),
    ("Hz", After("ヘルツ")),
    ("kΩ", After("キロオーム")),
    ("Ω", After("オーム")),
    ("dB", After("デシベル")),
    ("kcal", After("キロカロリー")),
    ("cal", After("カロリー")),
    ("kJ", After("キロジュール")),
    ("hPa", After("ヘクトパスカル")),
    ("kPa", After("キロパスカル")),
    ("MPa", After("メガパスカル")),
    ("Pa", After("パスカル")),
    ("atm", After("気圧")),
    ("rpm", After("アールピーエム")),
    ("ppm", After("ピーピーエム")),
    ("mol", After("モル")),
    // Ratios.
    ("%", After("パーセント")),
    ("‰", After("パーミル")),
    ("x", After("倍")),
];

/// Currency signs written before (or, for some, after) an amount: ¥1,000 → 1000円.
pub(super) const CURRENCIES: &[(char, &str)] = &[
    ('¥', "円"),
    ('￥', "円"),
    ('\\', "円"),
    ('$', "ドル"),
    ('€', "ユーロ"),
    ('£', "ポンド"),
    ('₩', "ウォン"),
    ('₹', "ルピー"),
    ('₽', "ルーブル"),
];

pub(super) fn currency(c: char) -> Option<&'static str> {
    CURRENCIES.iter().find(|(s, _)| *s == c).map(|(_, r)| *r)
}

/// Digits as read one by one in phone numbers (2 and 5 lengthened, as people say them).
pub(super) const PHONE_DIGITS: [&str; 10] = [
    "ゼロ",
    "イチ",
    "ニー",
    "サン",
    "ヨン",
    "ゴー",
    "ロク",
    "ナナ",
    "ハチ",
    "キュー",
];

/// Latin letter names, for acronyms the dictionary does not know (NHK → エヌエイチケー).
pub(super) const LETTERS: [&str; 26] = [
    "エー",
    "ビー",
    "シー",
    "ディー",
    "イー",
    "エフ",
    "ジー",
    "エイチ",
    "アイ",
    "ジェー",
    "ケー",
    "エル",
    "エム",
    "エヌ",
    "オー",
    "ピー",
    "キュー",
    "アール",
    "エス",
    "ティー",
    "ユー",
    "ブイ",
    "ダブリュー",
    "エックス",
    "ワイ",
    "ゼット",
];

/// The reading of one ASCII letter, any case.
pub(super) fn letter(c: char) -> Option<&'static str> {
    let c = c.to_ascii_uppercase();
    c.is_ascii_uppercase()
        .then(|| LETTERS[(c as u8 - b'A') as usize])
}

/// Characters that NFKC would turn into something misleading; replaced before NFKC runs.
///
/// ㈱ would become (株) (read カブ), ～ a bare ~, … three full stops, ™ the letters TM,
/// ゛ a space and a combining mark, Ⅱ the letters II.
pub(super) fn nfkc_trap(c: char) -> Option<&'static str> {
    Some(match c {
        '～' | '〜' | '∼' | '⁓' | '〰' => "〜",
        '…' | '‥' => "…",
        // jpreprocess itself joins these to the kana before them.
        '゛' => "゛",
        '゜' => "゜",
        '㈱' | '㍿' => "株式会社",
        '㈲' => "有限会社",
        '㈳' => "社団法人",
        '㈴' => "合名会社",
        '㈵' => "特殊法人",
        '㈶' => "財団法人",
        '㈻' => "学校法人",
        '㈼' => "監査法人",
        '㈾' => "合資会社",
        '㈿' => "協同組合",
        '℡' => "電話",
        '№' => "ナンバー",
        '™' | '®' | '©' | '℗' => "",
        _ => return roman_or_dingbat_number(c),
    })
}

/// Ⅰ–Ⅻ, ⅰ–ⅻ and the negative/double-circled digits that NFKC leaves alone or spells out.
fn roman_or_dingbat_number(c: char) -> Option<&'static str> {
    const N: [&str; 21] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
        "17", "18", "19", "20",
    ];
    let code = c as u32;
    let n = match code {
        0x2160..=0x216B => code - 0x2160 + 1,  // Ⅰ..Ⅻ
        0x2170..=0x217B => code - 0x2170 + 1,  // ⅰ..ⅻ
        0x2776..=0x277F => code - 0x2776 + 1,  // ❶..❿
        0x2780..=0x2789 => code - 0x2780 + 1,  // ➀..➉
        0x278A..=0x2793 => code - 0x278A + 1,  // ➊..➓
        0x24EB..=0x24F4 => code - 0x24EB + 11, // ⓫..⓴
        0x24F5..=0x24FE => code - 0x24F5 + 1,  // ⓵..⓾
        0x24FF => 0,                           // ⓿
        _ => return None,
    };
    N.get(n as usize).copied()
}

/// Company-type abbreviations in parentheses (what ㈱ and （株） stand for).
pub(super) const COMPANY_TYPES: &[(&str, &str)] = &[
    ("株", "株式会社"),
    ("有", "有限会社"),
    ("社", "社団法人"),
    ("財", "財団法人"),
    ("同", "合同会社"),
    ("名", "合名会社"),
    ("資", "合資会社"),
];

/// What to do with a symbol that jpreprocess would drop silently or read oddly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Symbol {
    /// Decoration or emoji: removed.
    Drop,
    /// A separator (arrows, dashes): read as a short pause.
    Pause,
    /// Read as this text.
    Read(&'static str),
}

/// Symbols with a reading or a role; others pass through to jpreprocess.
pub(super) fn symbol(c: char) -> Option<Symbol> {
    use Symbol::{Drop, Pause, Read};
    let code = c as u32;
    Some(match c {
        // Read by the dictionary as マル (○×, ○○さん), オス, メス: keep.
        '○' | '◯' | '♂' | '♀' => return None,
        '±' => Read("プラスマイナス"),
        '∓' => Read("マイナスプラス"),
        '≒' | '≈' => Read("ニアリーイコール"),
        '≠' => Read("ノットイコール"),
        '∞' => Read("無限大"),
        '√' => Read("ルート"),
        '—' | '―' | '─' | '━' | '‒' => Pause,
        '※' | '†' | '‡' | '§' | '¶' | '•' | '‣' | '⁂' | '〓' | '◦' | '⁎' | '⁑' => {
            Drop
        }
        _ => match code {
            0x2190..=0x21FF | 0x27F0..=0x27FF | 0x2900..=0x297F | 0x2B00..=0x2B0F => Pause,
            // Misc technical (⌚⌛⏰), geometric shapes (■□▲△◆◇●◎), misc symbols and dingbats
            // (★☆♪♡♥✓), stars and misc arrows (⭐), misc symbols and pictographs, emoticons,
            // transport, supplemental symbols (all emoji planes), regional indicators.
            0x2300..=0x23FF
            | 0x25A0..=0x25FF
            | 0x2600..=0x27BF
            | 0x2B10..=0x2BFF
            | 0x1F000..=0x1FAFF
            | 0x3030
            | 0x303D => Drop,
            _ => return None,
        },
    })
}

/// Parts of an emoji sequence that are meaningless on their own: skin tones, ZWJ, variation
/// selectors, tags, the keycap mark. Dropped with the emoji they follow.
pub(super) fn is_emoji_component(c: char) -> bool {
    matches!(c as u32,
        0x200D | 0xFE0E | 0xFE0F | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F)
}

/// Gender and similar signs that end ZWJ emoji sequences (🏃‍♂️): dropped after an emoji.
pub(super) fn is_emoji_modifier_sign(c: char) -> bool {
    matches!(c, '♂' | '♀' | '⚧' | '⚕' | '⚖' | '✈' | '❄' | '🔥')
}

/// Opening and closing brackets that are read like 「」 (a pause around the quoted part).
pub(super) fn bracket(c: char) -> Option<char> {
    Some(match c {
        '【' | '〔' | '［' | '[' | '〈' | '《' | '≪' | '«' | '{' | '｛' | '〖' | '〘' | '“'
        | '„' => '「',
        '】' | '〕' | '］' | ']' | '〉' | '》' | '≫' | '»' | '}' | '｝' | '〗' | '〙' | '”' => {
            '」'
        }
        _ => return None,
    })
}
