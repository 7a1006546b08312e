#include "ttrl/dist/gradient_sync.hpp"

namespace ttrl::dist {
namespace {

/// Sums one bucket: concatenated into one flat tensor, all-reduced, copied back.
void sum_bucket(ProcessGroup& group, const std::vector<torch::Tensor>& grads, GradientSyncStats& stats) {
  std::vector<torch::Tensor> flat_views;
  for (const auto& g : grads) flat_views.push_back(g.reshape({-1}));
  auto flat = torch::cat(flat_views);
  group.all_reduce_sum(flat);
  int64_t offset = 0;
  for (const auto& g : grads) {
    g.copy_(flat.narrow(0, offset, g.numel()).view_as(g));
    offset += g.numel();
  }
  ++stats.buckets;
  stats.bytes += flat.numel() * static_cast<int64_t>(flat.element_size());
}

}  // namespace

GradientSyncStats all_reduce_gradients(ProcessGroup& group, const std::vector<torch::Tensor>& parameters,
                                       int64_t bucket_bytes) {
  GradientSyncStats stats;
  if (!group.distributed()) return stats;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> bucket;
  int64_t bucket_size = 0;
  for (const auto& p : parameters) {
    torch::Tensor parameter = p;  // a handle: mutable_grad() sets the gradient of the parameter itself
    if (!parameter.grad().defined()) parameter.mutable_grad() = torch::zeros_like(parameter);
    const torch::Tensor grad = parameter.grad();
    const int64_t bytes = grad.numel() * static_cast<int64_t>(grad.element_size());
    if (!bucket.empty() && (bucket_size + bytes > bucket_bytes || grad.scalar_type() != bucket.front().scalar_type())) {
      sum_bucket(group, bucket, stats);
      bucket.clear();
      bucket_size = 0;
    }
    bucket.push_back(grad);
    bucket_size += bytes;
  }
  if (!bucket.empty()) sum_bucket(group, bucket, stats);
  return stats;
}

}  // namespace ttrl::dist
