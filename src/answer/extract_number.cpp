// Numbers in prose, and the last-number extractor of GSM8K-style tasks.
#include <algorithm>

#include "answer/answer_form.hpp"
#include "answer/extract_internal.hpp"
#include "answer/normalize.hpp"
#include "answer/text_scan.hpp"

namespace ttrl::answer::detail {
namespace {

std::size_t digits_from(std::string_view s, std::size_t i, std::size_t to) {
  while (i < to && is_ascii_digit(s[i])) ++i;
  return i;
}

// Groups ",ddd" (or " ddd") after a 1-3 digit lead: end of the last group, or `start` when there is none.
std::size_t thousands_groups(std::string_view s, std::size_t start, std::size_t to, char separator) {
  std::size_t end = start;
  while (end + 4 <= to && s[end] == separator && is_ascii_digit(s[end + 1]) && is_ascii_digit(s[end + 2]) &&
         is_ascii_digit(s[end + 3]) && (end + 4 == to || !is_ascii_digit(s[end + 4]))) {
    end += 4;
  }
  return end;
}

// Length of a percent suffix at s[i] ("%", " %", "percent", " pct"), 0 if none.
std::size_t percent_suffix(std::string_view s, std::size_t i, std::size_t to) {
  std::size_t j = i;
  while (j < to && s[j] == ' ') ++j;
  if (j < to && s[j] == '%') return j + 1 - i;
  if (j + 1 < to && s[j] == '\\' && s[j + 1] == '%') return j + 2 - i;
  for (std::string_view word : {"percentage", "percent", "pct"}) {
    if (matches_ci_at(s, j, word) && boundary_after(s, j + word.size())) return j + word.size() - i;
  }
  return 0;
}

bool simple_number_text(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_ascii_digit(c) || c == '.'; });
}

// A bare "\frac{a}{b}" with plain numbers at s[i]: its end, or kNotFound.
std::size_t bare_fraction_end(std::string_view s, std::size_t i, std::size_t to) {
  if (!matches_at(s, i, "\\frac{")) return kNotFound;
  const std::size_t close1 = matching_brace(s, i + 5, 64);
  if (close1 == kNotFound || close1 + 1 >= to || s[close1 + 1] != '{') return kNotFound;
  const std::size_t close2 = matching_brace(s, close1 + 1, 64);
  if (close2 == kNotFound || close2 >= to) return kNotFound;
  if (!simple_number_text(s.substr(i + 6, close1 - i - 6)) ||
      !simple_number_text(s.substr(close1 + 2, close2 - close1 - 2))) {
    return kNotFound;
  }
  return close2 + 1;
}

}  // namespace

std::vector<ProseNumber> prose_numbers(std::string_view s, std::size_t from, std::size_t to, bool with_fractions) {
  std::vector<ProseNumber> out;
  to = std::min(to, s.size());
  std::size_t i = from;
  while (i < to) {
    if (with_fractions && (s[i] == '\\' || (s[i] == '-' && i + 1 < to && s[i + 1] == '\\'))) {
      const std::size_t start = s[i] == '-' ? i + 1 : i;
      const std::size_t end = bare_fraction_end(s, start, to);
      if (end != kNotFound) {  // "\frac{2}{5}", "-\frac{10}{9}"
        out.push_back({i, end, std::string(s.substr(i, end - i))});
        i = end;
        continue;
      }
    }
    const bool negative = s[i] == '-' && i + 1 < to && is_ascii_digit(s[i + 1]) &&
                          (i == 0 || !(is_ascii_alnum(s[i - 1]) || s[i - 1] == ')'));
    const std::size_t start = negative ? i + 1 : i;
    const bool leading_point = s[start] == '.' && start + 1 < to && is_ascii_digit(s[start + 1]) &&
                               (start == 0 || !is_ascii_digit(s[start - 1]));
    const char before = start > 0 ? s[start - 1] : ' ';
    const bool glued = is_ascii_alpha(before) || before == '_' || before == '^' || before == '\\' ||
                       (is_ascii_digit(before) && !negative) || (before == '.' && !leading_point);
    if (!(is_ascii_digit(s[start]) || leading_point) || (glued && !negative)) {
      ++i;
      continue;
    }
    std::string value = negative ? "-" : "";
    std::size_t end = start;
    if (leading_point) {
      end = digits_from(s, start + 1, to);
      value += "0" + std::string(s.substr(start, end - start));
    } else {
      const std::size_t lead_end = digits_from(s, start, to);
      const bool may_group = s[start] != '0' && lead_end - start <= 3;
      const std::size_t comma_end = may_group ? thousands_groups(s, lead_end, to, ',') : lead_end;
      const std::size_t space_end = may_group ? thousands_groups(s, lead_end, to, ' ') : lead_end;
      if (comma_end > lead_end || space_end > lead_end) {  // 7,425,000 / 1 000 (.5)
        end = std::max(comma_end, space_end);
        for (char c : s.substr(start, end - start)) {
          if (is_ascii_digit(c)) value.push_back(c);
        }
        if (end + 1 < to && s[end] == '.' && is_ascii_digit(s[end + 1])) {
          const std::size_t frac_end = digits_from(s, end + 1, to);
          value += s.substr(end, frac_end - end);
          end = frac_end;
        }
      } else if (lead_end + 1 < to && (s[lead_end] == '.' || s[lead_end] == ',') && is_ascii_digit(s[lead_end + 1]) &&
                 (s[lead_end] == '.' || digits_from(s, lead_end + 1, to) - lead_end - 1 >= 2)) {
        // 3.25, or a decimal comma with at least two decimals: 2,74 (but "-2,1" is a list of two numbers)
        end = digits_from(s, lead_end + 1, to);
        value += s.substr(start, lead_end - start);
        value += '.';
        value += s.substr(lead_end + 1, end - lead_end - 1);
      } else {
        end = lead_end;
        value += s.substr(start, end - start);
      }
      if (with_fractions && end + 1 < to && s[end] == '/' && is_ascii_digit(s[end + 1])) {  // 2/3
        const std::size_t den_end = digits_from(s, end + 1, to);
        value += s.substr(end, den_end - end);
        end = den_end;
      }
    }
    const std::size_t percent = percent_suffix(s, end, to);
    if (percent > 0) {
      value += "\\%";
      end += percent;
    }
    out.push_back({i, end, value});
    i = end;
  }
  return out;
}

bool is_math_answer(std::string_view answer) {
  const std::string normalized = normalize_math(answer);
  if (normalized.empty() || normalized.size() > kMaxAnswerBytes) return false;
  const Element form = parse_answer_form(normalized);
  std::vector<const Element*> stack{&form};
  while (!stack.empty()) {
    const Element* e = stack.back();
    stack.pop_back();
    if (e->kind == ElementKind::kText) return false;
    for (const Element& item : e->items) stack.push_back(&item);
  }
  return true;
}

std::string extraction_text(std::string_view response) {
  if (response.size() > kMaxResponseBytes) response = response.substr(response.size() - kMaxResponseBytes);
  return collapse_escaped_commands(response);
}

// GSM8K: the number after the last "####" if there is one, else the last number of the response.
std::optional<std::string> extract_last_number(std::string_view response) {
  const std::string text = extraction_text(response);
  const std::size_t marker = text.rfind("####");
  if (marker != std::string::npos) {
    const auto after = prose_numbers(text, marker + 4, text.size(), false);
    if (!after.empty()) return after.front().value;
  }
  const auto numbers = prose_numbers(text, 0, text.size(), false);
  if (numbers.empty()) return std::nullopt;
  return numbers.back().value;
}

}  // namespace ttrl::answer::detail
