//! Text → accent phrases, using jpreprocess (OpenJTalk's frontend in Rust).
//!
//! The phrases are built from jpreprocess's NJD nodes directly, following the grouping rules of
//! its jpcommon stage (which produces the full-context labels), rather than by parsing labels:
//! labels clamp counts (49 moras per phrase) and write a flat phrase's accent as its mora count,
//! while the NJD node that starts a phrase still carries the true accent type (0 = heiban).

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Instant;

use jpreprocess::{DefaultTokenizer, JPreprocess, NJD};
use jpreprocess_core::pronunciation::phoneme::{Consonant as JConsonant, Vowel as JVowel};
use jpreprocess_core::pronunciation::Mora as JMora;
use unicode_normalization::UnicodeNormalization;

use crate::accent::{mora_text, preprocess, rises_before, AccentEstimator, AccentHook};
use crate::dictionary::{BuildInfo, BUILD_INFO_FILE};
use crate::explain::{word_readings, Lexicon, Recorder, WordReading};
use crate::kanji::KanjiTable;
use crate::phoneme::{Consonant, Vowel};
use crate::pieces::{pieces, MAX_PIECE_CHARS};
use crate::provenance::Written;
use crate::reading::ReadingModel;
use crate::types::{AccentPhrase, Mora};
use crate::user_dict::UserDictionary;

#[derive(Debug, thiserror::Error)]
pub enum FrontendError {
    /// Built by [`crate::build_dictionary`] from OpenJTalk's mecab-naist-jdic source.
    #[error("no dictionary at {path}")]
    DictionaryMissing { path: PathBuf },
    #[error(
        "the dictionary at {path} was built by jpreprocess {built}, but this program uses \
         jpreprocess {current}; the format changes between versions, rebuild the dictionary"
    )]
    DictionaryVersion {
        path: PathBuf,
        built: String,
        current: String,
    },
    #[error("could not load the dictionary at {path}: {source}")]
    DictionaryLoad {
        path: PathBuf,
        #[source]
        source: lindera_dictionary::error::LinderaError,
    },
    #[error("could not compile the user dictionary ({words} words): {source}")]
    UserDictionary {
        words: usize,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the text is empty")]
    EmptyText,
    #[error("nothing to say: the text has no readable words (only symbols, emoji or punctuation)")]
    NothingToSay,
    #[error("text analysis failed: {0}")]
    Analysis(#[source] jpreprocess::error::JPreprocessError),
    #[error("text analysis crashed inside jpreprocess on a {chars}-character input")]
    Internal { chars: usize },
}

/// The Japanese text frontend: a loaded dictionary plus OpenJTalk's rules.
///
/// Cheap to share: analysis takes `&self`, and the type is `Send + Sync`. The user dictionary
/// can be replaced through `&self` too ([`Frontend::set_user_dictionary`]): analyses already
/// running finish with the words they started with, and neither waits for the other.
pub struct Frontend {
    /// Where the system dictionary was loaded from: changing the user dictionary rebuilds the
    /// tokenizer, which takes the system dictionary by value.
    dict_dir: PathBuf,
    /// The dictionaries in use. The lock is held only to clone or replace the `Arc`, never
    /// while analysing or loading, so an edit never waits for a long analysis.
    current: RwLock<Arc<Dictionaries>>,
    estimator: AccentEstimator,
    /// The learned reading stage (`crate::reading`); the built-in model unless replaced.
    readings: Arc<ReadingModel>,
    /// naist-jdic by spelling, for [`Frontend::explain`]'s candidates; loaded on first use.
    lexicon: OnceLock<Lexicon>,
    /// On-readings of kanji the dictionary lacks; loaded on first use.
    kanji: KanjiTable,
}

/// What one analysis runs on: the tokenizer with the system and user dictionaries, and the
/// user's words. Replaced whole when the user dictionary changes.
struct Dictionaries {
    jp: JPreprocess<DefaultTokenizer>,
    /// Words in the user dictionary (0 = none).
    user_words: usize,
    /// (surface, pronunciation) of the user's words: the learned corrector leaves them alone.
    user_entries: HashSet<(String, String)>,
}

impl std::fmt::Debug for Frontend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frontend").finish_non_exhaustive()
    }
}

