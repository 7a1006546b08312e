#pragma once
// The TTRL/DARE training loop (ARCHITECTURE.md "One training step"): prompts -> chat template -> n_vote samples per
// prompt from the policy -> answers -> reward (majority vote, DARE, ground truth, plugin) -> n_train of them ->
// group advantages -> clipped policy loss (+ KL to a frozen reference, entropy) over micro-batches -> AdamW with the
// schedule -> the same model samples the next step.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ttrl/core/config.hpp"
#include "ttrl/dist/process_group.hpp"

namespace ttrl::rollout {
struct Policy;
}

namespace ttrl::train {

/// Evaluates the policy being trained after `step` training steps; returns named values (e.g. {"avg@16": 61.2}).
/// Supplied by the caller (the train module does not depend on eval).
using EvaluateFn = std::function<std::map<std::string, double>(rollout::Policy& policy, int64_t step)>;

struct TrainOptions {
  bool resume = false;  ///< continue from the newest complete checkpoint under trainer.output_dir
  /// Write into trainer.output_dir even when it holds something ttrl train did not write (include/ttrl/core/output_guard.hpp).
  bool overwrite = false;
  /// When set and trainer.eval_every > 0: called before the first step (a run that does not resume; logged as
  /// step 0), after every eval_every-th step and after the last step; its values are logged with that step's
  /// metrics as "eval/<name>".
  EvaluateFn evaluate;
  /// The processes of a multi-process run (torchrun, srun); null: one process. Data parallel: each rank samples,
  /// rewards and trains on a strided share of every step's prompts (streams keyed by the prompts' positions in the
  /// step, so N ranks draw what one process draws), the loss is normalised by the step's totals over all ranks and
  /// the gradients are summed across them before every optimizer step; step metrics are those of the whole step.
  /// Rank 0 alone writes the output directory (metrics, checkpoints, rollouts) and shows the progress bar.
  std::shared_ptr<dist::ProcessGroup> process_group;
};

struct TrainResult {
  int64_t steps = 0;            ///< training steps completed in total (resumed ones included)
  std::string final_checkpoint; ///< directory of the last checkpoint written
  std::map<std::string, double> last_metrics;
};

/// Runs training as `config` describes. Throws ttrl::Error (ConfigError for bad settings); stops with a checkpoint
/// and an Error after trainer.max_bad_steps consecutive steps with a non-finite loss or gradient.
TrainResult run_training(const RunConfig& config, const TrainOptions& options = {});

}  // namespace ttrl::train
