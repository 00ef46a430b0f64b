#include "app/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace vswap::app {
namespace {

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}h{:02d}m", s / 3600, (s / 60) % 60)
                   : fmt::format("{:d}m{:02d}s", s / 60, s % 60);
}

}  // namespace

ProgressReporter::ProgressReporter(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled),
      tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double ProgressReporter::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressReporter::update(double fraction) {
  if (!enabled_ || fraction == last_fraction_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  const double elapsed = elapsed_seconds();
  const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  if (tty_) {
    if (since < 0.2 && fraction < 1.0) return;
    constexpr int width = 40;
    const int filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r%s [%s%s] %5.1f%%  elapsed %s  ETA %s ", label_.c_str(),
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), '.').c_str(),
                 100.0 * fraction, clock_text(elapsed).c_str(),
                 fraction > 0 ? clock_text(eta).c_str() : "--");
    std::fflush(stderr);
    last_fraction_ = fraction;
  } else {
    if (fraction - last_fraction_ < 0.1 && since < 60.0 && fraction < 1.0) return;
    std::fprintf(stderr, "%s: %5.1f%% done, elapsed %s, ETA %s\n", label_.c_str(),
                 100.0 * fraction, clock_text(elapsed).c_str(), clock_text(eta).c_str());
    last_fraction_ = fraction;
  }
  last_print_ = now;
}

void ProgressReporter::finish() {
  if (!enabled_) return;
  if (tty_) std::fprintf(stderr, "\n");
  std::fprintf(stderr, "%s: finished in %.1f s\n", label_.c_str(), elapsed_seconds());
}

}  // namespace vswap::app
