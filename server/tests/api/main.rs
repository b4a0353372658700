//! The server's integration tests, in one test binary: the HTTP APIs (`voicevox_api`,
//! `openai_api`, `stream_api`, `user_dict_api`), the browser pages' files (`web_pages`), the
//! limits (`limits`), slow and stalled clients (`slow_clients`), what no request may do
//! (`safety`: dictionary limits, names that try to reach files) and arbitrary requests
//! (`fuzz`), each test on a real server on loopback
//! over the one engine this process shares (the testkit's server harness).

mod common {
    pub use yomiage_testkit::server::*;
}

mod fuzz;
mod limits;
mod openai_api;
mod safety;
mod slow_clients;
mod stream_api;
mod user_dict_api;
mod voicevox_api;
mod web_pages;
