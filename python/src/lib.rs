//! `yomiage._native`: the Python extension module. A thin layer over the library crates —
//! the engine's one door (`Engine::speak` / `render` / `audio_query`), the user dictionary,
//! the book job — with the CLI's data directory and set-up (`yomiage-setup`). Audio is
//! computed with the GIL released; every error becomes a `yomiage.YomiageError` carrying the
//! library's message and its causes. The Python package (`python/yomiage/`) wraps the raw
//! results (bytes of float32, JSON) into numpy arrays and dicts.

mod book;
mod dict;
mod engine;
mod stream;

use pyo3::prelude::*;

pyo3::create_exception!(
    _native,
    YomiageError,
    pyo3::exceptions::PyException,
    "An error of yomiage: the engine's, the set-up's or the book's message, with its causes."
);

/// The message of `e` and of each of its causes, `outer: inner` (as the CLI prints them).
/// Locks `m`, taking over a lock a panicking thread left poisoned (the data stays usable).
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Assets of the environment (`YOMIAGE_HOME`, …) with the user dictionary `user_dict`, else
/// `YOMIAGE_USER_DICT`, else the data directory's (as the CLI).
pub(crate) fn assets(
    user_dict: Option<std::path::PathBuf>,
) -> PyResult<yomiage_setup::assets::Assets> {
    let user_dict = user_dict.or_else(|| {
        std::env::var_os("YOMIAGE_USER_DICT")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
    });
    yomiage_setup::assets::Assets::from_env(user_dict).map_err(err)
}

pub(crate) fn message(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}

/// A library error as a Python exception.
pub(crate) fn err(e: impl std::error::Error + 'static) -> PyErr {
    YomiageError::new_err(message(&e))
}

/// A bad argument as a Python `ValueError`.
pub(crate) fn value_err(e: impl std::fmt::Display) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(e.to_string())
}

/// The engine's output rate (24 kHz mono).
const SAMPLE_RATE: u32 = 24_000;

/// float32 samples as a bytearray (little-endian, numpy's native order here), which numpy
/// wraps without a copy.
pub(crate) fn samples_bytes<'py>(
    py: Python<'py>,
    samples: &[f32],
) -> Bound<'py, pyo3::types::PyByteArray> {
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    pyo3::types::PyByteArray::new(py, &bytes)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("YomiageError", m.py().get_type::<YomiageError>())?;
    m.add("SAMPLE_RATE", SAMPLE_RATE)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<engine::Engine>()?;
    m.add_class::<stream::Stream>()?;
    m.add_class::<dict::UserDictionary>()?;
    m.add_class::<book::BookJob>()?;
    m.add_function(wrap_pyfunction!(engine::voices, m)?)?;
    m.add_function(wrap_pyfunction!(engine::data_dir, m)?)?;
    m.add_function(wrap_pyfunction!(book::read_book, m)?)?;
    Ok(())
}
