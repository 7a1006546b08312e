#include "ttrl/train/policy_scorer.hpp"

#include <cmath>

namespace ttrl::train {

PromptScorer::PromptScorer(model::TransformerImpl& model, const Tokenizer& tokenizer, std::vector<int64_t> prompt_ids,
                           double temperature)
    : model_(model), tokenizer_(tokenizer), prompt_ids_(std::move(prompt_ids)) {
  options_.temperature = temperature;
}

std::vector<std::vector<double>> PromptScorer::target_probabilities(const std::vector<Continuation>& continuations) {
  std::vector<model::ScoreRequest> requests;
  std::vector<size_t> request_of;  // continuation -> request, or SIZE_MAX for an empty target
  for (const auto& c : continuations) {
    std::vector<int64_t> target = tokenizer_.encode(c.target);
    if (target.empty()) {
      request_of.push_back(SIZE_MAX);
      continue;
    }
    std::vector<int64_t> context = prompt_ids_;
    const std::vector<int64_t> prefix = tokenizer_.encode(c.prefix);
    context.insert(context.end(), prefix.begin(), prefix.end());
    request_of.push_back(requests.size());
    requests.push_back({std::move(context), std::move(target), 0});
  }
  const std::vector<model::ScoreResult> scored = model::score(model_, requests, options_);
  std::vector<std::vector<double>> probabilities;
  for (size_t r : request_of) {
    probabilities.emplace_back();
    if (r == SIZE_MAX) continue;
    for (float logprob : scored[r].logprobs) probabilities.back().push_back(std::exp(static_cast<double>(logprob)));
  }
  return probabilities;
}

}  // namespace ttrl::train
