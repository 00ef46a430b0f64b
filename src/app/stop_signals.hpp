#pragma once
/// @brief SIGTERM and SIGINT during `vswap run` (docs/PRODUCTION.md, "Signals and exit
/// codes"): caught from before the theory prediction until the output is written.
///
/// In each phase a stop signal either ends the process at once with exit 128 + signal,
/// saying what was and was not written (nothing can be saved then: before the simulation,
/// during one without a checkpoint, after the simulation), or is only noted, for the
/// checkpoint loop to save the finished chunks and exit with the same code.

#include <string>

namespace vswap::app {

class StopSignals {
 public:
  /// Installs the handler for SIGTERM and SIGINT; a signal ends the process at once, with
  /// `note` as in exit_at_once().
  explicit StopSignals(const std::string& note);
  /// Restores the previous handlers.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// From now on a stop signal prints "vswap run: SIGTERM received <note> (exit 143)",
  /// removes `temporary` (a partial output) when not empty, and exits with 128 + signal.
  /// A signal noted before is acted on now.
  void exit_at_once(const std::string& note, const std::string& temporary = "");
  /// From now on a stop signal is only noted (pending()).
  void note_only();
  /// The signal noted (SIGTERM or SIGINT), 0 while none came.
  static int pending();
};

}  // namespace vswap::app
