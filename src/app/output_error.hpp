#pragma once
/// @brief `OutputError`: a file vswap writes could not be written (a full disk, a file size
/// limit, a quota, an I/O error). Exit code 1 with a message naming the file; the input was
/// fine, so it is not an `InputError` (exit 2), and it is no bug either.

#include <stdexcept>
#include <string>

namespace vswap::app {

class OutputError : public std::runtime_error {
 public:
  /// `file`: the file that could not be written; `message`: what failed and why.
  OutputError(std::string file, const std::string& message)
      : std::runtime_error(file + ": " + message), file_(std::move(file)), message_(message) {}
  const std::string& file() const noexcept { return file_; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::string file_, message_;
};

}  // namespace vswap::app
