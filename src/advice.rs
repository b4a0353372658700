//! What the person at the command line can do about a failure. The libraries report what went
//! wrong, typed (a missing model, runtime library, style file or dictionary; components not set
//! up); which `yomiage` command mends it is the CLI's to say, and is said here, once.

use yomiage_engine::kokoro::voice::VoiceError;
use yomiage_engine::onnx::RuntimeError;
use yomiage_engine::EngineError;
use yomiage_frontend::FrontendError;

use crate::assets::{AssetsError, NotSetUp};

const SETUP: &str = "run `yomiage setup`";
const SETUP_GPU: &str = "run `yomiage setup --gpu`";

/// The error with its causes (`outer: inner`), and the advice of the first cause that has one
/// after them: `…; run `yomiage setup` to fetch it`.
pub fn explain(error: &anyhow::Error) -> String {
    let text = format!("{error:#}");
    match error.chain().find_map(advice) {
        // A library message that still carries the advice itself is not told it twice.
        Some(advice) if !text.contains("yomiage setup") => format!("{text}; {advice}"),
        _ => text,
    }
}

/// The advice for one error of the chain, if its type calls for one.
fn advice(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    // `AssetsError::NotSetUp` is transparent: its cause is not in the chain on its own.
    let not_set_up = match error.downcast_ref::<AssetsError>() {
        Some(AssetsError::NotSetUp(e)) => Some(e),
        _ => error.downcast_ref::<NotSetUp>(),
    };
    if let Some(e) = not_set_up {
        return Some(match e {
            NotSetUp::Components(_) => SETUP.to_owned(),
            NotSetUp::Gpu(_) => SETUP_GPU.to_owned(),
        });
    }
    if let Some(e) = error.downcast_ref::<EngineError>() {
        return engine(e);
    }
    if let Some(e) = error.downcast_ref::<RuntimeError>() {
        return runtime(e);
    }
    if let Some(e) = error.downcast_ref::<VoiceError>() {
        return Some(voice(e));
    }
    error.downcast_ref::<FrontendError>().and_then(frontend)
}

/// The engine's wrappers are transparent (their causes are not in the chain on their own).
fn engine(e: &EngineError) -> Option<String> {
    match e {
        EngineError::Runtime(e) => runtime(e),
        EngineError::Voice(e) => Some(voice(e)),
        EngineError::Frontend(e) => frontend(e),
        _ => None,
    }
}

fn runtime(e: &RuntimeError) -> Option<String> {
    Some(match e {
        RuntimeError::LibraryMissing(_) => format!("{SETUP} to fetch it"),
        RuntimeError::LibraryLoad { .. } => format!("{SETUP} to repair it"),
        RuntimeError::ModelMissing(_) => SETUP.to_owned(),
        RuntimeError::FloatModelMissing(_) => SETUP_GPU.to_owned(),
        RuntimeError::GpuRuntimeMissing(None) => format!("{SETUP_GPU} to fetch it"),
        RuntimeError::GpuRuntimeMissing(Some(_)) => format!("{SETUP_GPU} to repair"),
        _ => return None,
    })
}

fn voice(e: &VoiceError) -> String {
    match e {
        VoiceError::StyleSize { .. } => format!("{SETUP} to repair it"),
        VoiceError::StyleMissing { .. } | VoiceError::Vocab { .. } => SETUP.to_owned(),
    }
}

fn frontend(e: &FrontendError) -> Option<String> {
    match e {
        FrontendError::DictionaryMissing { .. } => Some(SETUP.to_owned()),
        FrontendError::DictionaryVersion { .. } => Some(format!("{SETUP} to rebuild it")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    use crate::setup::stamp::Health;
    use crate::setup::Component;

    #[test]
    fn components_not_set_up_are_told_which_setup_installs_them() {
        let missing = vec![(Component::Runtime, Health::Missing("not installed".into()))];
        let e = anyhow::Error::from(NotSetUp::Components(missing.clone()));
        assert_eq!(
            explain(&e),
            "not set up: ONNX Runtime library (missing: not installed); run `yomiage setup`"
        );
        let e = anyhow::Error::from(AssetsError::from(NotSetUp::Gpu(missing))).context("loading");
        assert!(
            explain(&e).ends_with("; run `yomiage setup --gpu`"),
            "{}",
            explain(&e)
        );
    }

    #[test]
    fn advice_is_found_through_context_and_transparent_wrappers() {
        let path = PathBuf::from("/nowhere/duration.onnx");
        let e = anyhow::Error::from(EngineError::from(RuntimeError::FloatModelMissing(
            path.clone(),
        )))
        .context("loading the engine");
        let text = explain(&e);
        assert!(text.starts_with("loading the engine: "), "{text}");
        assert!(text.contains("setup --gpu"), "{text}");
        assert!(
            advice(e.chain().nth(1).unwrap()).is_some(),
            "the engine error is in the chain"
        );
    }

    #[test]
    fn errors_without_advice_are_printed_as_they_are() {
        let e = anyhow::anyhow!("the text is empty").context("reading");
        assert_eq!(explain(&e), "reading: the text is empty");
        let e = anyhow::Error::from(EngineError::NothingToSay);
        assert_eq!(explain(&e), EngineError::NothingToSay.to_string());
    }
}
