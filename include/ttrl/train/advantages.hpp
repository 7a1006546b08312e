#pragma once
// Group-relative advantages (GRPO): every rollout of a prompt is compared with its siblings.
#include <torch/torch.h>

namespace ttrl::train {

struct AdvantageOptions {
  bool norm_by_std = true;  ///< false: Dr.GRPO, mean-centred only
  double epsilon = 1e-6;
};

/// rewards: [n] for the n trained rollouts of one prompt. Returns [n]:
///   A_i = (r_i - mean(r)) / (std(r) + epsilon)   with the unbiased std (as verl's torch.std), or
///   A_i =  r_i - mean(r)                          when !norm_by_std.
/// A group of one rollout has no siblings: its advantage is 0.
torch::Tensor grpo_advantages(const torch::Tensor& rewards, const AdvantageOptions& options = {});

}  // namespace ttrl::train
