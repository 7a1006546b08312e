#pragma once
// The input of `ttrl score` (include/ttrl/model/score.hpp): one {"prompt_ids": [...], "completion_ids": [...]} per
// line. Parsing it needs no LibTorch, so that it can be fuzzed and tested alone.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace ttrl::model {

struct ScoreRequest {
  std::vector<int64_t> prompt_ids;      ///< at least one token
  std::vector<int64_t> completion_ids;  ///< may be empty
  int64_t line = 0;                     ///< 1-based input line, for error messages (0: not from a file)
};

/// Parses JSONL, one {"prompt_ids": [...], "completion_ids": [...]} per line (blank lines skipped). Throws
/// ttrl::IoError naming `origin` and the 1-based line number of the first bad line (invalid JSON, missing or
/// non-integer ids, negative ids, empty prompt_ids).
std::vector<ScoreRequest> parse_score_requests(std::istream& in, const std::string& origin);

}  // namespace ttrl::model
