//! A small runner for test binaries with `harness = false` whose tests may be NOT RUN: libtest
//! can only pass, fail or ignore, and an ignored test does not say why at run time. Each test
//! here has a gate; a closed gate prints `not run: <reason>` and is counted as such, never as
//! passed.
#![allow(dead_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};

pub struct Runner {
    filter: Option<String>,
    list: bool,
    passed: usize,
    failed: Vec<String>,
    not_run: usize,
}

impl Runner {
    /// Reads `cargo test`'s arguments: a name filter, `--list`; other flags are ignored.
    pub fn from_args() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        Runner {
            filter: args.iter().find(|a| !a.starts_with('-')).cloned(),
            list: args.iter().any(|a| a == "--list"),
            passed: 0,
            failed: Vec::new(),
            not_run: 0,
        }
    }

    /// Runs `test` if `gate` is open (`Ok`); a panic in it is a failure.
    pub fn run(&mut self, name: &str, gate: Result<(), String>, test: impl FnOnce()) {
        if self.filter.as_deref().is_some_and(|f| !name.contains(f)) {
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
        println!("test {name} ...");
        match catch_unwind(AssertUnwindSafe(test)) {
            Ok(()) => {
                println!("test {name} ... ok");
                self.passed += 1;
            }
            Err(_) => {
                println!("test {name} ... FAILED");
                self.failed.push(name.to_owned());
            }
        }
    }

    /// Prints the summary and exits: status 1 if anything failed.
    pub fn finish(self) -> ! {
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
