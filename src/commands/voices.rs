//! `yomiage voices`: the voices of the manifest and their stable speaker IDs.

use std::process::ExitCode;

use anyhow::Result;

use crate::assets::Assets;

pub fn run(assets: &Assets) -> Result<ExitCode> {
    for s in &assets.manifest().speakers {
        println!(
            "{:>3}  {:<14} {} ({})",
            s.id, s.name, s.display_name, s.gender
        );
    }
    Ok(ExitCode::SUCCESS)
}
