//! The voice manifest and the on-disk layout of everything `yomiage setup` installs.
//!
//! The manifest (`voices/manifest.toml`) is compiled in, so the binary always knows which
//! exact files it expects (versions and sha256) and which speakers exist; speaker IDs there
//! are stable across versions because apps (VOICEVOX-style) store them.

mod layout;
mod manifest;

pub use layout::{Layout, LayoutError};
pub use manifest::{
    ConvertedFile, DictionarySource, GpuSource, GpuWheel, Manifest, ManifestError, ModelPart,
    OnnxRuntimeSource, PypiFile, Speaker, VoiceId, VoicePackSource, WheelPack,
};
