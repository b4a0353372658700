//! The synthesis request: VOICEVOX's AudioQuery, and its checked form.
//!
//! Field names and meanings follow VOICEVOX so apps can send their queries unchanged. A query
//! from outside (JSON file, HTTP body) is validated once into a [`CheckedQuery`]; the renderer
//! takes only that, so it never re-checks ranges or phoneme names.

use serde::{Deserialize, Serialize};
use yomiage_frontend::AccentPhrase;

use crate::kokoro::phonemes::is_sayable;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioQuery {
    #[serde(rename = "accent_phrases")]
    pub accent_phrases: Vec<AccentPhrase>,
    pub speed_scale: f32,
    pub pitch_scale: f32,
    pub intonation_scale: f32,
    pub volume_scale: f32,
    pub pre_phoneme_length: f32,
    pub post_phoneme_length: f32,
    /// Overrides every pause's length (seconds) when set.
    #[serde(default)]
    pub pause_length: Option<f32>,
    #[serde(default = "one")]
    pub pause_length_scale: f32,
    pub output_sampling_rate: u32,
    pub output_stereo: bool,
    /// AquesTalk-style kana of the phrases (informational, as in VOICEVOX).
    #[serde(default)]
    pub kana: Option<String>,
}

fn one() -> f32 {
    1.0
}

/// The longest audio one query may ask for (seconds, pauses and silences included): an hour
/// of 16-bit PCM at 48 kHz is ~350 MB, beyond what a single request should allocate.
pub const MAX_QUERY_SECONDS: f32 = 3600.0;

impl AudioQuery {
    /// Parses VOICEVOX JSON; a type error names the field's path
    /// (`accent_phrases[0].moras[2].pitch`), not just a line and column.
    pub fn from_json(json: &str) -> Result<AudioQuery, QueryError> {
        let de = &mut serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(de).map_err(|e| QueryError::Json {
            field: e.path().to_string(),
            reason: e.into_inner().to_string(),
        })
    }

    /// Seconds of audio this query asks for (before resampling), as the renderer lays it out.
    fn requested_seconds(&self) -> f32 {
        let moras: f32 = self
            .accent_phrases
            .iter()
            .map(|p| {
                let sounds: f32 = p
                    .moras
                    .iter()
                    .map(|m| m.consonant_length.unwrap_or(0.0) + m.vowel_length)
                    .sum();
                let pause = p.pause_mora.as_ref().map_or(0.0, |m| {
                    self.pause_length.unwrap_or(m.vowel_length) * self.pause_length_scale
                });
                sounds + pause
            })
            .sum();
        moras / self.speed_scale + self.pre_phoneme_length + self.post_phoneme_length
    }

    /// A query with VOICEVOX's defaults around the given phrases.
    pub fn new(accent_phrases: Vec<AccentPhrase>) -> Self {
        AudioQuery {
            accent_phrases,
            speed_scale: 1.0,
            pitch_scale: 0.0,
            intonation_scale: 1.0,
            volume_scale: 1.0,
            pre_phoneme_length: 0.1,
            post_phoneme_length: 0.1,
            pause_length: None,
            pause_length_scale: 1.0,
            output_sampling_rate: 24_000,
            output_stereo: false,
            kana: None,
        }
    }

    /// Validates every field; the error names the first offending one.
    pub fn check(self) -> Result<CheckedQuery, QueryError> {
        let range = |field: &'static str, v: f32, lo: f32, hi: f32| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(QueryError::OutOfRange {
                    field: field.to_owned(),
                    value: v,
                    lo,
                    hi,
                })
            }
        };
        range("speedScale", self.speed_scale, 0.25, 4.0)?;
        range("pitchScale", self.pitch_scale, -1.0, 1.0)?;
        range("intonationScale", self.intonation_scale, 0.0, 4.0)?;
        range("volumeScale", self.volume_scale, 0.0, 8.0)?;
        range("prePhonemeLength", self.pre_phoneme_length, 0.0, 30.0)?;
        range("postPhonemeLength", self.post_phoneme_length, 0.0, 30.0)?;
        range("pauseLengthScale", self.pause_length_scale, 0.0, 10.0)?;
        if let Some(p) = self.pause_length {
            range("pauseLength", p, 0.0, 30.0)?;
        }
        if !(8_000..=192_000).contains(&self.output_sampling_rate) {
            return Err(QueryError::OutOfRange {
                field: "outputSamplingRate".into(),
                value: self.output_sampling_rate as f32,
                lo: 8_000.0,
                hi: 192_000.0,
            });
        }
        if self.accent_phrases.iter().all(|p| p.moras.is_empty()) {
            return Err(QueryError::NoMoras);
        }
        for (pi, phrase) in self.accent_phrases.iter().enumerate() {
            let at = |what: &str| format!("accent_phrases[{pi}].{what}");
            if phrase.moras.is_empty() {
                return Err(QueryError::Invalid {
                    field: at("moras"),
                    reason: "an accent phrase needs at least one mora".into(),
                });
            }
            if phrase.accent > phrase.moras.len() {
                return Err(QueryError::Invalid {
                    field: at("accent"),
                    reason: format!(
                        "{} is past the phrase's {} moras",
                        phrase.accent,
                        phrase.moras.len()
                    ),
                });
            }
            for (mi, m) in phrase.moras.iter().enumerate() {
                let field = at(&format!("moras[{mi}]"));
                if !is_sayable(m) {
                    return Err(QueryError::Invalid {
                        field,
                        reason: format!(
                            "unknown phoneme {:?}+{:?}",
                            m.consonant.map(|c| c.as_str()),
                            m.vowel.as_str()
                        ),
                    });
                }
                for (name, v) in [
                    ("vowel_length", Some(m.vowel_length)),
                    ("consonant_length", m.consonant_length),
                ] {
                    if let Some(v) = v {
                        range_field(&field, name, v, 0.0, 10.0)?;
                    }
                }
                range_field(&field, "pitch", m.pitch, 0.0, 10.0)?;
            }
            if let Some(p) = &phrase.pause_mora {
                range_field(&at("pause_mora"), "vowel_length", p.vowel_length, 0.0, 30.0)?;
            }
        }
        let seconds = self.requested_seconds();
        if seconds > MAX_QUERY_SECONDS {
            return Err(QueryError::TooLong {
                seconds,
                max: MAX_QUERY_SECONDS,
            });
        }
        Ok(CheckedQuery(self))
    }
}

