// `vswap burgers`: the Burgers equation (2) from the configured initial profile.
#include <iostream>

#include <fmt/format.h>

#include <vswap/error.hpp>

#include "app/commands.hpp"
#include "app/config_io.hpp"
#include "app/predictions.hpp"

namespace vswap::app {

int burgers_command(const BurgersArgs& args) {
  const Config cfg = load_config(args.common.config, args.common.overrides);
  if (args.cells > 0 && (args.cells < 8 || args.cells % cfg.numerics.bins != 0)) {
    throw InputError("--cells", fmt::format("must be a multiple of numerics.bins = {} and at least "
                                            "8, got {}",
                                            cfg.numerics.bins, args.cells));
  }
  // fermions on the run's velocity lattice: the prediction `vswap run` compares with
  const auto bath = transport_bath(theory::BathState::from_config(cfg.bath), cfg);
  const auto solution = burgers_prediction(bath, cfg, args.cells);

  H5Writer out(output_path(args.common.output, "burgers.h5", args.common.config));
  write_provenance(out, cfg, "burgers");
  write_bath(out, bath);
  write_coefficients(out, "/theory/coefficients", coefficients(bath, cfg, cfg.system.statistics));
  out.write("/times", solution.times);
  const auto& x = solution.x;
  out.write("/density/x", std::vector<double>(x.data(), x.data() + x.size()));
  out.write("/theory/density", row_major(solution.density),
            {static_cast<std::uint64_t>(solution.density.rows()),
             static_cast<std::uint64_t>(solution.density.cols())});
  out.attribute("/theory/density", "solver_cells", static_cast<std::int64_t>(solution.cells));
  out.attribute("/theory/density", "mass_drift", solution.mass_drift);
  out.attribute("/theory/density", "error_estimate", solution.error_estimate);
  out.attribute("/theory", "velocities",
                std::string(cfg.system.statistics == Statistics::fermi ? "lattice" : "continuum"));
  out.commit();
  std::cout << fmt::format(
      "vswap burgers: {} times on {} bins ({} solver cells, {} steps, mass drift {:.1e}) -> {}\n",
      solution.times.size(), x.size(), solution.cells, solution.steps, solution.mass_drift,
      out.path());
  return 0;
}

}  // namespace vswap::app
