#pragma once
// Supervised fine-tuning (SFT) on worked solutions: the warm start that makes a model competent before test-time
// RL (the demo's base model, `ttrl sft`). Loss = mean negative log-likelihood of the target tokens (the solution
// and the end-of-sequence token) given the chat-templated question; the prompt tokens are not scored.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ttrl/core/config.hpp"
#include "ttrl/data/dataset.hpp"
#include "ttrl/rollout/policy.hpp"

namespace ttrl::train {

/// One supervised example, tokenized.
struct SftExample {
  std::vector<int64_t> prompt_ids;  ///< the question through the configured chat template
  std::vector<int64_t> target_ids;  ///< the solution's tokens, then the tokenizer's eos id
};

/// Examples from dataset records: the prompt field (data.prompt_key) and the string field `solution_key`.
/// Throws ttrl::Error naming the record when the solution is missing or not a string, or when the tokenizer has
/// no eos token (the model must learn to stop).
std::vector<SftExample> make_sft_examples(const rollout::Policy& policy, const RunConfig& config,
                                          const std::vector<data::Record>& records,
                                          const std::string& solution_key = "solution");

/// -(1/N) sum over the N target tokens of the batch of log p(token | everything before it). Differentiable.
torch::Tensor sft_loss(model::TransformerImpl& model, const std::vector<const SftExample*>& batch);

struct SftOptions {
  int64_t steps = 500;         ///< optimizer steps
  int64_t batch_size = 32;     ///< examples per step
  double lr = 3e-3;            ///< peak learning rate (tiny models from scratch want a large one)
  double warmup_ratio = 0.05;
  double min_lr_ratio = 0.1;   ///< cosine floor as a share of lr
  double weight_decay = 0.01;
  double grad_clip = 1.0;
  uint64_t seed = 0;           ///< order of the examples (a fresh permutation per epoch)
  bool progress_bar = true;
};

struct SftResult {
  int64_t steps = 0;
  std::vector<double> losses;  ///< per step
};

/// Called after each step with (step, {"sft/loss", "sft/lr", "sft/grad_norm"}), e.g. to log metrics.
using SftStepCallback = std::function<void(int64_t step, const std::map<std::string, double>& metrics)>;

/// Trains policy.model in place with AdamW and a cosine schedule. Throws ttrl::Error when `examples` is empty.
SftResult run_sft(rollout::Policy& policy, const std::vector<SftExample>& examples, const SftOptions& options,
                  const SftStepCallback& on_step = {});

}  // namespace ttrl::train
