// The Burgers equation (2) on the ring: conservative MUSCL finite volumes (van Albada slopes,
// local Lax-Friedrichs advective flux, central diffusive flux) in space, and the embedded
// TR-BDF2 pair of Hosea & Shampine (Appl. Numer. Math. 20, 21 (1996)) in time.
#include <Eigen/Sparse>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <vswap/error.hpp>
#include <vswap/theory/burgers.hpp>

namespace vswap::theory {
namespace {

using Eigen::Index;
using Eigen::VectorXd;
using SparseMatrix = Eigen::SparseMatrix<double>;

// Semi-discrete (2): d_t rho_i = f_i = -(F_{i+1/2} - F_{i-1/2}) / dx, with face flux
//   F = [J(rho_L) + J(rho_R)]/2 - alpha/2 (rho_R - rho_L) - D(rho_face) (rho_{i+1} - rho_i)/dx,
// alpha = max(|u(rho_L)|, |u(rho_R)|) (local Lax-Friedrichs; J' = u, so this is the local
// characteristic speed of (2)), rho_L/R the MUSCL face values and rho_face the mean of the two
// neighbours. Each face flux enters two cells with opposite signs: sum_i f_i = 0 (mass).
// Between two output times (2) is solved in a comoving frame (u -> u - w, see set_frame).
class FiniteVolumes {
 public:
  FiniteVolumes(const TransportTable& table, int cells, double length, double rho_scale)
      : table_(table), n_(cells), dx_(length / cells), slope_(cells), face_(cells) {
    // van Albada's slope regularisation; it only matters where both one-sided differences are
    // below ~1e-8 of the density scale, i.e. in flat regions.
    eps_ = std::pow(1e-8 * std::max(rho_scale, std::numeric_limits<double>::min()), 2);
    const double slack = 1e-10 * (table.rho_max() - table.rho_min());
    lo_ = table.rho_min() - slack;
    hi_ = table.rho_max() + slack;
  }

  Index size() const { return n_; }
  double dx() const { return dx_; }

  // Solves (2) in the frame moving at velocity w: d_t rho + d_x (J - w rho) = d_x (D d_x rho),
  // i.e. u -> u - w (D is Galilean invariant, the bath's u is boosted by w; see
  // TheoryTransport.GalileanBoost...). Lab cell j + m holds frame cell j after a time with
  // w t = m dx.
  void set_frame(double w) { frame_ = w; }
  double frame() const { return frame_; }

  // Index of the first cell outside the table (up to round-off slack), or -1.
  Index outside_table(const VectorXd& rho) const {
    for (Index i = 0; i < n_; ++i)
      if (!(rho(i) >= lo_ && rho(i) <= hi_)) return i;
    return -1;
  }

  void rhs(const VectorXd& rho, VectorXd& f) {
    const double rmin = table_.rho_min(), rmax = table_.rho_max();
    auto clamp = [&](double r) { return std::min(std::max(r, rmin), rmax); };
    for (Index i = 0; i < n_; ++i) {
      const double a = rho(i) - rho(prev(i)), b = rho(next(i)) - rho(i);
      slope_(i) = (a + b) * (a * b + eps_) / (a * a + b * b + 2.0 * eps_);  // van Albada
    }
    for (Index i = 0; i < n_; ++i) {
      const Index j = next(i);
      const double left = clamp(rho(i) + 0.5 * slope_(i));
      const double right = clamp(rho(j) - 0.5 * slope_(j));
      const auto fl = table_.flux_velocity(left), fr = table_.flux_velocity(right);
      const double alpha = std::max(std::abs(fl.velocity - frame_), std::abs(fr.velocity - frame_));
      const double advective =
          0.5 * (fl.flux + fr.flux - frame_ * (left + right)) - 0.5 * alpha * (right - left);
      const double diffusive = table_.D(clamp(0.5 * (rho(i) + rho(j)))) * (rho(j) - rho(i)) / dx_;
      face_(i) = advective - diffusive;  // F_{i+1/2}
    }
    f.resize(n_);
    for (Index i = 0; i < n_; ++i) f(i) = -(face_(i) - face_(prev(i))) / dx_;
  }

