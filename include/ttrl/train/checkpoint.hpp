#pragma once
// Training checkpoints: output_dir/checkpoints/step-<N>/ holds the model in Hugging Face format (config.json,
// model.safetensors, tokenizer files: loadable by transformers and `ttrl eval`), optimizer.pt (AdamW state),
// master_weights.pt (float32 master weights, when the model trains in a 16-bit dtype),
// trainer_state.json (step, optimizer steps, bad-step count), config.resolved.yaml and, written last, checksums.json
// (size and CRC-32C of every other file). A checkpoint is written to a hidden temporary directory and renamed when
// complete, so resume never sees half of one; resume verifies the checksums, so it never trains on a damaged one.
//
// There is no RNG state to save: every random choice of a run is a function of (seed, step) — sampling streams,
// data order per epoch, rollout selection — so a resumed run draws exactly what the uninterrupted one would have.
#include <cstdint>
#include <optional>
#include <string>

#include "ttrl/core/config.hpp"
#include "ttrl/rollout/policy.hpp"
#include "ttrl/train/checkpoint_files.hpp"
#include "ttrl/train/optimizer.hpp"

namespace ttrl::train {

/// Writes the checkpoint of `state.step` into a temporary directory renamed into place last, so that a kill leaves
/// the previous checkpoint the newest complete one; returns its directory. Several processes: every one calls it;
/// rank 0 writes the model and the trainer state, each process its optimizer shard when the state is sharded, and
/// rank 0 writes the checksums and renames once every process has written its part.
std::string save_checkpoint(const std::string& output_dir, const rollout::Policy& policy, Optimizer& optimizer,
                            const TrainerState& state, const RunConfig& config, dist::ProcessGroup& group);

/// Restores model weights and optimizer state from `dir` and returns its trainer state, after checking, before
/// anything is loaded: the checksums of its files (a damaged file is named, with the previous complete checkpoint as
/// the way out), that its config.json describes the model being trained, and every field of trainer_state.json
/// against the directory's name and `limits`. Throws ttrl::IoError.
TrainerState load_checkpoint(const std::string& dir, rollout::Policy& policy, Optimizer& optimizer,
                             const ResumeLimits& limits);

}  // namespace ttrl::train
