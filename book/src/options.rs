//! What every front end of a book render (the CLI's `yomiage book`, the Python package, a
//! cluster's workers) must decide the same way, so that their chapters hash and sound alike:
//! which settings are allowed, which words apply, and how the engine's analysis is named.

use std::collections::HashSet;
use std::path::Path;

use sha2::{Digest, Sha256};
use yomiage_frontend::{AccentEstimator, UserDictionary};

use crate::render::Settings;
use crate::{BookError, Result};

impl Settings {
    /// Checks every value against its allowed range, naming the CLI flag at fault.
    pub fn check(&self) -> Result<()> {
        let bad = |s: String| Err(BookError::Setting(s));
        for (name, v) in [
            ("sentence-pause", self.sentence_pause),
            ("paragraph-pause", self.paragraph_pause),
            ("title-pause", self.title_pause),
            ("chapter-pause", self.chapter_pause),
        ] {
            if !(0.0..=60.0).contains(&v) {
                return bad(format!(
                    "--{name} must be between 0 and 60 seconds, not {v}"
                ));
            }
        }
        if !(-70.0..=-5.0).contains(&self.loudness_lufs) {
            return bad(format!(
                "--loudness must be between -70 and -5 LUFS, not {}",
                self.loudness_lufs
            ));
        }
        if !(-20.0..=0.0).contains(&self.true_peak_dbtp) {
            return bad(format!(
                "--true-peak must be between -20 and 0 dBTP, not {}",
                self.true_peak_dbtp
            ));
        }
        if !(0.25..=4.0).contains(&self.speed) {
            return bad(format!(
                "--speed must be between 0.25 and 4, not {}",
                self.speed
            ));
        }
        Ok(())
    }

    /// Names the analysis an engine does (accent estimator, decoder weights): both change the
    /// audio, so a chapter made with other ones is rendered again.
    pub fn set_analysis(&mut self, accent: AccentEstimator, precision: impl std::fmt::Display) {
        self.analysis = format!("accent={accent};decoder={precision}");
    }
}

/// The user dictionary with the book's words (the file `book_dict`) on top — they win over
/// user words with the same surface — and the sha256 of the result, which enters the hashes.
pub fn dictionaries(
    mut words: UserDictionary,
    book_dict: Option<&Path>,
) -> Result<(UserDictionary, String)> {
    if let Some(path) = book_dict {
        let dict_err = |source| BookError::Dictionary {
            path: path.to_owned(),
            source,
        };
        if !path.is_file() {
            return Err(BookError::Setting(format!(
                "the book dictionary {} does not exist",
                path.display()
            )));
        }
        let book = UserDictionary::load(path).map_err(dict_err)?;
        let surfaces: HashSet<String> = book.iter().map(|(_, w)| w.surface().to_owned()).collect();
        let shadowed: Vec<String> = words
            .iter()
            .filter(|(_, w)| surfaces.contains(w.surface()))
            .map(|(id, _)| id.to_owned())
            .collect();
        for id in shadowed {
            words.remove(&id).map_err(dict_err)?;
        }
        words.merge(book, true);
    }
    let hash = hex::encode(Sha256::digest(words.to_json().as_bytes()));
    Ok((words, hash))
}
