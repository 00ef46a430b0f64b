#pragma once
/// @brief A small RAII writer for the HDF5 output files (layout: docs/OUTPUT.md).
///
/// The file is written under a temporary name beside the target and renamed onto it only
/// by `commit()`: a run that fails or is killed never leaves a truncated file where the
/// output should be. A writer destroyed without commit removes its temporary file.

#include <cstdint>
#include <string>
#include <vector>

namespace vswap::app {

/// Call before any other HDF5 function: keeps HDF5 from closing files at exit (a file
/// whose close failed on a full disk crashed it there); every file is closed by its owner.
void prepare_hdf5();

/// The temporary name `H5Writer` writes `path` under before renaming it: `<path>.tmp.<pid>`.
std::string temporary_path(const std::string& path);

class H5Writer {
 public:
  /// Opens `<path>.tmp.<pid>` for writing; throws InputError("-o", ...) if it cannot.
  /// A failed write (a full disk, a file size limit) throws OutputError naming `path`; the
  /// temporary file is removed then, and nothing is left at `path`.
  explicit H5Writer(std::string path);
  ~H5Writer();
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;

  /// Writes a dataset of doubles with the given shape (row-major); groups are created.
  void write(const std::string& name, const std::vector<double>& data,
             const std::vector<std::uint64_t>& shape);
  void write(const std::string& name, const std::vector<double>& data) {
    write(name, data, {static_cast<std::uint64_t>(data.size())});
  }
  void write_int(const std::string& name, const std::vector<std::int64_t>& data,
                 const std::vector<std::uint64_t>& shape);

  /// Attributes on an object ("/" for the root).
  void attribute(const std::string& object, const std::string& name, const std::string& value);
  void attribute(const std::string& object, const std::string& name, double value);
  void attribute(const std::string& object, const std::string& name, std::int64_t value);
  void attribute(const std::string& object, const std::string& name,
                 const std::vector<std::string>& values);

  /// Closes the file and renames it onto the final path.
  void commit();

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string tmp_path_;
  std::int64_t file_ = -1;
};

/// Reads back a dataset of doubles (and its shape) — for tests, tools and `vswap merge`.
std::vector<double> h5_read(const std::string& file, const std::string& name,
                            std::vector<std::uint64_t>* shape = nullptr);
/// Reads a string attribute; throws InputError naming the file if absent.
std::string h5_read_attribute(const std::string& file, const std::string& object,
                              const std::string& name);
/// Whether `object` in `file` has the attribute `name` (InputError if the file or object
/// cannot be opened).
bool h5_has_attribute(const std::string& file, const std::string& object, const std::string& name);

}  // namespace vswap::app
