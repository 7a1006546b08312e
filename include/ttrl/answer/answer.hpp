#pragma once
// Final-answer extraction and mathematical equivalence: the ground every reward stands on.
// Stable contract used by the reward and eval modules (implementations in src/answer/).
#include <optional>
#include <string>
#include <vector>

namespace ttrl::answer {

/// Which extractor reads a response: math (\boxed{}, "the answer is", ...), choice (A-E), last_number (GSM8K-style).
enum class Task { kMath, kChoice, kLastNumber };

/// "math" | "choice" | "last_number"; throws ttrl::ConfigError otherwise.
Task parse_task(const std::string& name);
std::string to_string(Task task);

/// The final answer in a model response, as written (braces stripped); std::nullopt when there is none.
/// Never throws, never hangs: malformed or hostile input gives std::nullopt.
std::optional<std::string> extract_answer(const std::string& response, Task task);

/// Canonical string form of an extracted answer (normalisation only; used as a display/label form and as the
/// last-resort comparison for non-math strings).
std::string normalize_answer(const std::string& answer, Task task);

/// Whether two extracted answers are mathematically equivalent (see docs/grading.md for the rules).
/// Symmetric; bounded work per call; never throws.
bool equivalent(const std::string& a, const std::string& b, Task task);

/// Grades a prediction against a gold answer. When `raw_text`, both sides are full texts that go through
/// extraction first; otherwise both are already answers.
struct Verdict {
  bool equal = false;
  std::optional<std::string> pred_answer;
  std::optional<std::string> gold_answer;
};
Verdict grade(const std::string& pred, const std::string& gold, Task task, bool raw_text);

/// Equivalence classes of n answers (std::nullopt = no answer, never clustered).
struct Clustering {
  std::vector<int> cluster_of;            ///< per input: its class, or -1 for no answer
  std::vector<std::vector<int>> members;  ///< per class: input indices, ascending; classes ordered by first member
  std::vector<std::string> representative;  ///< per class: the answer of its first member
};
Clustering cluster_answers(const std::vector<std::optional<std::string>>& answers, Task task);

}  // namespace ttrl::answer
