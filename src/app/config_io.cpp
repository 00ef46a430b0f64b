// Config reading and validation (SPEC section 5). Every accepted key is listed here once,
// with its type and allowed range; anything else is an error naming the key.
#include "app/config_io.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <set>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <vswap/error.hpp>
#include <vswap/theory/bath_state.hpp>

namespace vswap::app {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kMaxCount = 2147483647;  // particle indices are 32-bit in the engine

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

/// Reads typed values from the TOML tree, remembering which keys were consumed.
class Reader {
 public:
  explicit Reader(const toml::table& root) : root_(root) {}

  bool has(const std::string& section, const std::string& key) const {
    return node(section, key) != nullptr;
  }

  /// Marks `key` as consumed without reading it (a key the run does not use: not validated).
  void ignore(const std::string& section, const std::string& key) { take(section, key); }

  /// A real number in [lo, hi] (open ends where `lo_open`/`hi_open`); integers are accepted.
  double real(const std::string& section, const std::string& key, double fallback, double lo,
              double hi, bool lo_open = false, bool hi_open = false) {
    const toml::node* n = take(section, key);
    if (!n) return fallback;
    double v = 0;
    if (auto f = n->as_floating_point()) {
      v = f->get();
    } else if (auto i = n->as_integer()) {
      v = static_cast<double>(i->get());
    } else {
      throw InputError(path(section, key), fmt::format("must be a number, got {}", type_of(*n)));
    }
    check_real(path(section, key), v, lo, hi, lo_open, hi_open);
    return v;
  }

  std::int64_t integer(const std::string& section, const std::string& key, std::int64_t fallback,
                       std::int64_t lo, std::int64_t hi) {
    const toml::node* n = take(section, key);
    if (!n) return fallback;
    auto i = n->as_integer();
    if (!i) {
      throw InputError(path(section, key),
                       fmt::format("must be an integer, got {}", type_of(*n)));
    }
    const std::int64_t v = i->get();
    if (v < lo || v > hi) {
      throw InputError(path(section, key),
                       fmt::format("must be an integer in [{}, {}], got {}", lo, hi, v));
    }
    return v;
  }

  std::string choice(const std::string& section, const std::string& key,
                     const std::string& fallback, const std::vector<std::string>& allowed) {
    const std::string v = string(section, key, fallback);
    for (const auto& a : allowed) {
      if (v == a) return v;
    }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : " | ") + a;
    throw InputError(path(section, key),
                     fmt::format("must be one of {}, got {}", list, quoted(v)));
  }

  std::string string(const std::string& section, const std::string& key,
                     const std::string& fallback) {
    const toml::node* n = take(section, key);
    if (!n) return fallback;
    auto s = n->as_string();
    if (!s) {
      throw InputError(path(section, key), fmt::format("must be a string, got {}", type_of(*n)));
    }
    return s->get();
  }

  std::vector<double> real_list(const std::string& section, const std::string& key,
                                std::vector<double> fallback, double lo, double hi) {
    const toml::node* n = take(section, key);
    if (!n) return fallback;
    auto arr = n->as_array();
    if (!arr) {
      throw InputError(path(section, key),
                       fmt::format("must be an array of numbers, got {}", type_of(*n)));
    }
    std::vector<double> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::node& e = *arr->get(i);
      const std::string where = fmt::format("{}[{}]", path(section, key), i);
      double v = 0;
      if (auto f = e.as_floating_point()) {
        v = f->get();
      } else if (auto j = e.as_integer()) {
        v = static_cast<double>(j->get());
      } else {
        throw InputError(where, fmt::format("must be a number, got {}", type_of(e)));
      }
      check_real(where, v, lo, hi, false, false);
      out.push_back(v);
    }
    return out;
  }

  /// Every key present must have been read; every top-level entry must be a known section.
  void reject_unknown() const {
    static const std::set<std::string> sections{"bath", "system", "collisions", "numerics",
                                                "theory"};
    for (const auto& [k, v] : root_) {
      const std::string name(k.str());
      if (!sections.count(name)) {
        throw InputError(name, "unknown section or key (allowed sections: bath, system, "
                               "collisions, numerics, theory)");
      }
      if (!v.is_table()) throw InputError(name, "must be a table ([" + name + "])");
      for (const auto& [kk, vv] : *v.as_table()) {
        (void)vv;
        const std::string full = name + "." + std::string(kk.str());
        if (!used_.count(full)) throw InputError(full, "unknown key");
      }
    }
  }

 private:
  static std::string path(const std::string& s, const std::string& k) { return s + "." + k; }

  static std::string type_of(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string: {
        // `--set x=.08` or `x = "1e-3"`: a number as TOML does not write one
        const std::string text = **n.as_string();
        char* end = nullptr;
        const bool numeric = !text.empty() && (std::strtod(text.c_str(), &end), *end == '\0');
        return fmt::format("the string {}{}", quoted(text),
                           numeric ? " (TOML numbers have a digit on both sides of the point and no "
                                     "quotes: 0.08, 8.0, 1e-3)"
                                   : "");
      }
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a float";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::array: return "an array";
      case toml::node_type::table: return "a table";
      default: return "a date/time";
    }
  }

  static void check_real(const std::string& where, double v, double lo, double hi, bool lo_open,
                         bool hi_open) {
    if (!std::isfinite(v)) throw InputError(where, fmt::format("must be finite, got {}", v));
    const bool below = lo_open ? !(v > lo) : !(v >= lo);
    const bool above = hi_open ? !(v < hi) : !(v <= hi);
    if (below || above) {
      throw InputError(where, fmt::format("must be in {}{}, {}{}, got {}", lo_open ? "(" : "[",
                                          lo, hi, hi_open ? ")" : "]", v));
    }
  }

  const toml::node* node(const std::string& section, const std::string& key) const {
    const toml::node* s = root_.get(section);
    if (!s) return nullptr;
    if (!s->is_table()) throw InputError(section, "must be a table ([" + section + "])");
    return s->as_table()->get(key);
  }

  const toml::node* take(const std::string& section, const std::string& key) {
    used_.insert(path(section, key));
    return node(section, key);
  }

  const toml::table& root_;
  std::set<std::string> used_;
};

