//! Prints the accent phrases and Kokoro's phonemes for each argument (or each line of stdin).
//!
//! `cargo run -p yomiage-engine --example analyze -- 今日はいい天気ですね。`
//! Each phrase line: accent/moras, kana with ＼ after the accent nucleus, flags, phonemes.

use std::io::BufRead;

use yomiage_engine::kokoro::phonemes::{phoneme_string, to_phonemes};
use yomiage_frontend::Frontend;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = yomiage_voices::Layout::from_env()?.dictionary_dir();
    let frontend = Frontend::load(&dir)?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let texts: Vec<String> = if args.is_empty() {
        std::io::stdin().lock().lines().collect::<Result<_, _>>()?
    } else {
        args
    };
    for text in texts {
        println!("{text}");
        let phrases = match frontend.analyze(&text) {
            Ok(p) => p,
            Err(e) => {
                println!("  error: {e}");
                continue;
            }
        };
        for p in &phrases {
            let mut kana = String::new();
            for (i, m) in p.moras.iter().enumerate() {
                kana.push_str(&m.text);
                if i + 1 == p.accent {
                    kana.push('＼');
                }
            }
            let alone = phoneme_string(&to_phonemes(std::slice::from_ref(p)));
            println!(
                "  [{}/{}] {kana}{}{}\t{}",
                p.accent,
                p.moras.len(),
                if p.pause_mora.is_some() { " 、" } else { "" },
                if p.is_interrogative { " ？" } else { "" },
                alone.trim_end_matches(['.', '?']),
            );
        }
        println!("  {}", phoneme_string(&to_phonemes(&phrases)));
    }
    Ok(())
}
