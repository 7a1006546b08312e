#pragma once
// Typed access to a plugin's options: the extra keys under `reward:` arrive as strings (RewardSection::options).
// Each accessor returns `fallback` when the key is absent and throws ttrl::ConfigError("reward.<key>: ...") when
// the value does not parse as the requested type.
#include <cstdint>
#include <map>
#include <string>

namespace ttrl::reward {

using OptionMap = std::map<std::string, std::string>;

std::string option_string(const OptionMap& options, const std::string& key, const std::string& fallback);
double option_double(const OptionMap& options, const std::string& key, double fallback);  ///< finite numbers only
int64_t option_int(const OptionMap& options, const std::string& key, int64_t fallback);
bool option_bool(const OptionMap& options, const std::string& key, bool fallback);  ///< true/false, yes/no, on/off, 1/0

}  // namespace ttrl::reward
