//! The book crate's integration tests, in one test binary: the readers (`readers`, no engine)
//! and the renderer on the real engine (`render`, the testkit's shared engine).

#[path = "../fixtures/mod.rs"]
mod fixtures;

mod readers;
mod render;
