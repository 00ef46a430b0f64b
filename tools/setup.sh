#!/usr/bin/env bash
# Installs the Debian packages vswap needs (only those missing), then configures and builds.
# Sourced by tools/reproduce.sh and tools/test.sh; usable alone: bash tools/setup.sh
# Environment: BUILD_DIR (default build), VSWAP_CUDA (AUTO|ON|OFF, default AUTO),
#              CMAKE_BUILD_TYPE (default Release), VSWAP_CMAKE_ARGS (extra arguments).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

PACKAGES=(cmake make g++ git pkg-config
  libeigen3-dev libhdf5-dev libgtest-dev libgmock-dev libcli11-dev libtomlplusplus-dev libfmt-dev
  libopenmpi-dev openmpi-bin
  python3 python3-numpy python3-h5py python3-matplotlib)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# nvcc is often installed outside PATH (/usr/local/cuda/bin): let CMake find it there.
if ! command -v nvcc >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi

cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
  -DVSWAP_CUDA="${VSWAP_CUDA:-AUTO}" ${VSWAP_CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
