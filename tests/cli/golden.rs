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
    ("say.pcm/sentences", "03f7b2235182579e0ae9c87c53fe483fce4cb23f10a8f8a2b30dfa96fedfd441"),
    ("say.pcm/short", "376e6f0b6bc17e1683693b81e0ec01c11ac40f27835181ff8de0906e34bf9e37"),
    ("say.pcm/unspeakable_part", "342286d5a4c790d296172dbf6901774c8988daf68dcf9bfcad082995ca967e05"),
    ("synth.query.wav/commas", "f28d21a95f8865d4fd93a3a8d468d9f30496d3ce2095e351323494a379d7ecd5"),
    ("synth.query.wav/numbers_date", "9379bded90777f4dfecadf942a1a9eb85747dad0ad96e407c1531000ef7d226a"),
    ("synth.timings/commas", "5a3b79effdb3b6a949f8b6254d461f6a2f993b909575cc69432b02e329633464"),
    ("synth.timings/english", "e782479e6fbc19ba74739aad61af2b919379b03cdc0dfcc42bab0b2c18846acd"),
    ("synth.timings/long", "27753d9900d0a547970f0e63dff1cd51b88de6768af6fae75d8c641a1dc86007"),
    ("synth.timings/numbers_date", "009d751d944d0698c5a611ae303c683d2c7dd3768ba878afcc4244b8641212ae"),
    ("synth.timings/question", "bfad2202a316204e9a2b34199f46858274cd1ab04cf06fcaa94cfd07bc9220b4"),
    ("synth.timings/sentences", "aefc8800c24ea45375026baf7397cd730726648bb6b788e7f209df999e6b7ae9"),
    ("synth.timings/short", "b9c322b4463f1155d78931bada0caba4857ccc6b4da25ae70b3d3ff1de5eab50"),
    ("synth.timings/unspeakable_part", "a7e70101112659bd566e04798da2ec71fe1ec811a2886f63a36a316cf4390ab4"),
    ("synth.wav.jm_kumo/sentences", "d02432d7cb0d446522ba7b3792d30db9719fb6d6bc50ed556b32fda3a34484b9"),
    ("synth.wav.jm_kumo/short", "10955ad3dbbec338ba6a8583a6ceceac6cf2da91fe46ef38214f0244c053218d"),
    ("synth.wav.speed1.2/commas", "a27c10bfe0092084308cea021fbdcb25d70795b4eaba7fcb18c05303703618cc"),
    ("synth.wav.speed1.2/short", "999d8d3b4fe392155930449910aeaa1a2aa8b6e17437c5fa6359261388fb0a14"),
    ("synth.wav/commas", "f28d21a95f8865d4fd93a3a8d468d9f30496d3ce2095e351323494a379d7ecd5"),
    ("synth.wav/english", "4d2772b5c62d6f51281981b5ecbd3ea5c7295a45d0650ab4b4e88285822b8fc5"),
    ("synth.wav/long", "5ac1c28c866d8902961d3adb84d18e3174c9a7ec233c5dc0329aabd26bd01530"),
    ("synth.wav/numbers_date", "9379bded90777f4dfecadf942a1a9eb85747dad0ad96e407c1531000ef7d226a"),
    ("synth.wav/question", "43d90464d5c02dd9705dbd18e943e33bd006d1c2dd7c2a8315605539acc4d438"),
    ("synth.wav/sentences", "1cc898bb09231a285a9e53c48e444bc05e1b0da5a5ebe92cb95f4759735c3006"),
    ("synth.wav/short", "3c0112d6300413713e4e76a3dca915859d136fb43f49a1d54a02762d82644ba7"),
    ("synth.wav/unspeakable_part", "b109d1d061e720d96d23d57a3ee025a3f597a933c2b6e6baa3776dad72a793a9"),
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
