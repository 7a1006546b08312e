#pragma once
// Drawing the next token from logits, reproducibly: every sequence has its own counter-based random stream, so the
// draw of sequence s at step t is a function of (key_s, t) alone, whatever else shares its batch.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "ttrl/rollout/sampling_params.hpp"

namespace ttrl::rollout {

/// Key of the random stream of sample `sample_index` of prompt `prompt_index` under `seed`.
uint64_t sequence_key(uint64_t seed, int64_t prompt_index, int64_t sample_index);
/// Uniform double in [0, 1) for step `step` of the stream `key` (SplitMix64 of key and step).
double stream_uniform(uint64_t key, int64_t step);

/// Next tokens for logits [B, V] (any float dtype): greedy when temperature == 0, else inverse-CDF sampling from
/// softmax(logits / T) restricted by top_k, then top_p (on the top-k renormalised mass: a token is kept while the
/// mass of the more likely tokens before it is < top_p), then min_p; at least one token is always kept.
/// keys[b] and `steps[b]` pick row b's uniform. Returns [B] int64 on the CPU.
torch::Tensor sample_next_tokens(const torch::Tensor& logits, const SamplingParams& params,
                                 const std::vector<uint64_t>& keys, const std::vector<int64_t>& steps);

}  // namespace ttrl::rollout
