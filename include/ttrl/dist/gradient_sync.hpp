#pragma once
// Data-parallel gradients: after each process ran backward over its share of a mini-batch (with the loss
// normalised by the mini-batch's totals over all processes), the sum of the processes' gradients is the one-process
// gradient. They are summed in flat buckets, one all-reduce per bucket rather than one per parameter (as DDP's
// Reducer buckets them, 25 MiB by default).
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "ttrl/dist/process_group.hpp"

namespace ttrl::dist {

struct GradientSyncStats {
  int64_t buckets = 0;  ///< all-reduce calls
  int64_t bytes = 0;    ///< bytes of gradient each process contributed
};

/// Sums the .grad of `parameters` over the ranks of `group` in place. A parameter without a gradient (this rank
/// had no sequence to train on) takes part with zeros and keeps them as its gradient. Buckets hold parameters of
/// one dtype, in order, up to `bucket_bytes` (a larger parameter is a bucket of its own). One process: nothing.
GradientSyncStats all_reduce_gradients(ProcessGroup& group, const std::vector<torch::Tensor>& parameters,
                                       int64_t bucket_bytes = int64_t{25} << 20);

}  // namespace ttrl::dist
