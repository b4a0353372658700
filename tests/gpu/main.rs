//! The tests of `yomiage setup --gpu`'s assets, in one `harness = false` binary: CUDA end to
//! end (`cuda`) and the float decoders on the CPU (`float_models`). What needs a GPU or the
//! GPU set-up is reported NOT RUN with the reason when it is missing — never as passed.
//!
//! The two in-process comparisons run in processes of their own: a process loads one ONNX
//! Runtime library (the CUDA test the GPU build, the float check the CPU build).

mod common {
    pub use yomiage_testkit::cli::*;
    pub use yomiage_testkit::{compare, gpu, pitch, runner};

    /// The `yomiage` binary Cargo built for these tests, with the tests' environment.
    pub fn yomiage() -> std::process::Command {
        yomiage_testkit::yomiage!()
    }
}

mod cuda;
mod float_models;

fn main() {
    let mut t = common::runner::Runner::from_args();
    cuda::tests(&mut t);
    float_models::tests(&mut t);
    t.finish();
}
