#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through CTest.
# GPU tests skip themselves when no CUDA device is found.
# Then a second, small build with AddressSanitizer + UBSan (build-asan, CPU only) runs the
# malformed-input tables (test_config_errors, test_production_fuzz) against a sanitized
# vswap. VSWAP_SANITIZE_TESTS=0 skips it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/tools/setup.sh"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)" --timeout 900

if [ "${VSWAP_SANITIZE_TESTS:-1}" != "0" ]; then
  ASAN_DIR="${ASAN_BUILD_DIR:-$ROOT/build-asan}"
  cmake -S "$ROOT" -B "$ASAN_DIR" -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" \
    -DVSWAP_CUDA=OFF -DVSWAP_SANITIZE=ON >/dev/null
  cmake --build "$ASAN_DIR" -j"$(nproc)" --target vswap test_config_errors test_production_fuzz
  cd "$ASAN_DIR"
  # Any sanitizer report aborts vswap, so the exit code is not 2 and the case fails.
  ASAN_OPTIONS="abort_on_error=1:detect_leaks=0" \
    UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1" \
    ctest --output-on-failure -j"$(nproc)" --timeout 300 \
    -R "^(Table/ConfigErrors|ConfigValid|CommandLine|Table/Fuzz|FuzzTable|MissingSections)\."
fi
