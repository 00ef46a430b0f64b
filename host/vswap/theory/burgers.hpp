#pragma once
/// @brief The density-dependent Burgers equation (2) on the ring, in conservative form.
///
///   d_t rho + d_x J(rho) = d_x( D(rho) d_x rho ),   J(rho) = int_{rho_min}^rho u(s) ds,
///
/// which is (2) because J' = u. u(rho) and D(rho) come from the hydrodynamic theory as a
/// table (`TransportTable`); `solve_burgers` integrates (2) with conservative second-order
/// finite volumes and an embedded, error-controlled TR-BDF2 integrator (Hosea & Shampine
/// 1996). docs/VALIDATION_burgers.md describes the scheme and its validation against the
/// Cole-Hopf solution of viscous Burgers (3).

#include <Eigen/Core>
#include <vector>

namespace vswap::theory {

/// @brief u(rho) and D(rho) tabulated on increasing densities and interpolated by C2 cubic
/// splines with not-a-knot end conditions (exact for cubic polynomials; 2 points: linear,
/// 3 points: the parabola). D is splined as D or as log D (exact for exp(cubic)), whichever
/// has the smaller estimated relative error, and as log D whenever the spline of D would not
/// stay positive: D(rho) > 0 always, also for fermion tables spanning tens of decades towards
/// the Pauli limit. The advective flux J(rho) = int u (the J of (2)) integrates the
/// u-spline exactly and is measured from rho_min (a constant shift of J leaves (2) unchanged).
/// Evaluating at a density outside [rho_min, rho_max] throws `std::invalid_argument` naming
/// the density and the table range: the caller must extend rho_max.
class TransportTable {
 public:
  /// rho strictly increasing (at least 2 points), u and D of the same length, D > 0.
  TransportTable(std::vector<double> rho, std::vector<double> u, std::vector<double> D);

  double u(double rho) const;     ///< advective coefficient u(rho) of (2)
  double D(double rho) const;     ///< diffusion coefficient D(rho) of (2), > 0
  double flux(double rho) const;  ///< J(rho) = int_{rho_min}^rho u(s) ds

  /// J(rho) and u(rho) = J'(rho) from one table lookup (the solver's inner loop).
  struct FluxVelocity {
    double flux, velocity;
  };
  FluxVelocity flux_velocity(double rho) const;

  double rho_min() const { return rho_.front(); }
  double rho_max() const { return rho_.back(); }

 private:
  std::size_t interval(double rho) const;  // throws outside the table
  std::vector<double> rho_, u_, D_;
  std::vector<double> u2_, D2_;  // spline second derivatives at the knots
  bool log_D_ = false;           // D_, D2_ hold log D and its spline: D = exp(spline)
  std::vector<double> J_;        // J at the knots
  bool uniform_ = false;         // equally spaced knots: O(1) interval lookup
  double inverse_spacing_ = 0.0;
};

struct BurgersOptions {
  /// Solver cells, a multiple of `bins`. 0: `choose_burgers_cells` picks it from the problem.
  int cells = 0;
  /// Local error tolerances of the time integrator (density units, per step).
  double rtol = 1e-6, atol = 1e-10;
  /// Also solve on cells/2 and add the Richardson estimate of the spatial error to
  /// `error_estimate` (needs cells/2 to be a multiple of bins; costs about a third more).
  bool estimate_spatial_error = true;
};

struct BurgersSolution {
  std::vector<double> times;  ///< the requested output times, hit exactly
  Eigen::MatrixXd density;    ///< times x bins: bin averages, particles per unit length
  Eigen::MatrixXd cell_density;  ///< times x cells: the solver's own cell averages
  Eigen::VectorXd x;          ///< bin centres
  /// max over accepted steps of |mass(t) - mass(0)| / mass(0); round-off by construction.
  double mass_drift = 0.0;
  /// Max-norm error estimate of `density` (particles per unit length): the sum of the
  /// embedded local error estimates of the accepted steps (time discretisation) plus, with
  /// `estimate_spatial_error`, the Richardson estimate max|rho_N - rho_{N/2}| / 3 (space).
  double error_estimate = 0.0;
  double temporal_error_estimate = 0.0;  ///< the time part of `error_estimate`
  double spatial_error_estimate = 0.0;   ///< the space part (0 when not estimated)
  int cells = 0;                         ///< solver cells used
  long steps = 0, rejected_steps = 0;    ///< accepted / rejected time steps (main grid)
};

/// @brief Cell averages over `bins` equal bins of [0, L) of a Gaussian holding `particles`
/// particles, standard deviation `width`, centred at L/2 and wrapped on the ring (sum over
/// images, integrated exactly with erf). They sum to particles / (L / bins).
Eigen::VectorXd gaussian_bin_averages(double particles, double length, double width, int bins);

/// @brief Solver cells for (2): the smallest N that is a multiple of 2*bins (so the half grid
/// of the spatial error estimate also holds whole bins) and a multiple or divisor of M =
/// initial.size(), whose cell dx = L/N resolves (a) the steepest initial gradient,
/// dx <= (max rho - min rho) / (64 max |d_x rho|) (sigma/40 for a Gaussian), and (b) the
/// viscous front, ~tanh(Delta u x / (4 D)) for a jump Delta u of u: dx <= D_min / (u_max -
/// u_min) over the initial density range (the solution stays in that range), four cells per
/// 4 D / Delta u. Throws if no N <= 2^20 qualifies.
int choose_burgers_cells(const TransportTable& table, double length,
                         const Eigen::VectorXd& initial_cell_averages, int bins);

/// @brief Solves (2) on the ring [0, length) from `initial_cell_averages` (equal cells) and
/// returns bin averages at `times` (non-decreasing, >= 0; t = 0 is the initial state).
///
/// The initial data may be given on any count M with the solver's cells N a multiple of M
/// (sub-cells filled from a conservative, MC-limited linear reconstruction: second order) or
/// N a divisor of M (cells averaged: exact). For the best accuracy give it on N cells
/// (`choose_burgers_cells` tells N in advance). `bins` must divide N.
/// Throws `std::invalid_argument` if the density leaves the table (naming it).
BurgersSolution solve_burgers(const TransportTable& table, double length,
                              const Eigen::VectorXd& initial_cell_averages,
                              const std::vector<double>& times, int bins,
                              const BurgersOptions& options = {});

}  // namespace vswap::theory
