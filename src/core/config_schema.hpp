#pragma once
// The schema behind RunConfig: one Field per dotted key, with its type, default, constraint and documentation.
// Internal to the core module; the public view is ttrl::config_keys().
#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ttrl/core/config.hpp"

namespace ttrl::config_detail {

enum class Kind { kInt, kFloat, kBool, kString, kStringList };

struct Field {
  std::string path;
  Kind kind = Kind::kString;
  std::string doc;
  /// Converts `node` to the field's type and stores it; throws ConfigError with `where` in the message.
  std::function<void(RunConfig&, const YAML::Node&, const std::string& where)> assign;
  /// The current value as YAML text (scalar, or a flow sequence for lists).
  std::function<std::string(const RunConfig&)> render;
  /// The current value as a number (int and float fields), for range checks.
  std::function<double(const RunConfig&)> number;
  /// The current value as text (string fields), for choice checks.
  std::function<std::string(const RunConfig&)> text;

  std::optional<double> min, max;
  bool min_exclusive = false;
  std::vector<std::string> choices;

  Field& range(double lo, double hi) { min = lo; max = hi; return *this; }
  Field& at_least(double lo) { min = lo; return *this; }
  Field& range_open_low(double lo, double hi) { min = lo; max = hi; min_exclusive = true; return *this; }
  Field& one_of(std::vector<std::string> values) { choices = std::move(values); return *this; }
  /// Human-readable constraint, e.g. "[1, 65536]" or "one of: a, b"; empty if none.
  std::string constraint() const;
};

/// Every field, in documentation order.
const std::vector<Field>& schema();
/// The field at `path`, or nullptr.
const Field* find_field(const std::string& path);
/// The known key or section closest to `path` (edit distance, same depth first), for "did you mean" hints.
std::string nearest_key(const std::string& path);
const char* kind_name(Kind kind);
/// The scalar's text; ConfigError("<where>: <path>: ... not valid UTF-8 ...") when its decoded value is not UTF-8.
std::string utf8_scalar(const YAML::Node& node, const std::string& path, const std::string& where);

/// A YAML double-quoted scalar (JSON escapes, which YAML accepts).
std::string quote(const std::string& text);

}  // namespace ttrl::config_detail
