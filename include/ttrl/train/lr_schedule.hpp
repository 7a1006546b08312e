#pragma once
// Learning-rate schedule: linear warmup, then cosine decay to a floor (or constant), as verl/transformers do.
#include <cstdint>
#include <string>

namespace ttrl::train {

struct LrScheduleOptions {
  double peak_lr = 5e-7;
  int64_t total_steps = 1;
  double warmup_ratio = 0.03;  ///< warmup steps = floor(warmup_ratio * total_steps)
  double min_lr_ratio = 0.0;
  std::string kind = "cosine"; ///< cosine | constant
};

/// Learning rate of optimizer step `step` (0-based):
///   step < W:  peak * step / max(1, W)
///   cosine:    peak * (min + (1 - min) * (1 + cos(pi * p)) / 2),  p = (step - W) / max(1, total - W)
///   constant:  peak
double learning_rate(const LrScheduleOptions& options, int64_t step);

int64_t warmup_steps(const LrScheduleOptions& options);

}  // namespace ttrl::train
