//! The stage models chained through the engine's own alignment must reproduce the original
//! Kokoro graph bit for bit (real assets, installed by `yomiage setup`).

use yomiage_engine::kokoro::acoustic;
use yomiage_engine::kokoro::stages::{DecoderModel, DurationModel, ProsodyModel, WholeModel};
use yomiage_engine::kokoro::voice::{Style, Vocab};
use yomiage_engine::onnx::{OnnxRuntime, SessionOptions};
use yomiage_engine::EnginePaths;
use yomiage_voices::{Layout, Manifest};

/// The engine's files, the data directory and the manifest (the testkit's loader).
fn paths() -> (EnginePaths, Layout, Manifest) {
    let paths = yomiage_testkit::engine::paths();
    assert!(
        paths.onnxruntime.is_file(),
        "assets missing: run `yomiage setup` first ({})",
        paths.onnxruntime.display()
    );
    (
        paths,
        yomiage_testkit::engine::layout(),
        yomiage_testkit::engine::manifest(),
    )
}

#[test]
fn stages_chained_reproduce_the_whole_model_exactly() {
    let (paths, layout, manifest) = paths();
    let rt = OnnxRuntime::load(&paths.onnxruntime, SessionOptions::default()).unwrap();
    let whole = WholeModel::load(
        &rt,
        &layout.voice_source_dir().join(&manifest.voice.model_file),
    )
    .unwrap();
    let duration = DurationModel::load(&rt, &paths.models_dir.join("duration.onnx")).unwrap();
    let prosody = ProsodyModel::load(&rt, &paths.models_dir.join("prosody.onnx")).unwrap();
    let decoder = DecoderModel::load(&rt, &paths.models_dir.join("decoder.onnx")).unwrap();
    let vocab = Vocab::load(&paths.vocab).unwrap();
    for (text, voice) in [
        ("kʲoːβa iː teŋkʲi desɨ ne.", "jf_alpha"),
        ("haɕi ɡa naɡai.", "jm_kumo"),
    ] {
        let voice = manifest.voice(voice).unwrap();
        let style_table = Style::load(&paths.models_dir, &voice).unwrap();
        let mut ids = vec![0i64];
        ids.extend(text.chars().filter_map(|c| vocab.id(c)));
        ids.push(0);
        let style = style_table.for_tokens(ids.len() - 2);
        let reference = whole.run(&ids, style, 1.0).unwrap();
        let features = acoustic::token_features(&duration, &ids, style, 1.0).unwrap();
        let frames = acoustic::frames(&prosody, &features, &features.durations, style).unwrap();
        let audio = decoder
            .run(
                frames.asr(),
                frames.f0(),
                frames.energy(),
                frames.frames(),
                style,
            )
            .unwrap();
        assert_eq!(audio.len(), reference.len(), "{text}");
        let max_diff = audio
            .iter()
            .zip(&reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert_eq!(max_diff, 0.0, "{text}: stages differ from the whole model");
    }
}

#[test]
fn editing_one_duration_lengthens_exactly_that_token() {
    let (paths, _, manifest) = paths();
    let rt = OnnxRuntime::load(&paths.onnxruntime, SessionOptions::default()).unwrap();
    let duration = DurationModel::load(&rt, &paths.models_dir.join("duration.onnx")).unwrap();
    let prosody = ProsodyModel::load(&rt, &paths.models_dir.join("prosody.onnx")).unwrap();
    let vocab = Vocab::load(&paths.vocab).unwrap();
    let style_table = Style::load(&paths.models_dir, &manifest.default_voice()).unwrap();
    let mut ids = vec![0i64];
    ids.extend("haɕi".chars().filter_map(|c| vocab.id(c)));
    ids.push(0);
    let style = style_table.for_tokens(ids.len() - 2);
    let features = acoustic::token_features(&duration, &ids, style, 1.0).unwrap();
    let base = acoustic::frames(&prosody, &features, &features.durations, style).unwrap();
    let mut longer = features.durations.clone();
    longer[2] += 5;
    let edited = acoustic::frames(&prosody, &features, &longer, style).unwrap();
    assert_eq!(edited.frames(), base.frames() + 5);
    assert!(
        acoustic::frames(&prosody, &features, &[1, 2], style).is_err(),
        "wrong count must be refused"
    );
}
