#pragma once
// Data-parallel gradients: after each process ran backward over its share of a mini-batch (with the loss
// normalised by the mini-batch's totals over all processes), the sum of the processes' gradients is the one-process
// gradient. They are summed in flat buckets of consecutive parameters, one collective per bucket rather than one per
// parameter, either
//   all-reduced: every process ends with the whole sum in each parameter's .grad (replicated optimizer state), or
//   reduce-scattered: each bucket, padded with zeros to a multiple of N elements, is cut into N equal slices and
//   rank r receives the sum of slice r (ZeRO: zero_shards.hpp).
//
// Overlap with backward (PyTorch DDP's Reducer, Megatron's overlap_grad_reduce): when armed before the backward that
// completes the gradients (the last micro-batch's), a hook after each parameter's gradient accumulation
// (torch::autograd post-accumulate-grad hook) counts the bucket's finished parameters, and a bucket whose parameters
// are all final is flattened and its collective started while backward goes on with the layers below. Buckets
// start in one fixed order on every process (the last bucket first, as backward reaches the last layers first;
// a bucket waits for the ones before it in that order), so the processes' collectives always match. finish() starts
// what backward did not (a parameter without a gradient in that backward, a process with no sequence, or no armed
// backward at all) and waits for everything; the result is the same sum, bucket by bucket, as without overlap.
// At most kMaxInFlight buckets' flat copies are alive at once: a hook waits for the oldest before starting another.
#include <torch/torch.h>

#include <cstdint>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "ttrl/dist/process_group.hpp"

namespace ttrl::dist {

/// Parameters [first, last) of the list a GradientSync was made with.
struct GradientBucket {
  size_t first = 0, last = 0;
};

/// Consecutive parameters of one dtype, at most `bucket_elements` elements each (a larger parameter is a bucket of
/// its own).
std::vector<GradientBucket> gradient_buckets(const std::vector<torch::Tensor>& parameters, int64_t bucket_elements);

/// `tensors` (one per parameter of `like`, undefined = zeros of that parameter's size) flattened into one tensor of
/// `dtype`, padded with zeros to a multiple of `multiple` elements.
torch::Tensor flatten_padded(const std::vector<torch::Tensor>& tensors, const std::vector<torch::Tensor>& like,
                             torch::ScalarType dtype, int64_t multiple = 1);

struct GradientSyncOptions {
  enum class Reduction { kAllReduce, kReduceScatter };
  Reduction reduction = Reduction::kAllReduce;
  /// The dtype buckets are summed in: the gradients' own (kUndefined) or another (ZeRO's float32 master dtype).
  torch::ScalarType flat_dtype = torch::ScalarType::Undefined;
  /// Start buckets during the armed backward (false: finish() does all the work after it).
  bool overlap = true;
};

struct GradientSyncStats {
  int64_t buckets = 0;            ///< collectives
  int64_t bytes = 0;              ///< bytes each process contributed (its padded flat buckets)
  int64_t started_in_backward = 0;  ///< of the buckets, those started by the hooks while backward ran
};

class GradientSync {
 public:
  /// Buckets in flat dtype; each rank's parameters in the same order. Installs the hooks (with overlap and several
  /// processes); they are removed by the destructor.
  GradientSync(ProcessGroup& group, std::vector<torch::Tensor> parameters, std::vector<GradientBucket> buckets,
               GradientSyncOptions options = {});
  ~GradientSync();
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  /// The next backward completes the gradients: start each bucket's collective as soon as it is final.
  void arm();
  /// Starts what has not started (a missing gradient takes part as zeros), waits for all and disarms. All-reduce:
  /// each parameter's .grad holds the sum (a missing one becomes zeros); reduce-scatter: the returned tensor is this
  /// rank's slices of every bucket, in bucket order (all-reduce: undefined).
  torch::Tensor finish();
  /// Of the last finish().
  const GradientSyncStats& stats() const { return stats_; }

  static constexpr size_t kMaxInFlight = 4;

 private:
  struct InFlight {
    size_t bucket = 0;
    torch::Tensor flat, slice;
    PendingCollective collective;
  };
  class Hook;

  /// A new set of collectives: stats and slices start empty.
  void begin_round();
  void on_gradient_ready(size_t parameter);
  /// Starts the collectives of the buckets, in launch order, whose parameters are all final (or every one: `all`).
  void start_ready_buckets(bool all);
  void start(size_t bucket);
  void complete_oldest();

  ProcessGroup& group_;
  std::vector<torch::Tensor> parameters_;
  std::vector<GradientBucket> buckets_;
  GradientSyncOptions options_;
  std::vector<size_t> bucket_of_;       ///< per parameter
  std::vector<size_t> remaining_;       ///< per bucket: parameters not yet final in the armed backward
  size_t next_ = 0;                     ///< launch position: buckets_.size() - 1 - next_ starts next
  bool armed_ = false;
  bool in_finish_ = false;
  std::deque<InFlight> in_flight_;
  std::vector<torch::Tensor> slices_;   ///< reduce-scatter results, per bucket
  GradientSyncStats stats_;
  std::mutex mutex_;  ///< hooks run on the autograd engine's thread (a device thread on CUDA)
};

}  // namespace ttrl::dist
