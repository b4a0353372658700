//! The frontend's integration tests, in one test binary: analysis and accents on the installed
//! dictionary (`analyze`), the learned accent estimator (`learned`), no panics on any input
//! (`no_panic`), readings of numbers and the learned reading stage (`readings`), and the user
//! dictionary (`user_dict`).

/// The frontend on the installed dictionary, once per process (from the testkit).
mod common {
    pub use yomiage_testkit::engine::frontend;
}

mod analyze;
mod learned;
mod no_panic;
mod readings;
mod user_dict;
