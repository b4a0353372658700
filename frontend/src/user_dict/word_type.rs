//! VOICEVOX's word types and what each fixes: part of speech, context ID, the cost of each
//! priority, the accent chain rules allowed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Lowest priority: the word is used only where nothing else fits.
pub const MIN_PRIORITY: u8 = 0;
/// Highest priority: the word wins almost every segmentation it takes part in.
pub const MAX_PRIORITY: u8 = 10;
/// VOICEVOX's default priority.
pub const DEFAULT_PRIORITY: u8 = 5;

/// A word's part of speech, as VOICEVOX's `WordTypes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WordType {
    /// 固有名詞 (names of people, places, products). VOICEVOX's default.
    #[default]
    ProperNoun,
    /// 普通名詞.
    CommonNoun,
    /// 動詞 (only the form given: no conjugation).
    Verb,
    /// 形容詞 (only the form given: no conjugation).
    Adjective,
    /// 接尾辞 (さん, 様, 株式会社…).
    Suffix,
}

/// What VOICEVOX ENGINE (`user_dict/part_of_speech_data.py`) fixes per word type: the naist-jdic
/// part of speech, the context ID (a row of `_left-id.def`, the same in OpenJTalk's
/// naist-jdic), the word costs for priorities 10 down to 0, and the accent chain rules allowed.
pub(super) struct PartOfSpeech {
    pub(super) pos: [&'static str; 4],
    pub(super) context_id: u16,
    /// Index `MAX_PRIORITY - priority`: the first is the cost of priority 10.
    pub(super) costs: [i16; 11],
    pub(super) chain_rules: &'static [&'static str],
}

const NOUN_RULES: &[&str] = &["*", "C1", "C2", "C3", "C4", "C5"];

impl WordType {
    pub const ALL: [WordType; 5] = [
        WordType::ProperNoun,
        WordType::CommonNoun,
        WordType::Verb,
        WordType::Adjective,
        WordType::Suffix,
    ];

    pub(super) fn part_of_speech(self) -> PartOfSpeech {
        match self {
            WordType::ProperNoun => PartOfSpeech {
                pos: ["名詞", "固有名詞", "一般", "*"],
                context_id: 1348,
                costs: [
                    -988, 3488, 4768, 6048, 7328, 8609, 8734, 8859, 8984, 9110, 14176,
                ],
                chain_rules: NOUN_RULES,
            },
            WordType::CommonNoun => PartOfSpeech {
                pos: ["名詞", "一般", "*", "*"],
                context_id: 1345,
                costs: [
                    -4445, 49, 1473, 2897, 4321, 5746, 6554, 7362, 8170, 8979, 15001,
                ],
                chain_rules: NOUN_RULES,
            },
            WordType::Verb => PartOfSpeech {
                pos: ["動詞", "自立", "*", "*"],
                context_id: 642,
                costs: [
                    3100, 6160, 6360, 6561, 6761, 6962, 7414, 7866, 8318, 8771, 13433,
                ],
                chain_rules: &["*"],
            },
            WordType::Adjective => PartOfSpeech {
                pos: ["形容詞", "自立", "*", "*"],
                context_id: 20,
                costs: [
                    1527, 3266, 3561, 3857, 4153, 4449, 5149, 5849, 6549, 7250, 10001,
                ],
                chain_rules: &["*"],
            },
            WordType::Suffix => PartOfSpeech {
                pos: ["名詞", "接尾", "一般", "*"],
                context_id: 1358,
                costs: [
                    4399, 5373, 6041, 6710, 7378, 8047, 9440, 10834, 12228, 13622, 15847,
                ],
                chain_rules: NOUN_RULES,
            },
        }
    }

    /// VOICEVOX's name (`PROPER_NOUN`…).
    pub fn as_str(self) -> &'static str {
        match self {
            WordType::ProperNoun => "PROPER_NOUN",
            WordType::CommonNoun => "COMMON_NOUN",
            WordType::Verb => "VERB",
            WordType::Adjective => "ADJECTIVE",
            WordType::Suffix => "SUFFIX",
        }
    }

    /// The naist-jdic context ID VOICEVOX gives this word type.
    pub fn context_id(self) -> u16 {
        self.part_of_speech().context_id
    }

    /// The word type whose context ID this is.
    pub fn from_context_id(id: i64) -> Option<WordType> {
        WordType::ALL
            .into_iter()
            .find(|t| i64::from(t.context_id()) == id)
    }

    /// The dictionary word cost for a priority (clamped to 0..=10), as VOICEVOX's
    /// `priority2cost`: lower cost, more often chosen.
    pub fn cost(self, priority: u8) -> i16 {
        let p = priority.min(MAX_PRIORITY);
        self.part_of_speech().costs[usize::from(MAX_PRIORITY - p)]
    }

    /// The priority whose cost is nearest to `cost` (the first on a tie), as VOICEVOX's
    /// `cost2priority`.
    pub fn priority_for_cost(self, cost: i64) -> u8 {
        let costs = self.part_of_speech().costs;
        let mut best = 0;
        for (i, &c) in costs.iter().enumerate() {
            if (i64::from(c) - cost).abs() < (i64::from(costs[best]) - cost).abs() {
                best = i;
            }
        }
        // `best` < 11, so this fits.
        MAX_PRIORITY - best as u8
    }
}

impl fmt::Display for WordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
