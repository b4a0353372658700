use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("no data directory: set YOMIAGE_HOME, XDG_DATA_HOME or HOME")]
    NoHome,
}

/// Where installed assets live. One place so setup, engine, frontend and tests agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Layout { root: root.into() }
    }

    /// `$YOMIAGE_HOME`, else `$XDG_DATA_HOME/yomiage`, else `~/.local/share/yomiage`.
    pub fn from_env() -> Result<Self, LayoutError> {
        let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        if let Some(home) = non_empty("YOMIAGE_HOME") {
            return Ok(Layout::new(home));
        }
        if let Some(xdg) = non_empty("XDG_DATA_HOME") {
            return Ok(Layout::new(PathBuf::from(xdg).join("yomiage")));
        }
        let home = non_empty("HOME").ok_or(LayoutError::NoHome)?;
        Ok(Layout::new(
            PathBuf::from(home).join(".local/share/yomiage"),
        ))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    /// Downloaded archives (wheels, Debian sources), kept so a re-run needs no network.
    pub fn downloads_dir(&self) -> PathBuf {
        self.root.join("downloads")
    }
    pub fn onnxruntime_dir(&self) -> PathBuf {
        self.root.join("onnxruntime")
    }
    /// The assembled, verified source model and voice pack as published.
    pub fn voice_source_dir(&self) -> PathBuf {
        self.root.join("voice")
    }
    /// Stage models produced by the conversion (duration, prosody, decoder, styles).
    pub fn models_dir(&self) -> PathBuf {
        self.root.join("models").join("kokoro-ja")
    }
    /// Float decoders for the GPU (`setup --gpu`); beside the stage models, not inside them,
    /// because reinstalling those replaces their whole directory.
    pub fn float_models_dir(&self) -> PathBuf {
        self.root.join("models").join("kokoro-ja-float")
    }
    /// ONNX Runtime's GPU build and the CUDA/cuDNN libraries (`setup --gpu`).
    pub fn gpu_dir(&self) -> PathBuf {
        self.root.join("gpu")
    }
    /// Built jpreprocess dictionary (naist-jdic).
    pub fn dictionary_dir(&self) -> PathBuf {
        self.root.join("dictionary").join("naist-jdic")
    }
    /// The second lexicon (UniDic's readings and accents as a table; `yomiage setup`).
    pub fn lexicon_dir(&self) -> PathBuf {
        self.root.join("lexicon").join("unidic")
    }
    /// The user dictionary (words, readings and accents the user added; JSON).
    pub fn user_dictionary_file(&self) -> PathBuf {
        self.root.join("user_dict.json")
    }
    /// Private Python environment used only for the model conversion.
    pub fn venv_dir(&self) -> PathBuf {
        self.root.join("venv")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_hang_off_the_root() {
        let l = Layout::new("/data/y");
        assert_eq!(
            l.dictionary_dir(),
            PathBuf::from("/data/y/dictionary/naist-jdic")
        );
        assert_eq!(l.models_dir(), PathBuf::from("/data/y/models/kokoro-ja"));
        assert_eq!(
            l.user_dictionary_file(),
            PathBuf::from("/data/y/user_dict.json")
        );
    }
}
