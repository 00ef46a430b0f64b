#include "app/run_output.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <ctime>
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

/// ExactSum arrays as (n x 2) int64: high word, low word (bit pattern).
std::vector<std::int64_t> words(const std::vector<engine::ExactSum>& v) {
  std::vector<std::int64_t> out;
  for (const auto& s : v) {
    out.push_back(s.hi());
    out.push_back(static_cast<std::int64_t>(s.lo()));
  }
  return out;
}

/// (mc - theory) / stderr; NaN where the error is 0 or NaN (one realization): undefined.
double z_score(double mc, double err, double theory) {
  return err > 0 ? (mc - theory) / err : std::nan("");
}

}  // namespace

std::optional<MonteCarloTheory> theory_before_run(const Config& cfg, engine::Engine& engine) {
  engine::RunSetup layout;
  layout.config = cfg;
  layout.first_realization = layout.last_realization = 0;  // bins and times, no realization
  const auto sums = engine.run(layout, nullptr);
  auto th = monte_carlo_theory(cfg, sums, engine::summarize(sums));
  if (theory_needs_the_run(cfg)) return std::nullopt;  // computed again from the results
  return th;
}

void write_run_file(const std::string& path, const Config& cfg, const engine::RunSums& sums,
                    const RunProvenance& prov, bool quiet, const std::optional<MonteCarloTheory>& theory) {
  const auto summary = engine::summarize(sums);
  const auto th = theory ? *theory : monte_carlo_theory(cfg, sums, summary);
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
  out.attribute("/", "hostname", prov.hostname.empty() ? host_name() : prov.hostname);
  out.attribute("/", "start_time", prov.start_time.empty() ? utc_now() : prov.start_time);
  out.attribute("/", "command_line", prov.command_line);
  if (!prov.sources.empty()) out.attribute("/", "merged_from", prov.sources);
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
                std::string(th.homogeneous              ? "uniform density N/L"
                            : th.fixed_n_energy.empty() ? "Burgers equation (2)"
                                                        : "Burgers equation (2), with the fixed-N correction of its local states (40)"));
  out.write("/theory/velocity", th.velocity, {T, K});
  out.attribute("/theory/velocity", "model", th.velocity_note);
  if (!std::isnan(th.kinetic_xi)) out.attribute("/theory/coefficients", "kinetic_xi", th.kinetic_xi);
  out.write("/theory/energy", th.energy);
  if (!th.fixed_n_energy.empty()) {
    out.write("/theory/fixed_n/density", th.fixed_n_density, {T, B});
    out.write("/theory/fixed_n/velocity", th.fixed_n_velocity, {T, K});
    out.write("/theory/fixed_n/energy", th.fixed_n_energy);
    out.attribute("/theory/fixed_n", "meaning",
                  std::string("the fixed-N correction included in /theory/density, velocity and energy: a "
                              "`stationary` start's local states (40) held at exactly N fermions (docs/VALIDATION.md "
                              "section 11); subtract it for the grand-canonical prediction. /theory/linear_density "
                              "carries the same correction along its own profile"));
    out.attribute("/theory/fixed_n", "method", th.fixed_n_note);
  }
  out.write("/comparison/chi2_dof", chi2);
  out.write_int("/comparison/dof", dof, {T});
  out.write("/comparison/velocity_chi2_dof", velocity_chi2);
  out.write_int("/comparison/velocity_dof", velocity_dof, {T});
  out.write("/comparison/energy_z", energy_z);
  if (!th.homogeneous) {
    out.attribute("/theory/density", "error_estimate", th.burgers_error);
    out.attribute("/theory/density", "mass_drift", th.burgers_mass_drift);
    out.attribute("/theory/density", "knudsen", th.knudsen);
    out.attribute("/theory/density", "missing_skewness", th.missing_skewness);
    out.attribute("/theory/density", "missing_variance", th.missing_variance);
    out.attribute("/theory/density", "missing_shift", th.missing_shift);
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
  out.attribute("/sums", "energy_unit", sums.energy_unit);
  out.attribute("/sums", "scheme", sums.scheme);
  out.commit();

  // Warnings that the comparison does not hold: on stderr, also with -q.
  const std::string warning = fmt::format("vswap {}: warning: ", prov.command);
  // `exact` attempts on the step grid (geometric gaps of 1 - e^{-x} a step): for independent
  // particles the velocity's correlation sums to D (x/2) coth(x/2), x = gamma rho_bath dt.
  if (const double x = cfg.collisions.gamma * cfg.bath.density * cfg.numerics.dt;
      cfg.collisions.scheme == Scheme::exact && x > 0.3)
    std::cerr << warning << fmt::format(
        "gamma rho_bath dt = {:.3g}: `exact` resolves the collisions on the step grid; for independent"
        " particles that makes D larger by (x/2) coth(x/2) - 1 = {:.2g} (x = gamma rho_bath dt). Use a"
        " smaller dt for a comparison with (2)\n",
        x, 0.5 * x / std::tanh(0.5 * x) - 1);
  if (!th.homogeneous && th.knudsen >= 1)
    std::cerr << warning << fmt::format(
        "Knudsen number {:.3g} >= 1: a mean free path longer than the profile's width; (2) is a"
        " gradient expansion in it and is not expected to describe this run\n",
        th.knudsen);
  // Fermions block within a cell: the blocking sees the cell's mean density, (2) the local one.
  if (const double ell = cfg.system.length / static_cast<double>(cfg.numerics.cells);
      cfg.system.statistics == Statistics::fermi && cfg.system.profile == Profile::gaussian &&
      ell > 0.25 * cfg.system.width)
    std::cerr << warning << fmt::format(
        "fermions: cells of ell = L / M = {:.4g} against the profile's width {:.4g} (ell / width = {:.2g}):"
        " Pauli blocking acts on each cell's mean density, (2) on the local one; Fig. 5(d) quick at"
        " t = 100 gave chi^2/dof 1.2 / 2.3 / 7.6 / 30 at ell / width = 0.33 / 0.51 / 0.83 / 1.7"
        " (docs/VALIDATION.md section 8). Use more cells\n",
        ell, cfg.system.width, ell / cfg.system.width);
  // `paper` fermions: step 2(b) re-scatters the duplicates that streaming across the fixed
  // cells creates, a collision channel the theory does not have (docs/VALIDATION.md section 6)
  if (cfg.collisions.scheme == Scheme::paper && cfg.system.statistics == Statistics::fermi &&
      summary.swaps_mean.back() > 0)
    std::cerr << warning << fmt::format(
        "paper scheme: {:.4g} re-scatterings of duplicates (step 2(b)) per realization by t = {:.4g},"
        " {:.2g}% of the {:.4g} swaps: a collision channel that (39) and (2) do not have, so the run"
        " departs from them where it is not rare (17% in docs/VALIDATION.md section 6: velocity"
        " chi^2/dof 9.4, density 12); the `exact` scheme has none\n",
        summary.rescattered_mean.back(), sums.times.back(),
        100.0 * summary.rescattered_mean.back() / summary.swaps_mean.back(), summary.swaps_mean.back());

  if (quiet) return;
  std::cout << fmt::format("\n{} realizations x {} particles, scheme {}, backend {} ({})\n",
                           sums.realizations(), sums.particles, sums.scheme, prov.backend,
                           prov.device);
  std::cout << fmt::format("{:>10}  {:>14}  {:>6}  {:>14}  {:>14}  {:>10}\n", "t",
                           "chi2/dof(rho)", "dof", th.homogeneous ? "" : "linear chi2/dof",
                           "chi2/dof(vel)", "energy z");
  // (39) from the run's own first histogram: velocity chi^2 and energy z are 0 there by
  // construction, not a check
  const bool own_start = theory_needs_the_run(cfg);
  for (u64 i = 0; i < T; ++i) {
    const bool own = own_start && i == 0;
    std::cout << fmt::format("{:>10.4g}  {:>14.3f}  {:>6}  {:>14}  {:>14}  {:>10}\n",
                             sums.times[i], chi2[i], dof[i],
                             th.homogeneous ? "" : fmt::format("{:.3f}", linear_chi2[i]),
                             own ? "-" : fmt::format("{:.3f}", velocity_chi2[i]),
                             own ? "-" : fmt::format("{:.2f}", energy_z[i]));
  }
  if (cfg.system.statistics == Statistics::fermi && !th.homogeneous &&
      cfg.system.velocities != InitialVelocities::stationary && sums.times[0] == 0.0)
    std::cout << fmt::format(
        "velocities: a `{}` fermion start is not the local states (40) that the theory holds from t = 0"
        " (classes drawn from {}, redrawn where taken), so the t = 0 velocity chi^2 and energy z measure"
        " the start, not the theory; they relax within a few 1 / (gamma rho_bath) = {:.3g}\n",
        cfg.system.velocities == InitialVelocities::bath ? "bath" : "thermal",
        cfg.system.velocities == InitialVelocities::bath ? "the bath's law" : "the thermal law of system.temperature",
        1.0 / (cfg.collisions.gamma * th.bath.density));
  if (own_start)
    std::cout << fmt::format(
        "velocities: (39) starts from this run's own histogram at t = {:.4g} (the start is not a stationary"
        " state), so there is no velocity or energy check at that time\n",
        sums.times[0]);
  if (!std::isnan(th.kinetic_xi))
    std::cout << fmt::format(
        "fermions: xi = var_b / (2 pi gamma rho_bath) = {:.3g} (mean free path / cell wavelength);"
        " unless xi >> 1 the lattice Monte Carlo's D exceeds (99): by ~0.8%/xi on the baths of"
        " Fig. 5, by 3% at xi = 1.1 on another bath (an audit's)"
        " (docs/VALIDATION.md section 9)\n",
        th.kinetic_xi);
  if (!th.fixed_n_energy.empty()) {
    const double shift = th.fixed_n_energy.back(), se = summary.energy_stderr.back();
    std::cout << fmt::format(
        "fermions: the theory holds exactly N = {} fermions: the fixed-N correction of the local states"
        " (40) ({}), {:+.3g} in the energy per particle at t = {:.4g} ({:+.2g} of this run's standard"
        " errors), is included (/theory/fixed_n; docs/VALIDATION.md section 11)\n",
        sums.particles, th.fixed_n_note, shift, sums.times.back(), se > 0 ? shift / se : 0.0);
  }
  if (!th.homogeneous) {
    const double n_r = static_cast<double>(sums.particles) * static_cast<double>(sums.realizations());
    std::cout << fmt::format(
        "Knudsen number sqrt(D tau) / width = {:.3g}. For independent particles (fermions: the dilute"
        " limit) Burgers (2) leaves out, at t = {:.4g}: a profile variance smaller than its own by {:.2g} of"
        " it (the velocities' renewal lag), against this run's resolution sqrt(2 / (N R)) = {:.2g}; a shift of"
        " the mean by {:+.3g}; a skewness of {:+.2g}, against sqrt(6 / (N R)) = {:.2g}"
        " (docs/VALIDATION.md section 10){}\n",
        th.knudsen, sums.times.back(), th.missing_variance, std::sqrt(2.0 / n_r), th.missing_shift,
        th.missing_skewness, std::sqrt(6.0 / n_r),
        cfg.system.statistics == Statistics::fermi
            ? "; a degenerate gas's mean moves beyond that shift where u(rho) varies over the profile,"
              " not estimated (an audit: +1.09 +- 0.14 at Kn 0.097, u from 0.6 to 3.4; section 10(e))"
            : "");
  }
  std::cout << fmt::format("wrote {}\n", path);
}

