#pragma once
// Extraction internals shared by the built-in extractors and the equivalence of choice answers.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ttrl::answer::detail {

/// Only the last kMaxResponseBytes of a response are read (final answers come at the end); keeps work bounded.
constexpr std::size_t kMaxResponseBytes = 256 * 1024;

std::optional<std::string> extract_math(std::string_view response);
std::optional<std::string> extract_choice(std::string_view response);
std::optional<std::string> extract_last_number(std::string_view response);

/// The option letter an answer names: "C", "(c)", "\text{(C)}", "C. Cecile", "the answer is C"; nullopt if none.
std::optional<char> choice_letter_of_answer(std::string_view answer);

/// A number in prose: "7,425,000", "1 000", "2,74" (decimal comma), "-3.5", ".4", "2/3", "25%", or a bare
/// "\frac{2}{5}". `value` is its canonical spelling ("7425000", "2.74", "2/3", "25\%").
struct ProseNumber {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string value;
};
/// Prose numbers in text[from, to), in order. A digit run glued to a preceding letter ("AZYUK2A") is not one.
std::vector<ProseNumber> prose_numbers(std::string_view text, std::size_t from, std::size_t to, bool with_fractions);

/// Whether `answer` normalises and parses to mathematics with no prose in it.
bool is_math_answer(std::string_view answer);

/// The tail of a response that extraction reads, with doubly escaped commands collapsed ("\\boxed" -> "\boxed").
std::string extraction_text(std::string_view response);

}  // namespace ttrl::answer::detail
