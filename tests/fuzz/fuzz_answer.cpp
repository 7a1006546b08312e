// libFuzzer target over answer extraction and grading. The input is split at its first NUL byte (or its middle)
// into two texts; the first byte also picks how they are used. Properties checked beyond "no crash, no hang, no
// sanitizer report": equivalence is symmetric, and clustering puts every present answer in exactly one class and
// never clusters a missing one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "ttrl/answer/answer.hpp"
#include "ttrl/answer/grade_jsonl.hpp"
#include "ttrl/answer/latex_eval.hpp"
#include "ttrl/core/error.hpp"

namespace {

void check(bool property) {
  if (!property) std::abort();
}

void exercise(const std::string& a, const std::string& b, ttrl::answer::Task task) {
  using namespace ttrl::answer;
  const auto answer_a = extract_answer(a, task);
  const auto answer_b = extract_answer(b, task);
  (void)normalize_answer(a, task);
  check(equivalent(a, b, task) == equivalent(b, a, task));  // the raw texts as answers: the structure parser
  if (answer_a && answer_b) check(equivalent(*answer_a, *answer_b, task) == equivalent(*answer_b, *answer_a, task));
  const Clustering c = cluster_answers({answer_a, answer_b, answer_a, std::nullopt}, task);
  std::size_t members = 0;
  for (const auto& m : c.members) members += m.size();
  std::size_t present = 0;
  for (int cluster : c.cluster_of) present += cluster >= 0 ? 1 : 0;
  check(members == present && c.representative.size() == c.members.size());
  check(c.cluster_of[3] == -1 && (!answer_a || c.cluster_of[0] == c.cluster_of[2] || c.cluster_of[2] >= 0));
  (void)evaluate_latex(a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t nul = input.find('\0');
  const std::size_t cut = nul != std::string::npos ? nul : input.size() / 2;
  const std::string a = input.substr(0, cut);
  const std::string b = cut < input.size() ? input.substr(cut + (nul != std::string::npos ? 1 : 0)) : std::string();
  switch (data[0] % 4) {
    case 0:
      exercise(a, b, ttrl::answer::Task::kMath);
      break;
    case 1:
      exercise(a, b, ttrl::answer::Task::kChoice);
      break;
    case 2:
      exercise(a, b, ttrl::answer::Task::kLastNumber);
      break;
    default: {  // one JSONL line for `ttrl grade`
      std::istringstream in(input);
      std::ostringstream out;
      try {
        (void)ttrl::answer::run_grade_jsonl(in, out, "fuzz.jsonl");
      } catch (const ttrl::Error&) {
      }
    }
  }
  return 0;
}