namespace {

/// Reads the int64 dataset `name` of `f` (with `expect` elements when >= 0).
std::vector<std::int64_t> read_ints(hid_t f, const std::string& file, const std::string& name,
                                    std::int64_t expect) {
  const hid_t set = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  if (set < 0) throw InputError(file, "has no dataset " + name + " (not a vswap run file?)");
  const hid_t space = H5Dget_space(set);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<std::int64_t> data(n > 0 ? static_cast<std::size_t>(n) : 0);
  const bool ok = n >= 0 && (expect < 0 || n == expect) &&
                  (data.empty() || H5Dread(set, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                           data.data()) >= 0);
  H5Sclose(space);
  H5Dclose(set);
  if (!ok) throw InputError(file, "dataset " + name + " has the wrong size or type");
  return data;
}

template <typename T>
T read_scalar_attribute(hid_t f, const std::string& file, const std::string& object,
                        const std::string& name, hid_t mem_type) {
  T value{};
  const hid_t attr = H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0) throw InputError(file, "has no attribute " + name + " on " + object);
  const herr_t st = H5Aread(attr, mem_type, &value);
  H5Aclose(attr);
  if (st < 0) throw InputError(file, "attribute " + name + " on " + object + " has the wrong type");
  return value;
}

std::vector<engine::ExactSum> from_words(const std::vector<std::int64_t>& w) {
  std::vector<engine::ExactSum> out;
  for (std::size_t i = 0; i + 1 < w.size(); i += 2) {
    out.push_back(engine::ExactSum::from_words(w[i], static_cast<std::uint64_t>(w[i + 1])));
  }
  return out;
}

}  // namespace

