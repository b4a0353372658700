//! `yomiage accent`: how a text is read and accented, from the frontend alone (the dictionary,
//! no ONNX), so it starts in milliseconds. A line per accent phrase, the VOICEVOX
//! `accent_phrases`, or the accent dev set's JSON lines. `--explain` adds each word's reading,
//! where it came from and how to change it (`accent/explain.rs`).

mod explain;

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::{read_text, width, AccentArgs};
use crate::assets::Assets;

#[derive(clap::Args)]
pub struct Args {
    /// The text; `-` reads standard input. With `--format jsonl`: a file of
    /// `{"id", "text"}` lines, or `-` for standard input.
    input: String,
    /// human: a line per accent phrase (＼ after the nucleus, H/L tones); json: VOICEVOX
    /// `accent_phrases`; jsonl: a `{"id", "phrases"}` line per input line (the accent
    /// dev-set format; bad lines are skipped with a warning and exit status 1).
    #[arg(long, value_enum, default_value_t = AccentFormat::Human)]
    format: AccentFormat,
    /// Short for `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// For each word: the reading chosen, the dictionary's candidates for its spelling, why
    /// this one (dictionary, normalizer, digit rule, reading rule, learned rule, user
    /// dictionary), and the `yomiage dict add` command that reads it another way. With
    /// `--json`: `{"accent_phrases", "words"}`; with jsonl: a `words` field on each line.
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    accent: AccentArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum AccentFormat {
    Human,
    Json,
    Jsonl,
}

pub fn run(args: Args, assets: &Assets) -> Result<ExitCode> {
    let Args {
        input,
        format,
        json,
        explain,
        accent,
    } = args;
    let format = if json { AccentFormat::Json } else { format };
    // Open or read the user's input before any set-up, so a typo fails at once.
    if let AccentFormat::Jsonl = format {
        let reader: Box<dyn std::io::BufRead> = if input == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            let file = std::fs::File::open(&input).with_context(|| format!("opening {input}"))?;
            Box::new(std::io::BufReader::new(file))
        };
        let (frontend, load_time) = assets.load_frontend(accent.estimator)?;
        return accent_jsonl(&frontend, reader, load_time, explain);
    }
    let text = read_text(input)?;
    let (frontend, _) = assets.load_frontend(accent.estimator)?;
    if explain {
        let (phrases, words) = frontend.explain(&text).context("analysing the text")?;
        let words = explain::explain(&words);
        match format {
            AccentFormat::Json => println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "accent_phrases": phrases,
                    "words": words,
                }))?
            ),
            _ => print!("{}{}", accent_human(&phrases), explain::human(&words)),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let phrases = frontend.analyze(&text).context("analysing the text")?;
    match format {
        AccentFormat::Json => println!("{}", serde_json::to_string_pretty(&phrases)?),
        _ => print!("{}", accent_human(&phrases)),
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per phrase: kana with ＼ after the nucleus (then ？ for a question, 、 for a
/// pause), the H/L tones and accent/moras; then the phrases in kana notation.
fn accent_human(phrases: &[yomiage_frontend::AccentPhrase]) -> String {
    let rows: Vec<(String, String, String)> = phrases
        .iter()
        .map(|p| {
            let mut kana = String::new();
            for (i, m) in p.moras.iter().enumerate() {
                kana.push_str(&m.text);
                if i + 1 == p.accent {
                    kana.push('＼');
                }
            }
            if p.is_interrogative {
                kana.push('？');
            }
            if p.pause_mora.is_some() {
                kana.push('、');
            }
            let hl = hl_pattern(p);
            (kana, hl, format!("{}/{}", p.accent, p.moras.len()))
        })
        .collect();
    let kana_w = rows.iter().map(|r| width(&r.0)).max().unwrap_or(0);
    let hl_w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (kana, hl, accent) in &rows {
        let pad = " ".repeat(kana_w - width(kana));
        out.push_str(&format!("{kana}{pad}  {hl:<hl_w$}  {accent}\n"));
    }
    out.push_str(&format!("kana: {}\n", yomiage_frontend::to_kana(phrases)));
    out
}

/// A phrase's tones as the accent dev set writes them (`LHH`).
fn hl_pattern(phrase: &yomiage_frontend::AccentPhrase) -> String {
    phrase.tones().into_iter().map(|t| t.letter()).collect()
}

/// `--format jsonl`: a `{"id", "phrases"}` line per `{"id", "text"}` line. A bad line is
/// skipped with a warning naming its line number (no output line, so a scorer counts it as
/// missing) and the rest go on; the exit status is 1 if any line was skipped.
fn accent_jsonl(
    frontend: &yomiage_frontend::Frontend,
    mut reader: impl std::io::BufRead,
    load_time: std::time::Duration,
    explain: bool,
) -> Result<ExitCode> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let started = std::time::Instant::now();
    let (mut line_no, mut done, mut skipped) = (0usize, 0usize, 0usize);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        // Bytes, not `lines()`: a line that is not UTF-8 is one bad line, not the end.
        let n = reader
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("reading line {}", line_no + 1))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        match accent_jsonl_line(frontend, &buf, line_no == 1, explain) {
            Ok(None) => {}
            Ok(Some(json)) => {
                writeln!(out, "{json}").context("writing the output")?;
                done += 1;
            }
            Err(e) => {
                skipped += 1;
                eprintln!("warning: line {line_no}: {e:#} (skipped)");
            }
        }
    }
    out.flush().context("writing the output")?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "accent: {done} sentences in {secs:.2} s ({:.0} sentences/s); dictionary loaded in \
         {:.0} ms; peak memory {}{}",
        done as f64 / secs.max(1e-9),
        load_time.as_secs_f64() * 1e3,
        peak_rss().map_or_else(|| "unknown".to_owned(), |kib| format!("{} MiB", kib / 1024)),
        if skipped > 0 {
            format!("; {skipped} line(s) skipped")
        } else {
            String::new()
        }
    );
    Ok(if skipped > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Peak resident memory of this process in KiB (Linux's VmHWM), if the system reports it.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One input line → its output line; `None` for a blank line.
fn accent_jsonl_line(
    frontend: &yomiage_frontend::Frontend,
    bytes: &[u8],
    first: bool,
    explain: bool,
) -> Result<Option<String>> {
    #[derive(serde::Serialize)]
    struct Phrase<'a> {
        moras: Vec<&'a str>,
        accent: usize,
        pause: bool,
        question: bool,
        hl: String,
    }
    #[derive(serde::Serialize)]
    struct Record<'a> {
        id: &'a serde_json::Value,
        phrases: Vec<Phrase<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        words: Option<Vec<explain::Explained<'a>>>,
    }

    let line = std::str::from_utf8(bytes).context("not UTF-8")?;
    let line = if first {
        line.trim_start_matches('\u{feff}')
    } else {
        line
    };
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    let value: serde_json::Value = serde_json::from_str(line).context("not a JSON object")?;
    let id = value
        .get("id")
        .filter(|id| !id.is_null())
        .context("no \"id\"")?;
    let text = value
        .get("text")
        .and_then(serde_json::Value::as_str)
        .with_context(|| format!("id {id}: no \"text\" string"))?;
    let (analysed, words) = if explain {
        let (phrases, words) = frontend.explain(text).with_context(|| format!("id {id}"))?;
        (phrases, Some(words))
    } else {
        let phrases = frontend.analyze(text).with_context(|| format!("id {id}"))?;
        (phrases, None)
    };
    let phrases = analysed
        .iter()
        .map(|p| Phrase {
            moras: p.moras.iter().map(|m| m.text.as_str()).collect(),
            accent: p.accent,
            pause: p.pause_mora.is_some(),
            question: p.is_interrogative,
            hl: hl_pattern(p),
        })
        .collect();
    let words = words.as_deref().map(explain::explain);
    Ok(Some(serde_json::to_string(&Record { id, phrases, words })?))
}