  // Jacobian df/drho by coloured finite differences: f_i depends on rho_{i-2..i+2}, so columns
  // at least 5 apart (cyclically) share one evaluation. Each column's diagonal entry is then
  // set to minus the sum of the others, so that column sums vanish exactly as they do for the
  // exact Jacobian (sum_i f_i = 0); the Newton updates then conserve mass to round-off.
  SparseMatrix jacobian(const VectorXd& rho, const VectorXd& f0) {
    int colours = 5;
    while (n_ % colours != 0 && n_ % colours < 5) ++colours;
    const double scale = rho.cwiseAbs().maxCoeff();
    std::vector<Eigen::Triplet<double>> triplets;
    triplets.reserve(static_cast<std::size_t>(5 * n_));
    VectorXd perturbed = rho, fp(n_), step(n_);
    for (int c = 0; c < colours; ++c) {
      for (Index j = c; j < n_; j += colours) {
        const double h = 1.5e-8 * std::max({std::abs(rho(j)), 1e-3 * scale, 1e-300});
        perturbed(j) = rho(j) + h;
        step(j) = perturbed(j) - rho(j);  // the representable step
      }
      rhs(perturbed, fp);
      for (Index j = c; j < n_; j += colours) {
        double off_diagonal = 0.0;
        for (Index k = -2; k <= 2; ++k) {
          if (k == 0) continue;
          const Index row = (j + k + n_) % n_;
          const double value = (fp(row) - f0(row)) / step(j);
          triplets.emplace_back(row, j, value);
          off_diagonal += value;
        }
        triplets.emplace_back(j, j, -off_diagonal);
        perturbed(j) = rho(j);
      }
    }
    SparseMatrix jac(n_, n_);
    jac.setFromTriplets(triplets.begin(), triplets.end());
    return jac;
  }

 private:
  Index prev(Index i) const { return i == 0 ? n_ - 1 : i - 1; }
  Index next(Index i) const { return i + 1 == n_ ? 0 : i + 1; }

  const TransportTable& table_;
  Index n_;
  double dx_, eps_ = 0.0, lo_ = 0.0, hi_ = 0.0;
  double frame_ = 0.0;  // the frame's velocity w in the lab
  VectorXd slope_, face_;
};

// Hosea-Shampine TR-BDF2: gamma = 2 - sqrt 2, d = gamma/2, w = sqrt2/4.
//   stage 2 (trapezoid to t + gamma h):  Z2 = y + h d (f1 + f(Z2))
//   stage 3 (BDF2 to t + h):            Z3 = y + h (w f1 + w f2 + d f(Z3)),  y_new = Z3
// The embedded weights (1-w)/3, (3w+1)/3, d/3 give the error e = h sum (b_i - bhat_i) f_i,
// filtered by (I - h d J)^{-1} as in the paper (no overestimate on stiff diffusion modes).
constexpr double kGamma = 2.0 - 1.4142135623730951;
constexpr double kD = kGamma / 2.0;
constexpr double kW = 1.4142135623730951 / 4.0;
constexpr double kE1 = (4.0 * kW - 1.0) / 3.0, kE2 = -1.0 / 3.0, kE3 = 2.0 * kD / 3.0;

struct StepResult {
  bool newton_ok = false;
  double error_norm = 0.0;    // weighted rms of the filtered local error, accept if <= 1
  double error_max = 0.0;     // its max norm in density units
  Index outside = -1;         // a cell that left the table during Newton, or -1
  double outside_value = 0.0; // its density there
  int newton_iterations = 0;  // the most any stage needed
};

class TrBdf2 {
 public:
  TrBdf2(FiniteVolumes& space, const BurgersOptions& opt) : space_(space), opt_(opt) {}

