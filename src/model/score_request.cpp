// `ttrl score`'s input lines (include/ttrl/model/score_request.hpp): no LibTorch, so that they can be fuzzed
// (tests/fuzz) without it.
#include "ttrl/model/score_request.hpp"

#include <istream>
#include <nlohmann/json.hpp>

#include "ttrl/core/error.hpp"
#include "ttrl/core/jsonl.hpp"

namespace ttrl::model {
namespace {

using nlohmann::json;

std::vector<int64_t> parse_ids(const json& record, const char* key) {
  if (!record.contains(key)) throw IoError(std::string("missing \"") + key + "\"");
  const json& ids = record.at(key);
  if (!ids.is_array()) throw IoError(std::string("\"") + key + "\" must be a list of token ids");
  std::vector<int64_t> out;
  out.reserve(ids.size());
  for (const json& id : ids) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0)
      throw IoError(std::string("\"") + key + "\" holds " + id.dump() + ", not a non-negative integer token id");
    out.push_back(id.get<int64_t>());
  }
  return out;
}

}  // namespace

std::vector<ScoreRequest> parse_score_requests(std::istream& in, const std::string& origin) {
  std::vector<ScoreRequest> requests;
  read_jsonl(in, origin, [&](const json& record, const JsonlLine& line) {
    ScoreRequest request;
    request.prompt_ids = parse_ids(record, "prompt_ids");
    request.completion_ids = parse_ids(record, "completion_ids");
    request.line = line.number;
    if (request.prompt_ids.empty()) throw IoError("\"prompt_ids\" is empty (the first completion token needs a context)");
    requests.push_back(std::move(request));
  });
  return requests;
}

}  // namespace ttrl::model
