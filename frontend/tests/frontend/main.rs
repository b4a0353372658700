//! The frontend's integration tests, in one test binary: analysis and accents on the installed
//! dictionary (`analyze`), the learned accent estimator (`learned`), no panics on any input
//! (`no_panic`, `unicode`: any script, huge lines, linear time), kana notation (`kana`),
//! readings of numbers and the learned reading stage (`readings`), and the user dictionary in
//! analysis (`user_dict`) and as files and imports (`user_dict_files`).

/// The frontend on the installed dictionary, once per process (from the testkit).
mod common {
    pub use yomiage_testkit::engine::frontend;
}

mod analyze;
mod kana;
mod learned;
mod no_panic;
mod readings;
mod unicode;
mod user_dict;
mod user_dict_files;
