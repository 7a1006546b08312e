// equivalent() and grade(): extraction, then equivalence of the prepared answers.
#include "answer/equivalence.hpp"
#include "answer/text_scan.hpp"
#include "ttrl/answer/answer.hpp"

namespace ttrl::answer {

bool equivalent(const std::string& a, const std::string& b, Task task) {
  try {
    if (detail::trim(a).empty() || detail::trim(b).empty()) return false;
    return detail::same_answer(detail::prepare(a, task), detail::prepare(b, task));
  } catch (...) {  // never throws: an internal failure means "not shown equal"
    return false;
  }
}

Verdict grade(const std::string& pred, const std::string& gold, Task task, bool raw_text) {
  Verdict verdict;
  if (raw_text) {
    verdict.pred_answer = extract_answer(pred, task);
    verdict.gold_answer = extract_answer(gold, task);
  } else {
    if (!detail::trim(pred).empty()) verdict.pred_answer = pred;
    if (!detail::trim(gold).empty()) verdict.gold_answer = gold;
  }
  verdict.equal =
      verdict.pred_answer && verdict.gold_answer && equivalent(*verdict.pred_answer, *verdict.gold_answer, task);
  return verdict;
}

}  // namespace ttrl::answer
