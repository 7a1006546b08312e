#pragma once
// Batched autoregressive sampling from the model object the trainer updates (no copy of the weights).
//   * Each prompt is prefilled once; its KV rows are copied to its n samples (prefix sharing).
//   * One preallocated KV cache; prompts are admitted while rows are free (continuous batching) and finished
//     sequences leave the batch at once (compaction), so cost follows the live sequences (sampling_run.hpp).
//   * Rows: rollout.max_batch_sequences, or as many as a memory budget holds: rollout.memory_budget_mb, else 40% of
//     the device's free memory on CUDA (cudaMemGetInfo plus what PyTorch's allocator caches) and 1 GiB on the CPU. A
//     row counts its KV cache row, its share of the prefill cache, its statistics buffers and the sampling
//     temporaries of its logits (decode_row_bytes). Never more rows than sequences to sample; rows beyond what the
//     memory holds are an error naming both numbers.
//   * Per token: id, log-prob, entropy and self-certainty of the full temperature-scaled distribution
//     (sampling_params.hpp; kernels/token_stats.hpp), from one pass over the logits.
#include <vector>

#include "ttrl/model/transformer.hpp"
#include "ttrl/rollout/rollout.hpp"
#include "ttrl/rollout/sampling_params.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl::rollout {

struct SamplerOptions {
  int64_t max_batch_sequences = 0;  ///< rows decoded together; 0 = from the memory budget
  int64_t memory_budget_bytes = 0;  ///< 0 = 40% of free memory on CUDA, 1 GiB on the CPU
  int64_t max_prefill_tokens = 8192;  ///< prompt tokens prefilled in one forward pass
  bool progress_bar = false;
  /// Self-certainty of the raw logits (temperature 1) rather than of the sampling distribution (reward.raw_logits).
  bool raw_self_certainty = false;
};

/// Bytes one decode row takes: a KV cache row of longest_prompt + max_new_tokens tokens, a prefill cache row of
/// longest_prompt tokens, [max_new_tokens, 3] float32 statistics, and its logits row in the model dtype with the
/// float32 temporaries of sampling (about four per logit).
int64_t decode_row_bytes(const model::ModelConfig& config, torch::Dtype dtype, int64_t longest_prompt,
                         int64_t max_new_tokens);

class Sampler {
 public:
  /// `tokenizer` may be null: no texts are decoded and stop strings are refused.
  Sampler(model::TransformerImpl& model, const Tokenizer* tokenizer, SamplerOptions options = {});

  /// Samples params.n completions for each prompt (token ids). Results ordered by (prompt_index, sample_index).
  /// Throws ttrl::Error for an empty prompt, a prompt plus max_new_tokens beyond the model's context, or invalid
  /// params; ttrl::ConfigError when max_batch_sequences rows do not fit in memory.
  std::vector<Rollout> generate(const std::vector<std::vector<int64_t>>& prompts, const SamplingParams& params);

  /// Statistics of the last generate(): generated tokens, forward passes, decode rows, wall seconds.
  struct Stats {
    int64_t generated_tokens = 0;
    int64_t forward_passes = 0;
    int64_t rows = 0;
    double seconds = 0;
  };
  const Stats& last_stats() const { return stats_; }

 private:
  /// Decode rows for `sequences` samples (see the header comment); throws when they cannot fit.
  int64_t batch_rows(int64_t longest_prompt, int64_t max_new_tokens, double sequences) const;
  model::TransformerImpl& model_;
  const Tokenizer* tokenizer_;
  SamplerOptions options_;
  Stats stats_;
};

}  // namespace ttrl::rollout
