#pragma once
// Advantage estimators (algorithm.adv_estimator): how each trained rollout's reward becomes its advantage.
// Every estimator but reinforce_pp gives one scalar per rollout, applied to all of its response tokens;
// reinforce_pp gives one per token.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ttrl::train {

struct AdvantageOptions {
  bool norm_by_std = true;  ///< GRPO only; false: Dr.GRPO, mean-centred only
  double epsilon = 1e-6;    ///< GRPO's std epsilon
};

/// rewards: [n] for the n trained rollouts of one prompt. Returns [n]:
///   A_i = (r_i - mean(r)) / (std(r) + epsilon)   with the unbiased std (as verl's torch.std), or
///   A_i =  r_i - mean(r)                          when !norm_by_std.
/// A group of one rollout has no siblings: its advantage is 0.
torch::Tensor grpo_advantages(const torch::Tensor& rewards, const AdvantageOptions& options = {});

/// Sums partial sums over the processes of a multi-process run, in place (dist::sum_across_ranks); empty for one
/// process. The step-wide estimators (reinforce, reinforce_pp, reinforce_pp_baseline) pass their sums and counts
/// through it, so N processes holding shares of the step compute the statistics of the whole step.
using SumAcrossProcesses = std::function<void(std::vector<double>& partial_sums)>;

enum class AdvantageEstimator {
  kGrpo,                ///< grpo_advantages per prompt group
  kRloo,                ///< rloo_advantages per prompt group
  kReinforce,           ///< reinforce_advantages over the step's batch
  kReinforcePp,         ///< reinforce_pp_advantages over the step's batch (per token)
  kReinforcePpBaseline  ///< reinforce_pp_baseline_advantages over the step's batch
};

/// "grpo" | "rloo" | "reinforce" | "reinforce_pp" | "reinforce_pp_baseline"; throws ttrl::ConfigError naming
/// algorithm.adv_estimator.
AdvantageEstimator parse_advantage_estimator(const std::string& name);

/// RLOO (Ahmadian et al. 2024; verl compute_rloo_outcome_advantage): each rollout's baseline is the mean of its
/// siblings' rewards, A_i = r_i - mean_{j != i} r_j = n / (n - 1) * (r_i - mean(r)). A group of one: 0.
std::vector<double> rloo_advantages(const std::vector<double>& rewards);

/// The trained rollouts of one step, by prompt group: rewards and response lengths (tokens) in the same layout.
struct StepRewards {
  std::vector<std::vector<double>> rewards;
  std::vector<std::vector<int64_t>> lengths;
};

/// REINFORCE with a batch-mean baseline (the DARE paper's REINFORCE row): A_i = r_i - mean over every trained
/// rollout of the step of r. Same layout as `step.rewards`.
std::vector<std::vector<double>> reinforce_advantages(const StepRewards& step, const SumAcrossProcesses& sum = {});

/// REINFORCE++-baseline (Hu et al. 2025; verl compute_reinforce_plus_plus_baseline_outcome_advantage): subtract the
/// group mean, then whiten over the batch's response tokens as verl's masked_whiten does:
///   x_i = r_i - mean_group(r),  mu = sum_i L_i x_i / T,  var = sum_i L_i (x_i - mu)^2 / T * T / (T - 1),
///   A_i = (x_i - mu) / sqrt(var + 1e-8),
/// with L_i the response length of rollout i and T = sum_i L_i (a rollout counts once per token). Rollouts without
/// tokens get 0. Same layout as `step.rewards`.
std::vector<std::vector<double>> reinforce_pp_baseline_advantages(const StepRewards& step,
                                                                  const SumAcrossProcesses& sum = {});

/// Per-token values of the trained rollouts of a step: [group][rollout][token].
using TokenAdvantages = std::vector<std::vector<std::vector<float>>>;

/// REINFORCE++ (Hu et al. 2025; verl compute_reinforce_plus_plus_outcome_advantage, with apply_kl_penalty's
/// use_kl_in_reward): the KL to the reference is a per-token reward penalty and the rollout's reward sits on its last
/// token,
///   r_t = -kl_coef * kl_t + [t = L - 1] * reward,   G_t = sum_{t' >= t} r_t'   (gamma = 1),
/// and the advantages are the returns whitened over every response token of the step, as verl's masked_whiten:
///   A_t = (G_t - mu) / sqrt(var + 1e-8),  mu and var (unbiased) over all tokens of all rollouts.
/// token_kl: the per-token KL estimate kl_t (losses.hpp kl_penalty of the sampling log-probs against the
/// reference's), same layout as the result, one value per token of `step.lengths`. Fewer than two tokens: zeros.
TokenAdvantages reinforce_pp_advantages(const StepRewards& step, const TokenAdvantages& token_kl, double kl_coef,
                                        const SumAcrossProcesses& sum = {});

/// The estimator's advantages for every trained rollout of the step (same layout as `step.rewards`); not for
/// reinforce_pp (per token: reinforce_pp_advantages), which throws ttrl::Error.
std::vector<std::vector<double>> estimate_advantages(AdvantageEstimator estimator, const StepRewards& step,
                                                     const AdvantageOptions& options = {},
                                                     const SumAcrossProcesses& sum = {});

}  // namespace ttrl::train
