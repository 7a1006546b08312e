#pragma once
// reward::PolicyScorer on a model and its tokenizer, for one prompt: what rewards that score text with the policy
// (rlpr) read, from the trainer (the policy that sampled the group) and `ttrl reward --model`.
#include <vector>

#include "ttrl/model/score.hpp"
#include "ttrl/model/transformer.hpp"
#include "ttrl/reward/reward_fn.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl::train {

class PromptScorer : public reward::PolicyScorer {
 public:
  /// `model` and `tokenizer` must outlive the scorer; `prompt_ids` is the templated prompt of the group.
  PromptScorer(model::TransformerImpl& model, const Tokenizer& tokenizer, std::vector<int64_t> prompt_ids,
               double temperature);

  /// Scores prompt + encode(prefix) followed by encode(target) with model::score (no gradient) and returns
  /// exp(log-prob) of each target token. An empty target gives an empty list.
  std::vector<std::vector<double>> target_probabilities(const std::vector<Continuation>& continuations) override;

 private:
  model::TransformerImpl& model_;
  const Tokenizer& tokenizer_;
  std::vector<int64_t> prompt_ids_;
  model::ScoreOptions options_;
};

}  // namespace ttrl::train
