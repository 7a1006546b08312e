// libFuzzer target over run-configuration loading: YAML text, then "--set" overrides, separated by NUL bytes
// (YAML text cannot hold one). Property beyond "no crash": an accepted configuration written back as YAML
// (to_yaml, what config.resolved.yaml holds) loads again to the same configuration.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/core/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = ttrl::fuzz::split(ttrl::fuzz::text_of(data, size), '\0', 8);
  const std::vector<std::string> overrides(parts.begin() + 1, parts.end());
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    const std::string resolved = ttrl::to_yaml(ttrl::parse_config(parts[0], "fuzz.yaml", overrides));
    std::string reloaded;
    try {
      reloaded = ttrl::to_yaml(ttrl::parse_config(resolved, "config.resolved.yaml"));
    } catch (const ttrl::Error&) {
      ttrl::fuzz::check(false);  // what ttrl wrote, ttrl must read
    }
    ttrl::fuzz::check(reloaded == resolved);
  });
  return 0;
}
