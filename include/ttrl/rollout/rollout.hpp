#pragma once
// One sampled completion with what training and rewards need from it.
#include <cstdint>
#include <string>
#include <vector>

namespace ttrl::rollout {

struct Rollout {
  int64_t prompt_index = 0;
  int64_t sample_index = 0;
  std::vector<int64_t> completion_ids;  ///< generated ids (a final stop token included)
  std::vector<float> logprobs;          ///< per generated id (see sampling_params.hpp for the convention)
  std::vector<float> entropies;         ///< per generated id, nats, full vocabulary
  std::vector<float> self_certainties;  ///< per generated id: KL(uniform || p), nats (kernels/token_stats.hpp)
  std::string text;                     ///< decoded completion, special tokens skipped, cut before a stop string
  std::string finish_reason;            ///< "stop" (stop token or string) | "length"
  bool truncated() const { return finish_reason == "length"; }
  /// Mean per-token entropy (DARE's u before normalisation); 0 for an empty completion.
  double mean_entropy() const;
};

}  // namespace ttrl::rollout
