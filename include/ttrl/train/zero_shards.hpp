#pragma once
// ZeRO stage 1 optimizer-state sharding (Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training
// Trillion Parameter Models"; DeepSpeed's stage 1): with N processes each keeps the float32 master weights and the
// AdamW moments of 1/N of the parameters, and an optimizer step is
//   reduce-scatter the gradients (each rank receives the summed gradient of its slice),
//   global gradient norm = sqrt(all-reduce of the slices' squared norms), clip,
//   AdamW on its slice,
//   all-gather the updated slices into every rank's (bf16) parameters.
// AdamW is element-wise, so this is the unsharded step up to the summation order of the gradients. The
// reduce-scatter of a bucket can start while backward still runs (dist::GradientSync, arm_gradient_overlap()).
//
// Layout: the parameters, in order, form buckets of at most `bucket_elements` elements (a larger parameter is a
// bucket alone); each bucket's flattened elements, padded with zeros to a multiple of N, are cut into N equal
// slices and rank r owns slice r of every bucket. The buckets depend on the parameters only, so a checkpoint's
// shards can be re-cut for another number of processes.
//
// Checkpoint files: optimizer-shard-R-of-N.pt per rank (its slices of the masters, exp_avg and exp_avg_sq, and the
// step count) and optimizer-shards.json (format, world size, bucket sizes), written by rank 0.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ttrl/dist/gradient_sync.hpp"
#include "ttrl/dist/process_group.hpp"

namespace ttrl::train {

struct ZeroBucket {
  size_t first = 0, last = 0;  ///< parameters [first, last)
  int64_t numel = 0;
};

/// Consecutive parameters in buckets of at most `bucket_elements` elements.
std::vector<ZeroBucket> zero_buckets(const std::vector<torch::Tensor>& parameters, int64_t bucket_elements);

/// Elements of a bucket each of `world` ranks owns: ceil(numel / world).
int64_t zero_slice(int64_t numel, int64_t world);

/// The AdamW state of one process's slices (or, with one process, of everything), in the flat layout.
struct ZeroState {
  torch::Tensor masters, exp_avg, exp_avg_sq;
  int64_t step = 0;
};

class ZeroShards {
 public:
  /// `state_dtype`: of the masters and moments (float32 with fp32_master_weights, else the parameters' dtype).
  /// `overlap`: arm_gradient_overlap() starts the reduce-scatters during the backward that follows it.
  ZeroShards(std::vector<torch::Tensor> parameters, dist::ProcessGroup& group, torch::ScalarType state_dtype,
             int64_t bucket_elements = int64_t{8} << 20, bool overlap = true);

  /// This rank's slice of every bucket, concatenated: the one tensor AdamW updates (it requires grad).
  torch::Tensor& shard() { return shard_; }
  int64_t world() const { return group_.size(); }

  /// The next backward completes the gradients: reduce-scatter each bucket as soon as its gradients are final.
  void arm_gradient_overlap() { sync_->arm(); }
  /// shard().grad() = this rank's slices of the sum over ranks of the parameters' gradients (missing ones are zeros),
  /// finishing what the armed backward started.
  dist::GradientSyncStats reduce_scatter_gradients();
  /// L2 norm of the whole gradient: sqrt of the all-reduced squared norms of every rank's slices (float64).
  double global_grad_norm();
  /// Every rank's parameters <- the all-gathered updated slices, rounded to the parameters' dtype.
  void gather_parameters();

  /// Writes this rank's optimizer-shard-R-of-N.pt (and, rank 0, optimizer-shards.json) under `dir`.
  void save(const std::string& dir, const ZeroState& state) const;
  /// Reads the slices this rank owns from the shards a run of any number of processes wrote under `dir`, reading one
  /// old shard file at a time. Throws ttrl::IoError naming the file when a shard is missing or does not fit.
  ZeroState load(const std::string& dir) const;
  /// Whether `dir` holds sharded optimizer state (optimizer-shards.json).
  static bool has_shards(const std::string& dir);

  /// This rank's slices of full per-parameter tensors (masters or moments of an unsharded optimizer).
  torch::Tensor slice_of(const std::vector<torch::Tensor>& full) const;
  /// The full per-parameter tensors of a flat state of world 1 (the inverse of slice_of with one process).
  std::vector<torch::Tensor> unflatten(const torch::Tensor& flat) const;

 private:
  std::vector<torch::Tensor> parameters_;
  dist::ProcessGroup& group_;
  std::vector<ZeroBucket> buckets_;
  int64_t bucket_elements_;
  torch::Tensor shard_;
  std::unique_ptr<dist::GradientSync> sync_;
};

}  // namespace ttrl::train
