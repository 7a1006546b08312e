#pragma once
// Scoring given completions under a model (`ttrl score`): for every completion token, its log-probability given
// everything before it and the entropy (nats) of the full next-token distribution at that position.
#include <iosfwd>
#include <string>
#include <vector>

#include "ttrl/model/transformer.hpp"

namespace ttrl::model {

struct ScoreRequest {
  std::vector<int64_t> prompt_ids;      ///< at least one token
  std::vector<int64_t> completion_ids;  ///< may be empty
  int64_t line = 0;                     ///< 1-based input line, for error messages (0: not from a file)
};

struct ScoreResult {
  std::vector<float> logprobs;   ///< one per completion token
  std::vector<float> entropies;
};

struct ScoreOptions {
  int64_t max_batch_tokens = 8192;  ///< padded tokens per forward pass (a longer sequence runs alone)
  double temperature = 1.0;
};

/// Scores each request (no gradient). Throws ttrl::Error for an empty prompt or an id outside the vocabulary.
std::vector<ScoreResult> score(TransformerImpl& model, const std::vector<ScoreRequest>& requests,
                               const ScoreOptions& options = {});

/// Parses JSONL, one {"prompt_ids": [...], "completion_ids": [...]} per line (blank lines skipped). Throws
/// ttrl::IoError naming `origin` and the 1-based line number of the first bad line (invalid JSON, missing or
/// non-integer ids, negative ids, empty prompt_ids).
std::vector<ScoreRequest> parse_score_requests(std::istream& in, const std::string& origin);

/// One {"logprobs": [...], "entropies": [...]} line per result, in order.
void write_score_results(std::ostream& out, const std::vector<ScoreResult>& results);

/// `ttrl score`: loads the model, reads and validates the whole input first (an id outside the vocabulary is an
/// error naming the line), then writes one result line per input line to `out`.
struct ScoreJob {
  std::string model_dir;
  std::string input_path;
  std::string dtype = "float32";  ///< auto | float32 | bfloat16 | float16
  std::string device = "auto";    ///< auto | cpu | cuda | cuda:N
  ScoreOptions options;
};
void run_score(const ScoreJob& job, std::ostream& out);

}  // namespace ttrl::model
