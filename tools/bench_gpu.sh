#!/usr/bin/env bash
# GPU benchmark: particle-steps/s on Fig. 5(d) for N = 1600 and 1e4, 1e3 and 1e4
# realizations, each scheme, CPU and GPU side by side (tests/test_gpu_bench.cpp), the
# memory-bandwidth floor per particle-step, and Fig. 5(d) end to end
# (`vswap run configs/fig5d.toml --backend cuda`: simulation + theory + HDF5).
# Usage: tools/bench_gpu.sh [BUILD_DIR]
#   env: VSWAP_BENCH_BANDWIDTH (bytes/s, default 3.35e12 = H100 SXM),
#        VSWAP_BENCH_CPU_REALIZATIONS (default 2 x threads)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-cuda}
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "bench_gpu: no CUDA device on this machine; nothing to measure."
  exit 0
fi
if [ ! -x "$build/test_gpu_bench" ] || [ ! -x "$build/vswap" ]; then
  cmake -S "$root" -B "$build" -DVSWAP_CUDA=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target test_gpu_bench vswap >/dev/null
fi
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores"
echo "gpu:     $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader)"
# (a bundle of tools/device_bundle.sh records its commit; the device copy has no .git)
echo "commit:  $(head -1 "$build/COMMIT" 2>/dev/null || git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
"$build/test_gpu_bench" --gtest_also_run_disabled_tests --gtest_filter='GpuBench.*' | grep -E '^(\||device)'
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for backend in cuda cpu; do
  start=$(date +%s.%N)
  "$build/vswap" run "$root/configs/fig5d.toml" --backend "$backend" -q -o "$out/fig5d-$backend.h5" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" -v be="$backend" \
    'BEGIN { printf "Fig. 5(d) end to end (1000 realizations x 1600, t = 400), --backend %s: %.2f s\n", be, b - a }'
done
