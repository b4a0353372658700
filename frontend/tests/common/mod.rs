use std::sync::OnceLock;

use yomiage_frontend::Frontend;

/// The frontend on the installed dictionary. Fails (does not skip) when it is missing: these
/// tests are the proof that accents come out right.
pub fn frontend() -> &'static Frontend {
    static FRONTEND: OnceLock<Frontend> = OnceLock::new();
    FRONTEND.get_or_init(|| {
        let dir = yomiage_voices::Layout::from_env()
            .expect("no data directory (YOMIAGE_HOME/XDG_DATA_HOME/HOME)")
            .dictionary_dir();
        Frontend::load(&dir).unwrap_or_else(|e| {
            panic!(
                "{e}\n\nThe frontend tests need the built naist-jdic dictionary at {}. Build it with\n  \
                 cargo run -p yomiage-frontend --example build_dict -- \
                 /path/to/open_jtalk-1.11/mecab-naist-jdic\n(or run the project's setup).",
                dir.display()
            )
        })
    })
}
