//! Golden output: what `yomiage` writes for a fixed set of texts, as sha256 hashes kept in this
//! file. A refactoring (issue 17's engine redesign) must not change a single sample; a change
//! here means the sound (or the JSON) changed.
//!
//! **When a hash changes on purpose** (a deliberate change of the sound or of the JSON), the
//! failure message prints the new hashes: paste them over their entries of `GOLDEN` below and
//! say in the commit message which outputs changed and why.
//!
//! **What the hashes hold for.** ONNX Runtime's CPU kernels (MLAS) choose their code by the
//! CPU's instruction set (AVX2, AVX-512, VNNI, …) and split work over the intra-op threads; both
//! can change the last bits of a float result. The hashes were recorded with the CPU build of
//! ONNX Runtime that `yomiage setup` installs (1.32), on an AMD EPYC (AVX-512 with VNNI), with
//! the engine's default session options: `engine/src/onnx.rs` takes intra-op threads = the
//! cores available to the process, at most 4 (one inter-op thread, no spinning). That count
//! matters: with 1 intra-op thread instead of 2, `synth` and `query` gave the same hashes here
//! but the streamed PCM of `say` did not. The CLI has no option or variable for the thread
//! count of `synth`/`say`, so every run here is pinned to two CPUs (its CPU affinity, which is
//! what "cores available" counts): 2 intra-op threads on any machine with at least 2 CPUs.
//! On another CPU model, first check that the unchanged code reproduces these hashes before
//! trusting a difference.
//!
//! Determinism (checked when recording): each output came out identical in repeated runs, each
//! in a fresh process; and `say` speaks its text twice in one process, where the engine's caches
//! (recent duration and prosody results) are warm the second time, and both must be equal.

use crate::common;
use common::*;

use sha2::{Digest, Sha256};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// The intra-op thread count the hashes were recorded with (see the top of this file).
const CPUS: usize = 2;

/// The CPUs this process may run on (`Cpus_allowed_list` of /proc/self/status, e.g. `0-3,8`).
fn allowed_cpus() -> Vec<usize> {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .expect("Cpus_allowed_list in /proc/self/status")
        .trim();
    let mut cpus = Vec::new();
    for part in list.split(',').filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
        cpus.extend(a..=b);
    }
    cpus
}