engine::RunSums read_run_sums(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    throw InputError(path, "cannot open as HDF5 (missing, unreadable or not HDF5)");
  }
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw InputError(path, "cannot open as HDF5");
  struct Closer {
    hid_t f;
    ~Closer() { H5Fclose(f); }
  } closer{f};

  engine::RunSums s;
  s.first = read_scalar_attribute<std::int64_t>(f, path, "/sums", "first", H5T_NATIVE_INT64);
  s.last = read_scalar_attribute<std::int64_t>(f, path, "/sums", "last", H5T_NATIVE_INT64);
  s.particles = read_scalar_attribute<std::int64_t>(f, path, "/sums", "particles", H5T_NATIVE_INT64);
  s.length = read_scalar_attribute<double>(f, path, "/sums", "length", H5T_NATIVE_DOUBLE);
  s.energy_unit = read_scalar_attribute<double>(f, path, "/sums", "energy_unit", H5T_NATIVE_DOUBLE);
  if (!(s.energy_unit > 0) || !std::isfinite(s.energy_unit))
    throw InputError(path, "holds an energy_unit that is not a positive number");
  s.scheme = h5_read_attribute(path, "/sums", "scheme");
  s.times = h5_read(path, "/times");
  s.density_edges = h5_read(path, "/density/edges");
  s.velocity_edges = h5_read(path, "/velocity/edges");
  s.velocity_centres = h5_read(path, "/velocity/lambda");
  const auto T = static_cast<std::int64_t>(s.times.size());
  const auto B = static_cast<std::int64_t>(s.density_edges.size()) - 1;
  const auto K = static_cast<std::int64_t>(s.velocity_centres.size());
  if (T < 1 || B < 1 || s.first < 0 || s.last < s.first) {
    throw InputError(path, "holds an inconsistent run (times, bins or realization range)");
  }
  s.density_count = read_ints(f, path, "/sums/density_count", T * B);
  s.density_count_sq = read_ints(f, path, "/sums/density_count_sq", T * B);
  s.velocity_count = read_ints(f, path, "/sums/velocity_count", T * K);
  s.velocity_count_sq = read_ints(f, path, "/sums/velocity_count_sq", T * K);
  s.energy = from_words(read_ints(f, path, "/sums/energy", 2 * T));
  s.energy_sq = from_words(read_ints(f, path, "/sums/energy_sq", 2 * T));
  s.swaps = read_ints(f, path, "/sums/swaps", T);
  s.rejected = read_ints(f, path, "/sums/rejected", T);
  s.rescattered = read_ints(f, path, "/sums/rescattered", T);
  s.saturated = read_ints(f, path, "/sums/saturated", T);
  s.steps = read_ints(f, path, "/sums/steps", T);
  return s;
}