template <class Enum>
Enum parse_enum(const std::string& s, std::initializer_list<std::pair<const char*, Enum>> map) {
  for (const auto& [name, value] : map) {
    if (s == name) return value;
  }
  return map.begin()->second;  // unreachable: `choice` already validated
}

/// Applies one `--set key.path=value` override to the TOML tree.
void apply_override(toml::table& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError("--set", "expected key.path=value, got " + quoted(assignment));
  }
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  // Parse the value as TOML; anything that is not a TOML value is taken as a bare string.
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + text);
  } catch (const toml::parse_error&) {
    parsed = toml::table{{"v", text}};
  }
  std::vector<std::string> parts;
  std::stringstream ss(key);
  for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    throw InputError(key, "--set needs section.key=value, got " + quoted(assignment));
  }
  toml::node* sec = root.get(parts[0]);
  if (!sec) {
    root.insert(parts[0], toml::table{});
    sec = root.get(parts[0]);
  }
  if (!sec->is_table()) throw InputError(parts[0], "must be a table");
  sec->as_table()->insert_or_assign(parts[1], *parsed.get("v"));
}

// Whether a bath of this kind reads [bath] `key` (density and boost: every kind).
bool bath_reads(BathKind kind, const std::string& key) {
  if (key == "density" || key == "boost") return true;
  switch (kind) {
    case BathKind::bragg: return key == "sigma" || key == "lambda_B" || key == "b";
    case BathKind::thermal: return key == "temperature";
    case BathKind::bragg_thermal: return key == "temperature" || key == "lambda_B" || key == "b";
    case BathKind::table: return key == "file";
  }
  return false;
}