  // The Jacobian at the start of the step; reused for both stages and for retries.
  void set_jacobian(const VectorXd& y, const VectorXd& f1) {
    jac_ = space_.jacobian(y, f1);
    factored_h_ = -1.0;
    rate_ = 0.5;
  }

  StepResult step(const VectorXd& y, const VectorXd& f1, double h, VectorXd& y_new) {
    StepResult result;
    factor(h);
    weights_ = (opt_.atol + opt_.rtol * y.cwiseAbs().array()).inverse().matrix();
    // Stage 2, predicted by explicit Euler.
    VectorXd z2 = y + kGamma * h * f1;
    const VectorXd c2 = y + h * kD * f1;
    if (!newton(c2, h, z2, result)) return result;
    const VectorXd f2 = (z2 - y) / (h * kD) - f1;  // f(Z2) from the stage equation
    // Stage 3, predicted by integrating the line through f1 and f2.
    const VectorXd c3 = y + h * kW * (f1 + f2);
    VectorXd z3 = y + h * (f1 + (f2 - f1) / (2.0 * kGamma));
    if (!newton(c3, h, z3, result)) return result;
    const VectorXd f3 = (z3 - c3) / (h * kD);
    const VectorXd error = lu_.solve(h * (kE1 * f1 + kE2 * f2 + kE3 * f3));
    weights_ =
        (opt_.atol + opt_.rtol * y.cwiseAbs().cwiseMax(z3.cwiseAbs()).array()).inverse().matrix();
    result.error_norm = rms(error);
    result.error_max = error.cwiseAbs().maxCoeff();
    result.newton_ok = true;
    y_new = std::move(z3);
    return result;
  }

 private:
  // The Newton matrix I - h d J is kept while h stays within 20% of the factored one: Newton
  // still converges, and its unit column sums (what keeps the mass exact) hold for any h.
  void factor(double h) {
    if (factored_h_ > 0.0 && std::abs(h / factored_h_ - 1.0) < 0.2) return;
    SparseMatrix m = -h * kD * jac_;
    for (Index i = 0; i < m.rows(); ++i) m.coeffRef(i, i) += 1.0;
    if (!analysed_) {
      lu_.analyzePattern(m);
      analysed_ = true;
    }
    lu_.factorize(m);
    VSWAP_EXPECTS(lu_.info() == Eigen::Success, "Burgers: singular Newton matrix");
    factored_h_ = h;
  }

  double rms(const VectorXd& v) const {
    return std::sqrt(v.cwiseProduct(weights_).squaredNorm() / static_cast<double>(v.size()));
  }

  // Simplified Newton for z = c + h d f(z). Every update keeps sum(z) = sum(c) to round-off
  // because the Newton matrix has unit column sums (see FiniteVolumes::jacobian). Stopping
  // rule of Hairer & Wanner (IV.8): with contraction rate eta, stop when
  // eta / (1 - eta) |delta| <= kappa, |.| in units of the local error tolerance. The error
  // estimate sees at most kappa of Newton error. Before a second iterate exists eta is the
  // last solve's rate, but at least |1 - h / h_f| when the matrix was factored for another
  // h_f: that is the contraction of the stiffest modes (h d lambda -> -infinity), which the
  // last rate, measured with a matching matrix, does not see. Without that bound the first
  // iterate was accepted with an error in the grid-scale diffusion mode, which then did not
  // decay (TR-BDF2 is L-stable only with its stages solved): at D ~ 1e6 the error control
  // held h at ~1e-5 for ever (93 258 steps to t = 1 at gamma 1e-7; 5e-8 did not finish).
  bool newton(const VectorXd& c, double h, VectorXd& z, StepResult& result) {
    constexpr double kappa = 0.01;
    double previous = 0.0;
    for (int iteration = 0; iteration < 10; ++iteration) {
      result.outside = space_.outside_table(z);
      if (result.outside >= 0) {
        result.outside_value = z(result.outside);
        return false;
      }
      space_.rhs(z, fz_);
      const VectorXd delta = lu_.solve(c + h * kD * fz_ - z);  // (I - h_f d J) delta = -G(z)
      z += delta;
      result.newton_iterations = std::max(result.newton_iterations, iteration + 1);
      const double norm = rms(delta);
      if (!std::isfinite(norm)) return false;
      if (iteration > 0) {
        rate_ = norm / previous;
        if (rate_ >= 0.9) return false;
      }
      const double eta = iteration > 0 ? rate_ : std::max(rate_, std::abs(1.0 - h / factored_h_));
      if (norm == 0.0 || eta / (1.0 - eta) * norm <= kappa) return true;
      previous = norm;
    }
    return false;
  }

