// `ttrl reward` as a library function: JSONL groups in, JSONL results out (format: include/ttrl/reward/reward_jsonl.hpp).
#include "ttrl/reward/reward_jsonl.hpp"

#include <cerrno>
#include <cmath>
#include <limits>
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

/// `field` of `item` as a list of numbers (absent or null: empty).
std::vector<float> float_list(const json& item, const std::string& where, const char* field) {
  std::vector<float> values;
  auto it = item.find(field);
  if (it == item.end() || it->is_null()) return values;
  if (!it->is_array()) bad_field(where + "." + field, "a list of numbers", *it);
  values.reserve(it->size());
  for (size_t t = 0; t < it->size(); ++t) {
    const json& value = (*it)[t];
    // Beyond float's range the conversion would be undefined behaviour, not infinity.
    if (!value.is_number() || !(std::fabs(value.get<double>()) <= std::numeric_limits<float>::max()))
      bad_field(fmt::format("{}.{}[{}]", where, field, t), "a number", value);
    values.push_back(static_cast<float>(value.get<double>()));
  }
  return values;
}

/// The per-token fields `ttrl generate` writes: completion_ids, logprobs, entropies, self_certainties. Each is
/// optional; those present must have one entry per token (num_tokens, or the first list's length).
void read_token_fields(const json& item, const std::string& where, Rollout& rollout) {
  if (auto ids = item.find("completion_ids"); ids != item.end() && !ids->is_null()) {
    if (!ids->is_array()) bad_field(where + ".completion_ids", "a list of token ids", *ids);
    for (size_t t = 0; t < ids->size(); ++t) {
      const json& id = (*ids)[t];
      if (!id.is_number_integer() || id.get<int64_t>() < 0)
        bad_field(fmt::format("{}.completion_ids[{}]", where, t), "a token id (integer >= 0)", id);
      rollout.token_ids.push_back(id.get<int64_t>());
    }
  }
  rollout.token_logprobs = float_list(item, where, "logprobs");
  rollout.token_entropies = float_list(item, where, "entropies");
  rollout.token_self_certainties = float_list(item, where, "self_certainties");
  const std::pair<const char*, size_t> lists[] = {{"completion_ids", rollout.token_ids.size()},
                                                  {"logprobs", rollout.token_logprobs.size()},
                                                  {"entropies", rollout.token_entropies.size()},
                                                  {"self_certainties", rollout.token_self_certainties.size()}};
  const bool counted = item.contains("num_tokens") && !item["num_tokens"].is_null();
  for (const auto& [field, size] : lists) {
    if (!item.contains(field) || item[field].is_null()) continue;
    if (!counted && rollout.num_tokens == 0) rollout.num_tokens = static_cast<int64_t>(size);
    if (static_cast<int64_t>(size) != rollout.num_tokens)
      throw IoError(fmt::format("\"{}.{}\": {} entries, but the rollout has {} tokens ({})", where, field, size,
                                rollout.num_tokens, counted ? "num_tokens" : "the first per-token list"));
  }
}

Rollout parse_rollout(const json& item, const char* list, size_t index) {
  const std::string where = fmt::format("{}[{}]", list, index);
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
  read_token_fields(item, where, rollout);
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
  for (size_t i = 0; i < rollouts->size(); ++i) group.rollouts.push_back(parse_rollout((*rollouts)[i], "rollouts", i));
  if (auto partner = object.find("partner_rollouts"); partner != object.end() && !partner->is_null()) {
    if (!partner->is_array()) bad_field("partner_rollouts", "a list", *partner);
    for (size_t i = 0; i < partner->size(); ++i)
      group.partner_rollouts.push_back(parse_rollout((*partner)[i], "partner_rollouts", i));
  }
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

namespace {

using ordered = nlohmann::ordered_json;  // keys in the documented order, not sorted

ordered rollout_json(const Rollout& rollout) {
  ordered item = {{"text", rollout.text}, {"num_tokens", rollout.num_tokens}};
  if (!rollout.token_ids.empty()) item["completion_ids"] = rollout.token_ids;
  if (!rollout.token_logprobs.empty()) item["logprobs"] = rollout.token_logprobs;
  if (!rollout.token_entropies.empty()) item["entropies"] = rollout.token_entropies;
  if (!rollout.token_self_certainties.empty()) item["self_certainties"] = rollout.token_self_certainties;
  if (rollout.token_entropies.empty() && rollout.mean_entropy) item["entropy"] = *rollout.mean_entropy;
  return item;
}

ordered rollouts_json(const std::vector<Rollout>& rollouts) {
  ordered list = ordered::array();
  for (const auto& rollout : rollouts) list.push_back(rollout_json(rollout));
  return list;
}

}  // namespace

std::string format_group_line(const Group& group, const RewardResult* result) {
  ordered line = {{"prompt", group.prompt},
                  {"gold", group.gold ? ordered(*group.gold) : ordered()},
                  {"task", answer::to_string(group.task)},
                  {"vocab_size", group.vocab_size > 0 ? ordered(group.vocab_size) : ordered()},
                  {"rollouts", rollouts_json(group.rollouts)}};
  if (!group.partner_rollouts.empty()) line["partner_rollouts"] = rollouts_json(group.partner_rollouts);
  if (result) {
    line["rewards"] = result->rewards;
    line["label"] = result->label ? ordered(*result->label) : ordered();
  }
  // Floats are written with enough digits to read back bit-identical; invalid UTF-8 from model text is replaced.
  return line.dump(-1, ' ', false, ordered::error_handler_t::replace);
}

std::string format_result_line(const Group& group, const RewardResult& result) {
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
                    answer::Task default_task, const GroupHook& prepare) {
  return read_jsonl(in, source_name, [&](const json& object, const JsonlLine&) {
    Group group = parse_group(object, default_task);
    if (prepare) prepare(group);
    out << format_result_line(group, score_group(fn, group)) << '\n';
  });
}

int64_t score_jsonl_file(const std::string& input_path, std::ostream& out, const RewardSection& section,
                         const GroupHook& prepare) {
  const std::unique_ptr<RewardFn> fn = make_reward(section);
  std::ifstream file;
  std::istream& in = open_input(input_path, file);
  return score_jsonl(in, input_path == "-" ? "<stdin>" : input_path, out, *fn, answer::parse_task(section.task), prepare);
}

}  // namespace ttrl::reward
