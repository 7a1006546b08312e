#pragma once
// String normalisation of extracted answers (the hendrycks / Qwen / Math-Verify steps). Every pass is linear in the
// input and total (any byte string in, a byte string out). See docs/grading.md for the list of rules.
#include <string>
#include <string_view>

namespace ttrl::answer::detail {

/// Longest answer (bytes) that normalisation and parsing work on; longer answers compare as text.
constexpr std::size_t kMaxAnswerBytes = 2048;

/// Unicode math characters (−, ×, ≤, π, √, ², °, full-width punctuation, no-break spaces) to LaTeX/ASCII.
std::string map_unicode_math(std::string_view s);
/// "\\frac" -> "\frac" for known command names: doubly escaped LaTeX (JSON or Python string artefacts).
std::string collapse_escaped_commands(std::string_view s);
/// The form the structure parser reads: layout, fonts, text, units, currency, percent words, degrees and thousands
/// separators handled; relations spelled one way (\le, \ge, \ne).
std::string normalize_math(std::string_view answer);
/// Display form: normalize_math with spaces only where needed, integer leading zeros and trailing ".0" dropped,
/// \frac12 -> \frac{1}{2}, \sqrt3 -> \sqrt{3}, and a leading "x =" / "x \in" label removed.
std::string canonical_math_display(std::string_view answer);
/// Key under which two non-mathematical answers are the same: lower case, letters, digits, operators and non-ASCII
/// characters only ("\text{Evelyn}." and "evelyn" give the same key).
std::string text_key(std::string_view s);

}  // namespace ttrl::answer::detail
