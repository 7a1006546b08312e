// `ttrl grade` as a library function: JSONL pairs in, JSONL verdicts out.
#include "ttrl/answer/grade_jsonl.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ttrl/answer/answer.hpp"
#include "ttrl/core/error.hpp"

namespace ttrl::answer {
namespace {

using json = nlohmann::json;

[[noreturn]] void bad_line(const std::string& source, std::size_t line, const std::string& what) {
  throw IoError(source + ":" + std::to_string(line) + ": " + what);
}

// "pred" may be null (a response with no answer); "gold" must be a string.
std::optional<std::string> text_field(const json& object, const char* name, bool nullable, const std::string& source,
                                      std::size_t line) {
  const auto it = object.find(name);
  if (it == object.end()) bad_line(source, line, std::string("missing field \"") + name + "\"");
  if (it->is_null() && nullable) return std::nullopt;
  if (!it->is_string()) {
    bad_line(source, line, std::string("field \"") + name + "\" must be a string" + (nullable ? " or null" : ""));
  }
  return it->get<std::string>();
}

bool raw_text_field(const json& object, const std::string& source, std::size_t line) {
  const auto it = object.find("input_form");
  if (it == object.end() || it->is_null()) return true;
  if (it->is_string() && *it == "raw_text") return true;
  if (it->is_string() && *it == "answer_only") return false;
  bad_line(source, line, "field \"input_form\" must be \"raw_text\" or \"answer_only\"");
}

Task task_field(const json& object, const std::string& source, std::size_t line) {
  const auto it = object.find("task");
  if (it == object.end() || it->is_null()) return Task::kMath;
  if (!it->is_string()) bad_line(source, line, "field \"task\" must be a string");
  try {
    return parse_task(it->get<std::string>());
  } catch (const Error& e) {
    bad_line(source, line, e.what());
  }
}

json optional_string(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

}  // namespace

GradeSummary run_grade_jsonl(std::istream& in, std::ostream& out, const std::string& source_name) {
  GradeSummary summary;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    json object;
    try {
      object = json::parse(line);  // rejects invalid UTF-8 inside strings
    } catch (const json::parse_error& e) {
      bad_line(source_name, number, std::string("not valid JSON (or not UTF-8): ") + e.what());
    }
    if (!object.is_object()) bad_line(source_name, number, "expected a JSON object with \"pred\" and \"gold\"");
    const std::optional<std::string> pred = text_field(object, "pred", true, source_name, number);
    const std::optional<std::string> gold = text_field(object, "gold", false, source_name, number);
    const bool raw_text = raw_text_field(object, source_name, number);
    const Task task = task_field(object, source_name, number);

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
  }
  if (in.bad()) throw IoError(source_name + ": read error after line " + std::to_string(number));
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
