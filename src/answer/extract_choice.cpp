// The multiple-choice extractor (options A-E), in priority order:
//   1. after the last answer marker ("the answer is", "Answer:", "final answer", "réponse est", "答案"): the first
//      option letter ("for sure D", "(C)", "**B**", "\boxed{A}");
//   2. the last \boxed{X} (also \boxed{\text{(X)}});
//   3. the letter the response starts with: "B.", "(C) because", "D, it can't be A" ("A car ..." is an article);
//   4. the last standalone capital A-E that is not the article "A" ("I think it's B").
// Lower-case letters are never options (so "a" is never A), nor is a capital inside a word.
#include <optional>

#include "answer/extract_internal.hpp"
#include "answer/text_scan.hpp"

namespace ttrl::answer::detail {
namespace {

constexpr std::size_t kMarkerWindow = 120;

bool is_option(char c) { return c >= 'A' && c <= 'E'; }

// "A" followed by a space and a lower-case word is the English article ("A car travels ...").
bool is_article(std::string_view s, std::size_t i) {
  return s[i] == 'A' && i + 2 < s.size() && s[i + 1] == ' ' && is_ascii_lower(s[i + 2]);
}

// A capital A-E standing alone at s[i]: no ASCII letter or digit glued to it on either side.
bool standalone_option(std::string_view s, std::size_t i) {
  return is_option(s[i]) && boundary_before(s, i) && boundary_after(s, i + 1) && (i == 0 || s[i - 1] != '\\');
}

// The letter of a box or text group content: "B", "(b)", "\text{(C)}", "C. 42", "D)".
std::optional<char> letter_of_content(std::string_view content) {
  std::string stripped;
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '\\') {  // drop \text, \textbf, \mathrm ... and keep what they hold
      i += command_at(content, i).size();
      continue;
    }
    stripped.push_back(content[i]);
  }
  std::string_view t = trim(stripped);
  while (!t.empty() && (t.front() == '{' || t.front() == '(' || t.front() == '[' || t.front() == '*'))
    t.remove_prefix(1);
  if (t.empty()) return std::nullopt;
  const char c = static_cast<char>(t[0] >= 'a' && t[0] <= 'e' ? t[0] - 'a' + 'A' : t[0]);
  if (!is_option(c)) return std::nullopt;
  if (t.size() == 1 || !is_ascii_alnum(t[1])) return c;
  return std::nullopt;
}

std::optional<char> after_marker(std::string_view s) {
  std::size_t best = kNotFound;
  auto consider = [&](std::size_t window) {
    if (best == kNotFound || window >= best) best = window;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (matches_ci_at(s, i, "answer") && boundary_before(s, i)) {
      std::size_t p = i + 6;
      while (p < s.size() && (s[p] == ' ' || s[p] == '*' || s[p] == ':')) ++p;
      const bool verb = matches_ci_at(s, p, "is") || matches_ci_at(s, p, "would be") || matches_ci_at(s, p, "should") ||
                        (p > i + 6 && s.substr(i + 6, p - i - 6).find(':') != std::string_view::npos) ||
                        (i >= 6 && matches_ci_at(s, i - 6, "final "));
      if (verb) consider(i + 6);
    } else if (matches_ci_at(s, i, "r\xC3\xA9ponse") && boundary_before(s, i)) {
      consider(i + 8);
    } else if (matches_at(s, i, "\xE7\xAD\x94\xE6\xA1\x88")) {  // 答案
      consider(i + 6);
    } else if ((matches_ci_at(s, i, "correct option") || matches_ci_at(s, i, "correct choice")) &&
               boundary_before(s, i)) {
      consider(i + 14);
    }
  }
  if (best == kNotFound) return std::nullopt;
  const std::size_t end = std::min(s.size(), best + kMarkerWindow);
  for (std::size_t i = best; i < end; ++i) {
    if (matches_at(s, i, "\\boxed{")) {
      const std::size_t close = matching_brace(s, i + 6, 64);
      if (close != kNotFound) {
        if (auto letter = letter_of_content(s.substr(i + 7, close - i - 7))) return letter;
        i = close;
        continue;
      }
    }
    if (matches_at(s, i, "\\text{") || matches_at(s, i, "\\textbf{")) {
      const std::size_t open = s.find('{', i);
      const std::size_t close = matching_brace(s, open, 64);
      if (close != kNotFound) {
        if (auto letter = letter_of_content(s.substr(open + 1, close - open - 1))) return letter;
      }
    }
    if (standalone_option(s, i)) return s[i];
  }
  return std::nullopt;
}

std::optional<char> last_boxed_letter(std::string_view s) {
  std::size_t pos = s.size();
  for (int tries = 0; tries < 8 && pos > 0; ++tries) {
    const std::size_t hit = s.rfind("\\boxed", pos - 1);
    if (hit == kNotFound) return std::nullopt;
    pos = hit;
    std::size_t open = hit + 6;
    while (open < s.size() && s[open] == ' ') ++open;
    if (open >= s.size()) continue;
    if (s[open] != '{') return letter_of_content(s.substr(open, 1));
    const std::size_t close = matching_brace(s, open, 256);
    if (close == kNotFound) continue;
    return letter_of_content(s.substr(open + 1, close - open - 1));
  }
  return std::nullopt;
}

std::optional<char> leading_letter(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (is_ascii_space(s[i]) || s[i] == '*' || s[i] == '(' || s[i] == '[')) ++i;
  if (i >= s.size() || !standalone_option(s, i) || is_article(s, i)) return std::nullopt;
  return s[i];
}

std::optional<char> last_standalone_letter(std::string_view s) {
  for (std::size_t i = s.size(); i-- > 0;) {
    if (standalone_option(s, i) && !is_article(s, i)) return s[i];
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> extract_choice(std::string_view response) {
  const std::string text = extraction_text(response);
  std::optional<char> letter = after_marker(text);
  if (!letter) letter = last_boxed_letter(text);
  if (!letter) letter = leading_letter(text);
  if (!letter) letter = last_standalone_letter(text);
  if (!letter) return std::nullopt;
  return std::string(1, *letter);
}

std::optional<char> choice_letter_of_answer(std::string_view answer) {
  const std::string_view t = trim(answer);
  if (t.size() <= 24) {
    if (auto letter = letter_of_content(t)) {
      // "b" alone, "(c)", "\text{(C)}" name an option; "a car" does not.
      std::size_t letters = 0;
      for (char c : t) letters += is_ascii_alpha(c) ? 1 : 0;
      const bool only_letter = letters == 1 || t.find('\\') != std::string_view::npos;
      if (only_letter) return letter;
    }
  }
  if (auto extracted = extract_choice(answer)) return (*extracted)[0];
  return std::nullopt;
}

}  // namespace ttrl::answer::detail
