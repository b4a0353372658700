//! Writes the analysis dictionary's source (`sys.csv`, `matrix.def`, `char.def`, `unk.def`)
//! from its MeCab-compiled files, as `yomiage setup` does before building it; the reading tools
//! (`scripts/naist-jdic-csv.sh`) read the word list.
//!
//!     decompile-dictionary COMPILED_DIR OUT_DIR

use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [compiled, out] = args.as_slice() else {
        bail!("usage: decompile-dictionary COMPILED_DIR OUT_DIR");
    };
    let done = yomiage_frontend::decompile(compiled.as_ref(), out.as_ref())
        .with_context(|| format!("decompiling {compiled}"))?;
    eprintln!(
        "{} entries, {} unknown-word entries, {} character categories, {}×{} context ids",
        done.entries, done.unknown_entries, done.categories, done.context_ids.0, done.context_ids.1
    );
    Ok(())
}
