#pragma once
// Per-token values of a rollout as the token-level rewards (self_certainty, entropy) read them.
#include <cstddef>
#include <vector>

#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

/// The mean of `values` (one of `rollout`'s per-token vectors, named `field`), accumulated in double; 0 for a rollout
/// without tokens. Throws ttrl::Error "<reward>: rollout <index> ..." when the rollout has tokens (num_tokens > 0)
/// but `values` is empty or has another length.
double token_mean(const Rollout& rollout, const std::vector<float>& values, size_t index, const char* reward,
                  const char* field);

}  // namespace ttrl::reward
