#include "ttrl/rollout/sampling_params.hpp"

#include <cmath>

#include "ttrl/core/error.hpp"

namespace ttrl::rollout {

void validate(const SamplingParams& p) {
  auto fail = [](const std::string& what) { throw ConfigError("sampling: " + what); };
  if (p.n < 1) fail("n must be >= 1, got " + std::to_string(p.n));
  if (!(p.temperature >= 0.0) || !std::isfinite(p.temperature)) fail("temperature must be >= 0");
  if (!(p.top_p > 0.0 && p.top_p <= 1.0)) fail("top_p must be in (0, 1], got " + std::to_string(p.top_p));
  if (p.top_k < 0) fail("top_k must be >= 0 (0 = off), got " + std::to_string(p.top_k));
  if (!(p.min_p >= 0.0 && p.min_p <= 1.0)) fail("min_p must be in [0, 1], got " + std::to_string(p.min_p));
  if (p.max_new_tokens < 1) fail("max_new_tokens must be >= 1, got " + std::to_string(p.max_new_tokens));
  for (const auto& s : p.stop_strings)
    if (s.empty()) fail("stop strings must not be empty");
}

}  // namespace ttrl::rollout
