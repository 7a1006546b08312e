#pragma once
// AdamW with decoupled weight decay (PortableAdamW: torch::optim::AdamW's update, which matches torch.optim.AdamW,
// with a correctly rounded square root on the CPU), the learning-rate schedule applied per step, and global
// gradient-norm clipping.
//
// Mixed precision: parameters held in bfloat16/float16 (the model samples and trains in that dtype) are updated
// through float32 master copies, as mixed-precision recipes (Megatron, FSDP MixedPrecision, verl) do:
//   master.grad = float32(param.grad);  clip and AdamW on the masters (state in float32);  param = round(master)
// Without them a step smaller than half a bfloat16 ulp (lr 5e-7 against weights near 1e-2 is one) is lost.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "ttrl/dist/gradient_sync.hpp"
#include "ttrl/dist/process_group.hpp"
#include "ttrl/train/lr_schedule.hpp"

namespace ttrl::train {

struct OptimizerOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.01;
  double grad_clip = 1.0;  ///< max global L2 norm of the gradients; 0 = no clipping
  /// Keep float32 master weights (and float32 AdamW state) for parameters of a 16-bit dtype.
  bool fp32_master_weights = true;
  LrScheduleOptions schedule;
  /// Several processes (a distributed group): the optimizer sums the gradients across them (sync_gradients()).
  /// zero_stage 1: the masters and AdamW moments are sharded (zero_shards.hpp) and the gradients reduce-scattered;
  /// stage 0: every process keeps the whole state and the gradients are all-reduced.
  dist::ProcessGroup* process_group = nullptr;
  int64_t zero_stage = 0;
  /// Several processes: start each gradient bucket's collective during the backward armed by arm_gradient_sync().
  bool overlap_grad_reduce = true;
  /// Several processes: gradient elements per collective (both states); the shards are cut by these buckets.
  int64_t bucket_elements = int64_t{8} << 20;
};

class ZeroShards;

/// One optimizer with its schedule; step() = clip, set lr for this step, AdamW update.
class Optimizer {
 public:
  Optimizer(std::vector<torch::Tensor> parameters, OptimizerOptions options);
  ~Optimizer();

  struct StepInfo {
    double grad_norm = 0;  ///< global L2 norm before clipping (computed in float32)
    double lr = 0;
    bool finite = true;    ///< false: NaN/Inf gradient, the update was skipped
    /// Bytes this process sent into collectives: the all-gather of the sharded step, and the gradient sync when
    /// step() did it.
    int64_t communicated_bytes = 0;
  };
  /// Several processes: the next backward completes this step's gradients; with overlap_grad_reduce their buckets
  /// are summed across processes while it runs. Every process must then call sync_gradients(), the same number of
  /// times, whether it ran that backward or not.
  void arm_gradient_sync();
  /// Several processes: sums the gradients across them (finishing what the armed backward started): replicated,
  /// into each parameter's .grad; sharded, into this rank's slices. One process: nothing. Collective.
  dist::GradientSyncStats sync_gradients();
  /// Applies one update from the accumulated .grad of the parameters, then zeroes them (syncing them first when
  /// sync_gradients() was not called). A non-finite gradient norm skips the update: parameters, optimizer state and
  /// the schedule step are untouched.
  StepInfo step();
  void zero_grad();

  /// Writes DIR/optimizer.pt (AdamW state) and, with master weights, DIR/master_weights.pt; sharded: every process
  /// writes its shard (zero_shards.hpp), and the caller has every process call this.
  void save_state(const std::string& dir);
  /// Reads what save_state wrote, whether sharded for any number of processes or not (the state is re-cut for this
  /// run). Throws ttrl::IoError naming the file when it is missing or does not fit.
  void load_state(const std::string& dir);

  /// Whether each process holds only its shard of the state (zero_stage 1 with several processes).
  bool sharded() const { return zero_ != nullptr; }

  int64_t steps_taken() const { return step_; }
  void set_steps_taken(int64_t step) { step_ = step; }
  bool has_master_weights() const { return has_masters_; }
  /// The tensors AdamW updates: the float32 masters where kept, else the parameters themselves.
  const std::vector<torch::Tensor>& master_parameters() const { return masters_; }
  const std::vector<torch::Tensor>& parameters() const { return parameters_; }

 private:
  void copy_gradients_to_masters();
  void copy_masters_to_parameters();
  StepInfo sharded_step();
  void load_sharded_into_whole(const std::string& dir);
  void load_whole_into_sharded(const std::string& dir);

  std::vector<torch::Tensor> parameters_;
  std::vector<torch::Tensor> masters_;
  bool has_masters_ = false;
  OptimizerOptions options_;
  std::unique_ptr<torch::optim::AdamW> adamw_;
  std::unique_ptr<ZeroShards> zero_;  ///< sharded state; then masters_ is empty and adamw_ updates zero_->shard()
  std::unique_ptr<dist::GradientSync> replicated_sync_;  ///< several processes, whole state: the all-reduce
  bool synced_ = false;  ///< sync_gradients() ran since the last zero_grad()
  int64_t step_ = 0;
};

}  // namespace ttrl::train