  FiniteVolumes& space_;
  const BurgersOptions& opt_;
  SparseMatrix jac_;
  Eigen::SparseLU<SparseMatrix> lu_;
  bool analysed_ = false;
  double factored_h_ = -1.0;
  double rate_ = 0.5;  // Newton contraction rate of the latest solve
  VectorXd weights_, fz_;
};

// The range of u and the least D over [lo, hi], on 257 equally spaced densities.
struct CoefficientRange {
  double umin, umax, dmin;
};
CoefficientRange coefficient_range(const TransportTable& table, double lo, double hi) {
  CoefficientRange c{table.u(lo), table.u(lo), table.D(lo)};
  for (int s = 1; s <= 256; ++s) {
    const double rho = lo + (hi - lo) * s / 256.0;
    c.umin = std::min(c.umin, table.u(rho));
    c.umax = std::max(c.umax, table.u(rho));
    c.dmin = std::min(c.dmin, table.D(rho));
  }
  return c;
}

// Initial cell averages on `cells` from M given ones: exact averaging when M is a multiple,
// sub-cells of a conservative MC-limited linear reconstruction when `cells` is a multiple.
VectorXd to_grid(const VectorXd& given, int cells) {
  const auto m = static_cast<int>(given.size());
  if (m == cells) return given;
  VectorXd out(cells);
  if (m % cells == 0) {
    const int k = m / cells;
    for (int i = 0; i < cells; ++i) out(i) = given.segment(i * k, k).mean();
    return out;
  }
  VSWAP_EXPECTS(cells % m == 0, "solve_burgers: the initial data has " + std::to_string(m) +
                                    " cells; the solver grid " + std::to_string(cells) +
                                    " must be a multiple or a divisor of it");
  const int k = cells / m;
  for (int i = 0; i < m; ++i) {
    const double a = given(i) - given((i + m - 1) % m), b = given((i + 1) % m) - given(i);
    const double slope =
        a * b <= 0.0
            ? 0.0
            : std::copysign(std::min({2 * std::abs(a), 2 * std::abs(b), 0.5 * std::abs(a + b)}), a);
    for (int s = 0; s < k; ++s) out(i * k + s) = given(i) + slope * ((s + 0.5) / k - 0.5);
  }
  return out;
}

VectorXd bin_averages(const VectorXd& cells, int bins) {
  const auto k = static_cast<Index>(cells.size() / bins);
  VectorXd out(bins);
  for (Index b = 0; b < bins; ++b) out(b) = cells.segment(b * k, k).mean();
  return out;
}

[[noreturn]] void left_table(const TransportTable& table, double rho, double t) {
  std::ostringstream msg;
  msg.precision(10);
  msg << "solve_burgers: at t = " << t << " the density reaches " << rho
      << ", outside the transport table range [" << table.rho_min() << ", " << table.rho_max()
      << "]; extend rho_max (or lower rho_min)";
  throw std::invalid_argument(msg.str());
}

BurgersSolution solve_on_grid(const TransportTable& table, double length, const VectorXd& start,
                              const std::vector<double>& times, int bins,
                              const BurgersOptions& opt) {
  const auto n = static_cast<int>(start.size());
  BurgersSolution sol;
  sol.times = times;
  sol.cells = n;
  sol.density.resize(static_cast<Index>(times.size()), bins);
  sol.cell_density.resize(static_cast<Index>(times.size()), n);
  sol.x = VectorXd::LinSpaced(bins, 0.5, bins - 0.5) * (length / bins);

  FiniteVolumes space(table, n, length, start.cwiseAbs().maxCoeff());
  if (const Index i = space.outside_table(start); i >= 0) left_table(table, start(i), 0.0);
  TrBdf2 stepper(space, opt);
  const double mass0 = start.sum();
  VSWAP_EXPECTS(mass0 > 0.0, "solve_burgers: the initial mass must be positive");

  // Flat to double precision: on the ring d/dt |rho - mean|^2 = -2 int D rho_x^2 dx (the
  // advective term integrates to zero) <= -2 D_min k1^2 |rho - mean|^2, k1 = 2 pi / L, and rho
  // stays within its initial range. From D_min k1^2 t = 50 on, the deviation is below e^-50
  // of the initial one: such output times are the mean, without stepping (D ~ 1e6 and beyond,
  // where the grid-scale modes are stiff by 1e10 and more).
  const double lo = start.minCoeff(), hi = start.maxCoeff();
  const double k1 = 2.0 * 3.14159265358979323846 / length;
  const double flat_after = 50.0 / (coefficient_range(table, lo, hi).dmin * k1 * k1);
  VectorXd y = start, y_new, f1;
  space.rhs(y, f1);
  const auto beyond_doubles = [&](const char* what, double at) {
    std::ostringstream msg;
    msg << "solve_burgers: " << what << " is not finite at t = " << at << " (D up to "
        << table.D(hi) << " on cells of " << space.dx()
        << "): the transport coefficients are beyond double arithmetic";
    throw std::invalid_argument(msg.str());
  };
  if (std::any_of(times.begin(), times.end(), [&](double t) { return t > 0.0 && !(t >= flat_after); }) &&
      !f1.allFinite())
    beyond_doubles("the right-hand side of (2)", 0.0);
  double t = 0.0, h = 0.0;
  // The Jacobian is kept across steps while Newton converges quickly (any Jacobian with zero
  // column sums keeps the mass exact); it is re-evaluated at the current y after a Newton
  // failure or a slow convergence.
  bool have_jacobian = false, fresh = false;
  bool just_rejected = false;
  double previous_error = 1.0;
  double first_h = 0.0;  // the first step's size: the initial time scale of (2)
  const auto norm_w = [&](const VectorXd& v, const VectorXd& ref) {
    return std::sqrt((v.array() / (opt.atol + opt.rtol * ref.array().abs())).square().mean());
  };
  for (std::size_t k = 0; k < times.size(); ++k) {
    const double t_out = times[k];
    if (t_out > 0.0 && t_out >= flat_after) {
      y.setConstant(mass0 / n);
      t = t_out;
    }
    // The comoving frame of this output interval: w = the mid-range of u over the densities
    // present now (the least max |u - w|: the smallest Lax-Friedrichs dissipation alpha dx,
    // and no time step limited by the advection of the whole profile), rounded so that w
    // (t_out - t) is a whole number m of cells: at t_out the frame's cells are the lab's
    // shifted by m, exactly. The rounding costs at most min(|w|, dx / (2 (t_out - t))) of
    // speed, so max |u - w| never exceeds the lab frame's max |u|. Without it a boost of
    // 3000 took 1 535 864 steps to the same profile (Fig. 5(d) quick; VALIDATION.md 8).
    long long shift = 0;
    if (t_out > t) {
      const auto inside = [&](double r) { return std::clamp(r, table.rho_min(), table.rho_max()); };
      const CoefficientRange c = coefficient_range(table, inside(y.minCoeff()), inside(y.maxCoeff()));
      const double cells_moved = 0.5 * (c.umin + c.umax) * (t_out - t) / space.dx();
      if (std::abs(cells_moved) < 0x1p52) shift = std::llround(cells_moved);
      const double w = static_cast<double>(shift) * space.dx() / (t_out - t);
      if (w != space.frame()) {
        space.set_frame(w);
        space.rhs(y, f1);
        have_jacobian = false;
      }
    }
    while (t < t_out) {
      if (h <= 0.0) {  // first step: Hairer's heuristic 0.01 |y| / |f|, then error control
        const double d0 = norm_w(y, y), d1 = norm_w(f1, y);
        h = d1 > 1e-10 ? 0.01 * d0 / d1 : 1e-3 * t_out;
        h = std::min(h, t_out - t);
        if (first_h == 0.0) first_h = h;
      }
      double h_step = h;
      if (t + 1.05 * h_step >= t_out) h_step = t_out - t;  // land on the output time
      if (!have_jacobian) {
        stepper.set_jacobian(y, f1);
        have_jacobian = fresh = true;
      }
      const StepResult r = stepper.step(y, f1, h_step, y_new);
      if (!r.newton_ok && !fresh) {  // retry with a current Jacobian before cutting h
        have_jacobian = false;
        continue;
      }
      if (!r.newton_ok || r.error_norm > 1.0) {
        ++sol.rejected_steps;
        just_rejected = true;
        h = r.newton_ok ? h_step * std::max(0.2, 0.9 * std::cbrt(1.0 / r.error_norm))
                        : 0.25 * h_step;
        // Collapsed: h is below round-off of t, or at t ~ 0 far below the problem's own time
        // scale first_h = 0.01 |rho| / |d_t rho| (it was 1e-13 max(t_out, 1), which took fast
        // diffusion, e.g. fermion D ~ 4e12 at 0.83 of the Pauli limit, first_h ~ 1e-12, for
        // a collapse on its first rejection).
        if (!(h > 1e-13 * std::max(t, first_h))) {  // also h = 0 (a first step that underflowed)
          if (r.outside >= 0 && !std::isfinite(r.outside_value)) beyond_doubles("the Newton iterate", t);
          if (r.outside >= 0) left_table(table, r.outside_value, t);
          VSWAP_EXPECTS(false,
                        "solve_burgers: the time step collapsed at t = " + std::to_string(t));
        }
        continue;
      }
      // Accepted.
      t = (h_step == t_out - t) ? t_out : t + h_step;
      y.swap(y_new);
      space.rhs(y, f1);
      fresh = false;
      if (r.newton_iterations > 3) have_jacobian = false;
      ++sol.steps;
      sol.temporal_error_estimate += r.error_max;
      sol.mass_drift = std::max(sol.mass_drift, std::abs(y.sum() - mass0) / mass0);
      // PI step-size controller (Gustafsson): damps the accept/reject cycling of the plain
      // h err^{-1/3} rule; no growth right after a rejection.
      const double err = std::max(r.error_norm, 1e-10);
      const double grow = 0.9 * std::pow(err, -0.7 / 3.0) * std::pow(previous_error, 0.4 / 3.0);
      h = h_step * std::min(just_rejected ? 1.0 : 5.0, std::max(0.2, grow));
      previous_error = std::max(err, 1e-4);
      just_rejected = false;
    }
    if (const auto m = static_cast<Index>(((shift % n) + n) % n); m != 0) {  // back to the lab
      std::rotate(y.data(), y.data() + (n - m), y.data() + n);  // y_lab(j) = y_frame(j - m)
      space.rhs(y, f1);
      have_jacobian = false;
    }
    sol.density.row(static_cast<Index>(k)) = bin_averages(y, bins).transpose();
    sol.cell_density.row(static_cast<Index>(k)) = y.transpose();
  }
  sol.error_estimate = sol.temporal_error_estimate;
  return sol;
}

}  // namespace

int choose_burgers_cells(const TransportTable& table, double length, const VectorXd& initial,
                         int bins) {
  VSWAP_EXPECTS(length > 0.0 && bins > 0 && initial.size() > 0,
                "choose_burgers_cells: length, bins and the initial data must be non-empty");
  const auto m = static_cast<int>(initial.size());
  const double lo = initial.minCoeff(), hi = initial.maxCoeff(), dx0 = length / m;
  double dx = length;
  // (a) the steepest initial gradient.
  double gradient = 0.0;
  for (int i = 0; i < m; ++i)
    gradient = std::max(gradient, std::abs(initial((i + 1) % m) - initial(i)) / dx0);
  if (gradient > 0.0) dx = std::min(dx, (hi - lo) / (64.0 * gradient));
  // (b) viscous fronts: width D / (jump of u), over the range the solution stays in.
  if (hi > lo) {
    const CoefficientRange c = coefficient_range(table, lo, hi);
    // A viscous front of (2) with jump Delta u is ~ tanh(Delta u x / (4 D)) (as in (3)):
    // dx <= D / Delta u puts four cells in its length scale 4 D / Delta u.
    if (c.umax > c.umin) dx = std::min(dx, c.dmin / (c.umax - c.umin));
  }
  for (int cells = 2 * bins; cells <= (1 << 20); cells += 2 * bins)
    if ((cells % m == 0 || m % cells == 0) && length / cells <= dx) return cells;
  throw std::invalid_argument(
      "choose_burgers_cells: no grid of at most 2^20 cells resolves the problem and is "
      "compatible with " +
      std::to_string(m) + " initial cells and " + std::to_string(bins) + " bins");
}

BurgersSolution solve_burgers(const TransportTable& table, double length,
                              const VectorXd& initial_cell_averages,
                              const std::vector<double>& times, int bins,
                              const BurgersOptions& options) {
  VSWAP_EXPECTS(length > 0.0, "solve_burgers: the ring length must be positive");
  VSWAP_EXPECTS(bins > 0, "solve_burgers: bins must be positive");
  VSWAP_EXPECTS(initial_cell_averages.size() > 0, "solve_burgers: no initial data");
  VSWAP_EXPECTS(options.rtol > 0.0 && options.atol > 0.0,
                "solve_burgers: rtol and atol must be positive");
  for (std::size_t k = 0; k < times.size(); ++k)
    VSWAP_EXPECTS(times[k] >= 0.0 && (k == 0 || times[k] >= times[k - 1]),
                  "solve_burgers: output times must be non-negative and non-decreasing");
  const int cells = options.cells > 0
                        ? options.cells
                        : choose_burgers_cells(table, length, initial_cell_averages, bins);
  VSWAP_EXPECTS(cells >= 8 && cells % bins == 0,
                "solve_burgers: cells (" + std::to_string(cells) +
                    ") must be at least 8 and a multiple of bins (" + std::to_string(bins) + ")");
  const VectorXd start = to_grid(initial_cell_averages, cells);
  BurgersSolution sol = solve_on_grid(table, length, start, times, bins, options);
  const int half = cells / 2;
  if (options.estimate_spatial_error && cells % 2 == 0 && half % bins == 0 && half >= 8) {
    // Richardson: the scheme is second order, so rho_N - rho_exact ~ (rho_N - rho_{N/2}) / 3.
    const BurgersSolution coarse =
        solve_on_grid(table, length, to_grid(start, half), times, bins, options);
    sol.spatial_error_estimate =
        times.empty() ? 0.0 : (sol.density - coarse.density).cwiseAbs().maxCoeff() / 3.0;
  }
  sol.error_estimate = sol.temporal_error_estimate + sol.spatial_error_estimate;
  return sol;
}

}  // namespace vswap::theory
