// `vswap theory`: u(rho), u'(rho), D(rho) and the stationary states for the configured bath.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include <vswap/error.hpp>
#include <vswap/theory/stationary.hpp>

#include "app/commands.hpp"
#include "app/config_io.hpp"
#include "app/predictions.hpp"

namespace vswap::app {
namespace {

std::vector<theory::TransportCoefficients> at_densities(const theory::DiscreteBath& bath,
                                                        Statistics statistics, double gamma,
                                                        const std::vector<double>& rho) {
  std::vector<theory::TransportCoefficients> out;
  for (double r : rho) out.push_back(theory::transport_coefficients(bath, statistics, r, gamma));
  return out;
}

}  // namespace

int theory_command(const TheoryArgs& args) {
  const Config cfg = load_config(args.common.config, args.common.overrides);
  const auto bath_state = theory::BathState::from_config(cfg.bath);
  const Statistics stats = cfg.system.statistics;
  if (args.lattice && stats != Statistics::fermi)
    throw InputError("--lattice", "is for fermions (system.statistics = \"fermi\"): classical runs "
                                  "are compared with the bath's continuum, the default");
  // --lattice: the run's classes, for both tables and the stationary states
  const auto bath = args.lattice ? transport_bath(bath_state, cfg) : theory::discretise(bath_state);
  const double gamma = cfg.collisions.gamma;

  std::vector<double> densities;
  if (args.rho_list) {
    densities = parse_number_list(*args.rho_list, "--rho");
    if (densities.empty()) throw InputError("--rho", "no densities given");
    for (double r : densities) {
      if (r < 0) throw InputError("--rho", fmt::format("densities must be >= 0, got {}", r));
    }
  }
  // Fermions: the velocity range of the quadrature holds at most sum(w) / 2 pi particles
  // per unit length (n <= 1); the config's own statistics must stay below it, the other
  // statistics' table (written for comparison) is cut there.
  const double limit = theory::pauli_limit(bath);
  const double top = densities.empty() ? cfg.theory.rho_max
                                       : *std::max_element(densities.begin(), densities.end());
  // theory.rho_max (default 4) beyond the limit: the table stops at 0.99 of it, as `vswap run`'s
  // does; densities asked for by --rho, or a range that starts beyond it, are refused
  const bool cut_range = densities.empty() && cfg.theory.rho_min < 0.99 * limit;
  if (stats == Statistics::fermi && !theory::below_pauli_limit(bath, top) && cut_range) {
    std::cerr << fmt::format("vswap theory: warning: theory.rho_max = {} is at or beyond the fermions' Pauli limit "
                             "{:.6g} of this bath's velocity states: the table stops at 0.99 of it ({:.6g}), as "
                             "`vswap run`'s does\n",
                             top, limit, 0.99 * limit);
  } else if (stats == Statistics::fermi && !theory::below_pauli_limit(bath, top)) {
    throw InputError(densities.empty() ? "theory.rho_max" : "--rho",
                     fmt::format("fermion density {} is at or beyond the Pauli limit {:.6g} of this "
                                 "bath's velocity states (n = 1 on every state of weight above 1e-17 of the bath's peak){}",
                                 top, limit,
                                 bath_state.is_table() || args.lattice
                                     ? ""
                                     : "; Gaussian tails have no limit in principle: the quadrature stops at 1e-17 "
                                       "of the peak, where D is astronomically large (a thermal bath of T = 2: "
                                       "5.5e16 at 0.99 of the limit), and within ~5% of it D is low by up to ~1%"));
  }
  auto table_for = [&](Statistics s) {
    // the other statistics' table: cut (coefficients), or empty when all of the range lies
    // beyond the fermions' limit
    if (s == Statistics::fermi && !theory::below_pauli_limit(bath, top)) {
      std::vector<double> kept;
      for (double r : densities) {
        if (r < 0.99 * limit) kept.push_back(r);
      }
      if (densities.empty() && !(cfg.theory.rho_min < 0.99 * limit)) return std::vector<theory::TransportCoefficients>{};
      return densities.empty() ? coefficients(bath, cfg, s) : at_densities(bath, s, gamma, kept);
    }
    return densities.empty() ? coefficients(bath, cfg, s) : at_densities(bath, s, gamma, densities);
  };

  if (args.csv) {
    std::string text = "rho,u,du_drho,D\n";
    for (const auto& c : table_for(stats)) {
      text += fmt::format("{},{},{},{}\n", c.rho, c.u, c.du_drho, c.D);
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }

  const auto table = table_for(stats);
  H5Writer out(output_path(args.common.output, "theory.h5", args.common.config));
  write_provenance(out, cfg, "theory");
  write_bath(out, bath);
  write_coefficients(out, "/theory/coefficients", table);
  out.attribute("/theory/coefficients", "statistics", std::string(to_string(stats)));
  out.attribute("/theory", "gamma", gamma);
  out.attribute("/theory", "velocities", std::string(args.lattice ? "lattice" : "continuum"));
  for (Statistics s : {Statistics::classical, Statistics::fermi}) {
    write_coefficients(out, fmt::format("/theory/{}/coefficients", to_string(s)),
                       s == stats ? table : table_for(s));
  }
  // Stationary states (20)/(40) at the table's densities, on the bath quadrature (--lattice: the classes).
  std::vector<double> rho, A, rho_p;
  for (const auto& c : table) {
    const auto st = theory::stationary_state(bath, stats, c.rho);
    rho.push_back(c.rho);
    A.push_back(st.A);
    rho_p.insert(rho_p.end(), st.rho_p.data(), st.rho_p.data() + st.rho_p.size());
  }
  const auto& l = bath.grid.lambda;
  out.write("/theory/stationary/density", rho);
  out.write("/theory/stationary/A", A);
  out.write("/theory/stationary/lambda", std::vector<double>(l.data(), l.data() + l.size()));
  out.write("/theory/stationary/rho_p", rho_p, {rho.size(), static_cast<std::uint64_t>(l.size())});
  out.commit();
  std::cout << fmt::format("vswap theory: {} densities, {} statistics -> {}\n", table.size(),
                           to_string(stats), out.path());
  return 0;
}

}  // namespace vswap::app
