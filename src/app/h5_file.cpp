#include "app/h5_file.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include <vswap/error.hpp>

#include "app/output_error.hpp"

namespace vswap::app {
namespace {

/// Throws when an HDF5 call returned a negative id/status.
hid_t checked(hid_t id, const std::string& what) {
  if (id < 0) throw std::runtime_error("HDF5 error: " + what);
  return id;
}

/// Closes an HDF5 id at scope exit.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0) close(id);
  }
};

void silence_hdf5() {
  static const bool done = [] {
    prepare_hdf5();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

/// Why the last HDF5 call failed, from its error stack: the system's words where a read or
/// write failed ("File too large", "No space left on device"), else HDF5's innermost
/// description. Clears the stack.
std::string hdf5_reason() {
  struct Found {
    std::string system, innermost;
  } found;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        auto& f = *static_cast<Found*>(data);
        const std::string desc = e->desc ? e->desc : "";
        const std::string tag = "error message = '";
        const auto at = desc.find(tag);
        if (f.system.empty() && at != std::string::npos) {
          const auto end = desc.find('\'', at + tag.size());
          f.system = desc.substr(at + tag.size(), end == std::string::npos ? end : end - at - tag.size());
        }
        if (f.innermost.empty()) f.innermost = desc;
        return 0;
      },
      &found);
  H5Eclear2(H5E_DEFAULT);
  if (!found.system.empty()) return found.system;
  return found.innermost.empty() ? std::string("HDF5 reported an error") : found.innermost;
}

/// Throws OutputError naming `file` when an HDF5 call of the writer failed.
hid_t written(hid_t id, const std::string& file, const std::string& what) {
  if (id < 0) {
    throw OutputError(file, fmt::format("cannot write the output file ({}: {}; is the disk full "
                                        "or a file size limit reached?); nothing was written",
                                        what, hdf5_reason()));
  }
  return id;
}

hid_t open_object(hid_t file, const std::string& object) {
  return checked(H5Oopen(file, object.c_str(), H5P_DEFAULT), "open " + object);
}

void write_attribute(hid_t file, const std::string& path, const std::string& object,
                     const std::string& name, hid_t mem_type, hid_t file_type, const void* value) {
  Handle obj{open_object(file, object), H5Oclose};
  Handle space{checked(H5Screate(H5S_SCALAR), "scalar space"), H5Sclose};
  if (H5Aexists(obj.id, name.c_str()) > 0) H5Adelete(obj.id, name.c_str());
  Handle attr{written(H5Acreate2(obj.id, name.c_str(), file_type, space.id, H5P_DEFAULT,
                                 H5P_DEFAULT),
                      path, "create attribute " + name),
              H5Aclose};
  written(H5Awrite(attr.id, mem_type, value), path, "write attribute " + name);
  const hid_t closing = attr.id;
  attr.id = -1;
  written(H5Aclose(closing), path, "write attribute " + name);
}

}  // namespace

H5Writer::H5Writer(std::string path) : path_(std::move(path)) {
  silence_hdf5();
  // A directory (or "dir/") cannot be renamed onto: refuse it as bad input before anything
  // is written, for every subcommand (was an internal error after the work was done).
  std::error_code ec;
  if (path_.empty() || path_.back() == '/' || std::filesystem::is_directory(path_, ec)) {
    throw InputError("-o", fmt::format("{} names a directory, not an output file", path_));
  }
  tmp_path_ = temporary_path(path_);
  // The 1.8 object format keeps attributes over 64 KiB (a long table bath, `bath_table`)
  // in dense storage; every HDF5 >= 1.8 and h5py read it.
  Handle fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  H5Pset_libver_bounds(fapl.id, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
  file_ = H5Fcreate(tmp_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id);
  if (file_ < 0) {
    throw InputError("-o", fmt::format("cannot create the output file {} (is the directory "
                                       "writable?)",
                                       path_));
  }
}

H5Writer::~H5Writer() {
  if (file_ >= 0) {
    H5Fclose(static_cast<hid_t>(file_));
    std::remove(tmp_path_.c_str());
  }
}

namespace {
/// Creates dataset `name` (intermediate groups too) of `file_type` and writes `data`.
void write_dataset(hid_t file, const std::string& path, const std::string& name,
                   const void* data, std::size_t count, const std::vector<std::uint64_t>& shape,
                   hid_t file_type, hid_t mem_type) {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
  H5Pset_create_intermediate_group(lcpl.id, 1);
  Handle space{checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                       "dataspace for " + name),
               H5Sclose};
  Handle set{written(H5Dcreate2(file, name.c_str(), file_type, space.id, lcpl.id, H5P_DEFAULT,
                                H5P_DEFAULT),
                     path, "create dataset " + name),
             H5Dclose};
  if (count > 0) {
    written(H5Dwrite(set.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path,
            "write dataset " + name);
  }
  // Closing flushes the dataset's buffered data: where a full disk is often found first.
  const hid_t closing = set.id;
  set.id = -1;
  written(H5Dclose(closing), path, "write dataset " + name);
}
}  // namespace

void H5Writer::write(const std::string& name, const std::vector<double>& data,
                     const std::vector<std::uint64_t>& shape) {
  write_dataset(file_, path_, name, data.data(), data.size(), shape, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

void H5Writer::write_int(const std::string& name, const std::vector<std::int64_t>& data,
                         const std::vector<std::uint64_t>& shape) {
  write_dataset(file_, path_, name, data.data(), data.size(), shape, H5T_STD_I64LE, H5T_NATIVE_INT64);
}

void H5Writer::attribute(const std::string& object, const std::string& name,
                         const std::string& value) {
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, value.size() + 1);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  write_attribute(file_, path_, object, name, type.id, type.id, value.c_str());
}

void H5Writer::attribute(const std::string& object, const std::string& name, double value) {
  write_attribute(file_, path_, object, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &value);
}

void H5Writer::attribute(const std::string& object, const std::string& name, std::int64_t value) {
  write_attribute(file_, path_, object, name, H5T_NATIVE_INT64, H5T_STD_I64LE, &value);
}

void H5Writer::attribute(const std::string& object, const std::string& name,
                         const std::vector<std::string>& values) {
  std::string joined;
  for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
  attribute(object, name, joined);
}

void H5Writer::commit() {
  if (file_ < 0) throw std::logic_error("H5Writer::commit called twice");
  const hid_t file = static_cast<hid_t>(file_);
  file_ = -1;
  const herr_t flushed = H5Fflush(file, H5F_SCOPE_GLOBAL);
  const std::string flush_reason = flushed < 0 ? hdf5_reason() : std::string();
  const herr_t closed = H5Fclose(file);
  const std::string reason = flushed < 0 ? flush_reason : closed < 0 ? hdf5_reason() : "";
  if (flushed < 0 || closed < 0) {
    std::remove(tmp_path_.c_str());
    throw OutputError(path_, fmt::format("cannot write the output file ({}; is the disk full or "
                                         "a file size limit reached?); nothing was written",
                                         reason));
  }
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp_path_.c_str());
    throw OutputError(path_, fmt::format("cannot rename the finished {} onto it ({})", tmp_path_,
                                         std::strerror(err)));
  }
}

