// `ttrl reward` as a library function: JSONL groups in, JSONL results out (format: include/ttrl/reward/reward_jsonl.hpp).
#include "ttrl/reward/reward_jsonl.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ttrl/core/error.hpp"
#include "ttrl/core/jsonl.hpp"
#include "ttrl/reward/registry.hpp"

namespace ttrl::reward {
namespace {

using nlohmann::json;

[[noreturn]] void bad_field(const std::string& field, const char* expected, const json& value) {
  throw IoError(fmt::format("\"{}\": expected {}, got {}", field, expected, value.dump()));
}

std::optional<std::string> optional_string(const json& object, const std::string& field) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) bad_field(field, "a string or null", *it);
  return it->get<std::string>();
}

Rollout parse_rollout(const json& item, size_t index) {
  const std::string where = fmt::format("rollouts[{}]", index);
  if (!item.is_object()) bad_field(where, "an object {\"text\": ..., \"entropy\": ...}", item);
  Rollout rollout;
  auto text = item.find("text");
  if (text == item.end() || !text->is_string())
    bad_field(where + ".text", "a string", text == item.end() ? json() : *text);
  rollout.text = text->get<std::string>();
  if (auto entropy = item.find("entropy"); entropy != item.end() && !entropy->is_null()) {
    if (!entropy->is_number()) bad_field(where + ".entropy", "a number (mean token entropy, nats)", *entropy);
    rollout.mean_entropy = entropy->get<double>();
  }
  if (auto tokens = item.find("num_tokens"); tokens != item.end() && !tokens->is_null()) {
    if (!tokens->is_number_integer() || tokens->get<int64_t>() < 0)
      bad_field(where + ".num_tokens", "an integer >= 0", *tokens);
    rollout.num_tokens = tokens->get<int64_t>();
  }
  return rollout;
}

answer::Task parse_line_task(const json& object, answer::Task default_task) {
  const std::optional<std::string> name = optional_string(object, "task");
  if (!name) return default_task;
  try {
    return answer::parse_task(*name);
  } catch (const Error& e) {
    throw IoError(fmt::format("\"task\": {}", e.what()));
  }
}

std::istream& open_input(const std::string& path, std::ifstream& file) {
  if (path == "-") return std::cin;
  file.open(path);
  if (!file) throw IoError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  return file;
}

}  // namespace

Group parse_group(const json& object, answer::Task default_task) {
  if (!object.is_object()) throw IoError("expected a JSON object {\"rollouts\": [...], ...}");
  Group group;
  auto rollouts = object.find("rollouts");
  if (rollouts == object.end()) throw IoError("missing \"rollouts\"");
  if (!rollouts->is_array()) bad_field("rollouts", "a list", *rollouts);
  for (size_t i = 0; i < rollouts->size(); ++i) group.rollouts.push_back(parse_rollout((*rollouts)[i], i));
  if (auto vocab = object.find("vocab_size"); vocab != object.end() && !vocab->is_null()) {
    if (!vocab->is_number_integer() || vocab->get<int64_t>() < 1) bad_field("vocab_size", "an integer >= 1", *vocab);
    group.vocab_size = vocab->get<int64_t>();
  }
  group.gold = optional_string(object, "gold");
  group.prompt = optional_string(object, "prompt").value_or("");
  group.task = parse_line_task(object, default_task);
  extract_answers(group);
  return group;
}

std::string format_result_line(const Group& group, const RewardResult& result) {
  using ordered = nlohmann::ordered_json;  // keys in the documented order, not sorted
  ordered answers = ordered::array();
  for (const auto& rollout : group.rollouts) answers.push_back(rollout.answer ? ordered(*rollout.answer) : ordered());
  ordered line = {{"rewards", result.rewards},
                  {"label", result.label ? ordered(*result.label) : ordered()},
                  {"answers", std::move(answers)},
                  {"metrics", result.metrics}};
  // Replace invalid UTF-8 from model text instead of throwing while writing.
  return line.dump(-1, ' ', false, ordered::error_handler_t::replace);
}

int64_t score_jsonl(std::istream& in, const std::string& source_name, std::ostream& out, RewardFn& fn,
                    answer::Task default_task) {
  return read_jsonl(in, source_name, [&](const json& object, const JsonlLine&) {
    const Group group = parse_group(object, default_task);
    out << format_result_line(group, score_group(fn, group)) << '\n';
  });
}

int64_t score_jsonl_file(const std::string& input_path, std::ostream& out, const RewardSection& section) {
  const std::unique_ptr<RewardFn> fn = make_reward(section);
  std::ifstream file;
  std::istream& in = open_input(input_path, file);
  return score_jsonl(in, input_path == "-" ? "<stdin>" : input_path, out, *fn, answer::parse_task(section.task));
}

}  // namespace ttrl::reward
