#include "app/run_output.hpp"

#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include <vswap/error.hpp>

#include "app/config_io.hpp"
#include "app/h5_file.hpp"
#include "app/mc_theory.hpp"
#include "app/predictions.hpp"

namespace vswap::app {
namespace {

using u64 = std::uint64_t;

std::vector<double> as_double(const std::vector<std::int64_t>& v) {
  return std::vector<double>(v.begin(), v.end());
}

/// ExactSum arrays as (n x 2) int64: high word, low word (bit pattern).
std::vector<std::int64_t> words(const std::vector<engine::ExactSum>& v) {
  std::vector<std::int64_t> out;
  for (const auto& s : v) {
    out.push_back(s.hi());
    out.push_back(static_cast<std::int64_t>(s.lo()));
  }
  return out;
}

/// (mc - theory) / stderr; 0 where the error is zero.
double z_score(double mc, double err, double theory) {
  return err > 0 ? (mc - theory) / err : 0.0;
}

}  // namespace

void write_run_file(const std::string& path, const Config& cfg, const engine::RunSums& sums,
                    const RunProvenance& prov, bool quiet) {
  const auto summary = engine::summarize(sums);
  const auto th = monte_carlo_theory(cfg, sums, summary);
  const u64 T = sums.times.size();
  const u64 B = sums.density_edges.size() - 1;
  const u64 K = sums.velocity_centres.size();

  std::vector<std::int64_t> dof, linear_dof, velocity_dof;
  const auto chi2 = chi2_per_dof(summary.density_mean, summary.density_stderr, th.density, T, B, dof);
  const auto velocity_chi2 = chi2_per_dof(summary.velocity_mean, summary.velocity_stderr,
                                          th.velocity, T, K, velocity_dof);
  std::vector<double> linear_chi2;
  if (!th.homogeneous) {
    linear_chi2 = chi2_per_dof(summary.density_mean, summary.density_stderr, th.linear_density, T,
                               B, linear_dof);
  }
  std::vector<double> energy_z(T);
  for (u64 i = 0; i < T; ++i) {
    energy_z[i] = z_score(summary.energy_mean[i], summary.energy_stderr[i], th.energy[i]);
  }

  H5Writer out(path);
  write_provenance(out, cfg, prov.command);
  out.attribute("/", "backend", prov.backend);
  out.attribute("/", "device", prov.device);
  out.attribute("/", "threads", prov.threads);
  out.attribute("/", "shard", prov.shard);
  out.attribute("/", "ranks", prov.ranks);
  out.attribute("/", "wall_time_s", prov.wall_time_s);
  out.attribute("/", "scheme", sums.scheme);
  out.attribute("/", "realizations", sums.realizations());
  out.attribute("/", "realization_first", sums.first);
  out.attribute("/", "realization_last", sums.last);
  out.attribute("/", "homogeneous", static_cast<std::int64_t>(th.homogeneous));

  out.write("/times", sums.times);
  out.write("/density/x", summary.density_x);
  out.write("/density/edges", sums.density_edges);
  out.write("/density/mean", summary.density_mean, {T, B});
  out.write("/density/stderr", summary.density_stderr, {T, B});
  out.write("/velocity/lambda", summary.velocity_lambda);
  out.write("/velocity/edges", sums.velocity_edges);
  out.write("/velocity/mean", summary.velocity_mean, {T, K});
  out.write("/velocity/stderr", summary.velocity_stderr, {T, K});
  out.write("/energy/mean", summary.energy_mean);
  out.write("/energy/stderr", summary.energy_stderr);
  out.write("/counters/swaps", summary.swaps_mean);
  out.write("/counters/rejected", summary.rejected_mean);
  out.write("/counters/rescattered", summary.rescattered_mean);
  out.write("/counters/saturated", summary.saturated_mean);
  out.attribute("/counters", "meaning",
                std::string("per realization, cumulative from t = 0 to each observation time"));

  write_bath(out, th.bath);
  write_coefficients(out, "/theory/coefficients", th.coefficients);
  out.write("/theory/density", th.density, {T, B});
  out.attribute("/theory/density", "model",
                std::string(th.homogeneous ? "uniform density N/L" : "Burgers equation (2)"));
  out.write("/theory/velocity", th.velocity, {T, K});
  out.attribute("/theory/velocity", "model", th.velocity_note);
  out.write("/theory/energy", th.energy);
  out.write("/comparison/chi2_dof", chi2);
  out.write_int("/comparison/dof", dof, {T});
  out.write("/comparison/velocity_chi2_dof", velocity_chi2);
  out.write_int("/comparison/velocity_dof", velocity_dof, {T});
  out.write("/comparison/energy_z", energy_z);
  if (!th.homogeneous) {
    out.attribute("/theory/density", "error_estimate", th.burgers_error);
    out.attribute("/theory/density", "mass_drift", th.burgers_mass_drift);
    out.write("/theory/linear_density", th.linear_density, {T, B});
    out.attribute("/theory/linear_density", "rho0", th.rho0);
    out.attribute("/theory/linear_density", "u", th.linear_u);
    out.attribute("/theory/linear_density", "D", th.linear_D);
    out.write("/comparison/linear_chi2_dof", linear_chi2);
  }

  // Raw sums: what `vswap merge` adds up (exact integers / fixed point, order-free).
  out.write_int("/sums/density_count", sums.density_count, {T, B});
  out.write_int("/sums/density_count_sq", sums.density_count_sq, {T, B});
  out.write_int("/sums/velocity_count", sums.velocity_count, {T, K});
  out.write_int("/sums/velocity_count_sq", sums.velocity_count_sq, {T, K});
  out.write_int("/sums/energy", words(sums.energy), {T, 2});
  out.write_int("/sums/energy_sq", words(sums.energy_sq), {T, 2});
  out.write_int("/sums/swaps", sums.swaps, {T});
  out.write_int("/sums/rejected", sums.rejected, {T});
  out.write_int("/sums/rescattered", sums.rescattered, {T});
  out.write_int("/sums/saturated", sums.saturated, {T});
  std::vector<std::int64_t> steps(sums.steps.begin(), sums.steps.end());
  out.write_int("/sums/steps", steps, {T});
  out.attribute("/sums", "first", sums.first);
  out.attribute("/sums", "last", sums.last);
  out.attribute("/sums", "particles", sums.particles);
  out.attribute("/sums", "length", sums.length);
  out.attribute("/sums", "scheme", sums.scheme);
  out.commit();

  if (quiet) return;
  std::cout << fmt::format("\n{} realizations x {} particles, scheme {}, backend {} ({})\n",
                           sums.realizations(), sums.particles, sums.scheme, prov.backend,
                           prov.device);
  std::cout << fmt::format("{:>10}  {:>14}  {:>6}  {:>14}  {:>14}  {:>10}\n", "t",
                           "chi2/dof(rho)", "dof", th.homogeneous ? "" : "linear chi2/dof",
                           "chi2/dof(vel)", "energy z");
  for (u64 i = 0; i < T; ++i) {
    std::cout << fmt::format("{:>10.4g}  {:>14.3f}  {:>6}  {:>14}  {:>14.3f}  {:>10.2f}\n",
                             sums.times[i], chi2[i], dof[i],
                             th.homogeneous ? "" : fmt::format("{:.3f}", linear_chi2[i]),
                             velocity_chi2[i], energy_z[i]);
  }
  std::cout << fmt::format("wrote {}\n", path);
}

}  // namespace vswap::app
