//! VOICEVOX's user dictionary JSON: export in the shape of its API, import from that shape
//! or from its saved file, each word checked as VOICEVOX checks an import.

use serde::{Deserialize, Serialize};

use super::dictionary::{parse_word_id, UserDictionary};
use super::error::{UserDictError, WordError};
use super::file::{default_rule, OrderedMap};
use super::word::UserWord;
use super::word_type::WordType;

impl UserDictionary {
    /// VOICEVOX ENGINE's `GET /user_dict` response: `{"<uuid>": UserDictWord}` with every
    /// field VOICEVOX has (part of speech, context ID, `yomi`, `mora_count`…).
    pub fn to_voicevox_json(&self) -> String {
        let map = OrderedMap(
            self.words
                .iter()
                .map(|(id, w)| (id.clone(), VoicevoxWord::from(w)))
                .collect(),
        );
        let mut json = serde_json::to_string_pretty(&map).unwrap_or_default();
        json.push('\n');
        json
    }

    /// Reads VOICEVOX's user dictionary JSON: the `GET /user_dict` shape (with `priority`), or
    /// VOICEVOX's saved `user_dict.json` (with `cost`; `context_id` may be missing in files
    /// from VOICEVOX 0.12 and earlier, meaning a proper noun). Every word is checked as VOICEVOX
    /// checks an import: a UUID id, a known part of speech whose fields agree with the context
    /// ID, an allowed accent rule, a katakana pronunciation and an accent within it. Either
    /// every word is good or nothing is returned.
    pub fn from_voicevox_json(json: &str) -> Result<UserDictionary, UserDictError> {
        let map: OrderedMap<VoicevoxWordIn> =
            serde_json::from_str(json).map_err(UserDictError::VoicevoxJson)?;
        let mut dict = UserDictionary::new();
        for (raw_id, w) in map.0 {
            let id = parse_word_id(&raw_id)?;
            let word = w.into_word().map_err(|source| UserDictError::Word {
                id: id.clone(),
                source,
            })?;
            match dict.position(&id) {
                // Two spellings of one UUID: the later wins, as in a JSON object.
                Some(i) => dict.words[i].1 = word,
                None => dict.words.push((id, word)),
            }
        }
        Ok(dict)
    }
}

/// VOICEVOX ENGINE's `UserDictWord`, field for field, in its order.
#[derive(Serialize)]
struct VoicevoxWord {
    surface: String,
    priority: u8,
    context_id: u16,
    part_of_speech: &'static str,
    part_of_speech_detail_1: &'static str,
    part_of_speech_detail_2: &'static str,
    part_of_speech_detail_3: &'static str,
    inflectional_type: &'static str,
    inflectional_form: &'static str,
    stem: &'static str,
    yomi: String,
    pronunciation: String,
    accent_type: usize,
    mora_count: usize,
    accent_associative_rule: String,
}

impl From<&UserWord> for VoicevoxWord {
    fn from(w: &UserWord) -> Self {
        let pos = w.word_type.part_of_speech();
        VoicevoxWord {
            surface: w.surface.clone(),
            priority: w.priority,
            context_id: pos.context_id,
            part_of_speech: pos.pos[0],
            part_of_speech_detail_1: pos.pos[1],
            part_of_speech_detail_2: pos.pos[2],
            part_of_speech_detail_3: pos.pos[3],
            inflectional_type: "*",
            inflectional_form: "*",
            stem: "*",
            yomi: w.pronunciation.clone(),
            pronunciation: w.pronunciation.clone(),
            accent_type: w.accent_type,
            mora_count: w.mora_count,
            accent_associative_rule: w.accent_associative_rule.clone(),
        }
    }
}

/// VOICEVOX's word as read: the API shape or the saved shape. `yomi`, `stem`, the inflection
/// fields and `mora_count` are not needed (VOICEVOX sets `yomi` to the pronunciation and
/// recounts moras) and are ignored.
#[derive(Deserialize)]
struct VoicevoxWordIn {
    surface: String,
    #[serde(default)]
    priority: Option<i64>,
    #[serde(default)]
    cost: Option<i64>,
    #[serde(default)]
    context_id: Option<i64>,
    #[serde(default)]
    part_of_speech: Option<String>,
    #[serde(default)]
    part_of_speech_detail_1: Option<String>,
    #[serde(default)]
    part_of_speech_detail_2: Option<String>,
    #[serde(default)]
    part_of_speech_detail_3: Option<String>,
    pronunciation: String,
    accent_type: i64,
    #[serde(default = "default_rule")]
    accent_associative_rule: String,
}

impl VoicevoxWordIn {
    fn into_word(self) -> Result<UserWord, WordError> {
        // VOICEVOX: a missing context_id (files from 0.12 and earlier) is a proper noun.
        let context_id = self
            .context_id
            .unwrap_or_else(|| i64::from(WordType::ProperNoun.context_id()));
        let word_type =
            WordType::from_context_id(context_id).ok_or(WordError::UnknownContextId(context_id))?;
        let expected = word_type.part_of_speech().pos;
        let given = [
            &self.part_of_speech,
            &self.part_of_speech_detail_1,
            &self.part_of_speech_detail_2,
            &self.part_of_speech_detail_3,
        ];
        let mismatch = given
            .iter()
            .zip(expected)
            .any(|(g, e)| g.as_deref().is_some_and(|g| g != e));
        if mismatch {
            let found: Vec<&str> = given.iter().map(|g| g.as_deref().unwrap_or("")).collect();
            return Err(WordError::PartOfSpeechMismatch {
                context_id: word_type.context_id(),
                word_type,
                found: found.join(","),
                expected: expected.join(","),
            });
        }
        let priority = match (self.priority, self.cost) {
            (Some(p), _) => p,
            (None, Some(cost)) => i64::from(word_type.priority_for_cost(cost)),
            (None, None) => return Err(WordError::MissingPriority),
        };
        UserWord::with_rule(
            &self.surface,
            &self.pronunciation,
            self.accent_type,
            word_type,
            priority,
            &self.accent_associative_rule,
        )
    }
}
