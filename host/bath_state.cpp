#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vswap/error.hpp>
#include <vswap/theory/bath_state.hpp>

namespace vswap::theory {
namespace {

constexpr double kPi = 3.141592653589793238462643383279502884;
/// Grid spacing of the continuum quadrature in units of the narrowest peak's sd.
constexpr double kPointsPerSd = 10.0;

void require_finite(const char* key, double value) {
  if (!std::isfinite(value)) throw InputError(key, "must be a finite number");
}
void require_positive(const char* key, double value) {
  if (!(std::isfinite(value) && value > 0.0))
    throw InputError(key, "must be a finite number > 0, got " + std::to_string(value));
}
void require_non_negative(const char* key, double value) {
  if (!(std::isfinite(value) && value >= 0.0))
    throw InputError(key, "must be a finite number >= 0, got " + std::to_string(value));
}

double gaussian_density(double x, double mean, double sd) {
  const double z = (x - mean) / sd;
  return std::exp(-0.5 * z * z) / (sd * std::sqrt(2.0 * kPi));
}

/// Parses one token as a double; false if it is not entirely a number.
bool parse_number(const std::string& token, double& value) {
  char* end = nullptr;
  value = std::strtod(token.c_str(), &end);
  return end != token.c_str() && *end == '\0';
}

}  // namespace

BathState BathState::mixture(double density, std::vector<Gaussian> components) {
  BathState state;
  state.density_ = density;
  // A zero-weight peak (b = 0) contributes nothing and must not shape the quadrature.
  components.erase(std::remove_if(components.begin(), components.end(),
                                  [](const Gaussian& g) { return g.weight == 0.0; }),
                   components.end());
  double total = 0.0;
  for (const auto& g : components) total += g.weight;
  for (auto& g : components) g.weight /= total;
  state.components_ = std::move(components);
  state.choose_quadrature();
  return state;
}

BathState BathState::bragg(double density, double sigma, double lambda_B, double b) {
  require_positive("bath.density", density);
  require_positive("bath.sigma", sigma);
  require_finite("bath.lambda_B", lambda_B);
  require_non_negative("bath.b", b);
  // (104): exp(-(l -+ lB)^2/s^2) is a Gaussian of sd s/sqrt(2) and area s sqrt(pi): equal
  // widths, so the normalised weights are 1 : b.
  const double sd = sigma / std::sqrt(2.0);
  return mixture(density, {{1.0, -lambda_B, sd}, {b, lambda_B, sd}});
}

BathState BathState::thermal(double density, double temperature, double boost) {
  require_positive("bath.density", density);
  require_positive("bath.temperature", temperature);
  require_finite("bath.boost", boost);
  return mixture(density, {{1.0, boost, std::sqrt(temperature)}});
}

BathState BathState::bragg_thermal(double density, double temperature, double lambda_B, double b) {
  require_positive("bath.temperature", temperature);
  return bragg(density, std::sqrt(2.0 * temperature), lambda_B, b);
}

BathState BathState::table(double density, std::vector<double> lambda, std::vector<double> rho) {
  require_positive("bath.density", density);
  const std::string key = "bath.file";
  if (lambda.size() != rho.size()) throw InputError(key, "lambda and rho_b differ in length");
  if (lambda.size() < 2) throw InputError(key, "a table bath needs at least two rows");
  for (std::size_t i = 0; i < lambda.size(); ++i) {
    if (!std::isfinite(lambda[i]) || !std::isfinite(rho[i]))
      throw InputError(key, "row " + std::to_string(i + 1) + ": values must be finite");
    if (rho[i] < 0.0)
      throw InputError(key, "row " + std::to_string(i + 1) + ": rho_b must be >= 0");
    if (i > 0 && !(lambda[i] > lambda[i - 1]))
      throw InputError(key,
                       "row " + std::to_string(i + 1) + ": lambda must be strictly increasing");
  }
  BathState state;
  state.density_ = density;
  state.table_lambda_ = std::move(lambda);
  state.table_rho_ = std::move(rho);
  // The trapezoid rule on the nodes is exact for the piecewise linear interpolant.
  Eigen::VectorXd values = Eigen::Map<const Eigen::VectorXd>(
      state.table_rho_.data(), static_cast<Eigen::Index>(state.table_rho_.size()));
  const double integral =
      trapezoid_grid(Eigen::Map<const Eigen::VectorXd>(
                         state.table_lambda_.data(),
                         static_cast<Eigen::Index>(state.table_lambda_.size())))
          .integrate(values);
  if (!(integral > 0.0)) throw InputError(key, "rho_b integrates to zero");
  for (double& r : state.table_rho_) r *= density / integral;
  state.choose_quadrature();
  return state;
}

std::string BathState::read_file(const std::string& path) {
  if (std::filesystem::is_directory(path)) throw InputError("bath.file", path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("bath.file", path + ": cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError("bath.file", path + ": read error");
  return text.str();
}

BathState BathState::read_table(const std::string& path, double density) {
  return parse_table(read_file(path), path, density);
}

BathState BathState::parse_table(const std::string& text, const std::string& path, double density) {
  const std::string key = "bath.file";
  std::istringstream in(text);
  std::vector<double> lambda, rho;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    std::istringstream tokens(line);
    std::vector<std::string> words;
    for (std::string word; tokens >> word;) words.push_back(word);
    if (words.empty()) continue;
    const std::string where = path + ": line " + std::to_string(number) + ": ";
    double l = 0.0, r = 0.0;
    if (words.size() != 2 || !parse_number(words[0], l) || !parse_number(words[1], r))
      throw InputError(key, where + "expected two numbers 'lambda rho_b', got '" + line + "'");
    if (!std::isfinite(l) || !std::isfinite(r)) throw InputError(key, where + "non-finite value");
    if (r < 0.0) throw InputError(key, where + "rho_b must be >= 0, got " + words[1]);
    if (!lambda.empty() && !(l > lambda.back()))
      throw InputError(key, where + "lambda must be strictly increasing");
    lambda.push_back(l);
    rho.push_back(r);
  }
  if (lambda.size() < 2) throw InputError(key, path + ": a table bath needs at least two rows");
  try {
    return table(density, std::move(lambda), std::move(rho));
  } catch (const InputError& e) {  // e.g. a zero integral: say which file
    const std::string message = e.what();
    throw InputError(key, path + ": " + message.substr(message.find(": ") + 2));
  }
}

BathState BathState::from_config(const vswap::BathConfig& config) {
  require_finite("bath.boost", config.boost);
  // bath.boost is a Galilean boost of any kind (thermal: its mean velocity); 0 leaves the
  // state's bits as they are.
  const auto boost = [&config](BathState state) {
    return config.boost == 0.0 ? state : state.boosted(config.boost);
  };
  switch (config.kind) {
    case BathKind::bragg:
      return boost(bragg(config.density, config.sigma, config.lambda_B, config.b));
    case BathKind::thermal:
      return thermal(config.density, config.temperature, config.boost);
    case BathKind::bragg_thermal:
      return boost(bragg_thermal(config.density, config.temperature, config.lambda_B, config.b));
    case BathKind::table:
      require_positive("bath.density", config.density);
      if (config.file.empty()) throw InputError("bath.file", "a table bath needs a file");
      return boost(config.table_text ? parse_table(*config.table_text, config.file, config.density)
                                     : read_table(config.file, config.density));
  }
  throw InputError("bath.kind", "unknown bath kind");
}

double BathState::operator()(double lambda) const {
  if (!is_table()) {
    double sum = 0.0;
    for (const auto& g : components_) sum += g.weight * gaussian_density(lambda, g.mean, g.sd);
    return density_ * sum;
  }
  const auto& x = table_lambda_;
  if (lambda < x.front() || lambda > x.back()) return 0.0;
  const auto upper = std::upper_bound(x.begin(), x.end(), lambda);
  if (upper == x.end()) return table_rho_.back();
  const auto i = static_cast<std::size_t>(upper - x.begin());  // x[i-1] <= lambda < x[i]
  const double t = (lambda - x[i - 1]) / (x[i] - x[i - 1]);
  return (1.0 - t) * table_rho_[i - 1] + t * table_rho_[i];
}

BathState BathState::boosted(double w) const {
  VSWAP_EXPECTS(std::isfinite(w), "the boost must be finite");
  if (!is_table()) {
    auto components = components_;
    for (auto& g : components) g.mean += w;
    return mixture(density_, std::move(components));
  }
  auto lambda = table_lambda_;
  for (double& l : lambda) l += w;
  return table(density_, std::move(lambda), table_rho_);
}

// How the continuum quadrature is chosen.
//  * Analytic (Gaussian mixture): the composite trapezoid rule on a uniform grid. For a
//    function analytic in a strip |Im lambda| < d and negligible at both ends, its error
//    decays like exp(-2 pi d / h) (the rule is spectrally accurate). Gaussians are entire
//    (error ~ exp(-2 pi^2 sd^2 / h^2)), so h = sd_min / 10 makes the bath's moments exact
//    to round-off; the margin is there for the fermion stationary states
//    rho_b / (rho_b + A) (40), whose Fermi edges at rho_b = A have a width
//    sd^2 / |lambda_edge - mean|: edges up to ~6 sd from a peak still integrate to ~1e-12.
//    The ends are where every peak has fallen below kBathTailCutoff of the largest value.
//  * Table: the state *is* the piecewise linear interpolant, so every integral is taken of
//    it, piece by piece: kTableGaussPoints-point Gauss-Legendre on each piece (exact for
//    lambda^k rho_b, k <= 2 kTableGaussPoints - 2: the classical (100), (101) exactly). The
//    fermion integrand rho_b / (rho_b + A) of (40) has its Fermi edge where rho_b ~ A, i.e.
//    a distance ~A / slope from a zero of rho_b, which at high density is far below the
//    table's spacing: a piece whose ends differ by more than a factor 2 is cut geometrically
//    towards its smaller end (2^-1, ..., 2^-k of its length, k = log2(big/small), at most
//    kTableGrading), so the rule resolves the edge down to A / slope ~ 2^-45 h. The trapezoid
//    rule on the table's nodes, used before, was exact for rho_b alone: it gave D (101) low by
//    h^2/6 / (gamma rho_bath), fermion u, D off by O(h^2) (O(1) near the Pauli limit), and a
//    Pauli limit short by half a spacing at every zero of rho_b.
void BathState::choose_quadrature() {
  if (is_table()) {
    constexpr int kTableGaussPoints = 6;
    constexpr int kTableGrading = 45;
    support_ = {table_lambda_.front(), table_lambda_.back()};
    std::vector<double> edges{table_lambda_.front()};
    for (std::size_t i = 0; i + 1 < table_lambda_.size(); ++i) {
      const double a = table_lambda_[i], b = table_lambda_[i + 1];
      const double ya = table_rho_[i], yb = table_rho_[i + 1];
      const double small = std::min(ya, yb), big = std::max(ya, yb);
      int levels = 0;
      if (big > 0.0 && small < 0.5 * big)
        levels = small > 0.0 ? std::min(kTableGrading,
                                        static_cast<int>(std::ceil(std::log2(big / small))))
                             : kTableGrading;
      // Cuts at fractions 2^-levels, ..., 2^-1 of the piece, measured from its smaller end.
      std::vector<double> cuts;
      for (int k = levels; k >= 1; --k) cuts.push_back(std::ldexp(1.0, -k));
      if (ya > yb) {
        for (double& t : cuts) t = 1.0 - t;
        std::reverse(cuts.begin(), cuts.end());
      }
      for (double t : cuts) {
        const double cut = a + (b - a) * t;
        if (cut > edges.back() && cut < b) edges.push_back(cut);
      }
      edges.push_back(b);
    }
    quadrature_ = gauss_legendre_grid(edges, kTableGaussPoints);
    return;
  }
  double peak = 0.0, sd_min = components_.front().sd;
  for (const auto& g : components_) {
    double at_mean = 0.0;
    for (const auto& h : components_) at_mean += h.weight * gaussian_density(g.mean, h.mean, h.sd);
    peak = std::max(peak, at_mean);
    sd_min = std::min(sd_min, g.sd);
  }
  const double count = static_cast<double>(components_.size());
  double lo = components_.front().mean, hi = lo;
  for (const auto& g : components_) {
    // weight * N(mean + x) * count < kBathTailCutoff * peak for |x| > reach.
    const double top = g.weight * gaussian_density(g.mean, g.mean, g.sd) * count;
    const double reach = g.sd * std::sqrt(2.0 * std::log(top / (kBathTailCutoff * peak)));
    lo = std::min(lo, g.mean - reach);
    hi = std::max(hi, g.mean + reach);
  }
  support_ = {lo, hi};
  const double h = sd_min / kPointsPerSd;
  // One uniform grid over all peaks: peaks 1e8 widths apart would need 1e9 points (the count
  // overflowed an int: "a uniform grid needs at least two points", or gigabytes).
  constexpr double kMaxPoints = 1 << 24;
  const double want = std::ceil((hi - lo) / h) + 1;
  if (!(want <= kMaxPoints))
    throw InputError("bath.sigma", "the bath's quadrature needs " + std::to_string(static_cast<long long>(want)) +
                                       " points (spacing sd / 10 over [" + std::to_string(lo) + ", " +
                                       std::to_string(hi) + "]): peaks too narrow for their distance; at most " +
                                       std::to_string(static_cast<long long>(kMaxPoints)));
  quadrature_ = uniform_grid(lo, hi, static_cast<int>(want));
}

DiscreteBath discretise(const BathState& bath) {
  return discretise(bath, bath.quadrature());
}

DiscreteBath discretise(const BathState& bath, const VelocityGrid& grid) {
  VSWAP_EXPECTS(grid.size() >= 1 && grid.weight.size() == grid.size(),
                "the velocity grid is empty or its weights do not match its nodes");
  DiscreteBath discrete{grid, Eigen::VectorXd(grid.size()), bath.density()};
  for (Eigen::Index i = 0; i < grid.size(); ++i) discrete.rho_b[i] = bath(grid.lambda[i]);
  const double integral = grid.integrate(discrete.rho_b);
  VSWAP_EXPECTS(integral > 0.0, "the bath has no weight on this velocity grid");
  discrete.rho_b *= bath.density() / integral;
  return discrete;
}

}  // namespace vswap::theory
