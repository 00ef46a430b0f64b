#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through CTest.
# GPU tests skip themselves when no CUDA device is found.
# Then a second, small build with AddressSanitizer + UBSan (build-asan, CPU only) runs the
# malformed-input tables (test_config_errors, test_production_fuzz) against a sanitized
# vswap. VSWAP_SANITIZE_TESTS=0 skips it.
# Then, where the CUDA toolkit is installed (nvcc), a third build (build-emu) runs the CUDA
# backend's tests against a host emulation of the device (tests/emulation/; NOT a GPU run):
# CTest cases "emulated:...". VSWAP_EMULATION_TESTS=0 skips it.
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

if [ "${VSWAP_EMULATION_TESTS:-1}" != "0" ]; then
  if command -v nvcc >/dev/null 2>&1; then
    # kernels/*.cu, launches rewritten at build time, on the host with AddressSanitizer:
    # CPU vs "GPU" bit for bit, cuRAND (the toolkit's headers) vs host Philox, the GPU
    # cases of the statistical tests, and the harness's own checks.
    EMU_DIR="${EMU_BUILD_DIR:-$ROOT/build-emu}"
    cmake -S "$ROOT" -B "$EMU_DIR" -DCMAKE_BUILD_TYPE=Release -DVSWAP_CUDA=OFF -DVSWAP_MPI=OFF \
      -DVSWAP_TESTS=OFF -DVSWAP_KERNEL_EMULATION=ON >/dev/null
    cmake --build "$EMU_DIR" -j"$(nproc)" --target vswap_emulated_tests
    cd "$EMU_DIR"
    ctest --output-on-failure -j"$(nproc)" --timeout 900 -L emulation
  else
    echo "test.sh: no CUDA toolkit (nvcc): the kernel emulation tests are skipped"
  fi
fi
