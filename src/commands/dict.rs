//! `yomiage dict`: the user dictionary (add, remove, list, VOICEVOX import and export).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use yomiage_frontend::{UserDictionary, UserWord, WordType, DEFAULT_PRIORITY};

use super::width;
use crate::assets::Assets;

#[derive(Subcommand)]
pub enum DictCmd {
    /// Add a word; prints its id.
    Add {
        /// The word as written (half-width letters are stored full-width, as in VOICEVOX).
        surface: String,
        /// Its reading in katakana (hiragana is converted), ー for long vowels.
        pronunciation: String,
        /// Accent type: 0 = flat, n = the pitch falls after the n-th mora.
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        accent: i64,
        /// Part of speech (VOICEVOX's word types).
        #[arg(long, value_enum, default_value_t = WordTypeArg::ProperNoun)]
        word_type: WordTypeArg,
        /// 0..10: how strongly the word wins over the system dictionary's segmentation.
        #[arg(long, default_value_t = i64::from(DEFAULT_PRIORITY), allow_negative_numbers = true)]
        priority: i64,
    },
    /// Remove a word by id (or the first characters of it, if they are unique).
    Remove { id: String },
    /// List the words: id, surface, reading with ＼ after the accent nucleus, accent/moras,
    /// word type, priority.
    List {
        /// JSON instead: an array of {id, surface, pronunciation, accent_type, mora_count,
        /// word_type, priority, accent_associative_rule}.
        #[arg(long)]
        json: bool,
    },
    /// Import a VOICEVOX user dictionary (GET /user_dict JSON, or VOICEVOX's saved
    /// user_dict.json); `-` reads standard input. Words whose id is already present are kept
    /// unless --override.
    Import {
        file: PathBuf,
        /// Replace words whose id is already present.
        #[arg(long = "override")]
        override_existing: bool,
    },
    /// Export as VOICEVOX user dictionary JSON (the GET /user_dict shape, importable into
    /// VOICEVOX); `-` writes standard output.
    Export { file: PathBuf },
}

/// VOICEVOX's word types, spelled for the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum WordTypeArg {
    ProperNoun,
    CommonNoun,
    Verb,
    Adjective,
    Suffix,
}

impl From<WordTypeArg> for WordType {
    fn from(t: WordTypeArg) -> Self {
        match t {
            WordTypeArg::ProperNoun => WordType::ProperNoun,
            WordTypeArg::CommonNoun => WordType::CommonNoun,
            WordTypeArg::Verb => WordType::Verb,
            WordTypeArg::Adjective => WordType::Adjective,
            WordTypeArg::Suffix => WordType::Suffix,
        }
    }
}

pub fn run(cmd: DictCmd, assets: &Assets) -> Result<ExitCode> {
    let path = assets.user_dict_file();
    match cmd {
        DictCmd::Add {
            surface,
            pronunciation,
            accent,
            word_type,
            priority,
        } => {
            // Validate the word before touching the file.
            let word = UserWord::new(&surface, &pronunciation, accent, word_type.into(), priority)?;
            let mut dict = assets.user_dictionary()?;
            let id = dict.add(word.clone());
            dict.save(path)?;
            eprintln!(
                "added {} {} ({}/{}, {}, priority {}) to {}",
                word.surface(),
                accented(&word),
                word.accent_type(),
                word.mora_count(),
                word.word_type(),
                word.priority(),
                path.display()
            );
            println!("{id}");
        }
        DictCmd::Remove { id } => {
            let mut dict = assets.user_dictionary()?;
            let id = dict.resolve_id(&id)?;
            let word = dict.remove(&id)?;
            dict.save(path)?;
            eprintln!(
                "removed {id} ({} {}) from {}",
                word.surface(),
                word.pronunciation(),
                path.display()
            );
        }
        DictCmd::List { json } => {
            let dict = assets.user_dictionary()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list_json(&dict))?);
            } else if dict.is_empty() {
                eprintln!("the user dictionary ({}) has no words", path.display());
            } else {
                print!("{}", list_human(&dict));
            }
        }
        DictCmd::Import {
            file,
            override_existing,
        } => {
            let text = read_input(&file)?;
            let imported = UserDictionary::from_voicevox_json(&text)
                .with_context(|| format!("importing {}", file.display()))?;
            let mut dict = assets.user_dictionary()?;
            let summary = dict.merge(imported, override_existing);
            dict.save(path)?;
            eprintln!(
                "imported {}: {} added, {} replaced, {} kept{} ({} words in {})",
                file.display(),
                summary.added,
                summary.replaced,
                summary.kept,
                if summary.kept > 0 {
                    " (already present; --override replaces them)"
                } else {
                    ""
                },
                dict.len(),
                path.display()
            );
        }
        DictCmd::Export { file } => {
            let dict = assets.user_dictionary()?;
            let json = dict.to_voicevox_json();
            if file.as_os_str() == "-" {
                let mut out = std::io::stdout().lock();
                out.write_all(json.as_bytes())
                    .and_then(|()| out.flush())
                    .context("writing the output")?;
            } else {
                yomiage_files::write_atomic(&file, json.as_bytes())?;
                eprintln!("exported {} words to {}", dict.len(), file.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_input(file: &Path) -> Result<String> {
    if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading standard input")?;
        Ok(s)
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))
    }
}

/// The reading with ＼ after the accent nucleus (nothing for a flat word).
fn accented(word: &UserWord) -> String {
    let mut out = String::new();
    for (i, m) in word.moras().iter().enumerate() {
        out.push_str(m);
        if i + 1 == word.accent_type() {
            out.push('＼');
        }
    }
    out
}

fn list_human(dict: &UserDictionary) -> String {
    let rows: Vec<[String; 5]> = dict
        .iter()
        .map(|(id, w)| {
            [
                id.to_owned(),
                w.surface().to_owned(),
                accented(w),
                format!("{}/{}", w.accent_type(), w.mora_count()),
                format!("{} priority {}", w.word_type(), w.priority()),
            ]
        })
        .collect();
    let col = |i: usize| rows.iter().map(|r| width(&r[i])).max().unwrap_or(0);
    let widths = [col(0), col(1), col(2), col(3)];
    let mut out = String::new();
    for r in &rows {
        for (i, w) in widths.iter().enumerate() {
            out.push_str(&r[i]);
            out.push_str(&" ".repeat(w - width(&r[i]) + 2));
        }
        out.push_str(&r[4]);
        out.push('\n');
    }
    out
}

/// One word of `dict list --json`.
#[derive(serde::Serialize)]
struct ListedWord<'a> {
    id: &'a str,
    surface: &'a str,
    pronunciation: &'a str,
    accent_type: usize,
    mora_count: usize,
    word_type: &'static str,
    priority: u8,
    accent_associative_rule: &'a str,
}

fn list_json(dict: &UserDictionary) -> Vec<ListedWord<'_>> {
    dict.iter()
        .map(|(id, w)| ListedWord {
            id,
            surface: w.surface(),
            pronunciation: w.pronunciation(),
            accent_type: w.accent_type(),
            mora_count: w.mora_count(),
            word_type: w.word_type().as_str(),
            priority: w.priority(),
            accent_associative_rule: w.accent_associative_rule(),
        })
        .collect()
}
