#pragma once
/// @brief The hydrodynamic predictions a config implies, shared by `theory`, `burgers`, `run`.

#include <string>
#include <vector>

#include <Eigen/Dense>

#include <vswap/config.hpp>
#include <vswap/theory/bath_state.hpp>
#include <vswap/theory/burgers.hpp>
#include <vswap/theory/transport.hpp>

#include "app/h5_file.hpp"

namespace vswap::app {

/// The bath the transport theory of a config is evaluated on, the same for `vswap run`'s
/// comparison and `vswap burgers`: fermions on the run's velocity lattice (the classes of
/// dl = 2 pi M / L, weight dl each: what the Monte Carlo simulates; it differs from the
/// continuum where the bath is not wide against dl), classical particles on the bath's own
/// quadrature (the continuum, as `vswap theory`).
theory::DiscreteBath transport_bath(const theory::BathState& bath, const Config& cfg);

/// u, u', D on the config's [rho_min, rho_max] grid (theory.points densities). Fermions:
/// rho_max is lowered to 0.99 theory::pauli_limit(bath) when beyond it (InputError naming
/// theory.rho_min when nothing is left).
std::vector<theory::TransportCoefficients> coefficients(const theory::DiscreteBath& bath,
                                                        const Config& cfg, Statistics statistics);

/// Writes a coefficient table as an (P x 4) dataset with a `columns` attribute.
void write_coefficients(H5Writer& out, const std::string& name,
                        const std::vector<theory::TransportCoefficients>& table);

/// Writes /bath/lambda and /bath/rho_b on the bath's own quadrature.
void write_bath(H5Writer& out, const theory::DiscreteBath& bath);

/// Initial density as bin averages over `bins` equal bins of the ring.
Eigen::VectorXd initial_profile(const Config& cfg, int bins);

/// The highest density of the initial profile (the wrapped Gaussian at its centre, or N/L):
/// no cell average on any grid exceeds it.
double initial_peak_density(const Config& cfg);

/// Solves (2) from the configured profile, with coefficients tabulated on `bath` and
/// extended up to the profile's peak density if needed; output on numerics.bins bins.
theory::BurgersSolution burgers_prediction(const theory::DiscreteBath& bath, const Config& cfg,
                                           int cells = 0);

/// Writes the root attributes every output carries (config, version, commit, ...).
void write_provenance(H5Writer& out, const Config& cfg, const std::string& command);

/// Whether two paths name the same file, however spelled ("./out.h5", "d/../out.h5", a
/// symbolic link).
bool same_file(const std::string& a, const std::string& b);

/// The output file: -o if given, else `fallback`; InputError("-o") if it is the `config` file.
std::string output_path(const std::string& requested, const std::string& fallback,
                        const std::string& config);

}  // namespace vswap::app

namespace vswap::app {

/// The boosted linear diffusion equation: (2) with u, D frozen at their values at rho0.
theory::BurgersSolution linear_diffusion_prediction(const theory::DiscreteBath& bath,
                                                    const Config& cfg, double rho0, int cells);

/// The density a typical particle sees initially: int rho^2 dx / int rho dx (rho0 of the
/// linearised comparison).
double mass_weighted_density(const Config& cfg);

/// chi^2 per degree of freedom of each row (time) of `mean` +- `stderr` against `theory`
/// (row-major rows x cols). Bins with zero standard error carry no information and are
/// left out of the degrees of freedom, which are returned in `dof`; a row with none (one
/// realization: every standard error is NaN) gets NaN, not 0.
std::vector<double> chi2_per_dof(const std::vector<double>& mean, const std::vector<double>& err,
                                 const std::vector<double>& theory, std::size_t rows,
                                 std::size_t cols, std::vector<std::int64_t>& dof);

/// Row-major copy of an Eigen matrix.
std::vector<double> row_major(const Eigen::MatrixXd& m);

}  // namespace vswap::app
