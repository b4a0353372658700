#!/usr/bin/env bash
# Builds the train-accent tool and prints its path (PROFILE=dev for the dev build; default
# release). Shared by scripts/train-accent.sh and scripts/reading-errors.sh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
profile=${PROFILE:-release}
cargo build --quiet --profile "$profile" -p yomiage-train-accent --bin train-accent >&2
dir=debug
[[ $profile == dev ]] || dir=$profile
echo "$target/$dir/train-accent"
