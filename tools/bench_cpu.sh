#!/usr/bin/env bash
# CPU benchmark of the Monte Carlo engine on the Fig. 5(d) configuration (fermions,
# gamma 0.08, rho_bath 50, Bragg sigma 6, lambda_B 5.9, b 0.3, N 1600, L 2000, M 400,
# dt 0.01, width 300): particle-steps per second for each scheme, 1 and 2 threads.
# `event` reports classical-equivalent particle-steps (N * t / dt per wall second).
# Usage: tools/bench_cpu.sh [BUILD_DIR]   (env: VSWAP_BENCH_TIME, VSWAP_BENCH_REALIZATIONS)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-bench}
if [ ! -x "$build/test_engine_bench" ]; then
  cmake -S "$root" -B "$build" -DVSWAP_CUDA=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target test_engine_bench >/dev/null
fi
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores"
echo "commit:  $(git -C "$root" rev-parse --short HEAD)"
"$build/test_engine_bench" --gtest_also_run_disabled_tests --gtest_filter='Bench.*' | grep '^|'