/// `yomiage` restricted to [`CPUS`] CPUs, so the engine runs [`CPUS`] intra-op threads.
fn yomiage_pinned() -> Command {
    let cpus: Vec<usize> = allowed_cpus().into_iter().take(CPUS).collect();
    assert_eq!(
        cpus.len(),
        CPUS,
        "the golden hashes were recorded with {CPUS} intra-op threads (one per available CPU); \
         this process may use only {cpus:?}"
    );
    let mut cmd = yomiage();
    // SAFETY: between fork and exec, only a system call on a set built beforehand.
    unsafe {
        cmd.pre_exec(move || {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            for &c in &cpus {
                libc::CPU_SET(c, &mut set);
            }
            if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd
}

/// The texts, by name (the names appear in failure messages and in `GOLDEN`'s keys).
fn texts() -> Vec<(&'static str, String)> {
    vec![
        ("short", "今日はいい天気ですね。".into()),
        ("question", "明日は雨が降りますか？".into()),
        (
            "commas",
            "えーと、それは、たぶん、大丈夫だと思います。".into(),
        ),
        (
            "numbers_date",
            "2024年3月15日に、1,234円を払いました。".into(),
        ),
        ("english", "英語ではHelloと言います。".into()),
        (
            "sentences",
            "雨が降ってきました。傘を持っていますか？急いで帰りましょう。".into(),
        ),
        // One sentence of clauses joined by commas: far beyond the 510 tokens of one model call,
        // so the engine cuts it into chunks at pauses and joins them.
        ("long", long_text()),
        // A middle part with nothing to say (only symbols and emoji) between two sentences.
        ("unspeakable_part", "こんにちは。★☆♪😀。さようなら。".into()),
    ]
}

fn long_text() -> String {
    let clauses = [
        "東京の空は青く",
        "川の水は冷たく",
        "山の上には白い雲が浮かび",
        "子どもたちは公園で遊んでいて",
        "駅前の店には人が集まり",
        "古い橋の下を船がゆっくりと進み",
    ];
    let mut s = String::new();
    for i in 0..24 {
        s.push_str(clauses[i % clauses.len()]);
        s.push('、');
    }
    s.push_str("そして一日が終わりました。");
    s
}

fn text(name: &str) -> String {
    texts()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t)
        .unwrap_or_else(|| panic!("no golden text named {name}"))
}

/// The expected hashes: key = `path/text`, value = sha256 (hex). Paths: `synth.wav` (the
/// samples of `synth TEXT -o out.wav`, with its format), `synth.timings` (the `--timings` JSON
/// of the same run), `synth.wav.speed1.2` / `synth.wav.jm_kumo` (one option changed),
/// `query.json` (what `query` prints), `synth.query.wav` (`synth --query` of that saved JSON),
/// `say.pcm` (the raw PCM `say --out -` streams to standard output).
#[rustfmt::skip]
const GOLDEN: &[(&str, &str)] = &[
    ("query.json/commas", "322d964a5e7f424cbbcd5fbed8e2de6f7c5c2be37479a84b630bcf23088b4cad"),
    ("query.json/english", "6eb01dd397eeb8365a5170524196b467982b52516fa580c4da1700103e72850d"),
    ("query.json/long", "8493dbafa72dff88aea5bf83e9508cfd11c106e32e4647757d57c9a9d3b1ca8a"),
    ("query.json/numbers_date", "bbeb61a925cd4d769ea73920919905964db45ef20cd313d9d18f02593f5f12fd"),
    ("query.json/question", "31b4a561bc96b78e8bf069978846072530154f87175cd5f35155cf5f968dc4f6"),
    ("query.json/sentences", "523c07be83e3987d3ebd763bf6eaa6d69d6f5ad6d401c1e677c9e529d4c8632f"),
    ("query.json/short", "e662a7da89fd4f8131f28fe3c87ce7581f59358e4cad528cf8e1c4c895a9b113"),
    ("query.json/unspeakable_part", "66fd3e180ed7f796182d623e858deda0c1fa091e625bd2a07a7cd5944614c773"),
    ("say.pcm/sentences", "7c56b979f41b7fa43eb9fcd55a7238955e87b08ffb91217ceae7799d4361c240"),
    ("say.pcm/short", "09d17e783dce68a5af8167ed86b1be34b36eb9d4c819868793b5dd8fba4667ce"),
    ("say.pcm/unspeakable_part", "42b1e782858f44f928c34c419fe0cb3f5e35db04f6695eb24ab7a96fb6becf6a"),
    ("synth.query.wav/commas", "477e3151edbaac368909025d628815c14ae3180e3a0ce35c2dad0de557bd6b50"),
    ("synth.query.wav/numbers_date", "255f4c53a0fd88808613258c070810339248cea27b9a8e91f72a65f9659c2ed6"),
    ("synth.timings/commas", "be71ea3521f83056d0863ad465a79e78442fc1b5ad0fc376cf2ba867c52be514"),
    ("synth.timings/english", "8e7bf958df8e933ef939bcc8833123ca25aa10cfa4447a01df79e4a303cdfb6e"),
    ("synth.timings/long", "d07a49490b58fc43bd53f05affca04d4259c249898d2c6c32eb4cea8051f65d6"),
    ("synth.timings/numbers_date", "009d751d944d0698c5a611ae303c683d2c7dd3768ba878afcc4244b8641212ae"),
    ("synth.timings/question", "a5d07195ef8185596ea1d0a48967d6cda5c4190692811628cf943cc5c637719a"),
    ("synth.timings/sentences", "5982c43ed9104a65c0c4c6fcfef8a515f7ac4989ecf43483c1fd47f2ddbe86b0"),
    ("synth.timings/short", "79badf974149ca0617749b4d70ec2cdb346c88170e4f60c68db93fb0203f353c"),
    ("synth.timings/unspeakable_part", "5dd58f7005914f80ba10c3e6d26760f1a35eab29e0d52d57dd4a21c34cb40447"),
    ("synth.wav.jm_kumo/sentences", "81eeb1b8b3218cf964ee8b511776fed60229c7b900cf02ce9ba932b452639ab3"),
    ("synth.wav.jm_kumo/short", "488f4502fa93955fc0121d8a78f902552e30075a9ccf2e4cb952af0b281b3768"),
    ("synth.wav.speed1.2/commas", "60e49ebc067e79854da67a36875b26a5cfc2c3a5d8d11f245de4ac56054c0e22"),
    ("synth.wav.speed1.2/short", "4aa4a399df70dffb3e4780d5be92a14ae80a6383b330d125f9ad1a52b682e198"),
    ("synth.wav/commas", "477e3151edbaac368909025d628815c14ae3180e3a0ce35c2dad0de557bd6b50"),
    ("synth.wav/english", "74f526253961ef1b091ac7859d0dd9dfe09f743ec6a002a1b16768ea8dd38649"),
    ("synth.wav/long", "b0b32daf66ad9fcaced59e9a80028222f14fcdcdc103327119f67adf99482961"),
    ("synth.wav/numbers_date", "255f4c53a0fd88808613258c070810339248cea27b9a8e91f72a65f9659c2ed6"),
    ("synth.wav/question", "7a67cfa976ebdf0429c2c8ecb65ee15509219566f4b4bb46738886e7c8064c55"),
    ("synth.wav/sentences", "d217ef6c6c34aadc472d5a4474b91be04143c92535b9b610d97537c7617368c2"),
    ("synth.wav/short", "8d6dff984baa2048f36c51dd83332aac32321e333cd165509f4c45807af49f4f"),
    ("synth.wav/unspeakable_part", "eb36b39f681edaf409480c385c605285f03493b5648bc9a6d2ebd85b9d322a2a"),
];

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash of a WAV file's audio: its format and its samples (not the header's layout).
fn wav_hash(path: &Path) -> String {
    let w = read_wav(path);
    let mut bytes = format!(
        "{} Hz, {} bit, {} ch\n",
        w.spec.sample_rate, w.spec.bits_per_sample, w.spec.channels
    )
    .into_bytes();
    for s in &w.samples {
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    sha256(&bytes)
}

/// Compares `actual` with the `GOLDEN` entries of the same keys; on any difference, fails with
/// which text/path changed and the table to paste if the change was intended.
fn check(actual: &[(String, String)]) {
    let mut problems = Vec::new();
    for (key, got) in actual {
        match GOLDEN.iter().find(|(k, _)| k == key) {
            Some((_, want)) if want == got => {}
            Some((_, want)) => problems.push(format!("  {key}: CHANGED, was {want}, now {got}")),
            None => problems.push(format!("  {key}: no golden hash recorded (now {got})")),
        }
    }
    if problems.is_empty() {
        return;
    }
    let texts: Vec<String> = texts()
        .iter()
        .filter(|(n, _)| problems.iter().any(|p| p.contains(&format!("/{n}:"))))
        .map(|(n, t)| format!("  {n}: {t}"))
        .collect();
    let table: Vec<String> = actual
        .iter()
        .map(|(k, v)| format!("    (\"{k}\", \"{v}\"),"))
        .collect();
    panic!(
        "\nThe output of yomiage changed (golden test, tests/cli/golden.rs):\n{}\n\nTexts:\n{}\n\n\
         A refactoring must not change these. If the change of sound (or JSON) is INTENDED, \
         replace these entries of GOLDEN in tests/cli/golden.rs and say in the commit message \
         which outputs changed and why:\n{}\n",
        problems.join("\n"),
        texts.join("\n"),
        table.join("\n")
    );
}

/// `synth TEXT -o out.wav --timings t.json [extra]`: the WAV's hash and the timings' hash.
fn synth(dir: &Path, name: &str, text: &str, extra: &[&str]) -> (String, String) {
    let wav = dir.join(format!("{name}.wav"));
    let timings = dir.join(format!("{name}.timings.json"));
    let o = run(yomiage_pinned()
        .args(["synth", text, "-o"])
        .arg(&wav)
        .arg("--timings")
        .arg(&timings)
        .args(extra));
    assert!(o.status.success(), "synth {name}: {}", stderr(&o));
    (wav_hash(&wav), sha256(&std::fs::read(&timings).unwrap()))
}

fn query(name: &str, text: &str) -> Vec<u8> {
    let o = run(yomiage_pinned().args(["query", text]));
    assert!(o.status.success(), "query {name}: {}", stderr(&o));
    o.stdout
}

/// `say - --out -` with `lines` on standard input: the raw PCM on standard output.
fn say(name: &str, lines: &str) -> Vec<u8> {
    let mut child = yomiage_pinned()
        .args(["say", "-", "--out", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(lines.as_bytes()).unwrap();
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "say {name}: {}", stderr(&o));
    o.stdout
}

#[test]
fn golden_synth_wav_and_timings() {
    let dir = tempfile::tempdir().unwrap();
    let mut actual = Vec::new();
    for (name, text) in texts() {
        let (wav, timings) = synth(dir.path(), name, &text, &[]);
        actual.push((format!("synth.wav/{name}"), wav));
        actual.push((format!("synth.timings/{name}"), timings));
    }
    check(&actual);
}

#[test]
fn golden_synth_with_options() {
    let dir = tempfile::tempdir().unwrap();
    let mut actual = Vec::new();
    for (opt, extra, names) in [
        ("speed1.2", ["--speed", "1.2"], ["short", "commas"]),
        ("jm_kumo", ["--voice", "jm_kumo"], ["short", "sentences"]),
    ] {
        for name in names {
            let (wav, _) = synth(dir.path(), &format!("{opt}-{name}"), &text(name), &extra);
            actual.push((format!("synth.wav.{opt}/{name}"), wav));
        }
    }
    check(&actual);
}

#[test]
fn golden_query_json() {
    let actual: Vec<(String, String)> = texts()
        .into_iter()
        .map(|(name, text)| (format!("query.json/{name}"), sha256(&query(name, &text))))
        .collect();
    check(&actual);
}

#[test]
fn golden_synth_from_a_saved_query() {
    let dir = tempfile::tempdir().unwrap();
    let mut actual = Vec::new();
    for name in ["commas", "numbers_date"] {
        let q = dir.path().join(format!("{name}.json"));
        std::fs::write(&q, query(name, &text(name))).unwrap();
        let wav = dir.path().join(format!("{name}.wav"));
        let o = run(yomiage_pinned()
            .arg("synth")
            .arg("--query")
            .arg(&q)
            .arg("-o")
            .arg(&wav));
        assert!(o.status.success(), "synth --query {name}: {}", stderr(&o));
        actual.push((format!("synth.query.wav/{name}"), wav_hash(&wav)));
    }
    check(&actual);
}

#[test]
fn golden_say_stream() {
    let mut actual = Vec::new();
    for name in ["short", "sentences", "unspeakable_part"] {
        // The same line twice in one process: the second rendering (with the engine's caches
        // warm) must be the first one again, sample for sample.
        let line = text(name);
        let pcm = say(name, &format!("{line}\n{line}\n"));
        let (first, second) = pcm.split_at(pcm.len() / 2);
        assert!(
            pcm.len().is_multiple_of(4) && first == second,
            "say {name}: the same line streamed twice in one process gave different audio \
             ({} bytes in all)",
            pcm.len()
        );
        actual.push((format!("say.pcm/{name}"), sha256(first)));
    }
    check(&actual);
}
