#pragma once
// The decode loop of one Sampler::generate() call, as a small state machine whose parts can be driven and tested
// alone:
//   admit()    prefills waiting prompts into free rows (prefix sharing: a prompt's KV rows are copied to its samples)
//              and draws their first tokens;
//   step()     one forward pass of every live row's last token, the draws, their statistics;
//   compact()  finished rows leave the batch: their statistics come to the host and the holes they leave are filled
//              by live rows from the end of the batch (only rows that change place are copied).
// Rows are the KV cache's batch rows 0 .. live_rows()-1. Per row, on the model's device: the random-stream key, the
// step, the last token (the next input) and [max_new_tokens, 3] buffers of log-prob, entropy and self-certainty.
// A decode step copies one thing to the host: the drawn ids with the candidate-set flags (token_sampling.hpp);
// statistics come back once per finished sequence, all of a step's finished rows in one copy.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "ttrl/kernels/token_stats.hpp"
#include "ttrl/model/kv_cache.hpp"
#include "ttrl/model/transformer.hpp"
#include "ttrl/rollout/rollout.hpp"
#include "ttrl/rollout/sampling_params.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl::rollout {

/// The row moves that compact a batch of `batch` rows whose rows `finished` (strictly increasing) are done: each
/// finished row below the new size is filled by a live row from the end, the last live row first. Live rows
/// already below the new size stay where they are.
struct Compaction {
  std::vector<int64_t> from, to;
  int64_t new_size = 0;
};
Compaction plan_compaction(int64_t batch, const std::vector<int64_t>& finished);

struct SamplingRunOptions {
  int64_t rows = 1;                   ///< decode batch rows (KV cache rows)
  int64_t max_prefill_tokens = 8192;  ///< prompt tokens prefilled in one forward pass
  bool raw_self_certainty = false;    ///< self-certainty of the raw logits (temperature 1)
};

class SamplingRun {
 public:
  /// Prompts must be validated (non-empty, ids in the vocabulary, within the context) by the caller.
  SamplingRun(model::TransformerImpl& model, const Tokenizer* tokenizer, const std::vector<std::vector<int64_t>>& prompts,
              const SamplingParams& params, const SamplingRunOptions& options);

  /// No prompt waiting and no row live.
  bool done() const { return pending_.empty() && live_.empty(); }
  /// Admits waiting prompts (their samples as whole work units) while rows are free and the prefill budget lasts;
  /// returns the samples admitted.
  int64_t admit();
  /// One decode step of every live row (nothing when no row is live); finished rows must have been compacted away.
  void step();
  /// Moves finished rows out of the batch; returns the moves made.
  Compaction compact();

  int64_t live_rows() const { return static_cast<int64_t>(live_.size()); }
  int64_t finished_count() const { return static_cast<int64_t>(finished_.size()); }
  int64_t generated_tokens() const { return generated_tokens_; }
  int64_t forward_passes() const { return forward_passes_; }
  /// (prompt_index, sample_index) of each live row, in row order.
  std::vector<std::pair<int64_t, int64_t>> live_samples() const;
  /// The finished samples ordered by (prompt_index, sample_index); call once, when done().
  std::vector<Rollout> take_rollouts();

 private:
  /// A prompt's samples [first_sample, first_sample + count) admitted together.
  struct WorkUnit {
    int64_t prompt_index = 0;
    int64_t first_sample = 0;
    int64_t count = 0;
  };
  /// A sequence being sampled (host side); its per-token statistics stay in the row buffers until it finishes.
  struct Sequence {
    int64_t prompt_index = 0;
    int64_t sample_index = 0;
    std::vector<int64_t> ids;
    std::vector<float> logprobs, entropies, self_certainties;
    std::string visible_bytes;  ///< decoded bytes so far (special tokens skipped), for stop strings
    Tokenizer::DecodeState decode_state;
    std::string finish_reason;  ///< empty while running
  };

  /// Draws a token for rows [first, first + logits.size(0)) from their logits, records it, its statistics and the
  /// stop decision.
  void draw_rows(const torch::Tensor& logits, int64_t first);
  /// Appends `id` to `s` and sets its finish_reason when it is complete.
  void record(Sequence& s, int64_t id) const;
  bool is_stop_token(int64_t id) const;
  std::string completion_text(const Sequence& s) const;

  model::TransformerImpl& model_;
  const Tokenizer* tokenizer_;
  std::vector<std::vector<int64_t>> prompts_;
  SamplingParams params_;
  SamplingRunOptions options_;
  kernels::TokenStatsOptions stats_options_;
  size_t longest_stop_string_ = 0;
  torch::Device device_;

  std::deque<WorkUnit> pending_;
  std::vector<Sequence> live_, finished_;
  model::KVCache cache_, prefill_;
  torch::Tensor keys_, steps_, last_ids_;  ///< [rows] int64 on the device
  torch::Tensor stats_;                    ///< [rows, max_new_tokens, 3] float32: log-prob, entropy, self-certainty
  torch::Tensor host_ids_;                 ///< [rows, 2] int64 on the host (pinned with CUDA): id, exact flag
  int64_t generated_tokens_ = 0, forward_passes_ = 0;
};

}  // namespace ttrl::rollout
