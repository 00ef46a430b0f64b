#!/usr/bin/env bash
# Times the Fig. 4 table: u, u', D at 200 densities for both statistics (plus the stationary
# states and the HDF5 file), `vswap theory configs/fig4.toml`, best of 5 runs.
# usage: bash tools/bench_theory.sh [BUILD_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VSWAP="${1:-$ROOT/build}/vswap"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# best of 5, in nanoseconds
best() {
  local b=""
  for _ in 1 2 3 4 5; do
    local s e
    s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
    if [ -z "$b" ] || [ $((e - s)) -lt "$b" ]; then b=$((e - s)); fi
  done
  awk -v ns="$b" 'BEGIN { printf "%.3f", ns / 1e9 }'
}
h5=$(best "$VSWAP" theory "$ROOT/configs/fig4.toml" -o "$TMP/fig4.h5")
csv=$(best "$VSWAP" theory "$ROOT/configs/fig4.toml" --csv)
echo "| command | what | best of 5 wall s |"
echo "| --- | --- | --- |"
echo "| vswap theory configs/fig4.toml -o fig4.h5 | 200 densities x 2 statistics + stationary states + HDF5 | $h5 |"
echo "| vswap theory configs/fig4.toml --csv | 200 densities, config statistics, CSV | $csv |"
