#pragma once
// AdamW with decoupled weight decay (LibTorch's torch::optim::AdamW, which matches torch.optim.AdamW), the
// learning-rate schedule applied per step, and global gradient-norm clipping.
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "ttrl/train/lr_schedule.hpp"

namespace ttrl::train {

struct OptimizerOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.01;
  double grad_clip = 1.0;  ///< max global L2 norm of the gradients; 0 = no clipping
  LrScheduleOptions schedule;
};

/// One optimizer with its schedule; step() = clip, set lr for this step, AdamW update.
class Optimizer {
 public:
  Optimizer(std::vector<torch::Tensor> parameters, OptimizerOptions options);

  struct StepInfo {
    double grad_norm = 0;  ///< global L2 norm before clipping
    double lr = 0;
    bool finite = true;    ///< false: NaN/Inf gradient, the update was skipped
  };
  /// Applies one update from the accumulated .grad of the parameters, then zeroes them.
  /// A non-finite gradient norm skips the update: parameters, optimizer state and the schedule step are untouched.
  StepInfo step();
  void zero_grad();

  int64_t steps_taken() const { return step_; }
  void set_steps_taken(int64_t step) { step_ = step; }
  torch::optim::AdamW& adamw() { return *adamw_; }
  const std::vector<torch::Tensor>& parameters() const { return parameters_; }

 private:
  std::vector<torch::Tensor> parameters_;
  OptimizerOptions options_;
  std::unique_ptr<torch::optim::AdamW> adamw_;
  int64_t step_ = 0;
};

}  // namespace ttrl::train
