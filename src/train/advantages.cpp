#include "ttrl/train/advantages.hpp"

#include "ttrl/core/error.hpp"

namespace ttrl::train {

torch::Tensor grpo_advantages(const torch::Tensor& rewards, const AdvantageOptions& options) {
  if (rewards.dim() != 1) throw Error("grpo_advantages: rewards must be [n], got " + std::to_string(rewards.dim()) + " dims");
  auto r = rewards.to(torch::kFloat32);
  if (r.size(0) < 2) return torch::zeros_like(r);
  auto centred = r - r.mean();
  if (!options.norm_by_std) return centred;
  return centred / (r.std(/*unbiased=*/true) + options.epsilon);
}

}  // namespace ttrl::train
