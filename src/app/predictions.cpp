#include "app/predictions.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include <vswap/error.hpp>
#include <vswap/theory/stationary.hpp>
#include <vswap/version.hpp>

#include "engine/plan.hpp"

namespace vswap::app {

theory::DiscreteBath transport_bath(const theory::BathState& bath, const Config& cfg) {
  if (cfg.system.statistics != Statistics::fermi) return theory::discretise(bath);
  const Lattice g = engine::lattice_of(cfg, bath.support());
  theory::VelocityGrid grid;
  grid.lambda.resize(g.classes);
  for (std::int32_t k = 0; k < g.classes; ++k) grid.lambda(k) = class_velocity(g, k);
  grid.weight = Eigen::VectorXd::Constant(g.classes, g.dl);
  engine::lattice_class_probabilities(g, bath);  // refuses a lattice without weight, as the run
  return theory::discretise(bath, grid);
}

std::vector<theory::TransportCoefficients> coefficients(const theory::DiscreteBath& bath,
                                                        const Config& cfg, Statistics statistics) {
  double top = cfg.theory.rho_max;
  if (statistics == Statistics::fermi) top = std::min(top, 0.99 * theory::pauli_limit(bath));
  if (!(top > cfg.theory.rho_min))
    throw InputError("theory.rho_min", fmt::format("must lie below the fermion Pauli limit {:.6g} of this bath's "
                                                   "velocity grid (got {})", theory::pauli_limit(bath), cfg.theory.rho_min));
  return theory::coefficient_table(bath, statistics, cfg.theory.rho_min, top,
                                   static_cast<int>(cfg.theory.points), cfg.collisions.gamma);
}

void write_coefficients(H5Writer& out, const std::string& name,
                        const std::vector<theory::TransportCoefficients>& table) {
  std::vector<double> data;
  data.reserve(table.size() * 4);
  for (const auto& c : table) {
    data.insert(data.end(), {c.rho, c.u, c.du_drho, c.D});
  }
  out.write(name, data, {table.size(), 4});
  out.attribute(name, "columns", std::string("rho,u,du_drho,D"));
}

void write_bath(H5Writer& out, const theory::DiscreteBath& bath) {
  const auto& l = bath.grid.lambda;
  out.write("/bath/lambda", std::vector<double>(l.data(), l.data() + l.size()));
  out.write("/bath/rho_b", std::vector<double>(bath.rho_b.data(), bath.rho_b.data() + l.size()));
  out.attribute("/bath", "density", bath.density);
}

Eigen::VectorXd initial_profile(const Config& cfg, int bins) {
  const auto& s = cfg.system;
  if (s.profile == Profile::uniform) {
    return Eigen::VectorXd::Constant(bins, static_cast<double>(s.particles) / s.length);
  }
  return theory::gaussian_bin_averages(static_cast<double>(s.particles), s.length, s.width, bins);
}

double initial_peak_density(const Config& cfg) {
  const auto& s = cfg.system;
  const double n = static_cast<double>(s.particles);
  if (s.profile == Profile::uniform) return n / s.length;
  // the wrapped Gaussian at its centre: no cell average of any grid exceeds it
  double f = 0;
  const int images = static_cast<int>(std::ceil(10.0 * s.width / s.length)) + 1;
  for (int m = -images; m <= images; ++m) {
    const double z = m * s.length / s.width;
    f += std::exp(-0.5 * z * z);
  }
  return n / (std::sqrt(2.0 * M_PI) * s.width) * f;
}

theory::BurgersSolution burgers_prediction(const theory::DiscreteBath& bath, const Config& cfg,
                                           int cells) {
  const auto& s = cfg.system;
  const int bins = static_cast<int>(cfg.numerics.bins);
  constexpr int kMaxCells = 1 << 20;  // choose_burgers_cells' largest grid
  if (cells <= 0 && 2 * static_cast<long long>(bins) > kMaxCells)
    throw InputError("numerics.bins", fmt::format("the Burgers prediction (2) solves on a multiple of 2 x bins "
                                                  "cells, at most 2^20: at most {} bins (got {})",
                                                  kMaxCells / 2, bins));
  // Tabulate u, D from 0 up to the initial peak with margin (the profile's maximum never
  // grows under (2)), and no further: the knots lie where the profile lives (for fermions D
  // grows by decades towards the Pauli limit). The peak of the continuous profile: the
  // solver's cells are finer than any bins (a peak taken from 4 x bins cell averages fell
  // below the solver's own and the solution left the table).
  const double peak = initial_peak_density(cfg);
  double top = 1.05 * peak;
  if (s.statistics == Statistics::fermi) {
    const double limit = theory::pauli_limit(bath);
    if (!theory::below_pauli_limit(bath, peak))
      throw InputError(s.profile == Profile::gaussian ? "system.width" : "system.particles",
                       fmt::format("the initial profile's peak density {:.6g} reaches the fermions' Pauli limit "
                                   "{:.6g} of this bath's velocity states: (40) cannot hold it",
                                   peak, limit));
    top = std::min(top, 0.5 * (peak + limit));
  }
  // The solver's own table, whatever the output table's size: with theory.points = 2 the
  // prediction was off by 9% of the peak at t = 400 while its error estimate said 0.35%.
  constexpr std::int64_t kBurgersKnots = 200;
  Config table_cfg = cfg;
  table_cfg.theory.rho_min = 0.0;
  table_cfg.theory.rho_max = top;
  table_cfg.theory.points = std::max(cfg.theory.points, kBurgersKnots);
  const auto table = coefficients(bath, table_cfg, s.statistics);
  std::vector<double> rho, u, D;
  for (const auto& c : table) {
    rho.push_back(c.rho);
    u.push_back(c.u);
    D.push_back(c.D);
    // only a fermion lattice whose bath lies on one class has no diffusion (as the run refuses)
    if (!(c.D > 0) && s.statistics == Statistics::fermi)
      throw InputError("numerics.cells", fmt::format(
          "D({:.4g}) = {} on this bath's velocity states: the bath lies on a single class of the fermion "
          "velocity lattice (dl = 2 pi cells / length = {:.4g}), and the Burgers equation (2) has no "
          "diffusion. Use fewer cells (longer cells: a finer velocity lattice) or a wider bath",
          c.rho, c.D, 2 * M_PI * static_cast<double>(cfg.numerics.cells) / s.length));
  }
  const theory::TransportTable transport(rho, u, D);
  // The solver grid: given, or chosen by the solver to resolve the profile and its fronts;
  // the initial data are exact cell averages on that grid.
  theory::BurgersOptions options;
  if (cells > 0) {
    options.cells = cells;
  } else {
    try {
      options.cells = theory::choose_burgers_cells(transport, s.length, initial_profile(cfg, 4 * bins), bins);
    } catch (const std::invalid_argument& e) {
      // D ~ 1 / gamma: the viscous fronts, of width D / (jump of u), or the initial gradient
      // need finer cells than 2^20 on this ring (other errors are not this one's)
      if (std::string(e.what()).rfind("choose_burgers_cells: no grid", 0) != 0) throw;
      throw InputError("collisions.gamma",
                       fmt::format("the Burgers prediction (2) cannot be resolved: {} (its fronts are "
                                   "D / (jump of u) = {:.3g} wide, the ring {} long)",
                                   e.what(), transport.D(peak) / std::max(1e-300, std::abs(transport.u(peak) - transport.u(0.0))),
                                   s.length));
    }
  }
  return theory::solve_burgers(transport, s.length, initial_profile(cfg, options.cells),
                               cfg.numerics.times, bins, options);
}

void write_provenance(H5Writer& out, const Config& cfg, const std::string& command) {
  out.attribute("/", "config", cfg.toml_text);
  out.attribute("/", "config_path", cfg.source_path);
  if (cfg.bath.table_text && !cfg.bath.table_text->empty()) out.attribute("/", "bath_table", *cfg.bath.table_text);
  out.attribute("/", "command", command);
  out.attribute("/", "version", std::string(vswap::version));
  out.attribute("/", "git_commit", std::string(vswap::git_commit));
  out.attribute("/", "seed", static_cast<std::int64_t>(cfg.numerics.seed));
  out.attribute("/", "statistics", std::string(to_string(cfg.system.statistics)));
}

/// Whether two paths name the same file, however spelled ("./out.h5", "d/../out.h5", a
/// symbolic link): the checkpoint must never be the output, or removing the checkpoint
/// after the output is written would delete the output.
bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec)) return true;
  const auto ca = fs::weakly_canonical(fs::absolute(a), ec);
  if (ec) return fs::absolute(a).lexically_normal() == fs::absolute(b).lexically_normal();
  const auto cb = fs::weakly_canonical(fs::absolute(b), ec);
  if (ec) return fs::absolute(a).lexically_normal() == fs::absolute(b).lexically_normal();
  return ca == cb;
}