std::string temporary_path(const std::string& path) {
  return fmt::format("{}.tmp.{}", path, static_cast<long>(getpid()));
}

void prepare_hdf5() {
  // HDF5's own atexit clean-up closes the files still open, and crashes on one whose close
  // failed (a full disk); every file is closed by its owner here.
  static const bool done = [] {
    H5dont_atexit();
    return true;
  }();
  (void)done;
}

std::vector<double> h5_read(const std::string& file, const std::string& name,
                            std::vector<std::uint64_t>* shape) {
  silence_hdf5();
  Handle f{H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  if (f.id < 0) throw InputError(file, "cannot open as HDF5");
  Handle set{H5Dopen2(f.id, name.c_str(), H5P_DEFAULT), H5Dclose};
  if (set.id < 0) throw InputError(file, "has no dataset " + name);
  Handle space{H5Dget_space(set.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank > 0 ? rank : 0));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  std::size_t count = 1;
  for (auto d : dims) count *= d;
  std::vector<double> data(count);
  if (count > 0) {
    checked(H5Dread(set.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
            "read " + name);
  }
  if (shape) shape->assign(dims.begin(), dims.end());
  return data;
}

bool h5_has_attribute(const std::string& file, const std::string& object, const std::string& name) {
  silence_hdf5();
  Handle f{H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  if (f.id < 0) throw InputError(file, "cannot open as HDF5");
  Handle obj{H5Oopen(f.id, object.c_str(), H5P_DEFAULT), H5Oclose};
  if (obj.id < 0) throw InputError(file, "has no object " + object);
  return H5Aexists(obj.id, name.c_str()) > 0;
}

std::string h5_read_attribute(const std::string& file, const std::string& object,
                              const std::string& name) {
  silence_hdf5();
  Handle f{H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  if (f.id < 0) throw InputError(file, "cannot open as HDF5");
  Handle obj{H5Oopen(f.id, object.c_str(), H5P_DEFAULT), H5Oclose};
  if (obj.id < 0) throw InputError(file, "has no object " + object);
  Handle attr{H5Aopen(obj.id, name.c_str(), H5P_DEFAULT), H5Aclose};
  if (attr.id < 0) throw InputError(file, "has no attribute " + name + " on " + object);
  Handle type{H5Aget_type(attr.id), H5Tclose};
  Handle space{H5Aget_space(attr.id), H5Sclose};
  const std::string bad = "attribute " + name + " on " + object + " is not a string";
  if (H5Tget_class(type.id) != H5T_STRING || H5Sget_simple_extent_npoints(space.id) != 1) {
    throw InputError(file, bad);
  }
  Handle mem{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_cset(mem.id, H5Tget_cset(type.id));
  if (H5Tis_variable_str(type.id) > 0) {
    // Variable-length strings: what h5py writes for a Python str (a file annotated or
    // rewritten by a script); vswap itself writes fixed-length ones.
    H5Tset_size(mem.id, H5T_VARIABLE);
    char* text = nullptr;
    if (H5Aread(attr.id, mem.id, &text) < 0) throw InputError(file, bad);
    std::string value = text ? text : "";
    if (text) H5free_memory(text);
    return value;
  }
  const std::size_t size = H5Tget_size(type.id);
  std::string value(size, '\0');
  H5Tset_size(mem.id, size);
  // null-padded in memory: all `size` characters come back, whatever the file's padding (a
  // null-terminated memory type of the same size drops the last character of a string
  // written without a terminator, as h5py writes np.bytes_)
  H5Tset_strpad(mem.id, H5T_STR_NULLPAD);
  if (H5Aread(attr.id, mem.id, value.data()) < 0) throw InputError(file, bad);
  while (!value.empty() && value.back() == '\0') value.pop_back();
  return value;
}

}  // namespace vswap::app
