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
//! can change the last bits of a float result (yomiage's own `AdaSnake` operator does not: its
//! AVX2 and plain paths do the same float operations in the same order). The hashes were recorded with the CPU build of
//! ONNX Runtime that `yomiage setup` installs (1.32), on an AMD EPYC (AVX-512 with VNNI), with
//! the engine's default session options: `engine/src/onnx/mod.rs` takes intra-op threads = the
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
    ("query.json/commas", "c779a38addf47fbaeedd67fb3b53d9ed04d2247723a3f6b4414814a3161bfa27"),
    ("query.json/english", "78205d9233d58d29988de318176bccce28a7f17caf48bb5333a92af570da9e00"),
    ("query.json/long", "5137167466f51ccb441ad06f436d7901ba617357035f037b1fd6c24aa8295ae4"),
    ("query.json/numbers_date", "fe197c341bbf57d9079f04436f0cc0675151d35c45e1b36f244dce28fe7b403d"),
    ("query.json/question", "6a4eb9a8ee67a695fc2669b119b9d5f704d070c6689ce8a2f6e6c619293c4918"),
    ("query.json/sentences", "003d31a76663648967ebc3c77bd1bbe7c19153492c0917e1e3c5747fe0fe07d5"),
    ("query.json/short", "85eef6e122b044e36eb12350c14b1a362f281375b537eb690e96439cfb9d42b5"),
    ("query.json/unspeakable_part", "7a8bc61901b3f2b5abdaa543ce70c83ff92910b2469386edd45fe5fa518e4f32"),
    ("say.pcm/sentences", "415d80a3fad6d413a61a75960189a0640978b50d4833aae8154827812283df69"),
    ("say.pcm/short", "05677444c96ecc105470424802a1aeb8b1cdf0048ae9479428bc62231a85d7d1"),
    ("say.pcm/unspeakable_part", "4b8e30542d4042b42735b43f5494655f43ef92ef568e5c68c64f1322f27723e7"),
    ("synth.query.wav/commas", "3578ecfd58542d1a15ef5f7b57fc00c0d883fafb055dcfc17bb916c05a6d628c"),
    ("synth.query.wav/numbers_date", "c091c4a48c464d79a78589ca9b9cc8bcabea99bdc4eb4596f10d8036b4dc6538"),
    ("synth.timings/commas", "81be42d70464ee488221a64bd4adfb9eeca2040f661209a0f8ad8f61bc3abbe9"),
    ("synth.timings/english", "a7d65df086f1970a3db520c8d9076b2bd34f40dc1bb26a132ed3c11a74b49b54"),
    ("synth.timings/long", "0774f0ec2155fc91ab3af60a1b11656da92d96a0480e002604d9a4ba363bd70d"),
    ("synth.timings/numbers_date", "8215d9c9aa3ca7bd5634654b55dbf204c91f7c68ce3f3d4e2a4565f11b2f3553"),
    ("synth.timings/question", "630d4c015fa8a99ecbc530eebf43328073dd47a2c838a9edd0202c219ee13c51"),
    ("synth.timings/sentences", "e687322488d3eb14e54273219799d2a5ed38897422e8642b49677c9dcc4e91f0"),
    ("synth.timings/short", "5116c8c62158b16ba1dc5cd730ff78d6b8a9a59cfd173d5cc277b322d98f891f"),
    ("synth.timings/unspeakable_part", "c5ecd5affc2f2916d9464b7d63eefdcb15a3da9c212a588eb1d0e7ad33b5e2ca"),
    ("synth.wav.jm_kumo/sentences", "a14d46d27e72360daa5baeae3a165e8c53d86ee90765c9d8da44e79527bbf2ff"),
    ("synth.wav.jm_kumo/short", "3b0fb7d43a92a815c4fe414f07658a6c1c64fff80c563b34588e2415a98d846c"),
    ("synth.wav.speed1.2/commas", "57bbaf060a7457a4d3ec5a47063707c83a42a576858ae90a4b57595788a08078"),
    ("synth.wav.speed1.2/short", "ae0a9f8fb8845b94778de2ec21f6041e1b3ba107ae2d032e37c4af3aa0b808e9"),
    ("synth.wav/commas", "3578ecfd58542d1a15ef5f7b57fc00c0d883fafb055dcfc17bb916c05a6d628c"),
    ("synth.wav/english", "27167cb4ee3142c6ab774d51ac8d6d38b3d56a937c9a6cbe4ab2d218e69263c6"),
    ("synth.wav/long", "b8ac8095a81b384eea25b2577668b3f3e88e898b62f1459c1b9ec7649df240d1"),
    ("synth.wav/numbers_date", "c091c4a48c464d79a78589ca9b9cc8bcabea99bdc4eb4596f10d8036b4dc6538"),
    ("synth.wav/question", "8500f5341a2749942bf76c0fd93214bd185b3d78b9c3f588bf5581bb79a6bfbd"),
    ("synth.wav/sentences", "9f1c3ae39954d6b379d62c6c23456c019ee2d68b2977c74a61bb15b634c10fb7"),
    ("synth.wav/short", "322bb1f8c0194e0f0103e72fcd270d7d02095e34c0ccfba60f35b8cc5d533ed8"),
    ("synth.wav/unspeakable_part", "6c1a3d6a0d31c93cb08baf279b09a9d83e8912cf33af8c20ed1756a1a29aab11"),
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
