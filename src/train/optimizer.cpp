#include "ttrl/train/optimizer.hpp"

#include <c10/util/Exception.h>

#include <cmath>
#include <filesystem>

#include "ttrl/core/error.hpp"
#include "ttrl/train/portable_adamw.hpp"

namespace ttrl::train {
namespace {

bool is_16_bit(const torch::Tensor& t) { return t.scalar_type() == torch::kBFloat16 || t.scalar_type() == torch::kHalf; }

std::string message_of(const c10::Error& e) { return e.what_without_backtrace(); }

}  // namespace

Optimizer::Optimizer(std::vector<torch::Tensor> parameters, OptimizerOptions options)
    : parameters_(std::move(parameters)), options_(std::move(options)) {
  for (const auto& p : parameters_) {
    if (options_.fp32_master_weights && is_16_bit(p)) {
      masters_.push_back(p.detach().to(torch::kFloat32).clone().set_requires_grad(true));
      has_masters_ = true;
    } else {
      masters_.push_back(p);
    }
  }
  auto adamw_options = torch::optim::AdamWOptions(options_.schedule.peak_lr)
                           .betas({options_.beta1, options_.beta2})
                           .eps(options_.epsilon)
                           .weight_decay(options_.weight_decay);
  adamw_ = std::make_unique<PortableAdamW>(masters_, adamw_options);
}

void Optimizer::zero_grad() {
  for (auto& p : parameters_) p.mutable_grad() = torch::Tensor();
  for (auto& m : masters_) m.mutable_grad() = torch::Tensor();
}

void Optimizer::copy_gradients_to_masters() {
  for (size_t i = 0; i < parameters_.size(); ++i) {
    if (masters_[i].is_same(parameters_[i])) continue;
    const auto& g = parameters_[i].grad();
    masters_[i].mutable_grad() = g.defined() ? g.to(torch::kFloat32) : torch::Tensor();
  }
}

void Optimizer::copy_masters_to_parameters() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < parameters_.size(); ++i)
    if (!masters_[i].is_same(parameters_[i])) parameters_[i].copy_(masters_[i]);  // round to nearest even
}

Optimizer::StepInfo Optimizer::step() {
  StepInfo info;
  copy_gradients_to_masters();
  // Global L2 norm over all gradients: sqrt(sum_p ||g_p||^2); clipping scales every gradient by clip / norm.
  const double max_norm = options_.grad_clip > 0 ? options_.grad_clip : std::numeric_limits<double>::infinity();
  info.grad_norm = torch::nn::utils::clip_grad_norm_(masters_, max_norm);
  info.finite = std::isfinite(info.grad_norm);
  if (!info.finite) {
    zero_grad();
    return info;
  }
  info.lr = learning_rate(options_.schedule, step_);
  for (auto& group : adamw_->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(info.lr);
  adamw_->step();
  copy_masters_to_parameters();
  zero_grad();
  ++step_;
  return info;
}

void Optimizer::save_state(const std::string& dir) {
  const auto path = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  try {
    torch::save(*adamw_, path("optimizer.pt"));
  } catch (const c10::Error& e) {
    throw IoError("cannot write '" + path("optimizer.pt") + "': " + message_of(e));
  }
  if (!has_masters_) return;
  std::vector<torch::Tensor> masters;
  for (const auto& m : masters_) masters.push_back(m.detach());
  try {
    torch::save(masters, path("master_weights.pt"));
  } catch (const c10::Error& e) {
    throw IoError("cannot write '" + path("master_weights.pt") + "': " + message_of(e));
  }
}

void Optimizer::load_state(const std::string& dir) {
  const auto path = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  try {
    torch::load(*adamw_, path("optimizer.pt"));
  } catch (const c10::Error& e) {
    throw IoError("cannot read optimizer state '" + path("optimizer.pt") + "': " + message_of(e));
  }
  if (!has_masters_) return;
  // The model weights of a checkpoint are rounded to 16 bits; the float32 masters carry what rounding dropped.
  std::vector<torch::Tensor> saved;
  try {
    torch::load(saved, path("master_weights.pt"));
  } catch (const c10::Error& e) {
    throw IoError("cannot read float32 master weights '" + path("master_weights.pt") + "': " + message_of(e));
  }
  if (saved.size() != masters_.size())
    throw IoError("'" + path("master_weights.pt") + "' holds " + std::to_string(saved.size()) + " tensors, the model has " +
                  std::to_string(masters_.size()) + " parameters");
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < masters_.size(); ++i) {
    if (saved[i].sizes() != masters_[i].sizes())
      throw IoError("'" + path("master_weights.pt") + "': tensor " + std::to_string(i) + " has the wrong shape");
    masters_[i].copy_(saved[i]);
  }
  copy_masters_to_parameters();
}

}  // namespace ttrl::train