impl Frontend {
    /// Loads a dictionary built by [`crate::build_dictionary`] (memory-mapped: ~40 ms, and the
    /// 77 MB of word data stay in the page cache rather than the heap).
    pub fn load(dict_dir: &Path) -> Result<Frontend, FrontendError> {
        Frontend::load_with_user_dictionary(dict_dir, None)
    }

    /// [`Frontend::load`], with a user dictionary whose words take part in the analysis
    /// alongside the system dictionary's (see [`Frontend::set_user_dictionary`]).
    pub fn load_with_user_dictionary(
        dict_dir: &Path,
        user: Option<&UserDictionary>,
    ) -> Result<Frontend, FrontendError> {
        let dictionaries = Dictionaries::load(dict_dir, user)?;
        Ok(Frontend {
            dict_dir: dict_dir.to_path_buf(),
            current: RwLock::new(Arc::new(dictionaries)),
            estimator: AccentEstimator::default(),
            readings: ReadingModel::builtin(),
            lexicon: OnceLock::new(),
            kanji: KanjiTable::new(dict_dir),
        })
    }

    /// Replaces the user dictionary (an empty one removes it). Its words are compiled into a
    /// lindera user dictionary in jpreprocess's format — one naist-jdic row per word, with
    /// VOICEVOX's part of speech, context ID and priority cost — and join the system
    /// dictionary's words in the lattice, so priority decides segmentation conflicts.
    ///
    /// The tokenizer is rebuilt around a fresh load of the system dictionary (~40 ms,
    /// memory-mapped) while analyses go on with the old one, then swapped in: an analysis
    /// that started before sees the old words, one that starts after sees the new. On error
    /// the frontend is left as it was.
    pub fn set_user_dictionary(&self, user: &UserDictionary) -> Result<(), FrontendError> {
        if user.is_empty() && self.dictionaries().user_words == 0 {
            return Ok(());
        }
        let fresh = Arc::new(Dictionaries::load(&self.dict_dir, Some(user))?);
        // A panic elsewhere while the lock was held cannot leave the `Arc` half-written.
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = fresh;
        Ok(())
    }

    /// Chooses how accent phrases and nuclei are decided (default: learned).
    pub fn set_accent_estimator(&mut self, estimator: AccentEstimator) {
        self.estimator = estimator;
    }

    /// Replaces the learned reading model (an empty one turns the stage off); the training
    /// tools cross-validate it this way.
    pub fn set_reading_model(&mut self, model: Arc<ReadingModel>) {
        self.readings = model;
    }

    pub fn accent_estimator(&self) -> AccentEstimator {
        self.estimator
    }

    /// How many user-dictionary words the analysis uses (0 = no user dictionary).
    pub fn user_word_count(&self) -> usize {
        self.dictionaries().user_words
    }

    /// The dictionaries in use now; kept by the caller for a whole analysis.
    fn dictionaries(&self) -> Arc<Dictionaries> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Analyzes Japanese text into accent phrases with OpenJTalk's readings, accents,
    /// devoicing and pauses. Lengths and pitches are left at 0 for the engine to fill.
    pub fn analyze(&self, text: &str) -> Result<Vec<AccentPhrase>, FrontendError> {
        self.estimator
            .with_hook(|hook| self.analyze_with(text, hook))
    }

    /// [`Frontend::analyze`] with a given accent hook in place of the estimator's: the
    /// training tool records examples this way, and scores a model with
    /// [`crate::accent::learned::Learned`].
    pub fn analyze_with(
        &self,
        text: &str,
        hook: &mut dyn AccentHook,
    ) -> Result<Vec<AccentPhrase>, FrontendError> {
        let cleaned = clean_text(text);
        if cleaned.trim().is_empty() {
            return Err(FrontendError::EmptyText);
        }
        // One snapshot for the whole analysis, even if the user dictionary changes meanwhile.
        let dicts = self.dictionaries();
        // Pieces keep the time linear in the length (see `pieces`); a sentence is one piece.
        let mut phrases = Vec::new();
        for piece in pieces(&cleaned, MAX_PIECE_CHARS) {
            if piece.trim().is_empty() {
                continue;
            }
            let normalized = dicts.normalize(piece);
            let written = Written::new(piece, &normalized);
            let njd = dicts.njd(&normalized, &written, hook, &self.readings, &self.kanji)?;
            phrases.extend(phrases_from_njd(&njd));
        }
        if phrases.is_empty() {
            return Err(FrontendError::NothingToSay);
        }
        Ok(phrases)
    }