RunFileInfo read_run_info(const std::string& path) {
  RunFileInfo info;
  info.sums = read_run_sums(path);
  info.config = h5_read_attribute(path, "/", "config");
  info.config_path = h5_read_attribute(path, "/", "config_path");
  info.version = h5_read_attribute(path, "/", "version");
  info.git_commit = h5_read_attribute(path, "/", "git_commit");
  info.backend = h5_read_attribute(path, "/", "backend");
  info.device = h5_read_attribute(path, "/", "device");
  info.shard = h5_read_attribute(path, "/", "shard");
  if (h5_has_attribute(path, "/", "bath_table")) info.bath_table = h5_read_attribute(path, "/", "bath_table");
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw InputError(path, "cannot open as HDF5");
  try {
    info.ranks = read_scalar_attribute<std::int64_t>(f, path, "/", "ranks", H5T_NATIVE_INT64);
    info.threads = read_scalar_attribute<std::int64_t>(f, path, "/", "threads", H5T_NATIVE_INT64);
    info.wall_time_s = read_scalar_attribute<double>(f, path, "/", "wall_time_s", H5T_NATIVE_DOUBLE);
  } catch (...) {
    H5Fclose(f);
    throw;
  }
  H5Fclose(f);
  return info;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string joined_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) out += (i ? " " : "") + std::string(argv[i]);
  return out;
}

}  // namespace vswap::app
