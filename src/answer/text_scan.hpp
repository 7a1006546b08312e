#pragma once
// Byte-level scanning helpers shared by extraction and normalisation. Everything is ASCII-aware only: bytes >= 0x80
// (UTF-8 continuation or lead bytes) are "other" characters, never letters, digits or spaces, so no helper can split
// a multi-byte character in a way that matters to the rules, and none can fail on invalid UTF-8.
#include <cstddef>
#include <string>
#include <string_view>

namespace ttrl::answer::detail {

constexpr std::size_t kNotFound = std::string_view::npos;

inline bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_ascii_alnum(char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }
inline bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
inline bool is_ascii_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_ascii_lower(char c) { return c >= 'a' && c <= 'z'; }
inline char lower_ascii(char c) { return is_ascii_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s);
std::string to_lower_ascii(std::string_view s);
/// Whether `word` occurs at s[pos], ASCII case-insensitively.
bool matches_ci_at(std::string_view s, std::size_t pos, std::string_view word);
/// Whether `word` occurs at s[pos] exactly.
inline bool matches_at(std::string_view s, std::size_t pos, std::string_view word) {
  return pos <= s.size() && s.substr(pos, word.size()) == word;
}
/// Index of the '}' that closes the '{' at s[open], skipping escaped \{ and \}; kNotFound when it is not closed
/// within `max_span` bytes (the bound keeps every caller linear).
std::size_t matching_brace(std::string_view s, std::size_t open, std::size_t max_span = 1 << 16);
/// The command name after the backslash at s[pos]: its letters ("frac"), or its single non-letter character ("{").
std::string_view command_at(std::string_view s, std::size_t pos);
/// s[pos] does not continue an ASCII word that ends at pos-1 (pos == 0 or s[pos-1] is not alphanumeric).
inline bool boundary_before(std::string_view s, std::size_t pos) { return pos == 0 || !is_ascii_alnum(s[pos - 1]); }
/// The character at pos (if any) does not continue an ASCII word.
inline bool boundary_after(std::string_view s, std::size_t pos) { return pos >= s.size() || !is_ascii_alnum(s[pos]); }
/// Runs of ASCII whitespace become one space; leading and trailing whitespace go.
std::string collapse_spaces(std::string_view s);
/// Replaces every occurrence of `from` with `to`.
std::string replace_all(std::string_view s, std::string_view from, std::string_view to);

}  // namespace ttrl::answer::detail
