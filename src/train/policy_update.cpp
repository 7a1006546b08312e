#include "ttrl/train/policy_update.hpp"

#include <cmath>
#include <cstring>

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

void MeanAccumulator::merge_across(dist::ProcessGroup& group) {
  if (!group.distributed()) return;
  // Each entry as [key length][key][sum][weight], raw bytes: a sum may be non-finite, which JSON cannot hold.
  std::string mine;
  for (const auto& [key, st] : sums_) {
    const auto length = static_cast<uint32_t>(key.size());
    mine.append(reinterpret_cast<const char*>(&length), sizeof length);
    mine += key;
    mine.append(reinterpret_cast<const char*>(&st.first), sizeof st.first);
    mine.append(reinterpret_cast<const char*>(&st.second), sizeof st.second);
  }
  sums_.clear();
  for (const auto& text : group.all_gather_strings(mine))
    for (size_t at = 0; at < text.size();) {
      uint32_t length = 0;
      double sum = 0, weight = 0;
      std::memcpy(&length, text.data() + at, sizeof length);
      const std::string key = text.substr(at + sizeof length, length);
      at += sizeof length + length;
      std::memcpy(&sum, text.data() + at, sizeof sum);
      std::memcpy(&weight, text.data() + at + sizeof sum, sizeof weight);
      at += sizeof sum + sizeof weight;
      sums_[key].first += sum;
      sums_[key].second += weight;
    }
}

namespace {

/// The prompts of each optimizer step: options.mini_batches, or consecutive runs of mini_batch_prompts prompts.
std::vector<std::vector<size_t>> mini_batch_prompts_of(size_t prompts, const PolicyUpdateOptions& options) {
  if (!options.mini_batches.empty()) {
    for (const auto& mini : options.mini_batches)
      for (size_t p : mini)
        if (p >= prompts) throw Error("update_policy: a prompt index of mini_batches is out of range");
    return options.mini_batches;
  }
  std::vector<std::vector<size_t>> out;
  const auto size = static_cast<size_t>(options.mini_batch_prompts);
  for (size_t first = 0; first < prompts; first += size) {
    out.emplace_back();
    for (size_t p = first; p < std::min(prompts, first + size); ++p) out.back().push_back(p);
  }
  return out;
}

}  // namespace

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
  const auto micro_batch_size = static_cast<size_t>(options.micro_batch_size);
  MeanAccumulator actor;
  PolicyUpdateResult result;
  dist::ProcessGroup single;
  dist::ProcessGroup& group = options.process_group ? *options.process_group : single;
  const auto mini_batches = mini_batch_prompts_of(by_prompt.size(), options);
  double synced_bytes = 0, synced_buckets = 0, synced_in_backward = 0;  // gradient collectives of this update
  for (int64_t epoch = 0; epoch < options.ppo_epochs; ++epoch)
    for (const auto& prompts : mini_batches) {
      std::vector<const TrainSequence*> mini;
      for (size_t p : prompts)
        for (size_t i : by_prompt[p]) mini.push_back(&sequences[i]);
      // Normalisers of the whole mini-batch (over every process), so that the micro-batch gradients of all
      // processes sum to the mini-batch loss's.
      std::vector<double> totals{0.0, static_cast<double>(mini.size())};
      for (const auto* s : mini) totals[0] += static_cast<double>(s->completion_ids.size());
      dist::sum_across_ranks(group, totals);
      if (totals[1] == 0) continue;
      AggregationScale scale;
      scale.total_tokens = totals[0];
      scale.total_sequences = totals[1];
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
        // The last micro-batch's backward completes the gradients: their buckets can be summed while it runs.
        if (m + micro_batch_size >= mini.size()) optimizer.arm_gradient_sync();
        loss.backward();
        // Per-micro-batch values are shares of the mini-batch loss; rescale to per-token means for logging.
        const double share = scale.total_tokens / std::max(1.0, weight);
        actor.add("pg_loss", pg.loss.item<double>() * share, weight);
        actor.add("entropy", entropy.item<double>() * share, weight);
        actor.add("clip_fraction", pg.clip_fraction, weight);
        actor.add("dual_clip_fraction", pg.dual_clip_fraction, weight);
        actor.add("approx_kl", pg.approx_kl, weight);
      }
      // Every process takes part in the gradient sum (the collectives must match), even one that stopped at a
      // non-finite loss; a non-finite loss on any process then skips the mini-batch on all of them.
      const auto sync = optimizer.sync_gradients();
      synced_bytes += static_cast<double>(sync.bytes);
      synced_buckets += static_cast<double>(sync.buckets);
      synced_in_backward += static_cast<double>(sync.started_in_backward);
      std::vector<double> non_finite{finite ? 0.0 : 1.0};
      dist::sum_across_ranks(group, non_finite);
      finite = non_finite[0] == 0;
      Optimizer::StepInfo info;
      if (finite) info = optimizer.step();
      synced_bytes += static_cast<double>(info.communicated_bytes);
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
  actor.merge_across(group);
  actor.write_to(result.metrics, "actor/");
  result.metrics["actor/skipped_updates"] = static_cast<double>(result.skipped_updates);
  if (group.distributed()) {
    result.metrics["dist/collective_bytes"] = synced_bytes;
    result.metrics["dist/gradient_buckets"] = synced_buckets;
    // Of those, the share whose collective started while backward still ran (trainer.overlap_grad_reduce).
    if (synced_buckets > 0) result.metrics["dist/gradient_buckets_overlapped"] = synced_in_backward / synced_buckets;
  }
  policy.eval();
  return result;
}

}  // namespace ttrl::train
