//! The user dictionary takes part in the analysis: its words get their reading and accent, and
//! their priority decides segmentation conflicts with the system dictionary.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use yomiage_frontend::accent::{AccentHook, NodeInfo, Phrase, RuleDecision};
use yomiage_frontend::{AccentPhrase, Frontend, UserDictionary, UserWord, WordType};

/// The installed dictionary (as `common::frontend`, but each test here needs its own
/// frontend with its own user dictionary).
fn dict_dir() -> PathBuf {
    yomiage_voices::Layout::from_env()
        .expect("no data directory (YOMIAGE_HOME/XDG_DATA_HOME/HOME)")
        .dictionary_dir()
}

fn load(user: Option<&UserDictionary>) -> Frontend {
    Frontend::load_with_user_dictionary(&dict_dir(), user).unwrap_or_else(|e| panic!("{e}"))
}

/// `カナ[accent/moras]` per phrase.
fn summary(fe: &Frontend, text: &str) -> Vec<String> {
    let phrases: Vec<AccentPhrase> = fe.analyze(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    phrases
        .iter()
        .map(|p| {
            let kana: String = p.moras.iter().map(|m| m.text.as_str()).collect();
            format!("{kana}[{}/{}]", p.accent, p.moras.len())
        })
        .collect()
}

fn dict_of(words: &[(&str, &str, i64, WordType, i64)]) -> UserDictionary {
    let mut d = UserDictionary::new();
    for &(surface, pron, accent, word_type, priority) in words {
        d.add(UserWord::new(surface, pron, accent, word_type, priority).expect("valid word"));
    }
    d
}

#[test]
fn frontend_with_a_user_dictionary_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Frontend>();
    assert_send_sync::<UserDictionary>();
}

#[test]
fn added_words_get_their_reading_and_accent() {
    let base = load(None);
    // Unknown to naist-jdic as wholes: read piece by piece (ウッコンコーアン; ヨミアゲ + タロー),
    // with the pieces' accents.
    assert!(!summary(&base, "鬱金香庵")
        .concat()
        .contains("ウコンコウアン"));
    assert!(!summary(&base, "ヨミアゲ太郎").concat().contains("タロウ"));

    let dict = dict_of(&[
        ("鬱金香庵", "ウコンコウアン", 4, WordType::ProperNoun, 5),
        ("ヨミアゲ太郎", "ヨミアゲタロウ", 4, WordType::ProperNoun, 5),
    ]);
    // (Accent 4, not 3: a nucleus on ン is moved back a mora by the nucleus rules, as for any
    // word.)
    let fe = load(Some(&dict));
    assert_eq!(fe.user_word_count(), 2);
    assert_eq!(summary(&fe, "鬱金香庵"), ["ウコンコウアン[4/7]"]);
    assert_eq!(summary(&fe, "ヨミアゲ太郎"), ["ヨミアゲタロウ[4/7]"]);
    // In a sentence, with particles chained on as for any dictionary word.
    assert_eq!(
        summary(&fe, "鬱金香庵に、ヨミアゲ太郎が行く。"),
        [
            "ウコンコウアンニ[4/8]",
            "ヨミアゲタロウガ[4/8]",
            "イク[0/2]"
        ]
    );
    // Moras carry the phonemes of the given reading.
    let p = fe.analyze("鬱金香庵").expect("analyse");
    let phonemes: Vec<String> = p[0]
        .moras
        .iter()
        .map(|m| {
            let c = m.consonant.map_or("", |c| c.as_str());
            format!("{c}{}", m.vowel)
        })
        .collect();
    assert_eq!(phonemes, ["u", "ko", "N", "ko", "u", "a", "N"]);
}

#[test]
fn latin_words_match_as_the_text_is_normalized() {
    let dict = dict_of(&[("yomiage", "ヨミアゲ", 0, WordType::CommonNoun, 5)]);
    let fe = load(Some(&dict));
    // Half- and full-width spellings in the text both reach the word (stored full-width).
    for text in ["yomiageで読む", "ｙｏｍｉａｇｅで読む"] {
        let s = summary(&fe, text);
        assert_eq!(s[0], "ヨミアゲデ[0/5]", "{text}: {s:?}");
    }
}

