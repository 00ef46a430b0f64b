#!/usr/bin/env bash
# compute-sanitizer memcheck and racecheck on small `vswap run --backend cuda` runs of
# every scheme (Fig. 5(d) quick config, 3 realizations, a few steps), and initcheck (a read of
# device memory nothing wrote) on exact and event. Not on paper: CUB's radix sort reads
# unwritten scratch by design of its decoupled look-back, which initcheck reports (NVIDIA/cccl
# issue 1891). Exit 1 on any error; without a CUDA device it says so and exits 0; exit 3 when
# compute-sanitizer cannot use the device at all (as on gVisor machines: "Device not
# supported"), found by a probe run before the checks.
# Usage: tools/gpu_sanitize.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-cuda}
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu_sanitize: no CUDA device on this machine; nothing to check (not an error)."
  exit 0
fi
sanitizer=$(command -v compute-sanitizer || echo "${CUDA_HOME:-/usr/local/cuda}/bin/compute-sanitizer")
if [ ! -x "$build/vswap" ]; then
  cmake -S "$root" -B "$build" -DVSWAP_CUDA=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target vswap >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Probe: one realization, one observation. A sanitizer that refuses the device ("Device not
# supported") fails here whatever the code; any other failure is left to the checks below.
probe=(run "$root/configs/fig5d-quick.toml" --backend cuda -q --set numerics.realizations=1
       --set "numerics.times=[0.0, 0.01]" -o "$out/probe.h5")
if ! "$sanitizer" --tool memcheck --error-exitcode 1 "$build/vswap" "${probe[@]}" >"$out/log" 2>&1 &&
   grep -qi 'device not supported' "$out/log" && "$build/vswap" "${probe[@]}" >/dev/null 2>&1; then
  echo "UNSUPPORTED: compute-sanitizer fails on a run that passes without it (kernel $(uname -r)):"
  tail -5 "$out/log"
  exit 3
fi
status=0
for case in "exact fermi 0.5" "exact classical 0.5" "event classical 5.0" "paper fermi 0.03" "paper classical 0.1"; do
  set -- $case
  tools="memcheck racecheck"
  [ "$1" = paper ] || tools="$tools initcheck"
  for tool in $tools; do
    if "$sanitizer" --tool "$tool" --error-exitcode 1 --print-limit 20 \
        "$build/vswap" run "$root/configs/fig5d-quick.toml" --backend cuda -q --check-steps \
        --set collisions.scheme=\"$1\" --set system.statistics=\"$2\" --set numerics.realizations=3 \
        --set "numerics.times=[0.0, $3]" -o "$out/run.h5" >"$out/log" 2>&1; then
      echo "ok     $tool  $1 $2"
    else
      echo "FAILED $tool  $1 $2"; tail -40 "$out/log"; status=1
    fi
  done
done
exit $status
