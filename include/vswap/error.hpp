#pragma once
/// @brief Error types and precondition checks (host only).
///
/// `InputError` is a mistake in what the user asked for (config, command line, files):
/// the program reports it and exits with code 2, writing nothing. `ResourceError`: exit 1,
/// not called internal. `VSWAP_EXPECTS`
/// checks a precondition and throws `std::invalid_argument` with a readable message.

#include <stdexcept>
#include <string>

namespace vswap {

/// A user-facing input error (exit code 2). `key` names the config key or file at fault.
class InputError : public std::runtime_error {
 public:
  InputError(std::string key, const std::string& message)
      : std::runtime_error(key.empty() ? message : key + ": " + message), key_(std::move(key)) {}
  const std::string& key() const noexcept { return key_; }

 private:
  std::string key_;
};

/// A resource the run was sized for and then did not get (device memory another process
/// took after the run measured it): no mistake of the input, no bug; exit code 1.
class ResourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
[[noreturn]] inline void expects_failed(const char* cond, const std::string& msg, const char* file,
                                        int line) {
  throw std::invalid_argument(msg + " (precondition `" + cond + "` failed at " + file + ":" +
                              std::to_string(line) + ")");
}
}  // namespace detail
}  // namespace vswap

#define VSWAP_EXPECTS(cond, msg)                                              \
  do {                                                                        \
    if (!(cond)) ::vswap::detail::expects_failed(#cond, (msg), __FILE__, __LINE__); \
  } while (0)
