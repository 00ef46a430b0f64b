#include <vswap/streams.hpp>

#include "device_buffer.cuh"
#include "rng_check.cuh"

namespace vswap::cuda {
namespace {
__global__ void philox_kernel(std::uint64_t seed, const Philox4x32* ctr, long long n, Philox4x32* curand_out,
                              Philox4x32* hd_out, Philox4x32* draw_out) {
  for (long long j = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; j < n;
       j += static_cast<long long>(gridDim.x) * blockDim.x) {
    const Philox4x32 c = ctr[j];
    curand_out[j] = curand_philox4x32_10(c, seed);
    hd_out[j] = philox4x32_10(c, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
    draw_out[j] = draw(StreamKey{seed, c.v[2]}, c.v[0], c.v[1], static_cast<Purpose>(c.v[3] >> 16), c.v[3] & 0xffffu);
  }
}
}  // namespace

void philox_on_device(std::uint64_t seed, const std::vector<Philox4x32>& counters,
                      std::vector<Philox4x32>& via_curand, std::vector<Philox4x32>& via_hd,
                      std::vector<Philox4x32>& via_draw) {
  const std::size_t n = counters.size();
  DeviceBuffer<Philox4x32> c(n), a(n), b(n), d(n);
  c.upload(counters.data(), n);
  if (n > 0) {
    philox_kernel<<<256, 256>>>(seed, c.data(), static_cast<long long>(n), a.data(), b.data(), d.data());
    VSWAP_CUDA_CHECK_LAUNCH();
  }
  via_curand.resize(n);
  via_hd.resize(n);
  via_draw.resize(n);
  a.download(via_curand.data(), n);
  b.download(via_hd.data(), n);
  d.download(via_draw.data(), n);
}

}  // namespace vswap::cuda
