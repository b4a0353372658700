//! The `yomiage` package's integration tests, in one test binary (one link of the whole
//! pipeline instead of one per file): the real binary end to end (`synth`, `query`, `say`,
//! `book`, `serve`, `setup`, `dict`), the engine streaming in-process, the accent measured in
//! the audio, and the golden hashes of the output. Helpers come from `yomiage-testkit`.
//!
//! Run one module with a filter: `cargo test --test cli golden::`.

/// What every module here uses: the testkit's CLI runner with this package's `yomiage` binary.
mod common {
    pub use yomiage_testkit::cli::*;
    pub use yomiage_testkit::{compare, pitch};

    /// The `yomiage` binary Cargo built for these tests, with the tests' environment.
    pub fn yomiage() -> std::process::Command {
        yomiage_testkit::yomiage!()
    }
}

mod accent_audio;
mod bad_bytes;
mod book;
mod book_faults;
mod explain;
mod golden;
mod query;
mod serve;
mod setup;
mod stream;
mod synth;
mod user_dict;
