#include <algorithm>
#include <cmath>
#include <limits>
#include <vswap/error.hpp>
#include <vswap/theory/kinetic.hpp>
#include <vswap/theory/stationary.hpp>

namespace vswap::theory {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559005768;
constexpr double kEps = std::numeric_limits<double>::epsilon();

// Dormand-Prince 5(4) tableau (Hairer, Norsett, Wanner I, table 5.2).
constexpr double a[7][6] = {
    {},
    {1.0 / 5},
    {3.0 / 40, 9.0 / 40},
    {44.0 / 45, -56.0 / 15, 32.0 / 9},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
    {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
// b5 - b4: the embedded error estimate.
constexpr double e[7] = {71.0 / 57600,      0.0,        -71.0 / 16695, 71.0 / 1920,
                         -17253.0 / 339200, 22.0 / 525, -1.0 / 40};

double energy_per_particle(const VelocityGrid& grid, const Eigen::VectorXd& rho_p) {
  const double number = grid.integrate(rho_p);
  return 0.5 * (grid.weight.array() * grid.lambda.array().square() * rho_p.array()).sum() / number;
}

}  // namespace

Eigen::VectorXd collision_integral(const DiscreteBath& bath, Statistics statistics, double gamma,
                                   const Eigen::VectorXd& rho_p) {
  const double chi_2pi = kTwoPi * chi(statistics);
  const Eigen::ArrayXd hole = 1.0 - chi_2pi * rho_p.array();  // 1 - chi n
  const double M = bath.grid.integrate(rho_p);
  const double K = (bath.grid.weight.array() * hole * bath.rho_b.array()).sum();
  return (gamma * (hole * bath.rho_b.array() * M - rho_p.array() * K)).matrix();  // (38)/(39)
}

KineticSolution solve_kinetic(const DiscreteBath& bath, Statistics statistics, double gamma,
                              const Eigen::VectorXd& rho_p0, const std::vector<double>& times,
                              double rtol, KineticMethod method) {
  const Eigen::Index size = bath.rho_b.size();
  VSWAP_EXPECTS(rho_p0.size() == size, "the initial state is not on the bath's grid");
  VSWAP_EXPECTS(std::isfinite(gamma) && gamma > 0.0, "gamma must be finite and > 0");
  VSWAP_EXPECTS(rtol > 0.0 && rtol < 1.0, "rtol must lie in (0, 1)");
  VSWAP_EXPECTS((rho_p0.array() >= 0.0).all(), "the initial rho_p must be >= 0");
  VSWAP_EXPECTS(
      statistics == Statistics::classical || (kTwoPi * rho_p0.array() <= 1.0 + 1e-12).all(),
      "the initial fermion occupation 2 pi rho_p must be <= 1 (Pauli)");
  for (std::size_t k = 0; k < times.size(); ++k)
    VSWAP_EXPECTS(
        std::isfinite(times[k]) && times[k] >= 0.0 && (k == 0 || times[k] >= times[k - 1]),
        "the output times must be finite, >= 0 and non-decreasing");

  KineticSolution out{
      times, Eigen::MatrixXd(static_cast<Eigen::Index>(times.size()), size), {}, 0.0, 0.0, 0};
  const double number0 = bath.grid.integrate(rho_p0);
  const double scale = rho_p0.lpNorm<Eigen::Infinity>();

  if (statistics == Statistics::classical && method == KineticMethod::automatic) {
    // (38) is linear with a constant gain: the exact solution relaxes every lambda at the
    // single rate gamma rho_bath towards (20).
    const double bath_number = bath.grid.integrate(bath.rho_b);
    const Eigen::VectorXd rho_st = (number0 / bath_number) * bath.rho_b;
    for (std::size_t k = 0; k < times.size(); ++k)
      out.rho_p.row(static_cast<Eigen::Index>(k)) =
          (rho_st + (rho_p0 - rho_st) * std::exp(-gamma * bath_number * times[k])).transpose();
    out.error_estimate = 4.0 * kEps * std::max(scale, rho_st.lpNorm<Eigen::Infinity>());
  } else {
    // Dormand-Prince 5(4), first same as last, local extrapolation; steps clipped to land on
    // each output time. Error norm: max_i |err_i| / (rtol * scale), scale = max rho_p0.
    const double tolerance = rtol * scale;
    const double rate = gamma * bath.grid.integrate(bath.rho_b);
    double t = 0.0, h = 0.1 * std::pow(rtol, 0.2) / rate;
    Eigen::VectorXd y = rho_p0;
    Eigen::MatrixXd k(size, 7);
    k.col(0) = collision_integral(bath, statistics, gamma, y);
    // Relaxed: once y lies within the tolerance of the stationary state (40) at its own
    // density (looked at when y changes by less than the tolerance over a relaxation time
    // 1/rate, at most every 256 steps), it is that state from there on, with |y - (40)|
    // added to the error estimate. Stepping on is stability-bound (h ~ 3 / rate): at gamma
    // rho_bath t = 1.5e7 that was 5e6 steps and 8 s for a state that no longer changed.
    bool stationary = false;
    long next_look = 0;
    for (std::size_t out_index = 0; out_index < times.size(); ++out_index) {
      const double target = times[out_index];
      if (stationary) t = target;
      while (t < target) {
        const bool last = t + h >= target;
        const double step = last ? target - t : h;
        for (int s = 1; s < 6; ++s) {  // the autonomous (39) needs no stage times
          Eigen::VectorXd stage = y;
          for (int j = 0; j < s; ++j)
            if (a[s][j] != 0.0) stage += step * a[s][j] * k.col(j);
          k.col(s) = collision_integral(bath, statistics, gamma, stage);
        }
        Eigen::VectorXd y_new = y;
        for (int j = 0; j < 6; ++j) y_new += step * a[6][j] * k.col(j);
        k.col(6) = collision_integral(bath, statistics, gamma, y_new);
        Eigen::VectorXd error = Eigen::VectorXd::Zero(size);
        for (int j = 0; j < 7; ++j) error += step * e[j] * k.col(j);
        const double local = error.lpNorm<Eigen::Infinity>();
        const double ratio = local / tolerance;
        if (ratio <= 1.0) {
          t = last ? target : t + step;
          y = y_new;
          k.col(0) = k.col(6);
          out.error_estimate += local;
          ++out.steps;
          if (out.steps >= next_look && k.col(0).lpNorm<Eigen::Infinity>() <= tolerance * rate) {
            next_look = out.steps + 256;
            const Eigen::VectorXd st = stationary_state(bath, statistics, bath.grid.integrate(y)).rho_p;
            const double distance = (st - y).lpNorm<Eigen::Infinity>();
            if (distance <= tolerance) {
              out.error_estimate += distance;
              y = st;
              stationary = true;
              t = target;
              break;
            }
          }
        }
        const double factor = ratio == 0.0 ? 5.0 : 0.9 * std::pow(ratio, -0.2);
        const double grown = step * std::clamp(factor, 0.2, 5.0);
        // A step shortened only to hit an output time must not shrink the next one.
        h = (last && ratio <= 1.0) ? std::max(h, grown) : grown;
        VSWAP_EXPECTS(h > 1e-14 * std::max(1.0, t), "the kinetic step size underflowed");
      }
      out.rho_p.row(static_cast<Eigen::Index>(out_index)) = y.transpose();
    }
  }
  for (std::size_t k = 0; k < times.size(); ++k) {
    const Eigen::VectorXd row = out.rho_p.row(static_cast<Eigen::Index>(k)).transpose();
    out.energy.push_back(energy_per_particle(bath.grid, row));
    out.number_drift = std::max(out.number_drift, std::abs(bath.grid.integrate(row) - number0));
  }
  return out;
}

}  // namespace vswap::theory
