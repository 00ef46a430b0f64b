#include "engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

#include <vswap/error.hpp>

#include "engine/cuda_engine.hpp"

#if defined(VSWAP_WITH_CUDA)
#include "device.cuh"
#endif

namespace vswap::engine {

namespace {
constexpr double kScale = 1152921504606846976.0;  // 2^60
}

void ExactSum::add(double x) {
  // x * 2^60 is exact; rounding to an integer is the only (deterministic) loss.
  q_ += static_cast<Int128>(std::nearbyint(x * kScale));
}

double ExactSum::value() const {
  const bool neg = q_ < 0;
  const UInt128 a = neg ? -static_cast<UInt128>(q_) : static_cast<UInt128>(q_);
  const double v = (static_cast<double>(static_cast<std::uint64_t>(a >> 64)) * 18446744073709551616.0 +
                    static_cast<double>(static_cast<std::uint64_t>(a))) / kScale;
  return neg ? -v : v;
}

ExactSum ExactSum::from_words(std::int64_t hi, std::uint64_t lo) {
  ExactSum s;
  s.q_ = static_cast<Int128>((static_cast<UInt128>(static_cast<std::uint64_t>(hi)) << 64) | lo);
  return s;
}

void RunSums::merge(const RunSums& o) {
  VSWAP_EXPECTS(times == o.times && density_count.size() == o.density_count.size() &&
                    velocity_count.size() == o.velocity_count.size() && energy_unit == o.energy_unit,
                "merging the sums of different configurations");
  const bool empty = first == last, other_empty = o.first == o.last;
  VSWAP_EXPECTS(empty || other_empty || o.first >= last || o.last <= first,
                "merging overlapping realization ranges");
  auto add = [](auto& a, const auto& b) {
    for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
  };
  add(density_count, o.density_count);
  add(density_count_sq, o.density_count_sq);
  add(velocity_count, o.velocity_count);
  add(velocity_count_sq, o.velocity_count_sq);
  for (std::size_t i = 0; i < energy.size(); ++i) {
    energy[i].merge(o.energy[i]);
    energy_sq[i].merge(o.energy_sq[i]);
  }
  add(swaps, o.swaps);
  add(rejected, o.rejected);
  add(rescattered, o.rescattered);
  add(saturated, o.saturated);
  if (empty) {
    first = o.first;
    last = o.last;
  } else if (!other_empty) {
    first = std::min(first, o.first);
    last = std::max(last, o.last);
  }
}

RunSummary summarize(const RunSums& s) {
  RunSummary r;
  const auto R = static_cast<double>(s.realizations());
  r.realizations = s.realizations();
  r.times = s.times;
  const std::size_t T = s.times.size();
  const std::size_t B = s.density_edges.size() - 1, K = s.velocity_centres.size();
  for (std::size_t b = 0; b < B; ++b) r.density_x.push_back(0.5 * (s.density_edges[b] + s.density_edges[b + 1]));
  r.velocity_lambda = s.velocity_centres;
  auto mean_err = [&](double sum, double sq, double scale, double& mean, double& err) {
    mean = sum / R * scale;
    const double var = R > 1 ? std::max(0.0, (sq - sum * sum / R) / (R - 1)) : std::numeric_limits<double>::quiet_NaN();
    err = std::sqrt(var / R) * scale;
  };
  r.density_mean.resize(T * B);
  r.density_stderr.resize(T * B);
  r.velocity_mean.resize(T * K);
  r.velocity_stderr.resize(T * K);
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t b = 0; b < B; ++b) {
      const double w = s.density_edges[b + 1] - s.density_edges[b];
      mean_err(static_cast<double>(s.density_count[t * B + b]), static_cast<double>(s.density_count_sq[t * B + b]),
               1.0 / w, r.density_mean[t * B + b], r.density_stderr[t * B + b]);
    }
    for (std::size_t k = 0; k < K; ++k) {
      const double w = s.velocity_edges[k + 1] - s.velocity_edges[k];
      mean_err(static_cast<double>(s.velocity_count[t * K + k]), static_cast<double>(s.velocity_count_sq[t * K + k]),
               1.0 / (s.length * w), r.velocity_mean[t * K + k], r.velocity_stderr[t * K + k]);
    }
    double m, e;
    // in units of energy_unit (a power of two: exact), back to energies
    mean_err(s.energy[t].value(), s.energy_sq[t].value(), s.energy_unit, m, e);
    r.energy_mean.push_back(m);
    r.energy_stderr.push_back(e);
    r.swaps_mean.push_back(static_cast<double>(s.swaps[t]) / R);
    r.rejected_mean.push_back(static_cast<double>(s.rejected[t]) / R);
    r.rescattered_mean.push_back(static_cast<double>(s.rescattered[t]) / R);
    r.saturated_mean.push_back(static_cast<double>(s.saturated[t]) / R);
  }
  return r;
}

