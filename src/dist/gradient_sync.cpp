#include "ttrl/dist/gradient_sync.hpp"

#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include "ttrl/core/error.hpp"

namespace ttrl::dist {

std::vector<GradientBucket> gradient_buckets(const std::vector<torch::Tensor>& parameters, int64_t bucket_elements) {
  std::vector<GradientBucket> buckets;
  int64_t in_last = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const int64_t n = parameters[i].numel();
    if (!buckets.empty() && in_last + n <= bucket_elements &&
        parameters[i].scalar_type() == parameters[buckets.back().first].scalar_type()) {
      buckets.back().last = i + 1;
      in_last += n;
    } else {
      buckets.push_back({i, i + 1});
      in_last = n;
    }
  }
  return buckets;
}

torch::Tensor flatten_padded(const std::vector<torch::Tensor>& tensors, const std::vector<torch::Tensor>& like,
                             torch::ScalarType dtype, int64_t multiple) {
  std::vector<torch::Tensor> pieces;
  int64_t numel = 0;
  for (size_t i = 0; i < like.size(); ++i) {
    pieces.push_back(tensors[i].defined() ? tensors[i].detach().reshape({-1}).to(dtype)
                                          : torch::zeros({like[i].numel()}, like[i].options().dtype(dtype)));
    numel += like[i].numel();
  }
  const int64_t padded = (numel + multiple - 1) / multiple * multiple;
  if (padded > numel) pieces.push_back(torch::zeros({padded - numel}, like.front().options().dtype(dtype)));
  return torch::cat(pieces);
}

/// Runs after AccumulateGrad has added a backward's gradient into the parameter's .grad.
class GradientSync::Hook : public torch::autograd::PostAccumulateGradHook {
 public:
  Hook(GradientSync* sync, size_t parameter) : sync_(sync), parameter_(parameter) {}
  void operator()(const torch::autograd::Variable& /*parameter*/) override { sync_->on_gradient_ready(parameter_); }

 private:
  GradientSync* sync_;
  size_t parameter_;
};

GradientSync::GradientSync(ProcessGroup& group, std::vector<torch::Tensor> parameters,
                           std::vector<GradientBucket> buckets, GradientSyncOptions options)
    : group_(group), parameters_(std::move(parameters)), buckets_(std::move(buckets)), options_(options) {
  bucket_of_.assign(parameters_.size(), buckets_.size());
  for (size_t b = 0; b < buckets_.size(); ++b) {
    if (buckets_[b].first >= buckets_[b].last || buckets_[b].last > parameters_.size() ||
        (b > 0 && buckets_[b].first != buckets_[b - 1].last))
      throw Error("GradientSync: buckets must cover consecutive parameters in order");
    for (size_t i = buckets_[b].first; i < buckets_[b].last; ++i) bucket_of_[i] = b;
  }
  if (!buckets_.empty() && (buckets_.front().first != 0 || buckets_.back().last != parameters_.size()))
    throw Error("GradientSync: buckets must cover every parameter");
  if (!options_.overlap || !group_.connected()) return;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    if (torch::autograd::impl::post_acc_grad_hooks(parameters_[i]))
      throw Error("GradientSync: a parameter already has a post-accumulate-grad hook (two syncs over one model?)");
    torch::autograd::impl::set_post_acc_grad_hooks(parameters_[i], std::make_unique<Hook>(this, i));
  }
}

GradientSync::~GradientSync() {
  if (options_.overlap && group_.connected())
    for (auto& p : parameters_) torch::autograd::impl::set_post_acc_grad_hooks(p, nullptr);
  // Collectives still in flight (finish() was not reached: an exception) are not waited for: the process group is
  // failing or about to be torn down, and waiting here could block forever.
}

void GradientSync::arm() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!group_.connected() || !options_.overlap) return;
  remaining_.clear();
  for (const auto& b : buckets_) remaining_.push_back(b.last - b.first);
  armed_ = true;
  begin_round();
}

void GradientSync::begin_round() {
  stats_ = {};
  slices_.assign(buckets_.size(), torch::Tensor());
}

void GradientSync::on_gradient_ready(size_t parameter) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!armed_) return;
  const size_t bucket = bucket_of_[parameter];
  if (remaining_[bucket] > 0) --remaining_[bucket];
  start_ready_buckets(false);
}

void GradientSync::start_ready_buckets(bool all) {
  while (next_ < buckets_.size()) {
    const size_t bucket = buckets_.size() - 1 - next_;
    if (!all && (!armed_ || remaining_[bucket] > 0)) return;
    if (in_flight_.size() >= kMaxInFlight) complete_oldest();
    start(bucket);
    if (!in_finish_) ++stats_.started_in_backward;
    ++next_;
  }
}

void GradientSync::start(size_t b) {
  torch::NoGradGuard no_grad;
  const auto& bucket = buckets_[b];
  const std::vector<torch::Tensor> like(parameters_.begin() + static_cast<std::ptrdiff_t>(bucket.first),
                                        parameters_.begin() + static_cast<std::ptrdiff_t>(bucket.last));
  std::vector<torch::Tensor> grads;
  for (const auto& p : like) grads.push_back(p.grad());
  const auto dtype = options_.flat_dtype == torch::ScalarType::Undefined ? like.front().scalar_type() : options_.flat_dtype;
  const bool scatter = options_.reduction == GradientSyncOptions::Reduction::kReduceScatter;
  InFlight f;
  f.bucket = b;
  f.flat = flatten_padded(grads, like, dtype, scatter ? group_.size() : 1);
  if (scatter) {
    f.slice = torch::empty({f.flat.numel() / group_.size()}, f.flat.options());
    f.collective = group_.reduce_scatter_sum_async(f.slice, f.flat);
  } else {
    f.collective = group_.all_reduce_sum_async(f.flat);
  }
  ++stats_.buckets;
  stats_.bytes += f.flat.numel() * static_cast<int64_t>(f.flat.element_size());
  in_flight_.push_back(std::move(f));
}

/// Waits for the oldest collective and puts its result in place: the summed gradients into .grad (all-reduce), or
/// the slice aside (reduce-scatter). Its flat copy is freed.
void GradientSync::complete_oldest() {
  torch::NoGradGuard no_grad;
  InFlight f = std::move(in_flight_.front());
  in_flight_.pop_front();
  f.collective.wait();
  if (options_.reduction == GradientSyncOptions::Reduction::kReduceScatter) {
    slices_[f.bucket] = f.slice;
    return;
  }
  int64_t offset = 0;
  for (size_t i = buckets_[f.bucket].first; i < buckets_[f.bucket].last; ++i) {
    torch::Tensor parameter = parameters_[i];  // a handle: mutable_grad() sets the parameter's own gradient
    const int64_t n = parameter.numel();
    const auto summed = f.flat.narrow(0, offset, n).view(parameter.sizes());
    if (parameter.grad().defined())
      parameter.mutable_grad().copy_(summed);
    else
      parameter.mutable_grad() = summed.to(parameter.scalar_type()).clone();
    offset += n;
  }
}

torch::Tensor GradientSync::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!armed_) begin_round();
  in_finish_ = true;
  start_ready_buckets(true);
  while (!in_flight_.empty()) complete_oldest();
  armed_ = false;
  in_finish_ = false;
  next_ = 0;
  if (options_.reduction != GradientSyncOptions::Reduction::kReduceScatter) return {};
  return torch::cat(slices_);
}

}  // namespace ttrl::dist
