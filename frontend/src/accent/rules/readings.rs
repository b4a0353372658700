//! Reading fixes before the phrase rules: where naist-jdic's reading or a conjugated form's
//! accent is not what the standard language says.

use jpreprocess::NJD;
use jpreprocess_core::cform::CForm;
use jpreprocess_core::pos::POS;
use jpreprocess_core::pronunciation::Pronunciation;

use crate::script::{is_kanji, is_katakana, is_katakana_word};

/// 言う in its plain form is pronounced ユー (naist-jdic's pronunciation field, ユウ; ト'ユー),
/// where jpreprocess gives the spelling イウ; so are the words built on it (言うまでもない
/// ユーマデモナイ).
pub(super) fn yuu_for_iu(njd: &mut NJD) {
    for node in &mut njd.nodes {
        let surface = node.get_string();
        let pure = node.get_pron().to_pure_string();
        let built_on_iu = surface.starts_with("言う") || surface.starts_with("いう");
        let Some(rest) = pure.strip_prefix("イウ") else {
            continue;
        };
        if built_on_iu && matches!(node.get_pos(), POS::Doushi(_) | POS::Keiyoushi(_)) {
            let accent = node.get_pron().accent();
            if let Ok(pron) = Pronunciation::parse(&format!("ユー{rest}"), accent) {
                node.set_pron(pron);
            }
        }
    }
}

/// A katakana word spelled with ヴ is said with it: naist-jdic and OpenJTalk's reading of
/// unknown katakana say ヴィ as ビ (ダ・ヴィンチ → ダビンチ, エヴェレスト → エベレスト), where the
/// spelling, and the labelled speaker, say vi. Only the ヴ moras change, and only where the
/// spelling has as many moras as the reading (so the accent still fits).
pub(super) fn vu_as_written(njd: &mut NJD) {
    for node in &mut njd.nodes {
        let surface = node.get_string();
        if !surface.contains('ヴ') || !is_katakana_word(surface) {
            continue;
        }
        let written: String = surface.chars().filter(|&c| c != '・').collect();
        let pron = node.get_pron();
        let Ok(spelt) = Pronunciation::parse(&written, pron.accent()) else {
            continue;
        };
        let only_vu = spelt.mora_size() == pron.mora_size()
            && spelt
                .moras()
                .iter()
                .zip(pron.moras())
                .all(|(a, b)| a.mora_enum == b.mora_enum || a.to_string().starts_with('ヴ'));
        if only_vu && spelt.to_pure_string() != pron.to_pure_string() {
            node.set_pron(spelt);
        }
    }
}

/// Inside a word written in kana, イ after an e-column mora lengthens the vowel (エイ is said
/// エー: きれい → キレー, プレイヤー → プレーヤー), as naist-jdic's pronunciation field already
/// writes Sino-Japanese words (先生 センセー). A word with kanji is left as the dictionary has
/// it: where pyopenjtalk-plus's naist-jdic keeps エイ there, イ mostly starts the next part of
/// a compound (受け入れ ウケイレ, 出入り口, 溜息), and lengthening it misread 5 dev sentences.
pub(super) fn long_ei(njd: &mut NJD) {
    for node in &mut njd.nodes {
        if node.get_string().chars().any(is_kanji) {
            continue;
        }
        let pure = node.get_pron().to_pure_string();
        let chars: Vec<char> = pure.chars().collect();
        let mut out = String::with_capacity(pure.len());
        let mut changed = false;
        for (k, &c) in chars.iter().enumerate() {
            let after_e = k > 0 && "エケセテネヘメレゲゼデベペェ".contains(chars[k - 1]);
            if c == 'イ' && after_e {
                out.push('ー');
                changed = true;
            } else {
                out.push(c);
            }
        }
        if changed {
            let accent = node.get_pron().accent();
            if let Ok(pron) = Pronunciation::parse(&out, accent) {
                node.set_pron(pron);
            }
        }
    }
}

/// A katakana word read as it is spelt (one the dictionary lacks: ケンシロウ, セイシロウ) says
/// ウ after an o-column mora as a long vowel, as Japanese names and words do (ケンシロー); a
/// ウ before a small vowel, or before エア (ware), is a mora of its own (ソフトウェア,
/// ハードウエア).
pub(super) fn long_ou_as_spelt(njd: &mut NJD) {
    for node in &mut njd.nodes {
        let surface = node.get_string();
        if !surface.chars().all(is_katakana) || node.get_pron().to_pure_string() != surface {
            continue;
        }
        let chars: Vec<char> = surface.chars().collect();
        let mut out = String::with_capacity(surface.len());
        for (k, &c) in chars.iter().enumerate() {
            let after_o = k > 0 && "オコソトノホモヨロゴゾドボポョォ".contains(chars[k - 1]);
            let before_small = chars.get(k + 1).is_some_and(|n| "ァィゥェォ".contains(*n));
            let ware = chars.get(k + 1..k + 3) == Some(&['エ', 'ア'][..]);
            out.push(if c == 'ウ' && after_o && !before_small && !ware {
                'ー'
            } else {
                c
            });
        }
        if out != surface {
            let accent = node.get_pron().accent();
            if let Ok(pron) = Pronunciation::parse(&out, accent) {
                node.set_pron(pron);
            }
        }
    }
}

/// An accented adjective's fall moves one mora earlier in its く form: タカ'イ → タ'カク,
/// ウツクシ'イ → ウツク'シク. naist-jdic gives the conjugated forms the dictionary form's
/// accent. Flat adjectives (アカイ → アカク) keep 0. The かった form keeps the dictionary
/// form's fall in this speaker's labels (タカ'カッタ), so it is left alone.
pub(super) fn adjective_forms(njd: &mut NJD) {
    for node in &mut njd.nodes {
        if matches!(node.get_pos(), POS::Keiyoushi(_))
            && matches!(node.get_cform(), CForm::RenyouConjunctionTe)
        {
            let accent = node.get_pron().accent();
            if accent >= 2 {
                node.get_pron_mut().set_accent(accent - 1);
            }
        }
    }
}

/// An accented verb's continuative stem said without its ending has the fall one mora
/// earlier: naist-jdic gives 連用形 nodes the dictionary form's accent, which for a verb
/// accented on its penultimate mora (タベ'ル, ナズケ'ル, オト'ス) lands on the stem's last
/// mora. The standard forms are タ'ベタ, ナズ'ケテ, オト'シタ, スマ'セ (連用中止). One-mora
/// stems (ミ'タ, キ'テ) keep their fall.
pub(super) fn verb_forms(njd: &mut NJD) {
    for node in &mut njd.nodes {
        let form = matches!(
            node.get_cform(),
            CForm::Renyou | CForm::RenyouConjunctionTa | CForm::RenyouConjunctionTe
        );
        if matches!(node.get_pos(), POS::Doushi(_)) && form {
            let accent = node.get_pron().accent();
            if accent >= 2 && accent == node.get_pron().mora_size() {
                node.get_pron_mut().set_accent(accent - 1);
            }
        }
    }
}
