// Typed reading of plugin options (strings from the YAML `reward:` section).
#include "ttrl/reward/options.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "ttrl/core/error.hpp"

namespace ttrl::reward {
namespace {

[[noreturn]] void bad_option(const std::string& key, const std::string& value, const char* expected) {
  throw ConfigError("reward." + key + ": expected " + expected + ", got '" + value + "'");
}

const std::string* find_option(const OptionMap& options, const std::string& key) {
  auto it = options.find(key);
  return it == options.end() ? nullptr : &it->second;
}

}  // namespace

std::string option_string(const OptionMap& options, const std::string& key, const std::string& fallback) {
  const std::string* value = find_option(options, key);
  return value ? *value : fallback;
}

double option_double(const OptionMap& options, const std::string& key, double fallback) {
  const std::string* value = find_option(options, key);
  if (!value) return fallback;
  char* end = nullptr;
  errno = 0;
  const double parsed = std::strtod(value->c_str(), &end);
  if (value->empty() || *end != '\0' || errno == ERANGE || !std::isfinite(parsed))
    bad_option(key, *value, "a finite number");
  return parsed;
}

int64_t option_int(const OptionMap& options, const std::string& key, int64_t fallback) {
  const std::string* value = find_option(options, key);
  if (!value) return fallback;
  char* end = nullptr;
  errno = 0;
  const long long parsed = std::strtoll(value->c_str(), &end, 10);
  if (value->empty() || *end != '\0' || errno == ERANGE) bad_option(key, *value, "an integer");
  return parsed;
}

bool option_bool(const OptionMap& options, const std::string& key, bool fallback) {
  const std::string* value = find_option(options, key);
  if (!value) return fallback;
  std::string lower = *value;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
  bad_option(key, *value, "true or false");
}

}  // namespace ttrl::reward
