#pragma once
// The GRPO policy update of one training step (ARCHITECTURE.md "One training step", last part): the step's
// sequences in mini-batches of prompts, each mini-batch one optimizer step whose gradient is accumulated over
// micro-batches of the loss
//   L = policy_loss + kl_coef * KL(pi || ref) - entropy_coef * H
// with every term aggregated by the mini-batch totals (aggregate_loss's scale), repeated for ppo_epochs epochs.
#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ttrl/dist/process_group.hpp"
#include "ttrl/model/transformer.hpp"
#include "ttrl/train/losses.hpp"
#include "ttrl/train/optimizer.hpp"
#include "ttrl/train/policy_batch.hpp"

namespace ttrl::train {

/// Running means of named values (metrics averaged over groups, micro-batches or optimizer steps).
/// Non-finite values are left out.
class MeanAccumulator {
 public:
  void add(const std::string& key, double value, double weight = 1.0);
  /// out[prefix + key] = sum(weight * value) / sum(weight) for every key with a positive total weight.
  void write_to(std::map<std::string, double>& out, const std::string& prefix = "") const;
  /// Adds every process's sums to this one's (all ranks end with the same sums): the means of the whole job.
  void merge_across(dist::ProcessGroup& group);

 private:
  std::map<std::string, std::pair<double, double>> sums_;
};

/// The settings of the update (algorithm.* and rollout.* of the run config).
struct PolicyUpdateOptions {
  int64_t ppo_epochs = 1;          ///< passes over the step's sequences
  int64_t mini_batch_prompts = 1;  ///< prompts per optimizer step
  /// The prompts (indices into by_prompt) of each optimizer step, in order; empty: consecutive runs of
  /// mini_batch_prompts. A process of a multi-process run lists its share of each of the step's mini-batches (the
  /// same number on every rank, some possibly empty).
  std::vector<std::vector<size_t>> mini_batches;
  /// Several processes: each holds a share of every mini-batch; the loss is normalised by the mini-batch's totals
  /// over all processes and the gradients are summed across them by the optimizer (Optimizer::sync_gradients,
  /// bucketed, started during the last micro-batch's backward), so every rank takes the one-process step. Null: one
  /// process.
  dist::ProcessGroup* process_group = nullptr;
  int64_t micro_batch_size = 8;    ///< sequences per forward/backward (gradient accumulation)
  PolicyLossOptions loss;          ///< clip ratios, dual clip, loss aggregation
  double kl_coef = 0;              ///< > 0: add kl_coef * KL to the loss (needs a reference model)
  KlEstimator kl_estimator = KlEstimator::kK3;
  double entropy_coef = 0;         ///< != 0: subtract entropy_coef * entropy from the loss
  double temperature = 1.0;        ///< the sampling temperature the old log-probs were computed with (> 0)
  double norm_length = 0;          ///< seq-mean-token-sum-norm's constant L (rollout.max_new_tokens)
};

struct PolicyUpdateResult {
  /// "actor/pg_loss", "actor/entropy", "actor/clip_fraction", "actor/dual_clip_fraction", "actor/approx_kl"
  /// (token-weighted means over the micro-batches), "actor/kl_loss" (when kl_coef > 0), "actor/grad_norm",
  /// "actor/lr" (means over the optimizer steps taken) and "actor/skipped_updates"; with several processes also
  /// "dist/collective_bytes" (the gradient bytes each process all-reduced, or with sharded state reduce-scattered
  /// and all-gathered, summed over the optimizer steps), "dist/gradient_buckets" (gradient collectives) and
  /// "dist/gradient_buckets_overlapped" (the share of them started while backward still ran).
  std::map<std::string, double> metrics;
  int64_t skipped_updates = 0;  ///< mini-batches whose loss or gradient was not finite (no update applied)
  int64_t optimizer_steps = 0;  ///< updates applied
};

/// Called after each mini-batch: `applied` true when the optimizer step was taken, false when the mini-batch was
/// skipped for a non-finite loss or gradient (gradients already zeroed). May throw; the update then stops.
using MiniBatchCallback = std::function<void(bool applied)>;

/// Runs the update over `sequences` grouped by prompt (`by_prompt`: indices into `sequences`, one list per prompt).
/// Mini-batch k holds the sequences of prompts [k * mini_batch_prompts, (k + 1) * mini_batch_prompts) (or those of
/// options.mini_batches[k]); empty ones (on every process) are passed over. A micro-batch whose loss is not finite stops its mini-batch: its gradients are dropped and no
/// step is taken, as for a non-finite gradient (Optimizer::step). `reference` is the frozen model of the KL term,
/// needed when kl_coef > 0. The policy is in train() mode during the update and eval() mode after it.
PolicyUpdateResult update_policy(model::TransformerImpl& policy, model::TransformerImpl* reference, Optimizer& optimizer,
                                 const std::vector<TrainSequence>& sequences,
                                 const std::vector<std::vector<size_t>>& by_prompt, const PolicyUpdateOptions& options,
                                 const MiniBatchCallback& on_mini_batch = {});

}  // namespace ttrl::train
