#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through CTest.
# GPU tests skip themselves when no CUDA device is found.
# Then a second, small build with AddressSanitizer + UBSan (build-asan, CPU only) runs the
# malformed-input tables (test_config_errors, test_production_fuzz) against a sanitized
# vswap. VSWAP_SANITIZE_TESTS=0 skips it.
# Then, where the CUDA toolkit is installed (nvcc), a third build (build-emu) runs the CUDA
# backend's tests against a host emulation of the device (tests/emulation/; NOT a GPU run):
# CTest cases "emulated:...". VSWAP_EMULATION_TESTS=0 skips it.
# Then, with nvcc, a fourth build (build-race) runs the CPU-vs-GPU cases of that emulation
# again under ThreadSanitizer, every launch on 4 host threads: a data race between two GPU
# threads of one launch fails the case (tests/emulation/cuda_emulation.hpp). VSWAP_RACE_TESTS=0
# skips it; VSWAP_RACE_TESTS=all runs every emulated case there (~2.5 min more on 2 cores).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/tools/setup.sh"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)" --timeout 900

if [ "${VSWAP_SANITIZE_TESTS:-1}" != "0" ]; then
  ASAN_DIR="${ASAN_BUILD_DIR:-$ROOT/build-asan}"
  # -g1: line tables, enough for the sanitizers' file:line reports, and half the compile time
  # of -g (the Eigen-heavy theory sources: 68 s -> 35 s each on 2 cores)
  cmake -S "$ROOT" -B "$ASAN_DIR" -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
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

if [ "${VSWAP_RACE_TESTS:-1}" != "0" ] && command -v nvcc >/dev/null 2>&1; then
  RACE_DIR="${RACE_BUILD_DIR:-$ROOT/build-race}"
  cmake -S "$ROOT" -B "$RACE_DIR" -DCMAKE_BUILD_TYPE=Release -DVSWAP_CUDA=OFF -DVSWAP_MPI=OFF \
    -DVSWAP_TESTS=OFF -DVSWAP_KERNEL_EMULATION=ON -DVSWAP_KERNEL_EMULATION_SANITIZER=thread >/dev/null
  cd "$RACE_DIR"
  if [ "${VSWAP_RACE_TESTS:-1}" = "all" ]; then
    cmake --build "$RACE_DIR" -j"$(nproc)" --target vswap_emulated_tests
    ctest --output-on-failure -j"$(nproc)" --timeout 900 -L emulation
  else
    # Every kernel of every scheme, CPU vs emulated GPU bit for bit, plus the harness's own
    # race check (a planted race must be reported).
    cmake --build "$RACE_DIR" -j"$(nproc)" --target test_backends_emulated test_emulation_harness
    ctest --output-on-failure -j"$(nproc)" --timeout 900 -L emulation -R "CpuVsGpu|EmulationHarness"
  fi
fi