std::string output_path(const std::string& requested, const std::string& fallback,
                        const std::string& config) {
  const std::string path = requested.empty() ? fallback : requested;
  if (!config.empty() && same_file(path, config))
    throw InputError("-o", fmt::format("{} is the config file: the output would overwrite it", path));
  return path;
}

std::vector<double> parse_number_list(const std::string& text, const std::string& what) {
  std::vector<double> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || !std::isfinite(v)) {
      throw InputError(what, fmt::format("\"{}\" is not a number", item));
    }
    out.push_back(v);
    start = end + 1;
  }
  return out;
}

}  // namespace vswap::app

namespace vswap::app {

double mass_weighted_density(const Config& cfg) {
  const Eigen::VectorXd rho = initial_profile(cfg, 4096);
  return rho.squaredNorm() / rho.sum();
}

theory::BurgersSolution linear_diffusion_prediction(const theory::DiscreteBath& bath,
                                                    const Config& cfg, double rho0, int cells) {
  const auto c =
      theory::transport_coefficients(bath, cfg.system.statistics, rho0, cfg.collisions.gamma);
  const Eigen::VectorXd initial = initial_profile(cfg, cells);
  const double top = 2.0 * initial.maxCoeff() + 1.0;
  const theory::TransportTable frozen({0.0, 0.5 * top, top}, {c.u, c.u, c.u}, {c.D, c.D, c.D});
  theory::BurgersOptions options;
  options.cells = cells;
  return theory::solve_burgers(frozen, cfg.system.length, initial, cfg.numerics.times,
                               static_cast<int>(cfg.numerics.bins), options);
}

std::vector<double> chi2_per_dof(const std::vector<double>& mean, const std::vector<double>& err,
                                 const std::vector<double>& theory, std::size_t rows,
                                 std::size_t cols, std::vector<std::int64_t>& dof) {
  std::vector<double> out(rows, 0.0);
  dof.assign(rows, 0);
  for (std::size_t i = 0; i < rows; ++i) {
    double sum = 0;
    for (std::size_t j = 0; j < cols; ++j) {
      const std::size_t k = i * cols + j;
      if (!(err[k] > 0)) continue;
      const double z = (mean[k] - theory[k]) / err[k];
      sum += z * z;
      ++dof[i];
    }
    out[i] = dof[i] > 0 ? sum / static_cast<double>(dof[i]) : std::nan("");  // undefined, not 0
  }
  return out;
}

std::vector<double> row_major(const Eigen::MatrixXd& m) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m;
  return std::vector<double>(r.data(), r.data() + r.size());
}

}  // namespace vswap::app
