//! The engine's integration tests, in one test binary: the stage models against the original
//! graph (`stages`) and analysed text → Kokoro's phoneme characters (`phonemes`), and queries from outside: parsed, checked and rendered (`queries`).

mod phonemes;
mod queries;
mod stages;
