#!/usr/bin/env bash
# Prints the grid-refinement table of the Burgers solver (2) against the exact Cole-Hopf
# solution (errors and observed orders at 64..512 cells), the heat-kernel check, the mass
# drift and the Fig. 5-like timing. It builds test_burgers in BUILD_DIR (default
# build-burgers, CUDA off) and greps the BURGERS_* lines the tests print.
# Usage: bash tools/burgers_convergence.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-burgers}"
if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DVSWAP_CUDA=OFF >/dev/null
fi
if ! cmake --build "$BUILD_DIR" -j2 --target test_burgers >"$BUILD_DIR/burgers_build.log" 2>&1; then
  tail -n 30 "$BUILD_DIR/burgers_build.log"
  exit 1
fi
status=0
"$BUILD_DIR/test_burgers" >"$BUILD_DIR/burgers_convergence.log" 2>&1 || status=$?
grep -E '^BURGERS_' "$BUILD_DIR/burgers_convergence.log" | sed -E 's/^BURGERS_ORDER ?//; s/^BURGERS_HEAT/heat kernel:/;
  s/^BURGERS_MASS/mass, nonlinear u and D, t = 2000:/; s/^BURGERS_FIG5/Fig. 5-like, automatic grid:/'
grep -E '^\[  (PASSED|FAILED) ' "$BUILD_DIR/burgers_convergence.log" || true
exit "$status"