    /// [`Frontend::analyze`], and each word's reading: where it came from (the stage that set
    /// it) and naist-jdic's other readings of its spelling, for `yomiage accent --explain`.
    pub fn explain(
        &self,
        text: &str,
    ) -> Result<(Vec<AccentPhrase>, Vec<WordReading>), FrontendError> {
        let (phrases, nodes) = self.estimator.with_hook(|inner| {
            let mut rec = Recorder {
                inner,
                nodes: Vec::new(),
            };
            let phrases = self.analyze_with(text, &mut rec)?;
            Ok::<_, FrontendError>((phrases, rec.nodes))
        })?;
        let lexicon = self.lexicon.get_or_init(|| Lexicon::load(&self.dict_dir));
        Ok((phrases, word_readings(&nodes, lexicon)))
    }

    /// The text as [`Frontend::analyze`] reads it: [`crate::normalize`], except that Latin
    /// words this dictionary knows (Windows, NHK) are left for it, so they keep its accent.
    pub fn normalize(&self, text: &str) -> String {
        self.dictionaries().normalize(text)
    }

    /// jpreprocess's own full-context labels, reduced to (phoneme, F1 mora count, F2 accent,
    /// F3 interrogative), for cross-checking the phrase grouping.
    #[cfg(test)]
    pub(crate) fn label_summary(&self, text: &str) -> Vec<LabelSummary> {
        let dicts = self.dictionaries();
        // jpcommon's labels for our NJD (our accent-phrase rules included).
        let njd = dicts
            .njd(
                &clean_text(text),
                &Written::new("", ""),
                &mut crate::accent::RulesOnly,
                &self.readings,
                &self.kanji,
            )
            .expect("njd");
        let labels = dicts.jp.make_label(njd.into());
        labels
            .iter()
            .map(|l| {
                let f = l
                    .accent_phrase_curr
                    .as_ref()
                    .map(|f| (f.mora_count, f.accent_position, f.is_interrogative));
                (l.phoneme.c.clone().unwrap_or_default(), f)
            })
            .collect()
    }
}

