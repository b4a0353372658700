//! Builds the naist-jdic dictionary into the default location (or the given one).
//!
//! `cargo run -p yomiage-frontend --example build_dict -- SOURCE_DIR [OUT_DIR]`
//! SOURCE_DIR is a naist-jdic source directory (`*.csv`, `matrix.def`, `char.def`, `unk.def`:
//! OpenJTalk's `mecab-naist-jdic`, or what `decompile-dictionary` writes from a compiled one);
//! OUT_DIR defaults to `Layout::from_env()?.dictionary_dir()`.

use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let source = args
        .next()
        .map(PathBuf::from)
        .ok_or("usage: build_dict SOURCE_DIR [OUT_DIR]")?;
    let out = match args.next() {
        Some(o) => PathBuf::from(o),
        None => yomiage_voices::Layout::from_env()?.dictionary_dir(),
    };
    let t = Instant::now();
    let summary = yomiage_frontend::build_dictionary(&source, &out)?;
    println!(
        "built {} in {:.1} s: {summary}",
        out.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
