#pragma once
// Training sequences (prompt + sampled completion) as padded tensors, and the per-token log-probs/entropies of
// their completions under a model, computed from hidden states in row chunks (never a [batch, time, vocab] tensor).
#include <torch/torch.h>

#include <vector>

#include "ttrl/model/transformer.hpp"

namespace ttrl::train {

/// One rollout that enters the policy update.
struct TrainSequence {
  std::vector<int64_t> prompt_ids;
  std::vector<int64_t> completion_ids;
  std::vector<float> old_logprobs;  ///< recorded by the sampler (temperature-scaled, full vocabulary)
  double advantage = 0;             ///< the advantage of every completion token, unless token_advantages is set
  std::vector<float> token_advantages;  ///< per completion token (reinforce_pp); empty: `advantage` for all
};

/// Sequences right-padded to the longest; response tensors [B, R] hold completion token t of row b at column t.
struct SequenceBatch {
  torch::Tensor input_ids;     ///< [B, L] int64, L = max(prompt + completion) - 1 (the last token is never input)
  torch::Tensor targets;       ///< [B, R] int64 completion ids (0 in padding)
  torch::Tensor mask;          ///< [B, R] float32, 1 on completion tokens
  torch::Tensor old_logprobs;  ///< [B, R] float32
  torch::Tensor advantages;    ///< [B] float32, or [B, R] (0 in padding) when a sequence has token_advantages
  std::vector<int64_t> prompt_lengths, response_lengths;
  int64_t tokens() const;      ///< completion tokens in the batch
};

SequenceBatch make_batch(const std::vector<const TrainSequence*>& sequences, const torch::Device& device);

struct ResponseStats {
  torch::Tensor logprobs;   ///< [B, R] float32 (0 in padding); differentiable unless computed under NoGradGuard
  torch::Tensor entropies;  ///< [B, R] float32
};

/// log softmax(logits / temperature) of each completion token given everything before it, and the entropy of that
/// distribution, for every row of `batch`.
ResponseStats response_stats(model::TransformerImpl& model, const SequenceBatch& batch, double temperature);

}  // namespace ttrl::train
