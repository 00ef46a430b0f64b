#pragma once
// Running one test on every backend: `run_on(backend, config)` and the skip of CUDA cases
// when the build has no CUDA backend or the machine no device.
#include <gtest/gtest.h>

#include <string>

#include <vswap/config.hpp>

#include "engine/cuda_engine.hpp"
#include "engine/engine.hpp"

#if defined(VSWAP_WITH_CUDA)
#include "device.cuh"
#endif

namespace vswap::test {

/// A device that runs this build's kernels (a device without code for its architecture
/// skips, saying so).
inline bool have_cuda_device() {
#if defined(VSWAP_WITH_CUDA)
  static const bool have = vswap::cuda::device_count() > 0 && vswap::cuda::device_unusable(0).empty();
  return have;
#else
  return false;
#endif
}

/// Why CUDA cases skip: no device, or (printed in the skip message) a device the runtime
/// cannot use, such as a driver older than the toolkit.
inline std::string no_device_reason() {
#if defined(VSWAP_WITH_CUDA)
  return vswap::cuda::device_count() > 0 ? vswap::cuda::device_unusable(0) : vswap::cuda::device_problem();
#else
  return "built without CUDA";
#endif
}

inline std::unique_ptr<engine::Engine> engine_for(Backend b) {
  return b == Backend::cuda ? engine::make_cuda_engine(0) : engine::make_cpu_engine();
}

inline engine::RunSums run_on(Backend b, const Config& c, bool check = false, std::int64_t first = 0,
                              std::int64_t last = -1) {
  engine::RunSetup s;
  s.config = c;
  s.options.check_every_step = check;
  s.first_realization = first;
  s.last_realization = last;
  return engine_for(b)->run(s, nullptr);
}

inline std::string backend_name(Backend b) { return b == Backend::cuda ? "cuda" : "cpu"; }

}  // namespace vswap::test

/// First line of a test body that runs on `backend`: CUDA cases skip without a device.
#define VSWAP_SKIP_UNLESS_BACKEND(backend)                                    \
  do {                                                                        \
    if ((backend) == ::vswap::Backend::cuda && !::vswap::test::have_cuda_device()) \
      GTEST_SKIP() << ::vswap::test::no_device_reason();                      \
  } while (0)
