#!/usr/bin/env bash
# The main job: installs what is missing, builds, and reproduces the paper's Fig. 5(d)
# (fermions, asymmetric bath: the Burgers equation) at quick scale on the best available
# backend (GPU if present, else all CPU cores). Writes out/fig5d-quick.h5 and
# out/fig5d-quick.png. Pass another config to run that instead:
#   bash tools/reproduce.sh configs/fig5d.toml
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/tools/setup.sh"
CONFIG="${1:-$ROOT/configs/fig5d-quick.toml}"
NAME="$(basename "$CONFIG" .toml)"
mkdir -p "$ROOT/out"
"$BUILD_DIR/vswap" run "$CONFIG" -o "$ROOT/out/$NAME.h5"
/usr/bin/python3 "$ROOT/tools/plot_run.py" "$ROOT/out/$NAME.h5" -o "$ROOT/out/$NAME.png"
