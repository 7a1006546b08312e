#pragma once
// Training checkpoints: output_dir/checkpoints/step-<N>/ holds the model in Hugging Face format (config.json,
// model.safetensors, tokenizer files: loadable by transformers and `ttrl eval`), optimizer.pt (AdamW state),
// master_weights.pt (float32 master weights, when the model trains in a 16-bit dtype),
// trainer_state.json (step, optimizer steps, bad-step count) and config.resolved.yaml. A checkpoint is written to a
// hidden temporary directory and renamed when complete, so resume never sees half of one.
//
// There is no RNG state to save: every random choice of a run is a function of (seed, step) — sampling streams,
// data order per epoch, rollout selection — so a resumed run draws exactly what the uninterrupted one would have.
#include <cstdint>
#include <optional>
#include <string>

#include "ttrl/core/config.hpp"
#include "ttrl/rollout/policy.hpp"
#include "ttrl/train/optimizer.hpp"

namespace ttrl::train {

struct TrainerState {
  int64_t step = 0;             ///< training steps completed
  int64_t optimizer_steps = 0;  ///< AdamW updates applied (the schedule's position)
  int64_t consecutive_bad_steps = 0;
  int64_t total_steps = 0;
};

/// Writes the checkpoint of `state.step`; returns its directory.
std::string save_checkpoint(const std::string& output_dir, const rollout::Policy& policy, Optimizer& optimizer,
                            const TrainerState& state, const RunConfig& config);

/// The newest complete checkpoint directory under output_dir/checkpoints, if any.
std::optional<std::string> latest_checkpoint(const std::string& output_dir);

/// Restores model weights and optimizer state from `dir`; returns the trainer state. Throws ttrl::IoError.
TrainerState load_checkpoint(const std::string& dir, rollout::Policy& policy, Optimizer& optimizer);

}  // namespace ttrl::train