#[test]
fn setting_and_clearing_the_user_dictionary_changes_the_analysis() {
    let fe = load(None);
    let before = summary(&fe, "鬱金香庵");
    let dict = dict_of(&[("鬱金香庵", "ウコンコウアン", 0, WordType::ProperNoun, 5)]);
    fe.set_user_dictionary(&dict).expect("set");
    assert_eq!(summary(&fe, "鬱金香庵"), ["ウコンコウアン[0/7]"]);
    fe.set_user_dictionary(&UserDictionary::new())
        .expect("clear");
    assert_eq!(fe.user_word_count(), 0);
    assert_eq!(summary(&fe, "鬱金香庵"), before);
}

#[test]
fn priority_decides_a_segmentation_conflict() {
    // 東京都: naist-jdic reads 東京|都. A user word 京都 (read ミヤコ, so its use shows) makes
    // 東|京都 possible; VOICEVOX's cost for priority 5 loses to the system's segmentation,
    // the cost for priority 10 wins it.
    let base = load(None);
    let system = summary(&base, "東京都");
    assert!(system.concat().starts_with("トーキョート"), "{system:?}");
    for priority in [0, 5] {
        let dict = dict_of(&[("京都", "ミヤコ", 1, WordType::CommonNoun, priority)]);
        assert_eq!(summary(&load(Some(&dict)), "東京都"), system, "{priority}");
    }
    let dict = dict_of(&[("京都", "ミヤコ", 1, WordType::CommonNoun, 10)]);
    let s = summary(&load(Some(&dict)), "東京都").concat();
    assert!(s.contains("ミヤコ"), "priority 10: {s}");
    assert!(!s.contains("トーキョー"), "priority 10: {s}");

    // The same for a word against the system's pieces of it: at priority 0 the pieces win.
    let low = dict_of(&[("鬱金香庵", "ウコンコウアン", 0, WordType::ProperNoun, 0)]);
    assert_eq!(
        summary(&load(Some(&low)), "鬱金香庵"),
        summary(&base, "鬱金香庵")
    );
}

/// Stops an analysis half-way (inside the accent rules) until it is told to go on, so a test
/// can act while that analysis is certainly still running.
struct PauseInside {
    started: mpsc::Sender<()>,
    resume: mpsc::Receiver<()>,
    /// Whether the go-ahead came; waiting is bounded so a regression fails instead of hanging.
    resumed: bool,
    /// Paused once already: a long text is analysed in pieces, each through the hook.
    paused: bool,
}

impl AccentHook for PauseInside {
    fn boundaries(&mut self, _: &[NodeInfo], _: &[RuleDecision], _: &mut [bool]) {
        if std::mem::replace(&mut self.paused, true) {
            return;
        }
        let _ = self.started.send(());
        self.resumed = self.resume.recv_timeout(Duration::from_secs(120)).is_ok();
    }
    fn nuclei(&mut self, _: &[NodeInfo], _: &mut [Phrase]) {}
}

/// The dictionary is swapped through `&self`: an edit completes while a long analysis is still
/// running (held inside the analysis until the edit is done), the next analysis sees the new
/// word, and the running one finishes with the words it started with.
#[test]
fn an_edit_does_not_wait_for_a_running_analysis_nor_disturb_it() {
    let fe = load(None);
    let long = format!("{}鬱金香庵。", "今日はいい天気ですね。".repeat(200));
    let dict = dict_of(&[("鬱金香庵", "ウコンコウアン", 0, WordType::ProperNoun, 5)]);
    let (started_tx, started_rx) = mpsc::channel();
    let (resume_tx, resume_rx) = mpsc::channel();
    std::thread::scope(|s| {
        let running = s.spawn(|| {
            let mut hook = PauseInside {
                started: started_tx,
                resume: resume_rx,
                resumed: false,
                paused: false,
            };
            let phrases = fe.analyze_with(&long, &mut hook).expect("long analysis");
            (phrases, hook.resumed)
        });
        started_rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the long analysis started");
        // The long analysis is paused inside the frontend: this must not wait for it.
        fe.set_user_dictionary(&dict).expect("set while analysing");
        assert_eq!(fe.user_word_count(), 1);
        assert_eq!(summary(&fe, "鬱金香庵"), ["ウコンコウアン[0/7]"]);
        resume_tx.send(()).expect("resume");
        let (phrases, resumed) = running.join().expect("no panic");
        assert!(resumed, "the edit waited for the running analysis");
        // The running analysis kept the dictionary it started with.
        let kana: String = phrases
            .iter()
            .flat_map(|p| p.moras.iter().map(|m| m.text.as_str()))
            .collect();
        assert!(!kana.contains("ウコンコウアン"), "{kana}");
    });
}
