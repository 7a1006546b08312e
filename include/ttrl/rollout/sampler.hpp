#pragma once
// Batched autoregressive sampling from the model object the trainer updates (no copy of the weights).
//   * Each prompt is prefilled once; its KV rows are copied to its n samples (prefix sharing).
//   * One preallocated KV cache, sized from max_batch_sequences or a memory budget; prompts are admitted while
//     rows are free (continuous batching) and finished sequences leave the batch at once (compaction), so cost
//     follows the live sequences.
//   * Per token: id, log-prob, entropy and self-certainty of the full temperature-scaled distribution
//     (sampling_params.hpp; kernels/token_stats.hpp), from one pass over the logits.
#include <functional>
#include <vector>

#include "ttrl/model/transformer.hpp"
#include "ttrl/rollout/rollout.hpp"
#include "ttrl/rollout/sampling_params.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl::rollout {

struct SamplerOptions {
  int64_t max_batch_sequences = 0;  ///< rows decoded together; 0 = from memory_budget_bytes
  int64_t memory_budget_bytes = 0;  ///< KV-cache budget; 0 = 1 GiB on CPU, 40% of free memory on CUDA
  int64_t max_prefill_tokens = 8192;  ///< prompt tokens prefilled in one forward pass
  bool progress_bar = false;
  /// Self-certainty of the raw logits (temperature 1) rather than of the sampling distribution (reward.raw_logits).
  bool raw_self_certainty = false;
};

class Sampler {
 public:
  /// `tokenizer` may be null: no texts are decoded and stop strings are refused.
  Sampler(model::TransformerImpl& model, const Tokenizer* tokenizer, SamplerOptions options = {});

  /// Samples params.n completions for each prompt (token ids). Results ordered by (prompt_index, sample_index).
  /// Throws ttrl::Error for an empty prompt, a prompt plus max_new_tokens beyond the model's context, or invalid params.
  std::vector<Rollout> generate(const std::vector<std::vector<int64_t>>& prompts, const SamplingParams& params);

  /// Statistics of the last generate(): generated tokens, wall seconds.
  struct Stats {
    int64_t generated_tokens = 0;
    int64_t forward_passes = 0;
    double seconds = 0;
  };
  const Stats& last_stats() const { return stats_; }

 private:
  int64_t batch_rows(int64_t max_len) const;
  /// Throws ttrl::Error naming the knob when `rows` cache rows of `max_len` tokens cannot fit in host memory.
  void check_cache_fits(int64_t rows, int64_t max_len) const;
  model::TransformerImpl& model_;
  const Tokenizer* tokenizer_;
  SamplerOptions options_;
  Stats stats_;
};

}  // namespace ttrl::rollout
