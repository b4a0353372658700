//! Prints the level (RMS) of the streamed decode against the whole-utterance decodes, per voice:
//! `cargo run --release --example stream_levels -- はい。 こんにちは。`
use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{Engine, EnginePaths};
use yomiage_vocoder::ChunkSchedule;
use yomiage_voices::{Layout, Manifest};
fn rms(x: &[f32]) -> f32 {
    (x.iter().map(|s| s * s).sum::<f32>() / x.len().max(1) as f32).sqrt()
}
fn main() {
    let layout = Layout::from_env().unwrap();
    let manifest = Manifest::builtin().unwrap();
    let e = Engine::load(
        &EnginePaths::from_layout(&layout, &manifest),
        SessionOptions::default(),
    )
    .unwrap();
    for v in ["jf_alpha", "jm_kumo"] {
        let voice = manifest.voice(v).unwrap();
        for t in std::env::args().skip(1) {
            let q = e.audio_query(&t, &voice).unwrap().check().unwrap();
            let d = e
                .decode_variants(&q, &voice, &ChunkSchedule::default())
                .unwrap();
            println!(
                "{v} {t}: chunked {:.4} fixed {:.4} own {:.4} int8 {:.4}",
                rms(&d.chunked),
                rms(&d.whole_fixed),
                rms(&d.whole_own),
                rms(&d.whole_int8)
            );
        }
    }
}
