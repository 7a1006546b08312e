#include "ttrl/train/checkpoint.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/model/checkpoint.hpp"

namespace ttrl::train {
namespace fs = std::filesystem;

namespace {

std::optional<int64_t> step_of(const fs::path& dir) {
  const std::string name = dir.filename().string();
  if (name.rfind("step-", 0) != 0 || name.size() == 5) return std::nullopt;
  for (size_t i = 5; i < name.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return std::nullopt;
  return std::stoll(name.substr(5));
}

}  // namespace

std::string save_checkpoint(const std::string& output_dir, const rollout::Policy& policy, Optimizer& optimizer,
                            const TrainerState& state, const RunConfig& config) {
  const fs::path root = fs::path(output_dir) / "checkpoints";
  const fs::path final_dir = root / fmt::format("step-{}", state.step);
  const fs::path tmp = root / fmt::format(".step-{}.tmp-{}", state.step, ::getpid());
  std::error_code ec;
  fs::create_directories(root, ec);
  fs::remove_all(tmp, ec);
  model::SaveOptions save;
  save.tokenizer_source_dir = policy.tokenizer_files_dir();
  model::save_pretrained(*policy.model, tmp.string(), save);
  optimizer.save_state(tmp.string());
  const nlohmann::json trainer_state = {{"step", state.step},
                                        {"optimizer_steps", state.optimizer_steps},
                                        {"consecutive_bad_steps", state.consecutive_bad_steps},
                                        {"total_steps", state.total_steps}};
  write_file_atomic((tmp / "trainer_state.json").string(), trainer_state.dump(2) + "\n");
  write_resolved_config(config, tmp.string());
  fs::remove_all(final_dir, ec);
  fs::rename(tmp, final_dir, ec);
  if (ec) throw IoError("cannot rename '" + tmp.string() + "' to '" + final_dir.string() + "': " + ec.message());
  return final_dir.string();
}

std::optional<std::string> latest_checkpoint(const std::string& output_dir) {
  const fs::path root = fs::path(output_dir) / "checkpoints";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return std::nullopt;
  std::optional<std::pair<int64_t, fs::path>> best;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const auto step = step_of(entry.path());
    if (!step || !fs::exists(entry.path() / "trainer_state.json")) continue;
    if (!best || *step > best->first) best = {{*step, entry.path()}};
  }
  if (!best) return std::nullopt;
  return best->second.string();
}

TrainerState load_checkpoint(const std::string& dir, rollout::Policy& policy, Optimizer& optimizer) {
  model::load_weights(*policy.model, dir);
  optimizer.load_state(dir);
  const std::string state_path = (fs::path(dir) / "trainer_state.json").string();
  try {
    const auto j = nlohmann::json::parse(read_text_file(state_path));
    TrainerState state;
    state.step = j.at("step").get<int64_t>();
    state.optimizer_steps = j.at("optimizer_steps").get<int64_t>();
    state.consecutive_bad_steps = j.at("consecutive_bad_steps").get<int64_t>();
    state.total_steps = j.at("total_steps").get<int64_t>();
    optimizer.set_steps_taken(state.optimizer_steps);
    return state;
  } catch (const nlohmann::json::exception& e) {
    throw IoError("'" + state_path + "' is malformed: " + e.what());
  }
}

}  // namespace ttrl::train
