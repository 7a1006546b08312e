#include "ttrl/train/optimizer.hpp"

#include <cmath>

namespace ttrl::train {

Optimizer::Optimizer(std::vector<torch::Tensor> parameters, OptimizerOptions options)
    : parameters_(std::move(parameters)), options_(std::move(options)) {
  auto adamw_options = torch::optim::AdamWOptions(options_.schedule.peak_lr)
                           .betas({options_.beta1, options_.beta2})
                           .eps(options_.epsilon)
                           .weight_decay(options_.weight_decay);
  adamw_ = std::make_unique<torch::optim::AdamW>(parameters_, adamw_options);
}

void Optimizer::zero_grad() { adamw_->zero_grad(/*set_to_none=*/true); }

Optimizer::StepInfo Optimizer::step() {
  StepInfo info;
  // Global L2 norm over all gradients: sqrt(sum_p ||g_p||^2); clipping scales every gradient by clip / norm.
  const double max_norm = options_.grad_clip > 0 ? options_.grad_clip : std::numeric_limits<double>::infinity();
  info.grad_norm = torch::nn::utils::clip_grad_norm_(parameters_, max_norm);
  info.finite = std::isfinite(info.grad_norm);
  if (!info.finite) {
    zero_grad();
    return info;
  }
  info.lr = learning_rate(options_.schedule, step_);
  for (auto& group : adamw_->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(info.lr);
  adamw_->step();
  zero_grad();
  ++step_;
  return info;
}

}  // namespace ttrl::train
