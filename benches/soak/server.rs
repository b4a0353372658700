//! The server under soak: `yomiage serve` as its own process, and samples of its memory,
//! open files and threads from /proc.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// One /proc sample of the server process.
#[derive(Clone, Copy)]
pub struct Sample {
    pub t: f64,
    pub rss_mib: f64,
    pub fds: usize,
    pub threads: usize,
}

pub fn sample(pid: u32, t: f64) -> Option<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    Some(Sample {
        t,
        rss_mib: field("VmRSS:")? / 1024.0,
        threads: field("Threads:")? as usize,
        fds: std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count(),
    })
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
}

pub fn start_server(dir: &Path) -> Server {
    let log = dir.join("serve.log");
    let mut child = yomiage_testkit::yomiage!()
        .args([
            "serve",
            "--port",
            "0",
            "--max-queue",
            "64",
            "--timeout",
            "120",
        ])
        .env("YOMIAGE_USER_DICT", dir.join("user_dict.json"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("a log file"))
        .spawn()
        .expect("yomiage serve starts (run `yomiage setup` first)");
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(rest) = text.split("listening on ").nth(1) {
            let base = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
            return Server { child, base, log };
        }
        if started.elapsed() > Duration::from_secs(120) || child.try_wait().ok().flatten().is_some()
        {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not start: {text}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