fn range_field(field: &str, name: &str, v: f32, lo: f32, hi: f32) -> Result<(), QueryError> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(QueryError::OutOfRange {
            field: format!("{field}.{name}"),
            value: v,
            lo,
            hi,
        })
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    #[error("{field} is {value}, must be between {lo} and {hi}")]
    OutOfRange {
        field: String,
        value: f32,
        lo: f32,
        hi: f32,
    },
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("the query has no moras to speak")]
    NoMoras,
    #[error("{field}: {reason}")]
    Json { field: String, reason: String },
    #[error("the query asks for {seconds:.0} s of audio; at most {max:.0} s per query")]
    TooLong { seconds: f32, max: f32 },
}

/// An AudioQuery whose every field is known to be in range and whose moras are sayable.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedQuery(AudioQuery);

impl CheckedQuery {
    pub fn get(&self) -> &AudioQuery {
        &self.0
    }
    pub fn into_inner(self) -> AudioQuery {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yomiage_frontend::{Consonant, Mora, Vowel};

    fn query() -> AudioQuery {
        let mut m = Mora::new("カ", Some(Consonant::K), Vowel::A);
        m.vowel_length = 0.1;
        m.pitch = 5.5;
        AudioQuery::new(vec![AccentPhrase {
            moras: vec![m],
            accent: 1,
            pause_mora: None,
            is_interrogative: false,
        }])
    }

    #[test]
    fn voicevox_json_round_trips_with_its_field_names() {
        let json = serde_json::to_value(query()).unwrap();
        for key in [
            "accent_phrases",
            "speedScale",
            "pitchScale",
            "intonationScale",
            "volumeScale",
            "prePhonemeLength",
            "postPhonemeLength",
            "pauseLength",
            "pauseLengthScale",
            "outputSamplingRate",
            "outputStereo",
            "kana",
        ] {
            assert!(json.get(key).is_some(), "{key} missing in {json}");
        }
        // Phonemes are OpenJTalk's strings on the wire.
        let mora = &json["accent_phrases"][0]["moras"][0];
        assert_eq!(mora["consonant"], "k");
        assert_eq!(mora["vowel"], "a");
        let back: AudioQuery = serde_json::from_value(json).unwrap();
        assert_eq!(back, query());
    }

    #[test]
    fn json_type_errors_name_the_field_path() {
        let mut json = serde_json::to_value(query()).unwrap();
        json["accent_phrases"][0]["moras"][0]["pitch"] = "high".into();
        let err = AudioQuery::from_json(&json.to_string())
            .unwrap_err()
            .to_string();
        assert!(err.contains("accent_phrases[0].moras[0].pitch"), "{err}");
        let err = AudioQuery::from_json("{\"accent_phrases\": 3}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("accent_phrases"), "{err}");
        assert!(AudioQuery::from_json("not json").is_err());
        // An unknown phoneme is refused at parsing, naming its field.
        for (field, bad) in [("vowel", "x"), ("consonant", "xx"), ("vowel", "k")] {
            let mut json = serde_json::to_value(query()).unwrap();
            json["accent_phrases"][0]["moras"][0][field] = bad.into();
            let err = AudioQuery::from_json(&json.to_string())
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("accent_phrases[0].moras[0].{field}")),
                "{err}"
            );
            assert!(err.contains("unknown phoneme"), "{err}");
        }
    }

    #[test]
    fn total_length_is_capped() {
        let mut q = query();
        let m = q.accent_phrases[0].moras[0].clone();
        q.accent_phrases[0].moras = vec![
            Mora {
                vowel_length: 10.0,
                ..m
            };
            400
        ];
        q.accent_phrases[0].accent = 1;
        let err = q.clone().check().unwrap_err();
        assert!(matches!(err, QueryError::TooLong { .. }), "{err}");
        // The same moras spoken four times faster fit.
        q.speed_scale = 4.0;
        assert!(q.check().is_ok());
    }

    #[test]
    fn a_good_query_passes() {
        assert!(query().check().is_ok());
    }

    #[test]
    fn bad_fields_are_named() {
        let mut q = query();
        q.speed_scale = f32::NAN;
        assert!(q.check().unwrap_err().to_string().contains("speedScale"));
        let mut q = query();
        q.accent_phrases[0].accent = 2;
        assert!(q
            .check()
            .unwrap_err()
            .to_string()
            .contains("accent_phrases[0].accent"));
        let mut q = query();
        // A pause vowel inside a phrase has no sound.
        q.accent_phrases[0].moras[0].vowel = Vowel::Pau;
        assert!(q.check().unwrap_err().to_string().contains("moras[0]"));
        let mut q = query();
        q.accent_phrases[0].moras[0].pitch = -1.0;
        assert!(q.check().unwrap_err().to_string().contains("pitch"));
        let mut q = query();
        q.output_sampling_rate = 100;
        assert!(q
            .check()
            .unwrap_err()
            .to_string()
            .contains("outputSamplingRate"));
        assert_eq!(
            AudioQuery::new(vec![]).check().unwrap_err(),
            QueryError::NoMoras
        );
    }
}
