#!/usr/bin/env bash
# The GPU checks of issue 4 in one command, on a machine with an NVIDIA GPU, from a bundle
# built elsewhere by tools/device_bundle.sh (or any build directory holding the same
# binaries). Run from the repository root:
#   bash tools/device_check.sh BUNDLE [STAGE ...]
# STAGE (default: correctness sanitize bench):
#   correctness  cuRAND vs host Philox (test_gpu_rng); CPU vs GPU bit for bit, every scheme,
#                in one batch, in batches and in shards (test_backends); the statistical tests
#                of the CPU engine on the GPU backend (the cuda cases of test_engine_*)
#   sanitize     compute-sanitizer memcheck and racecheck on small runs of every scheme, and
#                initcheck on exact and event (tools/gpu_sanitize.sh)
#   bench        particle-steps/s, CPU and GPU side by side, and Fig. 5(d) end to end
#                (tools/bench_gpu.sh)
# A GPU case that skips (no device, a driver older than the toolkit) fails here: on this
# machine every case must run. Logs go to $OUT (the device tool's folder) or ./device-logs;
# summary.txt lists each stage's result. Exit 1 if any stage failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=$(cd "${1:?usage: tools/device_check.sh BUNDLE [STAGE ...]}" && pwd)
shift
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(correctness sanitize bench)
logs=${OUT:-$root/device-logs}
mkdir -p "$logs"
summary=$logs/summary.txt
: > "$summary"
status=0

note() { echo "$*" | tee -a "$summary"; }
# Runs a gtest binary; fails on a failed or a skipped case.
gtest() {
  local name=$1 log=$logs/$1.log
  shift
  local start=$SECONDS
  "$bundle/$name" "$@" > "$log" 2>&1
  local rc=$?
  local skipped passed
  skipped=$(grep -c '^\[  SKIPPED \] .* ([0-9]* ms)$' "$log")
  passed=$(grep -o '^\[  PASSED  \] [0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  if [ $rc -ne 0 ] || [ "$skipped" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
    note "FAILED $name $*: exit $rc, ${passed:-0} passed, $skipped skipped ($((SECONDS - start)) s; $log)"
    # the failures, and the reason of the first skip (gtest prints it above the SKIPPED line)
    grep -E '^\[  FAILED  \] [^0-9]|Failure$' "$log" | head -10 | tee -a "$summary"
    grep -B1 -m1 '^\[  SKIPPED \]' "$log" | head -1 | sed 's/^/  skipped: /' | tee -a "$summary"
    status=1
  else
    note "ok     $name $*: ${passed} passed ($((SECONDS - start)) s)"
  fi
}

note "commit: $(head -1 "$bundle/COMMIT" 2>/dev/null || echo unknown)"
# The bundle must be built from this tree's sources: an old one would test old kernels.
sources=$("$root/tools/source_digest.sh" "$root")
if [ "$(cat "$bundle/SOURCES" 2>/dev/null)" != "$sources" ]; then
  note "FAILED: the bundle was built from other sources than this tree's ($bundle/SOURCES:" \
    "$(cat "$bundle/SOURCES" 2>/dev/null || echo missing); here: $sources). Rebuild it: tools/device_bundle.sh"
  exit 1
fi
note "cpu:    $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
note "kernel: $(uname -r)"
if ! gpu=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1); then
  note "FAILED: no GPU here (nvidia-smi: ${gpu:-not found}); the GPU checks need one"
  exit 1
fi
note "gpu:    $gpu"
# The bundle's binaries must load here (its glibc need: tools/device_bundle.sh prints it).
if ! "$bundle/test_gpu_rng" --gtest_list_tests > "$logs/preflight.log" 2>&1; then
  note "FAILED: the bundle's binaries do not start here ($(ldd --version 2>&1 | head -1)):"
  head -5 "$logs/preflight.log" | tee -a "$summary"
  exit 1
fi
for stage in "${stages[@]}"; do
  start=$SECONDS
  case $stage in
    correctness)
      gtest test_gpu_rng
      gtest test_backends --gtest_filter='*CpuVsGpu*:*BathStates*:BackendChoice.Auto*:GpuMemory.*:*GpuMemoryModel.*'
      gtest test_engine_fermi --gtest_filter='*cuda*'
      gtest test_engine_classical --gtest_filter='*cuda*'
      ;;
    sanitize)
      bash "$root/tools/gpu_sanitize.sh" "$bundle" > "$logs/sanitize.log" 2>&1
      rc=$?
      if [ $rc -eq 0 ]; then
        note "ok     sanitize: $(grep -c '^ok' "$logs/sanitize.log") runs clean ($((SECONDS - start)) s)"
      elif [ $rc -eq 3 ]; then
        note "NOT RUN sanitize: compute-sanitizer cannot use the GPU on this machine (not a finding about the code):"
        grep -A5 '^UNSUPPORTED' "$logs/sanitize.log" | head -6 | tee -a "$summary"
        status=1
      else
        note "FAILED sanitize ($((SECONDS - start)) s; $logs/sanitize.log)"
        grep -E '^(FAILED|ok)|ERROR|error' "$logs/sanitize.log" | head -20 | tee -a "$summary"
        status=1
      fi
      ;;
    bench)
      if bash "$root/tools/bench_gpu.sh" "$bundle" > "$logs/bench.log" 2>&1; then
        note "ok     bench ($((SECONDS - start)) s):"
        tee -a "$summary" < "$logs/bench.log"
      else
        note "FAILED bench ($((SECONDS - start)) s; $logs/bench.log)"
        tail -20 "$logs/bench.log" | tee -a "$summary"
        status=1
      fi
      ;;
    *)
      note "unknown stage $stage (correctness, sanitize, bench)"
      status=1
      ;;
  esac
done
exit $status
