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
    ("say.pcm/sentences", "d16f0ef90614343fddbe1e71dd5cc5a64757c4ce4fb2eefe2ce7a5954f488dae"),
    ("say.pcm/short", "353aa1efd38d3fed0d50057c37f7750a20ad4e70ca2550c90c276c90b3f82bdd"),
    ("say.pcm/unspeakable_part", "273d3c5fc001a28303acbb1d332be66d3dcd3bc2d681fff84804ea061bed5084"),
    ("synth.query.wav/commas", "82073961cfbe44423deaa14286e863996c9f477b1416d62d08cd0db0fa591f44"),
    ("synth.query.wav/numbers_date", "04fd00ab127a855a33accae363739e60a9d71c052d7add746980eee76b8fb197"),
    ("synth.timings/commas", "8cd047af486dba67b5060e0b949d58f3fd786aca162fd0fe171c9f2a416f07b9"),
    ("synth.timings/english", "e782479e6fbc19ba74739aad61af2b919379b03cdc0dfcc42bab0b2c18846acd"),
    ("synth.timings/long", "c95714a49c3327886f4d6c9cb053336ea47c133ab85bb5d317905bd4dc906079"),
    ("synth.timings/numbers_date", "04c7b3e4ce0c20fffd6fac28cd0a397f2684612488da610570fada9de3e8fd8d"),
    ("synth.timings/question", "bfad2202a316204e9a2b34199f46858274cd1ab04cf06fcaa94cfd07bc9220b4"),
    ("synth.timings/sentences", "aefc8800c24ea45375026baf7397cd730726648bb6b788e7f209df999e6b7ae9"),
    ("synth.timings/short", "b9c322b4463f1155d78931bada0caba4857ccc6b4da25ae70b3d3ff1de5eab50"),
    ("synth.timings/unspeakable_part", "5634cc9124edf0e1922d00c919911dbacf97080d67ca78ac935d2fba1ddc3b34"),
    ("synth.wav.jm_kumo/sentences", "0bd6bbbf6d470e563e4fe6fe866037f976dcd4c1bd4f9a2c411f60e253d67a7e"),
    ("synth.wav.jm_kumo/short", "9c9727a98a852811b0417f0f06b115d6770e3d070eeba88d07a95236d1fe2b76"),
    ("synth.wav.speed1.2/commas", "c9105e291820da05d8b3a57f753a46029558b1a6cbc058df06c9a222f77b0ec9"),
    ("synth.wav.speed1.2/short", "0287131971648bfed804c26336e853b392e3785f5da9ace438386894e2873e5e"),
    ("synth.wav/commas", "82073961cfbe44423deaa14286e863996c9f477b1416d62d08cd0db0fa591f44"),
    ("synth.wav/english", "01fd31e192df19b8ae87aa4ce2df56ebe516fc7630c95a97f4d47b64ddccc0c6"),
    ("synth.wav/long", "ee7dc9d4ef2caba315f3c53de04ba3bc121c92a3023ad66e5de88dcc2b0e1616"),
    ("synth.wav/numbers_date", "04fd00ab127a855a33accae363739e60a9d71c052d7add746980eee76b8fb197"),
    ("synth.wav/question", "ecd58a0ed95d6a266832f5b151d1abb5516caea54034a5d5fac502193c3baaa7"),
    ("synth.wav/sentences", "1e6cecac248a279c77da29cc60f73f64591f1863cdfc321173d7092c7553a6c2"),
    ("synth.wav/short", "0338d599ecdaa0ffde249d80abd78a086cf71a64777bd577fa87b6eee130610f"),
    ("synth.wav/unspeakable_part", "0cf78c7ab73612313f1a1c960cc188989d04ef09230ffed4760927415ecad216"),
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
