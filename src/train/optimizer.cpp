#include "ttrl/train/optimizer.hpp"

#include <c10/util/Exception.h>

#include <cmath>
#include <filesystem>

#include "ttrl/core/error.hpp"
#include "ttrl/train/portable_adamw.hpp"
#include "ttrl/train/zero_shards.hpp"

namespace ttrl::train {
namespace {

bool is_16_bit(const torch::Tensor& t) { return t.scalar_type() == torch::kBFloat16 || t.scalar_type() == torch::kHalf; }

std::string message_of(const c10::Error& e) { return e.what_without_backtrace(); }

torch::optim::AdamWOptions adamw_options_of(const OptimizerOptions& o) {
  return torch::optim::AdamWOptions(o.schedule.peak_lr)
      .betas({o.beta1, o.beta2})
      .eps(o.epsilon)
      .weight_decay(o.weight_decay);
}

/// AdamW's state of `parameter` (created empty, step 0, when it has none yet).
torch::optim::AdamWParamState& adam_state_of(torch::optim::AdamW& adamw, const torch::Tensor& parameter) {
  auto& slot = adamw.state()[parameter.unsafeGetTensorImpl()];
  if (!slot) {
    auto fresh = std::make_unique<torch::optim::AdamWParamState>();
    fresh->step(0);
    fresh->exp_avg(torch::zeros_like(parameter, torch::MemoryFormat::Preserve));
    fresh->exp_avg_sq(torch::zeros_like(parameter, torch::MemoryFormat::Preserve));
    slot = std::move(fresh);
  }
  return static_cast<torch::optim::AdamWParamState&>(*slot);
}

/// Sets AdamW's state of `parameter` (what a checkpoint held).
void set_adam_state(torch::optim::AdamW& adamw, const torch::Tensor& parameter, int64_t step,
                    const torch::Tensor& exp_avg, const torch::Tensor& exp_avg_sq) {
  auto& adam = adam_state_of(adamw, parameter);
  adam.step(step);
  adam.exp_avg(exp_avg);
  adam.exp_avg_sq(exp_avg_sq);
}

}  // namespace

Optimizer::~Optimizer() = default;

Optimizer::Optimizer(std::vector<torch::Tensor> parameters, OptimizerOptions options)
    : parameters_(std::move(parameters)), options_(std::move(options)) {
  if (options_.zero_stage >= 1 && options_.process_group && options_.process_group->distributed() &&
      !parameters_.empty()) {
    // Masters in float32 when the parameters are 16-bit and fp32_master_weights, else in the parameters' dtype.
    const auto dtype = options_.fp32_master_weights && is_16_bit(parameters_.front()) ? torch::kFloat32
                                                                                     : parameters_.front().scalar_type();
    for (const auto& p : parameters_)
      if (p.scalar_type() != parameters_.front().scalar_type())
        throw Error("optimizer: sharded state needs parameters of one dtype");
    zero_ = std::make_unique<ZeroShards>(parameters_, *options_.process_group, dtype, options_.bucket_elements,
                                         options_.overlap_grad_reduce);
    has_masters_ = dtype != parameters_.front().scalar_type();
    adamw_ = std::make_unique<PortableAdamW>(std::vector<torch::Tensor>{zero_->shard()}, adamw_options_of(options_));
    return;
  }
  for (const auto& p : parameters_) {
    if (options_.fp32_master_weights && is_16_bit(p)) {
      masters_.push_back(p.detach().to(torch::kFloat32).clone().set_requires_grad(true));
      has_masters_ = true;
    } else {
      masters_.push_back(p);
    }
  }
  adamw_ = std::make_unique<PortableAdamW>(masters_, adamw_options_of(options_));
  if (options_.process_group && options_.process_group->distributed()) {
    dist::GradientSyncOptions sync;
    sync.overlap = options_.overlap_grad_reduce;
    replicated_sync_ = std::make_unique<dist::GradientSync>(
        *options_.process_group, parameters_, dist::gradient_buckets(parameters_, options_.bucket_elements), sync);
  }
}

void Optimizer::arm_gradient_sync() {
  if (zero_) zero_->arm_gradient_overlap();
  if (replicated_sync_) replicated_sync_->arm();
}

dist::GradientSyncStats Optimizer::sync_gradients() {
  synced_ = true;
  if (zero_) return zero_->reduce_scatter_gradients();
  if (!replicated_sync_) return {};
  replicated_sync_->finish();
  return replicated_sync_->stats();
}

void Optimizer::zero_grad() {
  synced_ = false;
  for (auto& p : parameters_) p.mutable_grad() = torch::Tensor();
  for (auto& m : masters_) m.mutable_grad() = torch::Tensor();
  if (zero_) zero_->shard().mutable_grad() = torch::Tensor();
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

/// The sharded step (zero_shards.hpp): reduce-scatter, global norm, clip as clip_grad_norm_ does
/// (coefficient max_norm / (norm + 1e-6) when below 1), AdamW on this rank's slices, all-gather.
Optimizer::StepInfo Optimizer::sharded_step() {
  StepInfo info;
  if (!synced_) info.communicated_bytes = sync_gradients().bytes;
  info.grad_norm = zero_->global_grad_norm();
  info.finite = std::isfinite(info.grad_norm);
  if (!info.finite) {
    zero_grad();
    return info;
  }
  const double max_norm = options_.grad_clip > 0 ? options_.grad_clip : std::numeric_limits<double>::infinity();
  const double coefficient = max_norm / (info.grad_norm + 1e-6);
  if (coefficient < 1) zero_->shard().mutable_grad().mul_(coefficient);
  info.lr = learning_rate(options_.schedule, step_);
  for (auto& group : adamw_->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(info.lr);
  adamw_->step();
  zero_->gather_parameters();
  info.communicated_bytes += zero_->shard().numel() * zero_->world() * parameters_.front().element_size();
  zero_grad();
  ++step_;
  return info;
}

Optimizer::StepInfo Optimizer::step() {
  if (zero_) return sharded_step();
  StepInfo info;
  if (!synced_) info.communicated_bytes = sync_gradients().bytes;
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
  if (zero_) {
    const auto& adam = adam_state_of(*adamw_, zero_->shard());
    zero_->save(dir, {zero_->shard().detach(), adam.exp_avg(), adam.exp_avg_sq(), adam.step()});
    return;
  }
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

/// A sharded checkpoint into this whole (unsharded) state: the shards re-cut for one process are the whole state.
void Optimizer::load_sharded_into_whole(const std::string& dir) {
  dist::ProcessGroup one_process;
  const auto dtype = masters_.front().scalar_type();
  const ZeroShards layout(parameters_, one_process, dtype, options_.bucket_elements, /*overlap=*/false);
  const ZeroState whole = layout.load(dir);
  const auto masters = layout.unflatten(whole.masters), exp_avg = layout.unflatten(whole.exp_avg),
             exp_avg_sq = layout.unflatten(whole.exp_avg_sq);
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < masters_.size(); ++i) {
    masters_[i].copy_(masters[i]);
    set_adam_state(*adamw_, masters_[i], whole.step, exp_avg[i], exp_avg_sq[i]);
  }
  copy_masters_to_parameters();
}

/// A whole (one-process) checkpoint into this rank's shard: loaded whole into an unsharded optimizer, then sliced.
void Optimizer::load_whole_into_sharded(const std::string& dir) {
  OptimizerOptions whole_options = options_;
  whole_options.process_group = nullptr;
  Optimizer whole(parameters_, whole_options);
  whole.load_state(dir);
  std::vector<torch::Tensor> exp_avg, exp_avg_sq;
  int64_t step = 0;
  for (const auto& m : whole.masters_) {
    auto& adam = adam_state_of(*whole.adamw_, m);
    exp_avg.push_back(adam.exp_avg());
    exp_avg_sq.push_back(adam.exp_avg_sq());
    step = adam.step();
  }
  torch::NoGradGuard no_grad;
  zero_->shard().copy_(zero_->slice_of(whole.masters_));
  set_adam_state(*adamw_, zero_->shard(), step, zero_->slice_of(exp_avg), zero_->slice_of(exp_avg_sq));
}

void Optimizer::load_state(const std::string& dir) {
  if (zero_) {
    if (!ZeroShards::has_shards(dir)) return load_whole_into_sharded(dir);
    const ZeroState state = zero_->load(dir);
    torch::NoGradGuard no_grad;
    zero_->shard().copy_(state.masters);
    set_adam_state(*adamw_, zero_->shard(), state.step, state.exp_avg, state.exp_avg_sq);
    zero_->gather_parameters();
    return;
  }
  if (ZeroShards::has_shards(dir)) return load_sharded_into_whole(dir);
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
