#include "ttrl/train/policy_update.hpp"

#include <cmath>

#include "ttrl/core/error.hpp"

namespace ttrl::train {

void MeanAccumulator::add(const std::string& key, double value, double weight) {
  if (!std::isfinite(value)) return;
  auto& [sum, total] = sums_[key];
  sum += value * weight;
  total += weight;
}

void MeanAccumulator::write_to(std::map<std::string, double>& out, const std::string& prefix) const {
  for (const auto& [key, st] : sums_)
    if (st.second > 0) out[prefix + key] = st.first / st.second;
}

PolicyUpdateResult update_policy(model::TransformerImpl& policy, model::TransformerImpl* reference, Optimizer& optimizer,
                                 const std::vector<TrainSequence>& sequences,
                                 const std::vector<std::vector<size_t>>& by_prompt, const PolicyUpdateOptions& options,
                                 const MiniBatchCallback& on_mini_batch) {
  if (options.mini_batch_prompts < 1 || options.micro_batch_size < 1)
    throw Error("update_policy: mini_batch_prompts and micro_batch_size must be at least 1");
  if (options.kl_coef > 0 && reference == nullptr) throw Error("update_policy: kl_coef > 0 needs a reference model");
  for (const auto& indices : by_prompt)
    for (size_t i : indices)
      if (i >= sequences.size()) throw Error("update_policy: a sequence index of by_prompt is out of range");
  policy.train();
  const auto mini_batch_prompts = static_cast<size_t>(options.mini_batch_prompts);
  const auto micro_batch_size = static_cast<size_t>(options.micro_batch_size);
  MeanAccumulator actor;
  PolicyUpdateResult result;
  for (int64_t epoch = 0; epoch < options.ppo_epochs; ++epoch)
    for (size_t first = 0; first < by_prompt.size(); first += mini_batch_prompts) {
      std::vector<const TrainSequence*> mini;
      for (size_t p = first; p < std::min(by_prompt.size(), first + mini_batch_prompts); ++p)
        for (size_t i : by_prompt[p]) mini.push_back(&sequences[i]);
      if (mini.empty()) continue;
      // Normalisers of the whole mini-batch, so that the micro-batch gradients sum to the mini-batch loss's.
      AggregationScale scale;
      for (const auto* s : mini) scale.total_tokens += static_cast<double>(s->completion_ids.size());
      scale.total_sequences = static_cast<double>(mini.size());
      scale.norm_length = options.norm_length;
      bool finite = true;
      for (size_t m = 0; m < mini.size(); m += micro_batch_size) {
        std::vector<const TrainSequence*> micro(mini.begin() + static_cast<std::ptrdiff_t>(m),
                                                mini.begin() + static_cast<std::ptrdiff_t>(std::min(mini.size(), m + micro_batch_size)));
        const SequenceBatch sb = make_batch(micro, policy.device());
        const double weight = static_cast<double>(sb.tokens());
        const auto stats = response_stats(policy, sb, options.temperature);
        auto pg = policy_loss(stats.logprobs, sb.old_logprobs, sb.advantages, sb.mask, options.loss, scale);
        torch::Tensor loss = pg.loss;
        if (options.kl_coef > 0) {
          torch::Tensor ref_logprobs;
          {
            torch::NoGradGuard no_grad;
            ref_logprobs = response_stats(*reference, sb, options.temperature).logprobs;
          }
          const auto kl = aggregate_loss(kl_penalty(stats.logprobs, ref_logprobs, options.kl_estimator), sb.mask,
                                         options.loss.aggregation, scale);
          loss = loss + options.kl_coef * kl;
          actor.add("kl_loss", kl.item<double>() * scale.total_tokens / std::max(1.0, weight), weight);
        }
        const auto entropy = aggregate_loss(stats.entropies, sb.mask, options.loss.aggregation, scale);
        if (options.entropy_coef != 0) loss = loss - options.entropy_coef * entropy;
        // A NaN/Inf loss would poison every gradient it reaches: drop the mini-batch before backward.
        if (!std::isfinite(loss.item<double>())) {
          finite = false;
          break;
        }
        loss.backward();
        // Per-micro-batch values are shares of the mini-batch loss; rescale to per-token means for logging.
        const double share = scale.total_tokens / std::max(1.0, weight);
        actor.add("pg_loss", pg.loss.item<double>() * share, weight);
        actor.add("entropy", entropy.item<double>() * share, weight);
        actor.add("clip_fraction", pg.clip_fraction, weight);
        actor.add("dual_clip_fraction", pg.dual_clip_fraction, weight);
        actor.add("approx_kl", pg.approx_kl, weight);
      }
      Optimizer::StepInfo info;
      if (finite) info = optimizer.step();
      if (!finite || !info.finite) {
        optimizer.zero_grad();  // the gradients of the micro-batches before the non-finite one
        ++result.skipped_updates;
        if (on_mini_batch) on_mini_batch(false);
        continue;
      }
      ++result.optimizer_steps;
      if (on_mini_batch) on_mini_batch(true);
      actor.add("grad_norm", info.grad_norm);
      actor.add("lr", info.lr);
    }
  actor.write_to(result.metrics, "actor/");
  result.metrics["actor/skipped_updates"] = static_cast<double>(result.skipped_updates);
  policy.eval();
  return result;
}

}  // namespace ttrl::train
