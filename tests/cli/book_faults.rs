//! `yomiage book` under faults: killed with SIGKILL at several points (while synthesizing a
//! chapter, while writing the speech cache, while encoding a chapter file, right at the
//! manifest write) and resumed, the final output is byte for byte that of an uninterrupted run,
//! and no partial file ever shows under a final name; a full disk gives a clear error,
//! corrupts nothing, and the run completes once there is space again.

use crate::common::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn story() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("book/tests/fixtures/story.txt")
}

fn book(out: &Path, cache: &Path) -> Command {
    let mut c = yomiage();
    c.arg("book").arg(story()).arg("-o").arg(out);
    c.args(["--format", "flac", "--jobs", "1", "--chapter-pause", "0.3"]);
    c.env("YOMIAGE_CACHE_DIR", cache);
    c
}

/// Every file under `dir` (relative path → bytes).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, bytes);
            }
        }
    }
    out
}

fn is_partial(name: &str) -> bool {
    name.rsplit('/')
        .next()
        .is_some_and(|n| n.starts_with('.') && n.ends_with(".partial"))
}

/// What may be seen at any moment: chapter files are the finished ones, the manifest is whole
/// JSON, cached speech under a final name is a whole WAV; anything else is a hidden partial.
fn check_no_partial_under_a_final_name(
    when: &str,
    out: &Path,
    cache: &Path,
    reference: &BTreeMap<String, Vec<u8>>,
) {
    for (name, bytes) in tree(out) {
        if is_partial(&name) {
            continue;
        }
        if name == ".yomiage-book.json" || name == "book.json" {
            // Both list the chapters finished so far (book.json as of the last run's end).
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{when}: {name} is not whole JSON: {e}"));
        } else if name.ends_with(".m3u8") {
            assert!(
                bytes.starts_with(b"#EXTM3U\n"),
                "{when}: {name} is not a whole playlist"
            );
        } else {
            let want = reference
                .get(&name)
                .unwrap_or_else(|| panic!("{when}: unexpected {name}"));
            assert!(
                bytes == *want,
                "{when}: {name} differs from the uninterrupted run's"
            );
        }
    }
    for (name, bytes) in tree(cache) {
        if is_partial(&name) {
            continue;
        }
        if name.ends_with(".wav") {
            let mut r = hound::WavReader::new(std::io::Cursor::new(&bytes))
                .unwrap_or_else(|e| panic!("{when}: cached {name} is not a WAV: {e}"));
            let n = r.len() as usize;
            let read = r.samples::<f32>().filter(Result::is_ok).count();
            assert!(
                n > 0 && read == n,
                "{when}: cached {name} is cut short ({read} of {n})"
            );
        } else {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{when}: cached {name}: {e}"));
        }
    }
}

/// Starts a run and kills it (SIGKILL) at the first moment `trigger` holds. The run is
/// stopped (SIGSTOP) every few hundred microseconds, the trigger is checked while nothing can
/// change, and the run goes on (SIGCONT) or is killed there — so windows of a millisecond (a
/// file being written) are caught. Returns whether it was killed (false: it finished first).
fn kill_when(mut cmd: Command, trigger: impl Fn() -> bool) -> bool {
    let mut child: Child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("yomiage starts");
    let pid = child.id() as i32;
    let started = Instant::now();
    let mut tick: u64 = 0x9E37_79B9;
    loop {
        if child.try_wait().expect("waits").is_some() {
            return false;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the run never ended"
        );
        // 200–700 µs of running between looks, varied so no phase of the work is skipped.
        tick = tick
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_micros(200 + (tick >> 33) % 500));
        // SAFETY: signals to the child this test started (and has not reaped).
        unsafe { libc::kill(pid, libc::SIGSTOP) };
        let stop_wait = Instant::now();
        while !is_stopped(pid) && stop_wait.elapsed() < Duration::from_millis(100) {
            std::thread::yield_now();
        }
        if trigger() {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let _ = child.wait();
            return true;
        }
        unsafe { libc::kill(pid, libc::SIGCONT) };
    }
}

/// Whether `pid` is stopped (state T in /proc/PID/stat) or gone.
fn is_stopped(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|state| state == "T" || state == "t" || state == "Z")
        })
        .unwrap_or(true)
}

fn any_file(dir: &Path, f: impl Fn(&str) -> bool) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| f(&e.file_name().to_string_lossy()))
}

fn cache_files(cache: &Path) -> usize {
    tree(cache).keys().filter(|n| !is_partial(n)).count()
}

