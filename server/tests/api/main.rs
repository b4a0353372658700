//! The server's integration tests, in one test binary: the HTTP APIs (`voicevox_api`,
//! `openai_api`, `stream_api`, `user_dict_api`), the browser pages' files (`web_pages`), the
//! limits (`limits`) and arbitrary requests (`fuzz`), each test on a real server on loopback
//! over the one engine this process shares (the testkit's server harness).

mod common {
    pub use yomiage_testkit::server::*;
}

mod fuzz;
mod limits;
mod openai_api;
mod stream_api;
mod user_dict_api;
mod voicevox_api;
mod web_pages;
