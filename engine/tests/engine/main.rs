//! The engine's integration tests, in one test binary: the stage models against the original
//! graph (`stages`) and analysed text → Kokoro's phoneme characters (`phonemes`), queries from outside: parsed, checked and rendered (`queries`), and the generator's custom operator (`snake`).

mod phonemes;
mod queries;
mod snake;
mod stages;
