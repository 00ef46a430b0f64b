// Checkpoint files and the RunSums byte codec (see checkpoint.hpp, docs/PRODUCTION.md).
#include "app/checkpoint.hpp"

#include "app/config_io.hpp"

#include <cmath>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <vswap/error.hpp>

#include "app/output_error.hpp"

namespace vswap::app {
namespace {

constexpr char kMagic[8] = {'V', 'S', 'W', 'A', 'P', 'C', 'K', 'P'};
constexpr std::uint32_t kFormat = 2;  // 2: RunSums::energy_unit

class ByteWriter {
 public:
  void raw(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  void u64(std::uint64_t v) { raw(&v, sizeof v); }
  void i64(std::int64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void str(const std::string& s) {
    u64(s.size());
    raw(s.data(), s.size());
  }
  void ints(const std::vector<std::int64_t>& v) {
    u64(v.size());
    for (auto x : v) i64(x);
  }
  void reals(const std::vector<double>& v) {
    u64(v.size());
    for (auto x : v) f64(x);
  }
  void exact(const std::vector<engine::ExactSum>& v) {
    u64(v.size());
    for (const auto& s : v) {
      i64(s.hi());
      u64(s.lo());
    }
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class ByteReader {
 public:
  ByteReader(const std::string& bytes, std::string origin)
      : data_(bytes), origin_(std::move(origin)) {}
  void raw(void* p, std::size_t n) {
    if (n > data_.size() - pos_) throw InputError(origin_, "is truncated or corrupt");
    std::memcpy(p, data_.data() + pos_, n);
    pos_ += n;
  }
  std::uint64_t u64() {
    std::uint64_t v;
    raw(&v, sizeof v);
    return v;
  }
  std::int64_t i64() {
    std::int64_t v;
    raw(&v, sizeof v);
    return v;
  }
  double f64() {
    double v;
    raw(&v, sizeof v);
    return v;
  }
  /// A count of items of `item_bytes` each that must fit in what is left.
  std::size_t count(std::size_t item_bytes) {
    const std::uint64_t n = u64();
    if (n > (data_.size() - pos_) / item_bytes) throw InputError(origin_, "is truncated or corrupt");
    return static_cast<std::size_t>(n);
  }
  std::string str() {
    std::string s(count(1), '\0');
    raw(s.data(), s.size());
    return s;
  }
  std::vector<std::int64_t> ints() {
    std::vector<std::int64_t> v(count(8));
    for (auto& x : v) x = i64();
    return v;
  }
  std::vector<double> reals() {
    std::vector<double> v(count(8));
    for (auto& x : v) x = f64();
    return v;
  }
  std::vector<engine::ExactSum> exact() {
    std::vector<engine::ExactSum> v(count(16));
    for (auto& s : v) {
      const auto hi = i64();
      s = engine::ExactSum::from_words(hi, u64());
    }
    return v;
  }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  const std::string& data_;
  std::size_t pos_ = 0;
  std::string origin_;
};

std::uint64_t fnv1a(const char* p, std::size_t n) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

void fsync_directory_of(const std::string& path) {
  auto dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

std::string encode_sums(const engine::RunSums& s) {
  ByteWriter w;
  w.i64(s.first);
  w.i64(s.last);
  w.i64(s.particles);
  w.f64(s.length);
  w.reals(s.times);
  w.ints(s.steps);
  w.reals(s.density_edges);
  w.reals(s.velocity_edges);
  w.reals(s.velocity_centres);
  w.ints(s.density_count);
  w.ints(s.density_count_sq);
  w.ints(s.velocity_count);
  w.ints(s.velocity_count_sq);
  w.exact(s.energy);
  w.exact(s.energy_sq);
  w.f64(s.energy_unit);
  w.ints(s.swaps);
  w.ints(s.rejected);
  w.ints(s.rescattered);
  w.ints(s.saturated);
  w.str(s.scheme);
  return std::move(w.bytes());
}

engine::RunSums decode_sums(const std::string& bytes, const std::string& origin) {
  ByteReader r(bytes, origin);
  engine::RunSums s;
  s.first = r.i64();
  s.last = r.i64();
  s.particles = r.i64();
  s.length = r.f64();
  s.times = r.reals();
  s.steps = r.ints();
  s.density_edges = r.reals();
  s.velocity_edges = r.reals();
  s.velocity_centres = r.reals();
  s.density_count = r.ints();
  s.density_count_sq = r.ints();
  s.velocity_count = r.ints();
  s.velocity_count_sq = r.ints();
  s.energy = r.exact();
  s.energy_sq = r.exact();
  s.energy_unit = r.f64();
  if (!(s.energy_unit > 0) || !std::isfinite(s.energy_unit)) throw InputError(origin, "holds inconsistent sums (corrupt file?)");
  s.swaps = r.ints();
  s.rejected = r.ints();
  s.rescattered = r.ints();
  s.saturated = r.ints();
  s.scheme = r.str();
  const std::size_t T = s.times.size();
  if (!r.at_end() || s.first > s.last || s.density_edges.size() < 2 ||
      s.density_count.size() != T * (s.density_edges.size() - 1) ||
      s.density_count_sq.size() != s.density_count.size() ||
      s.velocity_count.size() != T * s.velocity_centres.size() ||
      s.velocity_count_sq.size() != s.velocity_count.size() || s.energy.size() != T ||
      s.energy_sq.size() != T || s.steps.size() != T || s.swaps.size() != T ||
      s.rejected.size() != T || s.rescattered.size() != T || s.saturated.size() != T) {
    throw InputError(origin, "holds inconsistent sums (corrupt file?)");
  }
  return s;
}

std::string run_identity(const std::string& config_toml, const std::optional<std::string>& table_text) {
  // The effective config: a key set to its default is the same run as the key left out
  // (older files' `config` attribute held only the keys given, as written).
  std::string effective = config_toml;
  try {
    effective = parse_config(config_toml, {}, "<config attribute>", table_text).toml_text;
  } catch (const std::exception&) {
    // not a valid config: compared as it is
  }
  std::ostringstream out;
  toml::table root;
  try {
    root = toml::parse(effective);
    if (auto* numerics = root["numerics"].as_table()) numerics->erase("backend");
    // a table bath is its text (below), wherever its file was
    if (auto* bath = root["bath"].as_table(); bath && table_text) bath->erase("file");
    out << root;
  } catch (const toml::parse_error&) {
    out << config_toml;  // not TOML: compared as text
  }
  if (table_text) {
    std::istringstream lines(*table_text);
    for (std::string line; std::getline(lines, line);) out << "\nbath table: " << line;
  }
  return out.str();
}

std::int64_t Checkpoint::done_count() const {
  std::int64_t n = 0;
  for (const auto& [a, b] : done) n += b - a;
  return n;
}

void write_checkpoint(const std::string& path, const Checkpoint& ck) {
  ByteWriter w;
  w.raw(kMagic, sizeof kMagic);
  w.u64(kFormat);
  w.str(ck.identity);
  w.str(ck.version);
  w.u64(ck.seed);
  w.i64(ck.range.first);
  w.i64(ck.range.second);
  w.u64(ck.done.size());
  for (const auto& [a, b] : ck.done) {
    w.i64(a);
    w.i64(b);
  }
  w.str(encode_sums(ck.sums));
  const std::uint64_t sum = fnv1a(w.bytes().data(), w.bytes().size());
  w.u64(sum);

  // Never in place: the previous checkpoint stays whole until the new one is complete on
  // disk (a full disk, a kill at any moment).
  const std::string tmp = fmt::format("{}.tmp.{}", path, static_cast<long>(::getpid()));
  const auto fail = [&](int err) {
    std::remove(tmp.c_str());
    throw OutputError(path, fmt::format("cannot write the checkpoint ({}; is the disk full or a "
                                        "file size limit reached?)",
                                        std::strerror(err)));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail(errno);
  const std::string& bytes = w.bytes();
  std::size_t written = 0;
  int err = 0;
  while (err == 0 && written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) err = n < 0 ? errno : EIO;
    else written += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) fail(err);
  fsync_directory_of(path);
}

Checkpoint read_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the checkpoint");
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string bytes = buf.str();
  if (bytes.size() < sizeof kMagic + 16 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw InputError(path, "is not a vswap checkpoint");
  }
  std::uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (stored != fnv1a(bytes.data(), bytes.size() - 8)) {
    throw InputError(path, "checkpoint checksum mismatch (corrupt file)");
  }
  const std::string body = bytes.substr(sizeof kMagic, bytes.size() - sizeof kMagic - 8);
  ByteReader r(body, path);
  if (r.u64() != kFormat) throw InputError(path, "checkpoint format version not supported");
  Checkpoint ck;
  ck.identity = r.str();
  ck.version = r.str();
  ck.seed = r.u64();
  ck.range.first = r.i64();
  ck.range.second = r.i64();
  const std::size_t n = r.count(16);
  for (std::size_t i = 0; i < n; ++i) {
    const auto a = r.i64();
    ck.done.emplace_back(a, r.i64());
  }
  ck.sums = decode_sums(r.str(), path);
  if (!r.at_end()) throw InputError(path, "is truncated or corrupt");
  std::int64_t prev = ck.range.first;
  for (const auto& [a, b] : ck.done) {
    if (a < prev || b <= a || b > ck.range.second) {
      throw InputError(path, "holds an invalid list of done realizations (corrupt file?)");
    }
    prev = b;
  }
  return ck;
}

int remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  const std::string prefix = p.filename().string() + ".tmp.";
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(pid_text);
    if (pid == static_cast<long>(::getpid())) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive here
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0 || std::time(nullptr) - st.st_mtime < 60) continue;
    if (fs::remove(it->path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace vswap::app