Config read_config(const toml::table& root, const std::filesystem::path& base_dir) {
  Reader r(root);
  Config c;

  // [system] first: the statistics choose the default collision scheme.
  auto& s = c.system;
  s.statistics = parse_enum<Statistics>(
      r.choice("system", "statistics", "fermi", {"classical", "fermi"}),
      {{"classical", Statistics::classical}, {"fermi", Statistics::fermi}});
  s.particles = r.integer("system", "particles", s.particles, 1, kMaxCount);
  s.length = r.real("system", "length", s.length, 0.0, 1e12, true);
  s.profile = parse_enum<Profile>(r.choice("system", "profile", "gaussian", {"gaussian", "uniform"}),
                                  {{"gaussian", Profile::gaussian}, {"uniform", Profile::uniform}});
  s.width = r.real("system", "width", s.width, 0.0, kInf, true, true);
  s.velocities = parse_enum<InitialVelocities>(
      r.choice("system", "velocities", "bath", {"bath", "stationary", "thermal"}),
      {{"bath", InitialVelocities::bath},
       {"stationary", InitialVelocities::stationary},
       {"thermal", InitialVelocities::thermal}});
  s.temperature = r.real("system", "temperature", s.temperature, 0.0, kInf, true, true);
  if (s.profile == Profile::gaussian && s.width > s.length) {
    throw InputError("system.width", fmt::format("must not exceed system.length = {} (got {})",
                                                 s.length, s.width));
  }

  auto& b = c.bath;
  b.kind = parse_enum<BathKind>(
      r.choice("bath", "kind", "bragg", {"bragg", "thermal", "bragg_thermal", "table"}),
      {{"bragg", BathKind::bragg},
       {"thermal", BathKind::thermal},
       {"bragg_thermal", BathKind::bragg_thermal},
       {"table", BathKind::table}});
  // the keys of the kind are read and validated; the others are only named in the
  // warning below (validating them refused `--set bath.kind="bragg"` on a thermal config
  // for a temperature the bragg bath never reads)
  const auto bath_real = [&](const char* key, double& value, double lo, double hi, bool lo_open, bool hi_open) {
    if (bath_reads(b.kind, key)) value = r.real("bath", key, value, lo, hi, lo_open, hi_open);
    else r.ignore("bath", key);
  };
  b.density = r.real("bath", "density", b.density, 0.0, kInf, true, true);
  bath_real("sigma", b.sigma, 0.0, kInf, true, true);
  bath_real("lambda_B", b.lambda_B, -1e6, 1e6, false, false);
  bath_real("b", b.b, 0.0, kInf, false, true);
  bath_real("temperature", b.temperature, 0.0, kInf, true, true);
  b.boost = r.real("bath", "boost", b.boost, -1e6, 1e6);
  if (bath_reads(b.kind, "file")) b.file = r.string("bath", "file", "");
  else r.ignore("bath", "file");
  {
    // keys this kind does not read: said once, on stderr (an error would refuse
    // `--set bath.kind=...` on a config written for another kind)
    std::string given;
    for (const char* key : {"sigma", "lambda_B", "b", "temperature", "file"})
      if (!bath_reads(b.kind, key) && r.has("bath", key)) given += (given.empty() ? "bath." : ", bath.") + std::string(key);
    if (!given.empty())
      std::cerr << fmt::format("vswap: warning: {} not used by bath.kind = \"{}\" (ignored)\n", given,
                               to_string(b.kind));
  }
  if (b.kind == BathKind::table) {
    if (b.file.empty()) throw InputError("bath.file", "is required when bath.kind = \"table\"");
    std::filesystem::path p(b.file);
    if (p.is_relative()) b.file = (base_dir / p).lexically_normal().string();
  }

  auto& col = c.collisions;
  col.gamma = r.real("collisions", "gamma", col.gamma, 0.0, kInf, true, true);
  const std::string default_scheme = s.statistics == Statistics::fermi ? "exact" : "event";
  col.scheme = parse_enum<Scheme>(
      r.choice("collisions", "scheme", default_scheme, {"paper", "exact", "event"}),
      {{"paper", Scheme::paper}, {"exact", Scheme::exact}, {"event", Scheme::event}});

  auto& n = c.numerics;
  n.cells = r.integer("numerics", "cells", n.cells, 1, 100000000);
  n.dt = r.real("numerics", "dt", n.dt, 0.0, kInf, true, true);
  n.realizations = r.integer("numerics", "realizations", n.realizations, 1, kMaxCount);
  const std::int64_t seed = r.integer("numerics", "seed", 1, 0, std::numeric_limits<std::int64_t>::max());
  n.seed = static_cast<std::uint64_t>(seed);
  n.times = r.real_list("numerics", "times", n.times, 0.0, 1e12);
  if (n.times.empty()) throw InputError("numerics.times", "must list at least one time");
  if (n.times.size() > 100000) throw InputError("numerics.times", "at most 100000 times");
  for (std::size_t i = 1; i < n.times.size(); ++i) {
    if (!(n.times[i] > n.times[i - 1])) {
      throw InputError("numerics.times", fmt::format("must be strictly increasing (entry {} = {} "
                                                     "follows {})",
                                                     i, n.times[i], n.times[i - 1]));
    }
  }
  // The time-stepped schemes only: `event` has no time step (dt is unused there).
  if (col.scheme != Scheme::event && n.times.back() / n.dt > double(1 << 30)) {
    throw InputError("numerics.dt", fmt::format("too small for the last time {}: more than 2^30 "
                                                "steps",
                                                n.times.back()));
  }
  n.bins = r.integer("numerics", "bins", n.bins, 1, 10000000);
  n.velocity_bins = r.integer("numerics", "velocity_bins", 0, 0, 1000000);
  n.velocity_min = r.real("numerics", "velocity_min", 0.0, -1e9, 1e9);
  n.velocity_max = r.real("numerics", "velocity_max", 0.0, -1e9, 1e9);
  if (r.has("numerics", "velocity_min") != r.has("numerics", "velocity_max")) {
    const bool min_given = r.has("numerics", "velocity_min");
    throw InputError(min_given ? "numerics.velocity_max" : "numerics.velocity_min",
                     fmt::format("give it with numerics.{} = {} (the range needs both ends), or "
                                 "neither for the bath's own range",
                                 min_given ? "velocity_min" : "velocity_max",
                                 min_given ? n.velocity_min : n.velocity_max));
  }
  if (r.has("numerics", "velocity_min")) {
    if (!(n.velocity_max > n.velocity_min)) {
      throw InputError("numerics.velocity_max",
                       fmt::format("must exceed numerics.velocity_min = {} (got {})",
                                   n.velocity_min, n.velocity_max));
    }
  }
  n.backend = parse_enum<Backend>(r.choice("numerics", "backend", "auto", {"auto", "cpu", "cuda"}),
                                  {{"auto", Backend::automatic},
                                   {"cpu", Backend::cpu},
                                   {"cuda", Backend::cuda}});

  auto& t = c.theory;
  t.rho_min = r.real("theory", "rho_min", t.rho_min, 0.0, 1e9);
  t.rho_max = r.real("theory", "rho_max", t.rho_max, 0.0, 1e9, true);
  t.points = r.integer("theory", "points", t.points, 2, 1000000);
  if (!(t.rho_max > t.rho_min)) {
    throw InputError("theory.rho_max", fmt::format("must exceed theory.rho_min = {} (got {})",
                                                   t.rho_min, t.rho_max));
  }

  r.reject_unknown();
  return c;
}

}  // namespace

