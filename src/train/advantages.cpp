#include "ttrl/train/advantages.hpp"

#include <cmath>

#include "ttrl/core/error.hpp"

namespace ttrl::train {
namespace {

double mean_of(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

void check_layout(const StepRewards& step) {
  if (step.lengths.size() != step.rewards.size()) throw Error("advantages: one length list per reward group is needed");
  for (size_t g = 0; g < step.rewards.size(); ++g)
    if (step.lengths[g].size() != step.rewards[g].size())
      throw Error("advantages: group " + std::to_string(g) + " has " + std::to_string(step.rewards[g].size()) +
                  " rewards but " + std::to_string(step.lengths[g].size()) + " lengths");
}

/// values, summed over the processes when `sum` is set.
std::vector<double> summed(std::vector<double> values, const SumAcrossProcesses& sum) {
  if (sum) sum(values);
  return values;
}

}  // namespace

torch::Tensor grpo_advantages(const torch::Tensor& rewards, const AdvantageOptions& options) {
  if (rewards.dim() != 1) throw Error("grpo_advantages: rewards must be [n], got " + std::to_string(rewards.dim()) + " dims");
  auto r = rewards.to(torch::kFloat32);
  if (r.size(0) < 2) return torch::zeros_like(r);
  auto centred = r - r.mean();
  if (!options.norm_by_std) return centred;
  return centred / (r.std(/*unbiased=*/true) + options.epsilon);
}

AdvantageEstimator parse_advantage_estimator(const std::string& name) {
  if (name == "grpo") return AdvantageEstimator::kGrpo;
  if (name == "rloo") return AdvantageEstimator::kRloo;
  if (name == "reinforce") return AdvantageEstimator::kReinforce;
  if (name == "reinforce_pp") return AdvantageEstimator::kReinforcePp;
  if (name == "reinforce_pp_baseline") return AdvantageEstimator::kReinforcePpBaseline;
  throw ConfigError("algorithm.adv_estimator: unknown estimator '" + name +
                    "' (expected grpo, rloo, reinforce, reinforce_pp or reinforce_pp_baseline)");
}

std::vector<double> rloo_advantages(const std::vector<double>& rewards) {
  const size_t n = rewards.size();
  std::vector<double> advantages(n, 0.0);
  if (n < 2) return advantages;
  const double mean = mean_of(rewards), scale = static_cast<double>(n) / static_cast<double>(n - 1);
  for (size_t i = 0; i < n; ++i) advantages[i] = scale * (rewards[i] - mean);
  return advantages;
}

std::vector<std::vector<double>> reinforce_advantages(const StepRewards& step, const SumAcrossProcesses& sum) {
  check_layout(step);
  double total = 0, count = 0;
  for (const auto& group : step.rewards)
    for (double r : group) {
      total += r;
      ++count;
    }
  const auto totals = summed({total, count}, sum);
  const double baseline = totals[1] > 0 ? totals[0] / totals[1] : 0.0;
  std::vector<std::vector<double>> advantages = step.rewards;
  for (auto& group : advantages)
    for (double& a : group) a -= baseline;
  return advantages;
}

std::vector<std::vector<double>> reinforce_pp_baseline_advantages(const StepRewards& step, const SumAcrossProcesses& sum) {
  check_layout(step);
  std::vector<std::vector<double>> centred = step.rewards;
  for (auto& group : centred) {
    const double mean = mean_of(group);
    for (double& x : group) x -= mean;
  }
  double tokens = 0, weighted_sum = 0;
  for (size_t g = 0; g < centred.size(); ++g)
    for (size_t i = 0; i < centred[g].size(); ++i) {
      tokens += static_cast<double>(step.lengths[g][i]);
      weighted_sum += static_cast<double>(step.lengths[g][i]) * centred[g][i];
    }
  const auto totals = summed({tokens, weighted_sum}, sum);
  tokens = totals[0];
  weighted_sum = totals[1];
  std::vector<std::vector<double>> advantages = centred;
  if (tokens < 2) {  // masked_var's Bessel correction needs two tokens; nothing to whiten
    for (auto& group : advantages) std::fill(group.begin(), group.end(), 0.0);
    return advantages;
  }
  const double mu = weighted_sum / tokens;
  double weighted_squares = 0;
  for (size_t g = 0; g < centred.size(); ++g)
    for (size_t i = 0; i < centred[g].size(); ++i)
      weighted_squares += static_cast<double>(step.lengths[g][i]) * (centred[g][i] - mu) * (centred[g][i] - mu);
  weighted_squares = summed({weighted_squares}, sum)[0];
  const double variance = weighted_squares / tokens * tokens / (tokens - 1);
  const double scale = 1.0 / std::sqrt(variance + 1e-8);
  for (size_t g = 0; g < advantages.size(); ++g)
    for (size_t i = 0; i < advantages[g].size(); ++i)
      advantages[g][i] = step.lengths[g][i] > 0 ? (centred[g][i] - mu) * scale : 0.0;
  return advantages;
}

TokenAdvantages reinforce_pp_advantages(const StepRewards& step, const TokenAdvantages& token_kl, double kl_coef,
                                        const SumAcrossProcesses& sum) {
  check_layout(step);
  if (token_kl.size() != step.rewards.size()) throw Error("reinforce_pp_advantages: one KL list per reward group is needed");
  // Returns G_t = sum_{t' >= t} r_t' with r_t = -kl_coef * kl_t, plus the rollout's reward at its last token.
  TokenAdvantages returns(step.rewards.size());
  double tokens = 0, sum_of_returns = 0;
  for (size_t g = 0; g < step.rewards.size(); ++g) {
    if (token_kl[g].size() != step.rewards[g].size())
      throw Error("reinforce_pp_advantages: group " + std::to_string(g) + " needs one KL list per rollout");
    for (size_t i = 0; i < step.rewards[g].size(); ++i) {
      const auto length = static_cast<size_t>(step.lengths[g][i]);
      const std::vector<float>& kl = token_kl[g][i];
      if (kl.size() != length)
        throw Error("reinforce_pp_advantages: group " + std::to_string(g) + " rollout " + std::to_string(i) + " has " +
                    std::to_string(length) + " tokens but " + std::to_string(kl.size()) + " KL values");
      std::vector<float> g_t(length);
      double running = 0;
      for (size_t t = length; t-- > 0;) {
        running += -kl_coef * static_cast<double>(kl[t]) + (t + 1 == length ? step.rewards[g][i] : 0.0);
        g_t[t] = static_cast<float>(running);
        sum_of_returns += running;
      }
      tokens += static_cast<double>(length);
      returns[g].push_back(std::move(g_t));
    }
  }
  const auto totals = summed({tokens, sum_of_returns}, sum);
  tokens = totals[0];
  sum_of_returns = totals[1];
  if (tokens < 2) {  // masked_var's Bessel correction needs two tokens; nothing to whiten
    for (auto& group : returns)
      for (auto& rollout : group) std::fill(rollout.begin(), rollout.end(), 0.0f);
    return returns;
  }
  const double mu = sum_of_returns / tokens;
  double squares = 0;
  for (const auto& group : returns)
    for (const auto& rollout : group)
      for (float v : rollout) squares += (v - mu) * (v - mu);
  squares = summed({squares}, sum)[0];
  const double scale = 1.0 / std::sqrt(squares / (tokens - 1) + 1e-8);
  for (auto& group : returns)
    for (auto& rollout : group)
      for (float& v : rollout) v = static_cast<float>((v - mu) * scale);
  return returns;
}

std::vector<std::vector<double>> estimate_advantages(AdvantageEstimator estimator, const StepRewards& step,
                                                     const AdvantageOptions& options, const SumAcrossProcesses& sum) {
  switch (estimator) {
    case AdvantageEstimator::kReinforcePp:
      throw Error("estimate_advantages: reinforce_pp gives per-token advantages (reinforce_pp_advantages)");
    case AdvantageEstimator::kReinforce: return reinforce_advantages(step, sum);
    case AdvantageEstimator::kReinforcePpBaseline: return reinforce_pp_baseline_advantages(step, sum);
    case AdvantageEstimator::kRloo:
    case AdvantageEstimator::kGrpo: break;
  }
  std::vector<std::vector<double>> advantages;
  for (const auto& group : step.rewards) {
    if (estimator == AdvantageEstimator::kRloo) {
      advantages.push_back(rloo_advantages(group));
      continue;
    }
    const torch::Tensor a =
        grpo_advantages(torch::tensor(std::vector<float>(group.begin(), group.end())), options).to(torch::kFloat64);
    advantages.emplace_back(a.data_ptr<double>(), a.data_ptr<double>() + a.numel());
  }
  return advantages;
}

}  // namespace ttrl::train
