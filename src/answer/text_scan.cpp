#include "answer/text_scan.hpp"

namespace ttrl::answer::detail {

std::string_view trim(std::string_view s) {
  std::size_t begin = 0;
  std::size_t end = s.size();
  while (begin < end && is_ascii_space(s[begin])) ++begin;
  while (end > begin && is_ascii_space(s[end - 1])) --end;
  return s.substr(begin, end - begin);
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_ascii(c);
  return out;
}

bool matches_ci_at(std::string_view s, std::size_t pos, std::string_view word) {
  if (pos > s.size() || s.size() - pos < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (lower_ascii(s[pos + i]) != lower_ascii(word[i])) return false;
  }
  return true;
}

std::size_t matching_brace(std::string_view s, std::size_t open, std::size_t max_span) {
  int depth = 0;
  const std::size_t end = (s.size() - open > max_span) ? open + max_span : s.size();
  for (std::size_t i = open; i < end; ++i) {
    const char c = s[i];
    if (c == '\\') {
      ++i;  // an escaped character (\{, \}, \\) never opens or closes a group
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) return i;
    }
  }
  return kNotFound;
}

std::string_view command_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || s[pos] != '\\' || pos + 1 >= s.size()) return {};
  std::size_t end = pos + 1;
  while (end < s.size() && is_ascii_alpha(s[end])) ++end;
  if (end == pos + 1) return s.substr(pos + 1, 1);
  return s.substr(pos + 1, end - pos - 1);
}

std::string collapse_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (is_ascii_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  if (from.empty()) return std::string(s);
  out.reserve(s.size());
  std::size_t pos = 0;
  while (true) {
    const std::size_t hit = s.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(s.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
  out.append(s.substr(pos));
  return out;
}

}  // namespace ttrl::answer::detail
