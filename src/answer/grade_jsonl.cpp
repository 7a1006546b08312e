// `ttrl grade` as a library function: JSONL pairs in, JSONL verdicts out.
#include "ttrl/answer/grade_jsonl.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ttrl/answer/answer.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/jsonl.hpp"

namespace ttrl::answer {
namespace {

using json = nlohmann::json;

// "pred" may be null (a response with no answer); "gold" must be a string.
std::optional<std::string> text_field(const json& object, const char* name, bool nullable) {
  const auto it = object.find(name);
  if (it == object.end()) throw IoError(std::string("missing field \"") + name + "\"");
  if (it->is_null() && nullable) return std::nullopt;
  if (!it->is_string()) {
    throw IoError(std::string("field \"") + name + "\" must be a string" + (nullable ? " or null" : ""));
  }
  return it->get<std::string>();
}

bool raw_text_field(const json& object) {
  const auto it = object.find("input_form");
  if (it == object.end() || it->is_null()) return true;
  if (it->is_string() && *it == "raw_text") return true;
  if (it->is_string() && *it == "answer_only") return false;
  throw IoError("field \"input_form\" must be \"raw_text\" or \"answer_only\"");
}

Task task_field(const json& object) {
  const auto it = object.find("task");
  if (it == object.end() || it->is_null()) return Task::kMath;
  if (!it->is_string()) throw IoError("field \"task\" must be a string");
  return parse_task(it->get<std::string>());
}

json optional_string(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

}  // namespace

GradeSummary run_grade_jsonl(std::istream& in, std::ostream& out, const std::string& source_name) {
  GradeSummary summary;
  read_jsonl(in, source_name, [&](const json& object, const JsonlLine&) {
    const std::optional<std::string> pred = text_field(object, "pred", true);
    const std::optional<std::string> gold = text_field(object, "gold", false);
    const bool raw_text = raw_text_field(object);
    const Task task = task_field(object);

    Verdict verdict;
    if (pred) {
      verdict = grade(*pred, *gold, task, raw_text);
    } else {
      verdict.gold_answer = raw_text ? extract_answer(*gold, task) : std::optional<std::string>(*gold);
    }
    ++summary.pairs;
    summary.equal += verdict.equal ? 1 : 0;
    summary.pred_missing += verdict.pred_answer ? 0 : 1;
    summary.gold_missing += verdict.gold_answer ? 0 : 1;
    const nlohmann::ordered_json result = {{"equal", verdict.equal},
                                           {"pred_answer", optional_string(verdict.pred_answer)},
                                           {"gold_answer", optional_string(verdict.gold_answer)}};
    out << result.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  });
  out.flush();
  return summary;
}

std::string describe(const GradeSummary& summary) {
  char percent[32];
  std::snprintf(
      percent, sizeof percent, "%.1f%%",
      summary.pairs == 0 ? 0.0 : 100.0 * static_cast<double>(summary.equal) / static_cast<double>(summary.pairs));
  return "graded " + std::to_string(summary.pairs) + " pairs: " + std::to_string(summary.equal) + " equal (" +
         percent + "); predictions without an answer: " + std::to_string(summary.pred_missing) +
         ", golds without an answer: " + std::to_string(summary.gold_missing);
}

}  // namespace ttrl::answer
