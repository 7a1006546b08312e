// The files of a checkpoint directory that need no LibTorch: its name, trainer_state.json, checksums.json, and
// which checkpoint is the newest complete one (include/ttrl/train/checkpoint_files.hpp).
#include "ttrl/train/checkpoint_files.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <filesystem>

#include "core/crc32c.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/json_cursor.hpp"

namespace ttrl::train {
namespace fs = std::filesystem;

namespace {

constexpr const char* kChecksumsFile = "checksums.json";

std::string hex32(uint32_t value) { return fmt::format("{:08x}", value); }

/// Every regular file under `dir` except checksums.json, as paths relative to it, sorted.
std::vector<std::string> checkpoint_files(const fs::path& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string relative = fs::relative(entry.path(), dir).generic_string();
    if (relative != kChecksumsFile) files.push_back(relative);
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// The newest complete checkpoint of the same output directory older than `dir`, if any: the way out of a damaged one.
std::optional<fs::path> previous_checkpoint(const fs::path& dir) {
  const auto own = checkpoint_step(dir);
  std::optional<std::pair<int64_t, fs::path>> best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir.parent_path(), ec)) {
    const auto step = checkpoint_step(entry.path());
    if (!step || (own && *step >= *own) || !fs::exists(entry.path() / "trainer_state.json")) continue;
    if (!best || *step > best->first) best = {{*step, entry.path()}};
  }
  if (!best) return std::nullopt;
  return best->second;
}

[[noreturn]] void damaged(const fs::path& dir, const std::string& problem) {
  const auto previous = previous_checkpoint(dir);
  const std::string way_out =
      previous ? fmt::format("the previous complete checkpoint is '{}': move '{}' aside and --resume again to continue "
                             "from it", previous->string(), dir.string())
               : "there is no earlier checkpoint: move it aside and start again without --resume";
  throw IoError(fmt::format("checkpoint '{}' is damaged: {}; {}", dir.string(), problem, way_out));
}

/// `value` of trainer_state.json's `key` within [low, high], or an error naming the file, key, value and bound.
int64_t bounded(const JsonCursor& state, const std::string& key, int64_t low, int64_t high, const std::string& why) {
  const JsonCursor field = state.at(key);
  const int64_t value = field.as_int();
  if (value < low || value > high) field.fail(fmt::format("is {}; must be between {} and {} ({})", value, low, high, why));
  return value;
}

}  // namespace

/// N of a directory named "step-N"; nullopt for any other name, including an N too long to be a step (a directory
/// ttrl did not write, e.g. "step-99999999999999999999999": ignored, not an internal error).
std::optional<int64_t> checkpoint_step(const std::string& dir_text) {
  const fs::path dir(dir_text);
  const std::string name = dir.filename().string();
  if (name.rfind("step-", 0) != 0 || name.size() == 5 || name.size() > 5 + 18) return std::nullopt;
  for (size_t i = 5; i < name.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return std::nullopt;
  return std::stoll(name.substr(5));
}

/// checksums.json: {"algorithm": "crc32c", "files": {"model.safetensors": {"bytes": N, "crc32c": "1a2b3c4d"}, ...}}.
/// Written last: it is the checkpoint's completion marker as well as its integrity record.
void write_checkpoint_checksums(const std::string& dir_text) {
  const fs::path dir(dir_text);
  nlohmann::ordered_json files = nlohmann::ordered_json::object();
  for (const std::string& file : checkpoint_files(dir)) {
    const fs::path path = dir / file;
    files[file] = {{"bytes", fs::file_size(path)}, {"crc32c", hex32(crc32c_of_file(path.string()))}};
  }
  const nlohmann::ordered_json checksums = {{"algorithm", "crc32c"}, {"files", files}};
  write_file_atomic((dir / kChecksumsFile).string(), checksums.dump(2) + "\n");
}

void verify_checkpoint_files(const std::string& dir_text) {
  const fs::path dir(dir_text);
  const fs::path checksums_path = dir / kChecksumsFile;
  if (!fs::exists(checksums_path)) {
    spdlog::warn("checkpoint '{}' has no {} (written by an older ttrl): its files cannot be verified", dir_text,
                 kChecksumsFile);
    return;
  }
  const nlohmann::json document = JsonCursor::parse(read_text_file(checksums_path.string()), checksums_path.string());
  const JsonCursor checksums(document, checksums_path.string());
  if (checksums.at("algorithm").as_string() != "crc32c") checksums.at("algorithm").fail("expected \"crc32c\"");
  const JsonCursor files = checksums.at("files");
  files.require_object();
  for (const auto& [name, _] : files.json().items()) {
    const JsonCursor record = files.at(name);
    const fs::path path = dir / name;
    std::error_code ec;
    const auto bytes = fs::file_size(path, ec);
    if (ec) damaged(dir, fmt::format("{} is missing", name));
    const int64_t expected_bytes = record.at("bytes").as_int();
    if (static_cast<int64_t>(bytes) != expected_bytes)
      damaged(dir, fmt::format("{} has {} bytes, {} says {}", name, bytes, kChecksumsFile, expected_bytes));
    const std::string expected_crc = record.at("crc32c").as_string();
    const std::string actual_crc = hex32(crc32c_of_file(path.string()));
    if (actual_crc != expected_crc)
      damaged(dir, fmt::format("{} has CRC-32C {}, {} says {} (a flipped bit or a changed file)", name, actual_crc,
                               kChecksumsFile, expected_crc));
  }
}

std::string trainer_state_json(const TrainerState& state) {
  const nlohmann::ordered_json json = {{"step", state.step},
                                       {"optimizer_steps", state.optimizer_steps},
                                       {"consecutive_bad_steps", state.consecutive_bad_steps},
                                       {"total_steps", state.total_steps}};
  return json.dump(2) + "\n";
}

TrainerState parse_trainer_state(const std::string& text, const std::string& path, std::optional<int64_t> dir_step,
                                 const ResumeLimits& limits) {
  const nlohmann::json document = JsonCursor::parse(text, path);
  const JsonCursor state(document, path);
  state.require_object();
  TrainerState result;
  result.step = bounded(state, "step", 0, limits.total_steps, "this run's steps: trainer.total_steps or epochs");
  if (dir_step && result.step != *dir_step)
    state.at("step").fail(fmt::format("is {}, but the checkpoint's directory is step-{}", result.step, *dir_step));
  result.optimizer_steps = bounded(state, "optimizer_steps", 0, limits.max_optimizer_steps,
                                   "the optimizer steps of this run's schedule");
  result.consecutive_bad_steps =
      bounded(state, "consecutive_bad_steps", 0, std::max<int64_t>(0, limits.max_bad_steps - 1),
              "below trainer.max_bad_steps");
  result.total_steps = bounded(state, "total_steps", 1, INT64_MAX, "a positive step count");
  return result;
}

std::optional<std::string> latest_checkpoint(const std::string& output_dir) {
  const fs::path root = fs::path(output_dir) / "checkpoints";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return std::nullopt;
  std::optional<std::pair<int64_t, fs::path>> best;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const auto step = checkpoint_step(entry.path());
    if (!step || !fs::exists(entry.path() / "trainer_state.json")) continue;
    if (!best || *step > best->first) best = {{*step, entry.path()}};
  }
  if (!best) return std::nullopt;
  return best->second.string();
}

}  // namespace ttrl::train
