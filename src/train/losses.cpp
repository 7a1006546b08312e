#include "ttrl/train/losses.hpp"

#include "ttrl/core/error.hpp"

namespace ttrl::train {

LossAggregation parse_loss_aggregation(const std::string& name) {
  if (name == "token-mean") return LossAggregation::kTokenMean;
  if (name == "seq-mean-token-mean") return LossAggregation::kSeqMeanTokenMean;
  if (name == "seq-mean-token-sum-norm") return LossAggregation::kSeqMeanTokenSumNorm;
  throw ConfigError("unknown loss aggregation '" + name +
                    "': expected token-mean, seq-mean-token-mean or seq-mean-token-sum-norm");
}

KlEstimator parse_kl_estimator(const std::string& name) {
  if (name == "k1" || name == "kl") return KlEstimator::kK1;
  if (name == "k2" || name == "mse") return KlEstimator::kK2;
  if (name == "k3" || name == "low_var_kl") return KlEstimator::kK3;
  throw ConfigError("unknown KL estimator '" + name + "': expected k1, k2 or k3");
}

torch::Tensor aggregate_loss(const torch::Tensor& loss, const torch::Tensor& mask, LossAggregation mode,
                             AggregationScale scale) {
  if (loss.sizes() != mask.sizes()) throw Error("aggregate_loss: loss and mask shapes differ");
  const auto m = mask.to(loss.scalar_type());
  const double sequences = scale.total_sequences > 0 ? scale.total_sequences : static_cast<double>(loss.size(0));
  switch (mode) {
    case LossAggregation::kTokenMean: {
      const double tokens = scale.total_tokens > 0 ? scale.total_tokens : std::max(1.0, m.sum().item<double>());
      return (loss * m).sum() / tokens;
    }
    case LossAggregation::kSeqMeanTokenMean: {
      auto per_sequence = (loss * m).sum(-1) / m.sum(-1).clamp_min(1.0);
      return per_sequence.sum() / sequences;
    }
    case LossAggregation::kSeqMeanTokenSumNorm: {
      const double length = scale.norm_length > 0 ? scale.norm_length : static_cast<double>(loss.size(1));
      return (loss * m).sum() / (length * sequences);
    }
  }
  throw Error("aggregate_loss: unknown mode");
}

PolicyLossResult policy_loss(const torch::Tensor& logprobs, const torch::Tensor& old_logprobs,
                             const torch::Tensor& advantages, const torch::Tensor& mask,
                             const PolicyLossOptions& options, AggregationScale scale) {
  const auto adv = advantages.dim() == 1 ? advantages.unsqueeze(1).expand_as(logprobs) : advantages;
  const auto log_ratio = logprobs - old_logprobs;
  const auto ratio = torch::exp(log_ratio);
  const auto unclipped = -adv * ratio;
  const auto clipped = -adv * torch::clamp(ratio, 1.0 - options.clip_low, 1.0 + options.clip_high);
  auto per_token = torch::maximum(unclipped, clipped);
  torch::Tensor dual_taken;
  if (options.dual_clip) {
    const auto bound = -adv * options.clip_c;
    dual_taken = (adv < 0) & (per_token > bound);
    per_token = torch::where(adv < 0, torch::minimum(per_token, bound), per_token);
  }
  PolicyLossResult result;
  result.loss = aggregate_loss(per_token, mask, options.aggregation, scale);
  torch::NoGradGuard no_grad;
  const auto m = mask.to(torch::kFloat32);
  const double tokens = std::max(1.0, m.sum().item<double>());
  result.clip_fraction = ((clipped > unclipped).to(torch::kFloat32) * m).sum().item<double>() / tokens;
  if (options.dual_clip) result.dual_clip_fraction = (dual_taken.to(torch::kFloat32) * m).sum().item<double>() / tokens;
  result.approx_kl = (-log_ratio.to(torch::kFloat32) * m).sum().item<double>() / tokens;
  return result;
}

torch::Tensor kl_penalty(const torch::Tensor& logprobs, const torch::Tensor& ref_logprobs, KlEstimator estimator) {
  const auto d = logprobs - ref_logprobs;
  switch (estimator) {
    case KlEstimator::kK1: return d;
    case KlEstimator::kK2: return 0.5 * d * d;
    case KlEstimator::kK3: return torch::clamp(torch::exp(-d) + d - 1.0, -10.0, 10.0);
  }
  throw Error("kl_penalty: unknown estimator");
}

}  // namespace ttrl::train
