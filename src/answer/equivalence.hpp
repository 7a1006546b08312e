#pragma once
// Equivalence of answers. prepare() does all the parsing and sampling of one answer; same_answer() compares two
// prepared answers without parsing, so clustering n answers parses each once.
#include <optional>
#include <string>

#include "answer/answer_form.hpp"
#include "ttrl/answer/answer.hpp"

namespace ttrl::answer::detail {

struct PreparedAnswer {
  Task task = Task::kMath;
  std::string normalized;      ///< normalize_math of the answer (math, last_number)
  std::string key;             ///< text_key of the normalised answer
  Element form;                ///< the parsed structure (math, last_number)
  std::optional<char> letter;  ///< choice: the option letter, if the answer names one
};

PreparedAnswer prepare(const std::string& answer, Task task);
/// Symmetric; never throws.
bool same_answer(const PreparedAnswer& a, const PreparedAnswer& b);
/// Structural equivalence of two elements (the rules of docs/grading.md).
bool same_element(const Element& a, const Element& b);

}  // namespace ttrl::answer::detail
