#!/usr/bin/env bash
# Prints one SHA-256 over the paths and contents of the files a build compiles
# (CMakeLists.txt, cmake/, include/, kernels/, src/, host/, tests/), so that a bundle built
# elsewhere (tools/device_bundle.sh) can be matched to the tree it is run from without git.
# Usage: tools/source_digest.sh [ROOT]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
find CMakeLists.txt cmake include kernels src host tests -type f ! -path '*/__pycache__/*' -print0 |
  LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
