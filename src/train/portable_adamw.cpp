#include "ttrl/train/portable_adamw.hpp"

#include <ATen/Dispatch.h>

#include <cmath>
#include <memory>

namespace ttrl::train {

torch::Tensor correctly_rounded_sqrt(const torch::Tensor& x) {
  if (!x.device().is_cpu()) return x.sqrt();
  const torch::Tensor in = x.contiguous();
  torch::Tensor out = torch::empty_like(in);
  AT_DISPATCH_FLOATING_TYPES_AND2(torch::kBFloat16, torch::kHalf, in.scalar_type(), "correctly_rounded_sqrt", [&] {
    // std::sqrt of float and double is the IEEE operation (SSE sqrtss/sqrtsd, exact to the last bit); 16-bit types
    // go through float, whose square root rounded to 16 bits is the correctly rounded 16-bit result.
    using compute_t = std::conditional_t<std::is_same_v<scalar_t, double>, double, float>;
    const scalar_t* a = in.data_ptr<scalar_t>();
    scalar_t* b = out.data_ptr<scalar_t>();
    const int64_t n = in.numel();
    for (int64_t i = 0; i < n; ++i) b[i] = static_cast<scalar_t>(std::sqrt(static_cast<compute_t>(a[i])));
  });
  return out;
}

torch::Tensor PortableAdamW::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    auto& options = static_cast<torch::optim::AdamWOptions&>(group.options());
    const auto [beta1, beta2] = options.betas();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto& grad = p.grad();
      TORCH_CHECK(!grad.is_sparse(), "AdamW does not support sparse gradients");
      if (options.weight_decay() != 0) p.mul_(1 - options.lr() * options.weight_decay());

      auto& slot = state_[p.unsafeGetTensorImpl()];
      if (!slot) {
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        if (options.amsgrad()) fresh->max_exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto& state = static_cast<torch::optim::AdamWParamState&>(*slot);
      state.step(state.step() + 1);
      const double bias_correction1 = 1 - std::pow(beta1, state.step());
      const double bias_correction2 = 1 - std::pow(beta2, state.step());

      state.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
      state.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      torch::Tensor second_moment = state.exp_avg_sq();
      if (options.amsgrad()) {
        torch::max_out(state.max_exp_avg_sq(), state.max_exp_avg_sq(), state.exp_avg_sq());
        second_moment = state.max_exp_avg_sq();
      }
      const torch::Tensor denom =
          (correctly_rounded_sqrt(second_moment) / std::sqrt(bias_correction2)).add_(options.eps());
      p.addcdiv_(state.exp_avg(), denom, -options.lr() / bias_correction1);
    }
  }
  return loss;
}

}  // namespace ttrl::train