impl Dictionaries {
    fn load(dict_dir: &Path, user: Option<&UserDictionary>) -> Result<Dictionaries, FrontendError> {
        if !dict_dir.join("metadata.json").is_file() {
            return Err(FrontendError::DictionaryMissing {
                path: dict_dir.to_path_buf(),
            });
        }
        check_build_info(dict_dir)?;
        // Compile first: a bad user dictionary fails before the slow load.
        let (compiled, user_words) = compile_user_dictionary(user)?;
        let started = Instant::now();
        let dict = jpreprocess::Dictionary::load_from_path_with_options(dict_dir, true).map_err(
            |source| FrontendError::DictionaryLoad {
                path: dict_dir.to_path_buf(),
                source,
            },
        )?;
        let jp = JPreprocess::with_dictionaries(dict, compiled);
        tracing::debug!(
            dir = %dict_dir.display(),
            user_words,
            elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
            "dictionary loaded"
        );
        let user_entries = user
            .map(|u| {
                u.iter()
                    .map(|(_, w)| (w.surface().to_owned(), w.pronunciation().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Dictionaries {
            jp,
            user_words,
            user_entries,
        })
    }

    fn normalize(&self, text: &str) -> String {
        crate::normalize::normalize_with(text, &|word| self.knows_word(word))
    }

    /// Whether the dictionary reads `word` as one entry; unknown words come back with an
    /// empty pronunciation, which jpreprocess would then spell letter by letter.
    fn knows_word(&self, word: &str) -> bool {
        let result = catch_unwind(AssertUnwindSafe(|| self.jp.text_to_njd(word)));
        matches!(result, Ok(Ok(njd))
            if njd.nodes.len() == 1 && njd.nodes[0].get_pron().mora_size() > 0)
    }

    /// Runs jpreprocess up to the preprocessed NJD (readings, accents, chaining, devoicing).
    fn njd(
        &self,
        text: &str,
        written: &Written,
        hook: &mut dyn AccentHook,
        readings: &ReadingModel,
        kanji: &KanjiTable,
    ) -> Result<NJD, FrontendError> {
        let started = Instant::now();
        // A panic in the dependency must not take a server down with it; `&self` is never
        // mutated, so nothing is left half-updated if it happens.
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut njd = self.jp.text_to_njd(text)?;
            // OpenJTalk's steps, with our accent-phrase and nucleus rules in between.
            preprocess(&mut njd, hook, &self.user_entries, readings, written, kanji);
            Ok(njd)
        }));
        let njd = match result {
            Ok(r) => r.map_err(FrontendError::Analysis)?,
            Err(_) => {
                let chars = text.chars().count();
                tracing::error!(chars, "jpreprocess panicked");
                return Err(FrontendError::Internal { chars });
            }
        };
        tracing::trace!(
            nodes = njd.nodes.len(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
            "njd"
        );
        Ok(njd)
    }
}

/// (phoneme, Some((F1 mora count, F2 accent, F3 interrogative))) of one label.
#[cfg(test)]
pub(crate) type LabelSummary = (String, Option<(u8, u8, bool)>);

fn compile_user_dictionary(
    user: Option<&UserDictionary>,
) -> Result<(Option<jpreprocess::UserDictionary>, usize), FrontendError> {
    let Some(user) = user else {
        return Ok((None, 0));
    };
    let started = Instant::now();
    let compiled = user
        .compile()
        .map_err(|source| FrontendError::UserDictionary {
            words: user.len(),
            source,
        })?;
    tracing::debug!(
        words = user.len(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
        "user dictionary compiled"
    );
    Ok((compiled, user.len()))
}

fn check_build_info(dir: &Path) -> Result<(), FrontendError> {
    let path = dir.join(BUILD_INFO_FILE);
    let info = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str::<BuildInfo>(&s).ok());
    match info {
        Some(info) if info.jpreprocess != jpreprocess::VERSION => {
            Err(FrontendError::DictionaryVersion {
                path: dir.to_path_buf(),
                built: info.jpreprocess,
                current: jpreprocess::VERSION.to_owned(),
            })
        }
        Some(_) => Ok(()),
        None => {
            // Built by other means (e.g. jpreprocess's dict_tools): may still be fine.
            tracing::warn!(
                path = %path.display(),
                "dictionary has no build record; if loading or analysis fails, rebuild it"
            );
            Ok(())
        }
    }
}

/// Prepares user text for jpreprocess.
///
/// NFC composes decomposed kana (か + U+3099 → が). Line breaks, tabs and other whitespace or
/// control characters become spaces, which OpenJTalk treats as a pause (it silently drops
/// `\n`, so lines would otherwise run together). Invisible format characters (zero-width
/// joiners, BOM, variation selectors) are removed so they do not cause pauses inside words.
fn clean_text(text: &str) -> String {
    text.nfc()
        .filter_map(|c| {
            if c.is_whitespace() || c.is_control() {
                Some(' ')
            } else if is_invisible_format(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                  // soft hyphen
        | '\u{200B}'..='\u{200F}'   // zero-width space/joiners, direction marks
        | '\u{202A}'..='\u{202E}'   // bidi embedding
        | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
        | '\u{FE00}'..='\u{FE0F}'   // variation selectors
        | '\u{FEFF}'                // BOM
        | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
    )
}

/// Groups NJD nodes into accent phrases the way jpcommon does: a node with chain flag joins
/// the previous phrase, `、`-like nodes (any punctuation or unreadable symbol) and `？` end a
/// breath group, and a pause separates breath groups.
fn phrases_from_njd(njd: &NJD) -> Vec<AccentPhrase> {
    let mut phrases: Vec<AccentPhrase> = Vec::new();
    // Set at a breath-group break; the next phrase starts fresh and the previous one gets the
    // pause. A break at the very end is dropped (no trailing pause, as in OpenJTalk).
    let mut break_pending = false;
    // The previous mora's vowel within the breath group, copied by ー.
    let mut last_vowel: Option<Vowel> = None;

    for (i, node) in njd.nodes.iter().enumerate() {
        let pron = node.get_pron();
        if pron.is_question() || rises_before(njd, i) {
            // Unlike jpcommon, this also finds the phrase across a preceding `！` (か！？).
            if let Some(last) = phrases.last_mut() {
                last.is_interrogative = true;
            }
        }
        if pron.is_touten() || pron.is_question() {
            break_pending = !phrases.is_empty();
            last_vowel = None;
            continue;
        }

        let moras = node_moras(pron.moras(), &mut last_vowel);
        if moras.kept.is_empty() {
            continue;
        }
        let chained = matches!(node.get_chain_flag(), Some(true));
        match phrases.last_mut() {
            Some(last) if chained && !break_pending => last.moras.extend(moras.kept),
            _ => {
                if break_pending {
                    if let Some(last) = phrases.last_mut() {
                        last.pause_mora = Some(Mora::pause());
                    }
                    break_pending = false;
                }
                let mut accent = pron.accent();
                if accent > 0 && moras.dropped_leading > 0 {
                    accent = accent.saturating_sub(moras.dropped_leading).max(1);
                }
                phrases.push(AccentPhrase {
                    moras: moras.kept,
                    accent,
                    pause_mora: None,
                    is_interrogative: false,
                });
            }
        }
    }

    if rises_before(njd, njd.nodes.len()) {
        if let Some(last) = phrases.last_mut() {
            last.is_interrogative = true;
        }
    }
    for p in &mut phrases {
        // Dictionary accents can exceed a short phrase (e.g. あ 2/1 on its own).
        if p.accent > p.moras.len() {
            tracing::debug!(accent = p.accent, moras = p.moras.len(), "accent clamped");
            p.accent = p.moras.len();
        }
    }
    phrases
}

/// Shared with the kana notation parser, so both spell moras the same way.
pub(crate) struct NodeMoras {
    pub(crate) kept: Vec<Mora>,
    /// ー moras at the start of a breath group: nothing to lengthen, so they are dropped
    /// (jpcommon emits a bogus `sil`/`pau` phoneme for them).
    dropped_leading: usize,
}

pub(crate) fn node_moras(moras: &[JMora], last_vowel: &mut Option<Vowel>) -> NodeMoras {
    let mut kept = Vec::with_capacity(moras.len());
    let mut dropped_leading = 0;
    for m in moras {
        let (consonant, vowel) = m.phonemes();
        let (consonant, vowel) = match (consonant, vowel) {
            (Some(JConsonant::Long), _) => match *last_vowel {
                Some(v) => (None, v),
                None => {
                    if kept.is_empty() {
                        dropped_leading += 1;
                    }
                    continue;
                }
            },
            (Some(JConsonant::Nn), _) => (None, Vowel::N),
            (Some(JConsonant::Cl), _) => (None, Vowel::Cl),
            (c, Some(v)) => (c.map(our_consonant), our_vowel(v)),
            // Touten/question moras inside a word carry no sound.
            (_, None) => continue,
        };
        let text = mora_text(m);
        *last_vowel = Some(vowel);
        kept.push(Mora::new(text, consonant, vowel));
    }
    NodeMoras {
        kept,
        dropped_leading,
    }
}

/// jpreprocess's consonant as ours (ン, ッ and ー are handled before: they are not consonants
/// here).
fn our_consonant(c: JConsonant) -> Consonant {
    match c {
        JConsonant::K => Consonant::K,
        JConsonant::Ky => Consonant::Ky,
        JConsonant::G => Consonant::G,
        JConsonant::Gy => Consonant::Gy,
        JConsonant::Kw => Consonant::Kw,
        JConsonant::Gw => Consonant::Gw,
        JConsonant::S => Consonant::S,
        JConsonant::Sh => Consonant::Sh,
        JConsonant::Z => Consonant::Z,
        JConsonant::J => Consonant::J,
        JConsonant::T => Consonant::T,
        JConsonant::Ty => Consonant::Ty,
        JConsonant::Ts => Consonant::Ts,
        JConsonant::Ch => Consonant::Ch,
        JConsonant::D => Consonant::D,
        JConsonant::Dy => Consonant::Dy,
        JConsonant::N => Consonant::N,
        JConsonant::Ny => Consonant::Ny,
        JConsonant::H => Consonant::H,
        JConsonant::Hy => Consonant::Hy,
        JConsonant::F => Consonant::F,
        JConsonant::B => Consonant::B,
        JConsonant::By => Consonant::By,
        JConsonant::P => Consonant::P,
        JConsonant::Py => Consonant::Py,
        JConsonant::M => Consonant::M,
        JConsonant::My => Consonant::My,
        JConsonant::R => Consonant::R,
        JConsonant::Ry => Consonant::Ry,
        JConsonant::W => Consonant::W,
        JConsonant::Y => Consonant::Y,
        JConsonant::V => Consonant::V,
        JConsonant::Nn | JConsonant::Cl | JConsonant::Long => {
            unreachable!("ン, ッ and ー are matched before")
        }
    }
}

/// jpreprocess's vowel as ours.
fn our_vowel(v: JVowel) -> Vowel {
    match v {
        JVowel::A => Vowel::A,
        JVowel::I => Vowel::I,
        JVowel::U => Vowel::U,
        JVowel::E => Vowel::E,
        JVowel::O => Vowel::O,
        JVowel::AUnvoiced => Vowel::DevoicedA,
        JVowel::IUnvoiced => Vowel::DevoicedI,
        JVowel::UUnvoiced => Vowel::DevoicedU,
        JVowel::EUnvoiced => Vowel::DevoicedE,
        JVowel::OUnvoiced => Vowel::DevoicedO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpreprocess_phonemes_spell_like_ours() {
        // Every jpreprocess consonant and vowel that reaches a mora keeps its OpenJTalk symbol.
        let pron = jpreprocess_core::pronunciation::Pronunciation::parse_mora_str(
            "キャギュクヮグヮスィシズジティチュツァデュニャヒャフィブィピャミャリャヴォウェヨ",
        );
        let mut n = 0;
        for (_, moras) in pron {
            for m in &moras {
                let (c, v) = m.phonemes();
                if let Some(c) = c {
                    assert_eq!(our_consonant(c).as_str(), c.to_string());
                }
                if let Some(v) = v {
                    assert_eq!(our_vowel(v).as_str(), v.to_string());
                }
                n += 1;
            }
        }
        assert!(n > 20, "{n}");
        for v in [JVowel::A, JVowel::UUnvoiced, JVowel::OUnvoiced] {
            assert_eq!(our_vowel(v).as_str(), v.to_string());
        }
    }

    #[test]
    fn clean_text_keeps_words_and_turns_breaks_into_spaces() {
        assert_eq!(clean_text("あ\nい\tう"), "あ い う");
        assert_eq!(clean_text("か\u{3099}"), "が");
        assert_eq!(clean_text("猫\u{200D}\u{FE0F}です"), "猫です");
        assert_eq!(clean_text("\u{7}"), " ");
    }

    /// Our phrase grouping must agree with jpreprocess's own labels (which matched Debian's
    /// `open_jtalk` binary on the same dictionary): same phonemes, pauses, mora counts, accents (F2, where heiban is
    /// written as the mora count) and question flags.
    #[test]
    fn phrases_agree_with_jpreprocess_labels() {
        let dir = yomiage_voices::Layout::from_env()
            .expect("data dir")
            .dictionary_dir();
        let mut fe = Frontend::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        // jpcommon groups what the rules decided; the learned corrector is not jpcommon's.
        fe.set_accent_estimator(AccentEstimator::Rules);
        let sentences = [
            "箸",
            "橋",
            "端が",
            "今日はいい天気ですね。",
            "行きますか？",
            "本が好き、先生。東京",
            "日本語文を解析し、音声合成エンジンに渡せる形式に変換します。",
            "吾輩は猫である。名前はまだ無い。",
            "コンピューターで1本のペンを4月1日に買った。",
            "「はい」と言った",
            "そうですか？そうですね。",
            "ヴァイオリンとフィギュアとティーカップ",
            "彼は静かに笑った、しかし目は笑っていなかった。",
        ];
        for text in sentences {
            let mut phrases = fe.analyze(text).expect(text);
            // Our rise on a sentence-final か。/ね。 (rules::rises_before) is not jpcommon's.
            if text.ends_with("ね。") {
                if let Some(last) = phrases.last_mut() {
                    last.is_interrogative = false;
                }
            }
            let mut ours = Vec::new();
            for p in &phrases {
                let f2 = if p.accent == 0 {
                    p.moras.len()
                } else {
                    p.accent
                };
                let f = Some((p.moras.len() as u8, f2 as u8, p.is_interrogative));
                for m in &p.moras {
                    if let Some(c) = m.consonant {
                        ours.push((c.to_string(), f));
                    }
                    ours.push((m.vowel.to_string(), f));
                }
                if p.pause_mora.is_some() {
                    ours.push((Vowel::Pau.to_string(), None));
                }
            }
            let mut labels = fe.label_summary(text);
            // Drop the utterance-initial and final silences.
            labels.remove(0);
            labels.pop();
            assert_eq!(ours, labels, "{text}");
        }
    }
}
