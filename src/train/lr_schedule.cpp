#include "ttrl/train/lr_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace ttrl::train {

int64_t warmup_steps(const LrScheduleOptions& options) {
  return static_cast<int64_t>(options.warmup_ratio * static_cast<double>(options.total_steps));
}

double learning_rate(const LrScheduleOptions& options, int64_t step) {
  const int64_t warmup = warmup_steps(options);
  if (step < warmup) return options.peak_lr * static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup));
  if (options.kind == "constant") return options.peak_lr;
  const double progress = static_cast<double>(step - warmup) / static_cast<double>(std::max<int64_t>(1, options.total_steps - warmup));
  const double cosine = 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
  return options.peak_lr * (options.min_lr_ratio + (1.0 - options.min_lr_ratio) * cosine);
}

}  // namespace ttrl::train
