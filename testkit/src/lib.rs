//! The test kit: what yomiage's integration tests (and benchmarks) share.
//!
//! **Not a pipeline stage.** Nothing in the library or the binary depends on this crate; it is
//! only ever a `[dev-dependencies]` entry, and it may use any crate's public API as a test
//! would. It holds:
//!
//! - [`engine`]: the one engine loader (data directory + built-in manifest → a loaded
//!   [`yomiage_engine::Engine`]), with one engine shared per test process (ONNX Runtime allows
//!   one environment, and one library, per process), and the frontend on the installed
//!   dictionary;
//! - [`cli`]: running the real `yomiage` binary (use the [`yomiage!`] macro, which names the
//!   binary that Cargo built for the calling test), and reading what it wrote;
//! - [`audio`]: WAV files and bodies, RMS;
//! - [`pitch`] and [`compare`] (feature `measure`): an independent pitch measurement (pYIN) and
//!   the comparison of two renderings (SNR, log-spectral distance);
//! - [`gpu`]: whether a CUDA device and the GPU set-up are there;
//! - [`runner`]: a runner for `harness = false` tests that reports NOT RUN instead of passing;
//! - [`server`] (feature `server`): a real server on loopback on the shared engine.

pub mod audio;
pub mod cli;
#[cfg(feature = "measure")]
pub mod compare;
pub mod engine;
pub mod gpu;
#[cfg(feature = "measure")]
pub mod pitch;
pub mod runner;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "strategies")]
pub mod strategies;
