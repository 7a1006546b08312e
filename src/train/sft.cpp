#include "ttrl/train/sft.hpp"

#include <fmt/format.h>

#include <numeric>

#include "ttrl/core/error.hpp"
#include "ttrl/core/progress.hpp"
#include "ttrl/rollout/token_sampling.hpp"
#include "ttrl/train/optimizer.hpp"
#include "ttrl/train/policy_batch.hpp"

namespace ttrl::train {
namespace {

/// Examples in the order step s consumes them: batch s is positions [s * B, (s + 1) * B) of the concatenation of
/// per-epoch permutations (Fisher-Yates keyed by (seed, epoch)).
class ExampleOrder {
 public:
  ExampleOrder(size_t count, uint64_t seed) : count_(count), seed_(seed) {}
  std::vector<size_t> batch(int64_t step, int64_t batch_size) {
    std::vector<size_t> out;
    for (int64_t i = step * batch_size; i < (step + 1) * batch_size; ++i) {
      const auto position = static_cast<size_t>(i);
      out.push_back(epoch(position / count_)[position % count_]);
    }
    return out;
  }

 private:
  const std::vector<size_t>& epoch(size_t index) {
    if (index != cached_) {
      order_.resize(count_);
      std::iota(order_.begin(), order_.end(), size_t{0});
      const uint64_t key = rollout::sequence_key(seed_, static_cast<int64_t>(index), -3);
      for (size_t i = count_ - 1; i > 0; --i) {
        const auto j = static_cast<size_t>(rollout::stream_uniform(key, static_cast<int64_t>(i)) * static_cast<double>(i + 1));
        std::swap(order_[i], order_[j]);
      }
      cached_ = index;
    }
    return order_;
  }
  size_t count_;
  uint64_t seed_;
  size_t cached_ = static_cast<size_t>(-1);
  std::vector<size_t> order_;
};

}  // namespace

std::vector<SftExample> make_sft_examples(const rollout::Policy& policy, const RunConfig& config,
                                          const std::vector<data::Record>& records, const std::string& solution_key) {
  const auto eos = policy.tokenizer->special_tokens().eos;
  if (!eos) throw Error("sft: the tokenizer has no eos token; the model could not learn to stop");
  if (solution_key == config.data.prompt_key)
    throw ConfigError(fmt::format("sft: the solution key '{}' is data.prompt_key: the text to learn must be another field",
                                  solution_key));
  // The dataset reader takes data.answer_key out of the record as its answer; that field can be the solution too.
  const bool solution_is_answer = solution_key == config.data.answer_key;
  std::vector<SftExample> examples;
  for (const auto& record : records) {
    std::string solution;
    if (solution_is_answer && record.answer) {
      solution = *record.answer;
    } else {
      const auto field = record.extra.find(solution_key);
      if (solution_is_answer || field == record.extra.end() || !field->is_string())
        throw Error(fmt::format("sft: record {} has no string field '{}' (the worked solution to learn)", record.id,
                                solution_key));
      solution = field->get<std::string>();
    }
    SftExample example;
    example.prompt_ids = rollout::encode_question(policy, config, record.prompt);
    example.target_ids = policy.tokenizer->encode(solution);
    example.target_ids.push_back(*eos);
    examples.push_back(std::move(example));
  }
  return examples;
}

torch::Tensor sft_loss(model::TransformerImpl& model, const std::vector<const SftExample*>& batch) {
  // The RL batch layout fits: prompt + completion, scored at the completion positions (old log-probs unused).
  std::vector<TrainSequence> sequences;
  sequences.reserve(batch.size());
  for (const auto* e : batch)
    sequences.push_back({e->prompt_ids, e->target_ids, std::vector<float>(e->target_ids.size(), 0.0f), 0.0, {}});
  std::vector<const TrainSequence*> pointers;
  for (const auto& s : sequences) pointers.push_back(&s);
  const SequenceBatch sb = make_batch(pointers, model.device());
  const ResponseStats stats = response_stats(model, sb, /*temperature=*/1.0);
  return -(stats.logprobs * sb.mask).sum() / sb.mask.sum();
}

SftResult run_sft(rollout::Policy& policy, const std::vector<SftExample>& examples, const SftOptions& options,
                  const SftStepCallback& on_step) {
  if (examples.empty()) throw Error("sft: no examples");
  if (options.steps < 1 || options.batch_size < 1) throw ConfigError("sft: steps and batch size must be >= 1");
  OptimizerOptions o;
  o.weight_decay = options.weight_decay;
  o.grad_clip = options.grad_clip;
  o.schedule = {options.lr, options.steps, options.warmup_ratio, options.min_lr_ratio, "cosine"};
  Optimizer optimizer(policy.model->parameters(), o);
  ExampleOrder order(examples.size(), options.seed);
  ProgressBar progress("sft", options.steps, options.progress_bar);
  SftResult result;
  policy.model->train();
  for (int64_t step = 0; step < options.steps; ++step) {
    std::vector<const SftExample*> batch;
    for (size_t i : order.batch(step, options.batch_size)) batch.push_back(&examples[i]);
    const torch::Tensor loss = sft_loss(*policy.model, batch);
    loss.backward();
    const auto info = optimizer.step();
    const double value = loss.item<double>();
    result.losses.push_back(value);
    if (on_step) on_step(step + 1, {{"sft/loss", value}, {"sft/lr", info.lr}, {"sft/grad_norm", info.grad_norm}});
    progress.advance(1, fmt::format("loss {:.3f}", value));
  }
  progress.finish();
  policy.model->eval();
  result.steps = options.steps;
  return result;
}

}  // namespace ttrl::train