Config parse_config(const std::string& toml_text, const std::vector<std::string>& overrides,
                    const std::string& origin, const std::optional<std::string>& table_text) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    throw InputError(origin, fmt::format("TOML syntax error at line {}, column {}: {}",
                                         src.begin.line, src.begin.column, e.description()));
  }
  for (const auto& o : overrides) apply_override(root, o);
  const auto base = std::filesystem::path(origin).parent_path();
  Config c = read_config(root, base);
  if (c.bath.kind == BathKind::table) c.bath.table_text = table_text ? *table_text : theory::BathState::read_file(c.bath.file);
  c.toml_text = effective_toml(c);
  c.source_path = origin;
  return c;
}

std::string effective_toml(const Config& c) {
  toml::table bath;
  const auto& b = c.bath;
  bath.insert("kind", to_string(b.kind));
  const std::pair<const char*, double> reals[] = {{"density", b.density}, {"sigma", b.sigma},
                                                  {"lambda_B", b.lambda_B}, {"b", b.b},
                                                  {"temperature", b.temperature}, {"boost", b.boost}};
  for (const auto& [key, value] : reals)
    if (bath_reads(b.kind, key)) bath.insert(key, value);
  if (bath_reads(b.kind, "file")) bath.insert("file", b.file);

  const auto& s = c.system;
  toml::table system{{"statistics", to_string(s.statistics)}, {"particles", s.particles},
                     {"length", s.length},                    {"profile", to_string(s.profile)},
                     {"width", s.width},                      {"velocities", to_string(s.velocities)},
                     {"temperature", s.temperature}};
  toml::table collisions{{"gamma", c.collisions.gamma}, {"scheme", to_string(c.collisions.scheme)}};

  const auto& n = c.numerics;
  toml::array times;
  for (double t : n.times) times.push_back(t);
  toml::table numerics{{"cells", n.cells},
                       {"dt", n.dt},
                       {"realizations", n.realizations},
                       {"seed", static_cast<std::int64_t>(n.seed)},
                       {"times", std::move(times)},
                       {"bins", n.bins},
                       {"velocity_bins", n.velocity_bins},
                       {"backend", to_string(n.backend)}};
  if (n.velocity_max > n.velocity_min) {  // given (both ends); else automatic, left out
    numerics.insert("velocity_min", n.velocity_min);
    numerics.insert("velocity_max", n.velocity_max);
  }
  toml::table theory{{"rho_min", c.theory.rho_min}, {"rho_max", c.theory.rho_max},
                     {"points", c.theory.points}};
  toml::table root{{"bath", std::move(bath)},         {"system", std::move(system)},
                   {"collisions", std::move(collisions)}, {"numerics", std::move(numerics)},
                   {"theory", std::move(theory)}};
  std::ostringstream out;
  out << root;
  return out.str();
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the config file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path, "cannot read the config file");
  // An empty file is almost always a truncated copy or a wrong path, not "all defaults".
  const std::string body = std::regex_replace(text.str(), std::regex("#[^\n]*"), "");
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw InputError(path, "the config file is empty (a missing section takes its defaults, "
                           "but an empty file is refused)");
  }
  return parse_config(text.str(), overrides, path);
}

}  // namespace vswap::app
