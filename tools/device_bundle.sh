#!/usr/bin/env bash
# Builds here (Debian, with vswap's packages and nvcc; no GPU needed) what the GPU checks
# need on a machine that has a GPU but not vswap's Debian dependencies, such as the CUDA
# image of the workplace's device machines:
#   build-device/          Release, CUDA for sm_90 only (H100, H200), no MPI
#   build-device/bundle/   vswap and the GPU test binaries, lib/ with every shared library
#                          they load except glibc's and the GPU driver's, COMMIT (the
#                          commit built), SOURCES (tools/source_digest.sh of the tree
#                          built: device_check.sh refuses a bundle of other sources)
# Then, on the GPU machine, from the repository root (the bundle travels as an ignored
# path, e.g. the device tool's `carry: ["build-device/bundle"]`):
#   bash tools/device_check.sh build-device/bundle [correctness|sanitize|bench|all]
# Usage: tools/device_bundle.sh [BUILD_DIR]   (env CUDA_ARCHS, default 90-real)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-device}
bundle=$build/bundle
# The binaries find lib/ through their own RPATH ($ORIGIN/lib; an old-style DT_RPATH, which
# also serves the libraries' own dependencies), so nothing else on the target (its
# compute-sanitizer, nvidia-smi) sees these libraries.
BUILD_DIR=$build VSWAP_CUDA=ON \
  VSWAP_CMAKE_ARGS="-DVSWAP_MPI=OFF -DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCHS:-90-real} -DCMAKE_BUILD_RPATH=\$ORIGIN/lib -DCMAKE_EXE_LINKER_FLAGS=-Wl,--disable-new-dtags" \
  source "$root/tools/setup.sh"
binaries=(vswap test_backends test_gpu_rng test_engine_fermi test_engine_classical test_gpu_bench)
rm -rf "$bundle"
mkdir -p "$bundle/lib"
for b in "${binaries[@]}"; do cp "$build/$b" "$bundle/"; done
# Every library the binaries load, but the C library's own (it must be the target's) and
# the driver's (libcuda: the target's, matching its GPU).
for b in "${binaries[@]}"; do
  ldd "$build/$b" | awk '$3 ~ /^\// { print $3 }'
done | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libresolv.so.*|ld-linux*|libcuda.so*) ;;
    *) cp -L "$lib" "$bundle/lib/" ;;
  esac
done
"$root/tools/source_digest.sh" "$root" > "$bundle/SOURCES"
git -C "$root" rev-parse --short HEAD > "$bundle/COMMIT"
if ! git -C "$root" diff --quiet HEAD -- . 2>/dev/null; then echo "+uncommitted changes" >> "$bundle/COMMIT"; fi
echo "device_bundle: $(du -sh "$bundle" | cut -f1) in $bundle (commit $(head -1 "$bundle/COMMIT"))"
# The highest glibc symbol version the bundle needs: the target's glibc must be at least that.
need=$(for f in "$bundle"/* "$bundle"/lib/*; do [ -f "$f" ] && objdump -T "$f" 2>/dev/null; done |
  grep -o 'GLIBC_[0-9.]*' | sort -t. -k2,2n -k3,3n -u | tail -1)
echo "device_bundle: needs $need or newer on the target (here: $(ldd --version | head -1))"
