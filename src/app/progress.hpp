#pragma once
/// @brief Progress of a long run on stderr: a bar with ETA on a terminal, plain periodic
/// lines (every 10% or 60 s) when stderr is not a terminal.

#include <chrono>
#include <string>

namespace vswap::app {

class ProgressReporter {
 public:
  ProgressReporter(std::string label, bool enabled);
  /// `fraction` in [0, 1]; cheap when nothing needs printing.
  void update(double fraction);
  /// Ends the bar with the total wall time.
  void finish();
  double elapsed_seconds() const;

 private:
  std::string label_;
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
  double last_fraction_ = -1.0;
};

}  // namespace vswap::app
