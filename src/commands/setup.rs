//! `yomiage setup`: fetch, verify and build the components (see the `yomiage-setup` crate), or with
//! `--check` only report on them.

use std::process::ExitCode;

use anyhow::Result;

use crate::assets::Assets;
use crate::setup::stamp::Health;
use crate::setup::{Component, Setup};

#[derive(clap::Args)]
pub struct Args {
    /// Only report what is present, missing or corrupt; exit 1 if anything is not present.
    #[arg(long)]
    check: bool,
    /// Limit to some components (default: all but the GPU ones).
    #[arg(long, value_enum)]
    only: Vec<ComponentArg>,
    /// Also the GPU runtime (onnxruntime-gpu, CUDA and cuDNN from PyPI, ~1.2 GB) and the
    /// float models that `--device cuda` runs.
    #[arg(long, conflicts_with = "only")]
    gpu: bool,
    /// Also the UniDic lexicon (unidic-lite from PyPI, 47 MB download, 17 MB installed), which
    /// `scripts/reading-errors.sh` compares readings with; no command needs it.
    #[arg(long, conflicts_with = "only")]
    lexicon: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ComponentArg {
    Onnxruntime,
    Voice,
    Models,
    Dictionary,
    /// UniDic's readings and accents (from unidic-lite).
    Lexicon,
    /// onnxruntime-gpu and the CUDA/cuDNN libraries.
    Gpu,
    /// The float decoders for the GPU.
    FloatModels,
}

impl From<ComponentArg> for Component {
    fn from(c: ComponentArg) -> Self {
        match c {
            ComponentArg::Onnxruntime => Component::Runtime,
            ComponentArg::Voice => Component::Voice,
            ComponentArg::Models => Component::Models,
            ComponentArg::Dictionary => Component::Dictionary,
            ComponentArg::Lexicon => Component::Lexicon,
            ComponentArg::Gpu => Component::Gpu,
            ComponentArg::FloatModels => Component::FloatModels,
        }
    }
}

pub fn run(args: Args, assets: &Assets) -> Result<ExitCode> {
    let mut components: Vec<Component> = if args.only.is_empty() {
        Component::ALL.to_vec()
    } else {
        args.only.into_iter().map(Component::from).collect()
    };
    if args.gpu {
        components.extend(Component::GPU);
    }
    if args.lexicon {
        components.push(Component::Lexicon);
    }
    let setup = assets.setup();
    let root = assets.layout().root();
    if args.check {
        // Components not asked for (without --only) are reported, not required.
        let optional: Vec<Component> = if components.starts_with(&Component::ALL) {
            Component::GPU
                .into_iter()
                .chain([Component::Lexicon])
                .filter(|c| !components.contains(c))
                .collect()
        } else {
            Vec::new()
        };
        println!("data directory: {}", root.display());
        return check_report(&setup, &components, &optional);
    }
    eprintln!("data directory: {}", root.display());
    setup.ensure(&components, true)?;
    Ok(ExitCode::SUCCESS)
}

fn check_report(
    setup: &Setup,
    components: &[Component],
    optional: &[Component],
) -> Result<ExitCode> {
    let mut ok = true;
    for &c in optional {
        match setup.full_health(c)? {
            Health::Present => println!("present  {c} (optional)"),
            h => {
                let flag = if c == Component::Lexicon {
                    "--lexicon"
                } else {
                    "--gpu"
                };
                println!("optional {c}: {h} (`yomiage setup {flag}` installs it)")
            }
        }
    }
    for &c in components {
        match setup.full_health(c)? {
            Health::Present => println!("present  {c}"),
            Health::Missing(r) => {
                ok = false;
                println!("missing  {c} ({r})");
            }
            Health::Corrupt(r) => {
                ok = false;
                println!("corrupt  {c} ({r})");
            }
        }
    }
    if !ok {
        println!("run `yomiage setup` to install or repair");
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
