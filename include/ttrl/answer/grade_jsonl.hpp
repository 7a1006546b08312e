#pragma once
// `ttrl grade` as a library function: one JSON object per input line, one verdict per output line.
#include <cstddef>
#include <istream>
#include <ostream>
#include <string>

namespace ttrl::answer {

/// Counts of one grading run (also printed by the CLI on stderr).
struct GradeSummary {
  std::size_t pairs = 0;         ///< lines graded (blank lines are skipped)
  std::size_t equal = 0;         ///< verdicts with "equal": true
  std::size_t pred_missing = 0;  ///< predictions with no extractable answer
  std::size_t gold_missing = 0;  ///< golds with no extractable answer
};

/// Reads lines {"pred": str|null, "gold": str, "input_form": "raw_text"|"answer_only" (default raw_text),
/// "task": "math"|"choice"|"last_number" (default math)} and writes, per line,
/// {"equal": bool, "pred_answer": str|null, "gold_answer": str|null}.
/// Throws ttrl::IoError "<source_name>:<line>: <what is wrong>" on a line that is not a JSON object, is not valid
/// UTF-8, lacks "pred" or "gold", or has a field of the wrong type or value; lines before it are already written.
GradeSummary run_grade_jsonl(std::istream& in, std::ostream& out, const std::string& source_name);

/// One line for humans: "graded 439 pairs: 402 equal (91.6%); predictions without an answer: 3, golds without an
/// answer: 1".
std::string describe(const GradeSummary& summary);

}  // namespace ttrl::answer
