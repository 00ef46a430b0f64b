#pragma once
/// @brief Reading and validating the TOML run configuration (SPEC section 5).
///
/// Every key is checked: unknown keys, wrong types and out-of-range values raise
/// `vswap::InputError` naming the key (`section.key`) and the allowed range.

#include <optional>
#include <string>
#include <vector>

#include <vswap/config.hpp>

namespace vswap::app {

/// Loads `path`, applies `overrides` ("key.path=value", TOML value syntax; bare words are
/// strings), validates and returns the config. Throws InputError on any problem.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// Same, from TOML text (for tests and tools); `origin` names it in messages.
/// A table bath's file is read here, once, into `bath.table_text`; `table_text` (the
/// `bath_table` attribute of a run file, for `vswap merge`) is used instead of the file.
Config parse_config(const std::string& toml_text, const std::vector<std::string>& overrides = {},
                    const std::string& origin = "<string>",
                    const std::optional<std::string>& table_text = std::nullopt);

/// The config as it runs, as TOML: every key with its value (defaults included, the
/// collision scheme resolved), except the [bath] keys its kind does not read and an
/// automatic velocity range; `bath.file` resolved against the config's directory. Parsing
/// it gives the same Config. It is `Config::toml_text` and the outputs' `config` attribute.
std::string effective_toml(const Config& config);

}  // namespace vswap::app
