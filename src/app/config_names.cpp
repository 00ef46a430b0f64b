// Names of the config enums, as written in TOML files and HDF5 attributes.
#include <vswap/config.hpp>

namespace vswap {

const char* to_string(BathKind k) {
  switch (k) {
    case BathKind::bragg: return "bragg";
    case BathKind::thermal: return "thermal";
    case BathKind::bragg_thermal: return "bragg_thermal";
    case BathKind::table: return "table";
  }
  return "?";
}
const char* to_string(Statistics s) { return s == Statistics::fermi ? "fermi" : "classical"; }
const char* to_string(Profile p) { return p == Profile::gaussian ? "gaussian" : "uniform"; }
const char* to_string(InitialVelocities v) {
  switch (v) {
    case InitialVelocities::bath: return "bath";
    case InitialVelocities::stationary: return "stationary";
    case InitialVelocities::thermal: return "thermal";
  }
  return "?";
}
const char* to_string(Scheme s) {
  switch (s) {
    case Scheme::paper: return "paper";
    case Scheme::exact: return "exact";
    case Scheme::event: return "event";
  }
  return "?";
}
const char* to_string(Backend b) {
  switch (b) {
    case Backend::automatic: return "auto";
    case Backend::cpu: return "cpu";
    case Backend::cuda: return "cuda";
  }
  return "?";
}

}  // namespace vswap
