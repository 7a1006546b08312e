#pragma once
// `ttrl eval`: k samples per problem of each benchmark file from one policy, graded against the gold answers.
// Per dataset: avg@k, maj@k, pass@k (percent), mean response length, share of responses with no answer, and a
// per-level table when the records carry levels (MATH-L1..L5 files, or a `level` field).
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ttrl/core/config.hpp"
#include "ttrl/eval/metrics.hpp"
#include "ttrl/rollout/policy.hpp"

namespace ttrl::dist {
class ProcessGroup;
}

namespace ttrl::eval {

struct EvalSettings {
  int64_t k = 16;
  double temperature = 0.6;
  double top_p = 0.95;
  int64_t max_new_tokens = 3072;
  std::string task = "auto";  ///< math | choice | last_number | auto (choice for GPQA files, else math)
  uint64_t seed = 0;
  int64_t limit = 0;          ///< first N problems of each file; 0 = all
  int64_t max_batch_sequences = 0;
  bool progress_bar = true;
};

/// Aggregates of a set of problems (a dataset, or one level of it), in percent except the length.
struct Summary {
  int64_t problems = 0;
  double avg_at_k = 0, maj_at_k = 0, pass_at_k = 0;
  double mean_length = 0;      ///< generated tokens per response
  double no_answer_share = 0;  ///< percent of responses without an extractable answer
};

struct ProblemResult {
  std::string id;
  std::optional<int> level;
  std::string gold;
  std::vector<std::string> responses;
  std::vector<int64_t> lengths;
  ProblemScore score;
};

struct DatasetResult {
  std::string name;  ///< file stem, e.g. "AIME-TTT"
  std::string path;
  std::string task;
  int64_t k = 0;
  Summary summary;
  std::map<int, Summary> by_level;
  std::vector<ProblemResult> problems;
};

/// The eval: section of a run configuration as settings (k, temperature, top_p, max_new_tokens, task, seed); the
/// progress bar follows logging.progress_bar.
EvalSettings settings_from_config(const RunConfig& config);

/// Samples and grades every problem of `path`. Throws ttrl::Error naming the file and record for records without a
/// gold answer. With `group` of several processes each samples and grades a strided share of the problems (problem
/// i from the streams of position i, as one process would) and every process returns the whole result.
DatasetResult evaluate_dataset(rollout::Policy& policy, const RunConfig& config, const std::string& path,
                               const EvalSettings& settings, dist::ProcessGroup* group = nullptr);

Summary summarize(const std::vector<const ProblemResult*>& problems, int64_t k);

/// The one JSON form of a Summary, used by results.json of `ttrl eval` and of `ttrl demo`:
/// {"problems", "avg@k", "maj@k", "pass@k", "mean_response_tokens", "no_answer_percent"}.
nlohmann::json summary_json(const Summary& summary, int64_t k);

/// results.json content: settings, per dataset the summary, levels and per-problem answers/correctness/label.
nlohmann::json to_json(const std::vector<DatasetResult>& results, const EvalSettings& settings, const std::string& model);

/// Markdown table: one row per dataset (avg@k, maj@k, pass@k, length, no answer) and per-level rows.
std::string markdown_table(const std::vector<DatasetResult>& results);

/// The TTRL paper's Table 1 shape from one or two results.json files: a column per benchmark and Avg; for two
/// models a delta row and the relative change. Throws ttrl::IoError for unreadable files.
std::string comparison_table(const std::vector<std::string>& results_files);

/// Whether `text` is a results.json of `ttrl eval` (what --output may replace without --overwrite).
bool is_results_json(const std::string& text);

}  // namespace ttrl::eval
