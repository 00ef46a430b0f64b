#pragma once
/// @brief The frozen bath's velocity distribution rho_b(lambda) (SPEC section 1), its
/// continuum quadrature, and its values on a grid (`DiscreteBath`).
///
/// Analytic baths are normalised Gaussian mixtures: Bragg split (104)/(79), thermal with a
/// boost, and the Bragg split of two thermal peaks. A table bath is piecewise linear
/// between the rows of a user's file. Every state integrates to `density` = rho_bath.

#include <string>
#include <utility>
#include <vector>
#include <vswap/config.hpp>
#include <vswap/theory/quadrature.hpp>

namespace vswap::theory {

/// rho_b / max rho_b below which the bath counts as zero: the edge of an analytic state's
/// `support()` (its quadrature's ends), and the least bath weight a fermion state of the
/// theory fills (`pauli_limit`).
inline constexpr double kBathTailCutoff = 1e-17;

/// rho_b(lambda), integral = density.
class BathState {
 public:
  /// One peak of an analytic bath: weight * N(lambda; mean, sd) * density.
  struct Gaussian {
    double weight, mean, sd;
  };

  /// Builds the configured state; throws InputError naming the key (e.g. "bath.sigma") for
  /// invalid values and "bath.file" for an unreadable or malformed table.
  static BathState from_config(const vswap::BathConfig& config);
  /// (104): exp(-(l+lB)^2/s^2) + b exp(-(l-lB)^2/s^2), normalised to density.
  static BathState bragg(double density, double sigma, double lambda_B, double b);
  /// exp(-(l-w)^2/(2T)), normalised to density.
  static BathState thermal(double density, double temperature, double boost);
  /// bragg with sigma = sqrt(2T): two thermal peaks at -+lambda_B, weights 1 : b.
  static BathState bragg_thermal(double density, double temperature, double lambda_B, double b);
  /// Piecewise linear through (lambda_i, rho_i), zero outside, renormalised to density.
  /// InputError("bath.file", ...) for < 2 rows, lambda not strictly increasing,
  /// negative or non-finite values, or a zero integral.
  static BathState table(double density, std::vector<double> lambda, std::vector<double> rho);
  /// Two whitespace-separated columns lambda, rho_b; '#' starts a comment.
  /// InputError("bath.file", "PATH: line N: ...") for an unreadable file or a bad line.
  static BathState read_table(const std::string& path, double density);
  /// The same from the file's text; `path` names it in messages.
  static BathState parse_table(const std::string& text, const std::string& path, double density);
  /// A table file's whole text; InputError("bath.file", "PATH: ...") if it cannot be read.
  static std::string read_file(const std::string& path);

  double density() const { return density_; }
  /// rho_b(lambda)
  double operator()(double lambda) const;
  /// Interval outside which rho_b / max rho_b < ~1e-17 (table: its range).
  std::pair<double, double> support() const { return support_; }
  /// Continuum quadrature chosen from the state (see bath_state.cpp for how).
  const VelocityGrid& quadrature() const { return quadrature_; }
  /// The state boosted by w: rho_b(lambda - w).
  BathState boosted(double w) const;
  /// Normalised mixture (weights sum to 1); empty for a table.
  const std::vector<Gaussian>& components() const { return components_; }
  /// Table nodes and values (normalised to density); empty for an analytic state.
  const std::vector<double>& table_lambda() const { return table_lambda_; }
  const std::vector<double>& table_rho() const { return table_rho_; }
  bool is_table() const { return components_.empty(); }

 private:
  BathState() = default;
  static BathState mixture(double density, std::vector<Gaussian> components);
  void choose_quadrature();

  double density_ = 0.0;
  std::vector<Gaussian> components_;
  std::vector<double> table_lambda_, table_rho_;
  std::pair<double, double> support_{0.0, 0.0};
  VelocityGrid quadrature_;
};

/// The bath evaluated on a grid, renormalised so that sum(weight * rho_b) == density.
struct DiscreteBath {
  VelocityGrid grid;
  Eigen::VectorXd rho_b;
  double density;
};

/// On the state's own quadrature (the continuum theory).
DiscreteBath discretise(const BathState& bath);
/// On any grid, e.g. the Monte Carlo lattice.
DiscreteBath discretise(const BathState& bath, const VelocityGrid& grid);

}  // namespace vswap::theory