#[test]
fn killed_at_any_point_then_resumed_gives_the_uninterrupted_output() {
    let dir = tempfile::tempdir().unwrap();
    let (ref_out, ref_cache) = (dir.path().join("ref"), dir.path().join("ref-cache"));
    let o = run(&mut book(&ref_out, &ref_cache));
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = tree(&ref_out);
    assert!(
        !ref_out.join(".yomiage-book-cache").exists(),
        "the cache is outside the output"
    );
    assert!(
        tree(&ref_cache).keys().any(|n| n.ends_with(".wav")),
        "no speech cached"
    );

    type Trigger = fn(&Path, &Path) -> bool;
    let cases: [(&str, Trigger); 4] = [
        // The first chapter's speech is cached and the second is being synthesized.
        ("during a chapter", |_, cache| cache_files(cache) >= 2),
        ("while writing the speech cache", |_, cache| {
            std::fs::read_dir(cache.join("book"))
                .into_iter()
                .flatten()
                .flatten()
                .any(|b| any_file(&b.path(), |n| n.ends_with(".partial")))
        }),
        ("while encoding a chapter file", |out, _| {
            any_file(out, |n| {
                n.starts_with('.') && n.ends_with(".partial") && n.contains(".flac")
            })
        }),
        // While the manifest is written, or (a window missed) right after it appeared.
        ("at the manifest write", |out, _| {
            any_file(out, |n| {
                n.contains("yomiage-book.json") && n.ends_with(".partial")
            }) || out.join(".yomiage-book.json").exists()
        }),
    ];
    let mut killed = Vec::new();
    for (i, (when, trigger)) in cases.into_iter().enumerate() {
        // Each case from scratch, so every window of a run is there to be hit.
        let (out, cache) = (
            dir.path().join(format!("out{i}")),
            dir.path().join(format!("cache{i}")),
        );
        if kill_when(book(&out, &cache), || trigger(&out, &cache)) {
            killed.push(when);
        }
        check_no_partial_under_a_final_name(when, &out, &cache, &reference);
        let o = run(&mut book(&out, &cache));
        assert!(o.status.success(), "{when}: {}", stderr(&o));
        same_as_reference(&tree(&out), &reference);
        assert!(!out.join(".yomiage-book-cache").exists());
    }
    eprintln!("killed: {killed:?}");
    assert_eq!(killed.len(), 4, "kills that landed: {killed:?}");
}

/// A mounted file system of `size` bytes, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: u64) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(at.to_path_buf()))
    }

    fn resize(&self, size: u64) {
        let s = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .expect("mount runs");
        assert!(s.success(), "remount failed");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A full disk: a small tmpfs (when this runs as root and may mount), else the same through a
/// file size limit (RLIMIT_FSIZE, as `ulimit -f`: a write past it fails with EFBIG).
#[test]
fn a_full_disk_is_a_clear_error_and_the_run_completes_with_space() {
    let dir = tempfile::tempdir().unwrap();
    let (ref_out, ref_cache) = (dir.path().join("ref"), dir.path().join("ref-cache"));
    let o = run(&mut book(&ref_out, &ref_cache));
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = tree(&ref_out);
    let need: u64 = reference
        .values()
        .chain(tree(&ref_cache).values())
        .map(|b| b.len() as u64)
        .sum();

    let disk = dir.path().join("disk");
    let tmpfs = Tmpfs::mount(&disk, need / 3);
    let (out, cache) = (disk.join("out"), disk.join("cache"));
    let mut cmd = book(&out, &cache);
    let limit = 64 * 1024;
    if tmpfs.is_none() {
        eprintln!(
            "cannot mount a tmpfs here; a {limit}-byte file size limit fills the disk instead"
        );
        std::fs::create_dir_all(&disk).unwrap();
        use std::os::unix::process::CommandExt;
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let r = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &r) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    } else {
        eprintln!(
            "a {}-byte tmpfs for {need} bytes of output and cache",
            need / 3
        );
    }
    let o = run(&mut cmd);
    let err = stderr(&o);
    assert_clean_failure(&o);
    assert!(
        err.contains("No space left on device") || err.contains("File too large"),
        "not a clear error: {err}"
    );
    check_no_partial_under_a_final_name("disk full", &out, &cache, &reference);
    assert!(
        files_containing(&out, ".partial").is_empty(),
        "partial files left in the output"
    );

    // Space again: the same command completes, and the output is the uninterrupted run's.
    if let Some(t) = &tmpfs {
        t.resize(need * 4);
    }
    let o = run(&mut book(&out, &cache));
    assert!(o.status.success(), "{}", stderr(&o));
    let got = tree(&out);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>()
    );
    same_as_reference(&got, &reference);
    drop(tmpfs);
}

fn same_as_reference(got: &BTreeMap<String, Vec<u8>>, reference: &BTreeMap<String, Vec<u8>>) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in reference {
        if got[name] != *bytes && (name.ends_with(".json") || name.ends_with(".m3u8")) {
            panic!(
                "{name} differs from the uninterrupted run's:\n{}\n---\n{}",
                String::from_utf8_lossy(&got[name]),
                String::from_utf8_lossy(bytes)
            );
        }
        assert!(
            got[name] == *bytes,
            "{name} differs from the uninterrupted run's"
        );
    }
}
