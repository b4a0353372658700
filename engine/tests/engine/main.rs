//! The engine's integration tests, in one test binary: the stage models against the original
//! graph (`stages`) and analysed text → Kokoro's phoneme characters (`phonemes`).

mod phonemes;
mod stages;