Engine::~Engine() = default;

ChunkSizes Engine::checkpoint_chunks(const RunSetup&, int threads) const {
  const std::int64_t two_a_thread = std::max(1, 2 * threads);
  return {two_a_thread, two_a_thread};
}

std::pair<std::int64_t, std::int64_t> realization_range(const RunSetup& setup) {
  const std::int64_t first = setup.first_realization;
  const std::int64_t last =
      setup.last_realization < 0 ? setup.config.numerics.realizations : setup.last_realization;
  if (first < 0 || last < first || last > 4294967296LL) {
    throw InputError("numerics.realizations",
                     fmt::format("bad realization range [{}, {})", first, last));
  }
  return {first, last};
}

namespace {
/// One GPU per MPI rank on a node: device = VSWAP_LOCAL_RANK mod the device count (the
/// variables are set by the MPI layer; absent, device 0 for one process).
int device_for_this_process(int devices) {
  const char* local = std::getenv("VSWAP_LOCAL_RANK");
  const int rank = local ? std::atoi(local) : 0;
  return devices > 0 && rank > 0 ? rank % devices : 0;
}

/// How many of this node's ranks (VSWAP_LOCAL_SIZE) use `device`: each sizes its batches
/// for its share of the device memory.
int processes_on_device(int device, int devices) {
  const char* size = std::getenv("VSWAP_LOCAL_SIZE");
  const int local = size ? std::max(1, std::atoi(size)) : 1;
  return devices > 0 && device < local ? (local - 1 - device) / devices + 1 : 1;
}

std::unique_ptr<Engine> cuda_engine_for_this_process(int devices) {
  const int device = device_for_this_process(devices);
  return make_cuda_engine(device, processes_on_device(device, devices));
}
}  // namespace

std::unique_ptr<Engine> make_engine(Backend requested, std::string& note) {
  note.clear();
#if defined(VSWAP_WITH_CUDA)
  const int devices = vswap::cuda::device_count();
  const bool have_device = devices > 0;
  // A device that is there but cannot run the kernels (no code for its architecture, its
  // context held by another process in exclusive mode): said before anything is built.
  const std::string unusable = have_device && requested != Backend::cpu
                                    ? vswap::cuda::device_unusable(device_for_this_process(devices))
                                    : "";
#else
  const int devices = 0;
  const bool have_device = false;
#endif
  if (requested == Backend::cuda) {
#if defined(VSWAP_WITH_CUDA)
    if (!have_device)
      throw InputError("numerics.backend", "\"cuda\" requested but " + vswap::cuda::device_problem());
    if (!unusable.empty()) throw InputError("numerics.backend", "\"cuda\" requested but " + unusable);
    return cuda_engine_for_this_process(devices);
#else
    throw InputError("numerics.backend", "\"cuda\" requested but this build has no CUDA backend");
#endif
  }
  if (requested == Backend::automatic) {
#if defined(VSWAP_WITH_CUDA)
    if (!unusable.empty()) {
      note = unusable + "; running on the CPU";
      return make_cpu_engine();
    }
#endif
    if (have_device) {
      auto engine = cuda_engine_for_this_process(devices);
      note = "running on " + engine->device_name();
      return engine;
    }
#if defined(VSWAP_WITH_CUDA)
    note = vswap::cuda::device_problem() + "; running on the CPU";
#else
    note = "no CUDA device found; running on the CPU";
#endif
  }
  return make_cpu_engine();
}

}  // namespace vswap::engine
