//! A small runner for test binaries with `harness = false` whose tests may be NOT RUN: libtest
//! can only pass, fail or ignore, and an ignored test does not say why at run time. Each test
//! here has a gate; a closed gate prints `not run: <reason>` and is counted as such, never as
//! passed.
//!
//! A test that loads ONNX Runtime in-process may need a process of its own: a process loads
//! one ONNX Runtime library and keeps it (`yomiage_engine::onnx`), and the GPU tests load the
//! GPU build where the float check loads the CPU one. [`Runner::run_isolated`] runs such a
//! test in a child process of this same binary.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Set in a child process started by [`Runner::run_isolated`]: the one test it runs.
const CHILD: &str = "YOMIAGE_RUNNER_CHILD";

pub struct Runner {
    filter: Option<String>,
    exact: bool,
    list: bool,
    /// In a child process: the name of the test to run, alone and in-process.
    child: Option<String>,
    passed: usize,
    failed: Vec<String>,
    not_run: usize,
}

impl Runner {
    /// Reads `cargo test`'s arguments: a name filter, `--exact`, `--list`; other flags are
    /// ignored.
    pub fn from_args() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        Runner {
            filter: args.iter().find(|a| !a.starts_with('-')).cloned(),
            exact: args.iter().any(|a| a == "--exact"),
            list: args.iter().any(|a| a == "--list"),
            child: std::env::var(CHILD).ok().filter(|c| !c.is_empty()),
            passed: 0,
            failed: Vec::new(),
            not_run: 0,
        }
    }

    fn selected(&self, name: &str) -> bool {
        if let Some(child) = &self.child {
            return child == name;
        }
        match &self.filter {
            None => true,
            Some(f) if self.exact => name == f,
            Some(f) => name.contains(f.as_str()),
        }
    }

    /// Runs `test` if `gate` is open (`Ok`); a panic in it is a failure.
    pub fn run(&mut self, name: &str, gate: Result<(), String>, test: impl FnOnce()) {
        self.run_in(name, gate, false, test)
    }

    /// As [`Runner::run`], but in a process of its own (this binary again, running only this
    /// test): for a test that loads an ONNX Runtime library other tests here may not share.
    pub fn run_isolated(&mut self, name: &str, gate: Result<(), String>, test: impl FnOnce()) {
        self.run_in(name, gate, true, test)
    }

    fn run_in(
        &mut self,
        name: &str,
        gate: Result<(), String>,
        isolated: bool,
        test: impl FnOnce(),
    ) {
        if !self.selected(name) {
            return;
        }
        if self.list {
            println!("{name}: test");
            return;
        }
        if let Err(reason) = gate {
            println!("test {name} ... NOT RUN: {reason}");
            self.not_run += 1;
            return;
        }
        let child = self.child.is_some();
        if !child {
            println!("test {name} ...");
        }
        let ok = if isolated && !child {
            let exe = std::env::current_exe().expect("this test binary's path");
            std::process::Command::new(exe)
                .env(CHILD, name)
                .status()
                .is_ok_and(|s| s.success())
        } else {
            catch_unwind(AssertUnwindSafe(test)).is_ok()
        };
        if !child {
            println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        }
        if ok {
            self.passed += 1;
        } else {
            self.failed.push(name.to_owned());
        }
    }

    /// Prints the summary and exits: status 1 if anything failed.
    pub fn finish(self) -> ! {
        if self.child.is_some() {
            std::process::exit(if self.failed.is_empty() { 0 } else { 1 });
        }
        if !self.list {
            println!(
                "\ntest result: {}. {} passed; {} failed; {} not run{}",
                if self.failed.is_empty() {
                    "ok"
                } else {
                    "FAILED"
                },
                self.passed,
                self.failed.len(),
                self.not_run,
                if self.failed.is_empty() {
                    String::new()
                } else {
                    format!(" (failed: {})", self.failed.join(", "))
                }
            );
        }
        std::process::exit(if self.failed.is_empty() { 0 } else { 1 });
    }
}
