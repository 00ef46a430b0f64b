#pragma once
/// @brief The run configuration as plain values (SPEC section 5).
///
/// Parsed and validated from TOML by `vswap::load_config` (src/app/config.cpp); this
/// header has no dependency on toml++, Eigen or HDF5 so that every layer can use it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vswap {

enum class BathKind { bragg, thermal, bragg_thermal, table };
enum class Statistics { classical, fermi };
enum class Profile { gaussian, uniform };
enum class InitialVelocities { bath, stationary, thermal };
enum class Scheme { paper, exact, event };
enum class Backend { automatic, cpu, cuda };

/// chi of the paper: 0 for classical particles, 1 for fermions.
inline int chi(Statistics s) { return s == Statistics::fermi ? 1 : 0; }

/// [bath]: the frozen bath's velocity distribution rho_b(lambda), integral = density.
struct BathConfig {
  BathKind kind = BathKind::bragg;
  double density = 50.0;     ///< rho_bath
  double sigma = 6.0;        ///< bragg: peak width s in exp(-(l -+ lB)^2 / s^2)
  double lambda_B = 5.9;     ///< bragg, bragg_thermal: peak position
  double b = 0.3;            ///< bragg, bragg_thermal: weight of the right peak
  double temperature = 1.0;  ///< thermal, bragg_thermal
  double boost = 0.0;        ///< Galilean boost w of every kind: rho_b(lambda - w) (thermal: its mean)
  std::string file;          ///< table: two columns lambda, rho_b
  /// table: the file's text, read once with the config, so that a run, its checkpoints and
  /// its shards use one copy (recorded in the output as the root attribute `bath_table`).
  /// Unset: the theory reads `file` itself.
  std::optional<std::string> table_text;
};

/// [system]: the simulated gas.
struct SystemConfig {
  Statistics statistics = Statistics::fermi;
  std::int64_t particles = 1600;  ///< N per realization
  double length = 2000.0;         ///< ring length L
  Profile profile = Profile::gaussian;
  double width = 100.0;  ///< gaussian: standard deviation, centred at L/2
  InitialVelocities velocities = InitialVelocities::bath;
  double temperature = 1.0;  ///< velocities = "thermal": initial temperature
};

/// [collisions]
struct CollisionConfig {
  double gamma = 0.08;
  Scheme scheme = Scheme::exact;  ///< default: exact for fermions, event for classical
};

/// [numerics]
struct NumericsConfig {
  std::int64_t cells = 400;  ///< M; fermion velocity grid spacing is 2*pi*M/L
  double dt = 0.01;
  std::int64_t realizations = 1000;
  std::uint64_t seed = 1;
  std::vector<double> times{0.0, 50.0, 100.0, 200.0};
  std::int64_t bins = 200;            ///< density histogram bins over the ring
  std::int64_t velocity_bins = 0;     ///< 0: automatic (the grid for fermions)
  double velocity_min = 0.0;          ///< velocity histogram range; min == max: automatic
  double velocity_max = 0.0;
  Backend backend = Backend::automatic;
};

/// [theory]
struct TheoryConfig {
  double rho_min = 0.0;
  double rho_max = 4.0;
  std::int64_t points = 200;
};

struct Config {
  BathConfig bath;
  SystemConfig system;
  CollisionConfig collisions;
  NumericsConfig numerics;
  TheoryConfig theory;
  std::string source_path;  ///< the config file it came from
  std::string toml_text;    ///< the whole effective config (with overrides) as TOML
};

const char* to_string(BathKind);
const char* to_string(Statistics);
const char* to_string(Profile);
const char* to_string(InitialVelocities);
const char* to_string(Scheme);
const char* to_string(Backend);

}  // namespace vswap
