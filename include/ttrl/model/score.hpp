#pragma once
// Scoring given completions under a model (`ttrl score`): for every completion token, its log-probability given
// everything before it and the entropy (nats) of the full next-token distribution at that position.
#include <iosfwd>
#include <string>
#include <vector>

#include "ttrl/model/score_request.hpp"  // ScoreRequest, parse_score_requests (no LibTorch)
#include "ttrl/model/transformer.hpp"

namespace ttrl::model {

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
