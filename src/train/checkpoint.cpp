#include "ttrl/train/checkpoint.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/model/model_config.hpp"

namespace ttrl::train {
namespace fs = std::filesystem;

namespace {

/// The checkpoint's config.json must parse and describe the model being trained (resume loads the weights into it).
void check_model_config(const fs::path& dir, const model::ModelConfig& running) {
  const model::ModelConfig saved = model::ModelConfig::load(dir.string());
  const auto shape = [](const model::ModelConfig& c) {
    return fmt::format("{} with vocab_size {}, hidden_size {}, intermediate_size {}, {} layers, {}/{} heads", c.model_type,
                       c.vocab_size, c.hidden_size, c.intermediate_size, c.num_hidden_layers, c.num_attention_heads,
                       c.num_key_value_heads);
  };
  if (shape(saved) != shape(running))
    throw IoError(fmt::format("{}: describes a {}, but this run trains a {} (a checkpoint of another run?)",
                              (dir / "config.json").string(), shape(saved), shape(running)));
}

}  // namespace

std::string save_checkpoint(const std::string& output_dir, const rollout::Policy& policy, Optimizer& optimizer,
                            const TrainerState& state, const RunConfig& config, dist::ProcessGroup& group) {
  const fs::path root = fs::path(output_dir) / "checkpoints";
  const fs::path final_dir = root / fmt::format("step-{}", state.step);
  std::error_code ec;
  fs::path tmp;
  if (group.is_main()) {
    tmp = root / fmt::format(".step-{}.tmp-{}", state.step, ::getpid());
    fs::create_directories(root, ec);
    fs::remove_all(tmp, ec);
    model::SaveOptions save;
    save.tokenizer_source_dir = policy.tokenizer_files_dir();
    model::save_pretrained(*policy.model, tmp.string(), save);
    write_file_atomic((tmp / "trainer_state.json").string(), trainer_state_json(state));
    write_resolved_config(config, tmp.string());
  }
  // Every process learns rank 0's directory (and waits for it); each writes its shard, or rank 0 the whole state.
  tmp = group.all_gather_strings(tmp.string()).front();
  if (optimizer.sharded() || group.is_main()) optimizer.save_state(tmp.string());
  group.barrier();
  if (group.is_main()) {
    write_checkpoint_checksums(tmp.string());
    fs::remove_all(final_dir, ec);
    fs::rename(tmp, final_dir, ec);
    if (ec) throw IoError("cannot rename '" + tmp.string() + "' to '" + final_dir.string() + "': " + ec.message());
  }
  group.barrier();
  return final_dir.string();
}

TrainerState load_checkpoint(const std::string& dir, rollout::Policy& policy, Optimizer& optimizer,
                             const ResumeLimits& limits) {
  verify_checkpoint_files(dir);
  check_model_config(dir, policy.model->config());
  const std::string state_path = (fs::path(dir) / "trainer_state.json").string();
  const TrainerState state = parse_trainer_state(read_text_file(state_path), state_path, checkpoint_step(dir), limits);
  model::load_weights(*policy.model, dir);
  optimizer.load_state(dir);
  optimizer.set_steps_taken(state.optimizer_steps);
  return state;
}

}  // namespace ttrl::train
