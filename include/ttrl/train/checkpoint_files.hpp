#pragma once
// The parts of a training checkpoint that need no LibTorch (so that they can be fuzzed and tested alone): the
// directory name step-N, trainer_state.json, checksums.json, and which checkpoint is the newest complete one.
// Layout and guarantees: include/ttrl/train/checkpoint.hpp.
#include <cstdint>
#include <optional>
#include <string>

namespace ttrl::train {

struct TrainerState {
  int64_t step = 0;             ///< training steps completed
  int64_t optimizer_steps = 0;  ///< AdamW updates applied (the schedule's position)
  int64_t consecutive_bad_steps = 0;
  int64_t total_steps = 0;
};

/// What the resuming run accepts in a checkpoint's trainer_state.json.
struct ResumeLimits {
  int64_t total_steps = 0;          ///< the run's length: a checkpoint of a later step cannot be resumed
  int64_t max_optimizer_steps = 0;  ///< the schedule's length (optimizer steps over the whole run)
  int64_t max_bad_steps = 0;        ///< trainer.max_bad_steps
};

/// N of a directory named "step-N" (N up to 18 digits); nullopt for any other name: a directory ttrl did not write,
/// e.g. "step-99999999999999999999999", is ignored rather than an error.
std::optional<int64_t> checkpoint_step(const std::string& dir);

/// trainer_state.json's text for `state`.
std::string trainer_state_json(const TrainerState& state);

/// Parses trainer_state.json (`text`, read from `path`) and checks every field: step within [0, limits.total_steps]
/// and equal to `dir_step` (the directory's step-N) when given, optimizer_steps within the schedule,
/// consecutive_bad_steps below max_bad_steps, total_steps positive. Throws ttrl::IoError naming the path, the field,
/// its value and the bound.
TrainerState parse_trainer_state(const std::string& text, const std::string& path, std::optional<int64_t> dir_step,
                                 const ResumeLimits& limits);

/// Writes `dir`/checksums.json: the size and CRC-32C of every other file under `dir`. Written last, it marks the
/// checkpoint complete as well as recording its integrity.
void write_checkpoint_checksums(const std::string& dir);

/// Checks the files of checkpoint `dir` against its checksums.json; throws ttrl::IoError naming the first file that
/// is missing or differs, with the previous complete checkpoint of the same run as the way out. A checkpoint written
/// before checksums existed (no checksums.json) passes with a warning.
void verify_checkpoint_files(const std::string& dir);

/// The newest complete checkpoint directory under output_dir/checkpoints, if any.
std::optional<std::string> latest_checkpoint(const std::string& output_dir);

}  // namespace ttrl::train
