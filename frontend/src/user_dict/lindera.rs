//! The words as the analysis uses them: naist-jdic CSV rows, compiled into a lindera user
//! dictionary in jpreprocess's format.

use super::dictionary::UserDictionary;
use super::word::UserWord;

impl UserWord {
    /// The word as a row of OpenJTalk's naist-jdic CSV (15 columns, as VOICEVOX writes its
    /// user dictionary): surface, left and right context ID, cost, part of speech (4),
    /// conjugation type and form, base form, reading, pronunciation, `accent/moras`, chain
    /// rule.
    pub fn naist_jdic_row(&self) -> [String; 15] {
        let pos = self.word_type.part_of_speech();
        let id = pos.context_id.to_string();
        [
            self.surface.clone(),
            id.clone(),
            id,
            self.cost().to_string(),
            pos.pos[0].to_owned(),
            pos.pos[1].to_owned(),
            pos.pos[2].to_owned(),
            pos.pos[3].to_owned(),
            "*".to_owned(),
            "*".to_owned(),
            self.surface.clone(),
            self.pronunciation.clone(),
            self.pronunciation.clone(),
            format!("{}/{}", self.accent_type, self.mora_count),
            self.accent_associative_rule.clone(),
        ]
    }
}

impl UserDictionary {
    /// One naist-jdic CSV row per word (see [`UserWord::naist_jdic_row`]).
    pub fn naist_jdic_rows(&self) -> Vec<[String; 15]> {
        self.words.iter().map(|(_, w)| w.naist_jdic_row()).collect()
    }

    /// Compiles the words into a lindera user dictionary in jpreprocess's format; `None` when
    /// there are no words.
    pub(crate) fn compile(
        &self,
    ) -> Result<Option<jpreprocess::UserDictionary>, Box<dyn std::error::Error + Send + Sync>> {
        if self.is_empty() {
            return Ok(None);
        }
        let rows = self.naist_jdic_rows();
        let data: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let metadata = crate::dictionary::naist_jdic_metadata()?;
        let dict = jpreprocess_dictionary::dictionary::to_dict::JPreprocessDictionaryBuilder::new(
            metadata,
        )
        .build_user_dict_from_data(data)?;
        Ok(Some(dict))
    }
}
