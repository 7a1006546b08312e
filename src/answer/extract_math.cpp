// The math extractor (docs/grading.md, "Extraction"), in priority order:
//   1. after the last answer marker ("final answer is", "answer:", "the answer is", "réponse", "答案", "####"),
//      when no box follows it: the rest of the sentence if it is mathematics, else its first math environment,
//      else its first number;
//   2. the last \boxed{...} / \fbox{...} / \boxed X, joined with the boxes just before it when only connectors
//      ("and", ",", "\quad \text{and}") or a shared math environment separate them;
//   3. a response that is only a number or only mathematics;
//   4. the last math environment ($..$, $$..$$, \(..\), \[..\], with neighbours joined by "and"/","/"or") or
//      number, whichever ends last, that is mathematics; then the last environment holding text.
#include <algorithm>

#include "answer/extract_internal.hpp"
#include "answer/normalize.hpp"
#include "answer/text_scan.hpp"

namespace ttrl::answer::detail {
namespace {

constexpr std::size_t kMaxBoxContent = 4096;    // a box longer than this is not an answer
constexpr std::size_t kMaxEnvironment = 4096;   // nor is a longer math environment
constexpr std::size_t kMaxBoxesRead = 32;       // boxes examined, from the end
constexpr std::size_t kMaxJoinGap = 120;        // bytes between two boxes that may be joined
constexpr std::size_t kMaxMarkerWindow = 300;   // bytes read after an answer marker
constexpr std::size_t kMaxWholeResponse = 200;  // a response this short may be an answer as a whole

struct Span {
  std::size_t begin = 0;          // of the delimiters / the box command
  std::size_t end = 0;            // one past them
  std::size_t content_begin = 0;  // of what they enclose
  std::size_t content_end = 0;
};

std::string_view content_of(std::string_view text, const Span& s) {
  return text.substr(s.content_begin, s.content_end - s.content_begin);
}

// Finds closing delimiters for a left-to-right scan whose start positions only grow: each finder remembers the
// next occurrence it found, so all searches together read the text once (no quadratic rescans on "\\( \\( \\( ...").
class ClosingFinder {
 public:
  ClosingFinder(std::string_view text, std::string_view delimiter) : text_(text), delimiter_(delimiter) {}

  // The first unescaped occurrence at or after `from`, if it lies within kMaxEnvironment bytes.
  std::size_t find(std::size_t from) {
    if (next_ == kNotFound || next_ < from) next_ = scan(std::max(from, scanned_));
    if (next_ == kNotFound || next_ - from > kMaxEnvironment) return kNotFound;
    return next_;
  }

 private:
  std::size_t scan(std::size_t from) {
    for (std::size_t i = from; i + delimiter_.size() <= text_.size(); ++i) {
      if (matches_at(text_, i, delimiter_)) {
        scanned_ = i + 1;
        return i;
      }
      if (text_[i] == '\\') ++i;  // an escaped character ("\\$", "\\\\") is never a delimiter
    }
    scanned_ = text_.size();
    return kNotFound;
  }

  std::string_view text_;
  std::string_view delimiter_;
  std::size_t scanned_ = 0;
  std::size_t next_ = kNotFound;
};

// Math environments, left to right: $$..$$, $..$, \[..\], \(..\).
std::vector<Span> math_environments(std::string_view text) {
  std::vector<Span> spans;
  ClosingFinder display_dollar(text, "$$");
  ClosingFinder inline_dollar(text, "$");
  ClosingFinder close_paren(text, "\\)");
  ClosingFinder close_bracket(text, "\\]");
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      const char next = text[i + 1];
      if (next == '(' || next == '[') {
        const std::size_t close = (next == '(' ? close_paren : close_bracket).find(i + 2);
        if (close != kNotFound) {
          spans.push_back({i, close + 2, i + 2, close});
          i = close + 2;
          continue;
        }
      }
      i += 2;
      continue;
    }
    if (c == '$') {
      const bool display = i + 1 < text.size() && text[i + 1] == '$';
      const std::size_t open = display ? 2 : 1;
      const std::size_t close = (display ? display_dollar : inline_dollar).find(i + open);
      if (close != kNotFound && close > i + open) {
        spans.push_back({i, close + open, i + open, close});
        i = close + open;
        continue;
      }
      i += open;
      continue;
    }
    ++i;
  }
  return spans;
}

const Span* environment_containing(const std::vector<Span>& envs, std::size_t pos) {
  const auto it =
      std::upper_bound(envs.begin(), envs.end(), pos, [](std::size_t p, const Span& s) { return p < s.begin; });
  if (it == envs.begin()) return nullptr;
  const Span& s = *(it - 1);
  return pos >= s.begin && pos < s.end ? &s : nullptr;
}

bool is_box_command_at(std::string_view text, std::size_t i) {
  for (std::string_view name : {"\\boxed", "\\fbox"}) {
    if (matches_at(text, i, name) && boundary_after(text, i + name.size())) return true;
  }
  return false;
}

// The box starting at text[i]; content as written. Unclosed boxes run to the end (only the last box may be one).
std::optional<Span> box_at(std::string_view text, std::size_t i, bool last) {
  std::size_t p = i + 1;
  while (p < text.size() && is_ascii_alpha(text[p])) ++p;
  while (p < text.size() && text[p] == ' ') ++p;
  if (p >= text.size()) return std::nullopt;
  if (text[p] == '{') {
    const std::size_t close = matching_brace(text, p, kMaxBoxContent);
    if (close != kNotFound) return Span{i, close + 1, p + 1, close};
    if (!last) return std::nullopt;
    const std::size_t end = std::min(text.size(), p + 1 + kMaxBoxContent);
    return Span{i, end, p + 1, end};
  }
  // "\boxed 5": one token, up to a space, '$' or a delimiter.
  std::size_t end = p;
  while (end < text.size() && !is_ascii_space(text[end]) && text[end] != '$' && text[end] != '\\' && end - p < 64) {
    ++end;
  }
  if (end == p) return std::nullopt;
  while (end > p && (text[end - 1] == '.' || text[end - 1] == ',')) --end;
  return Span{i, end, p, end};
}

// The last kMaxBoxesRead boxes, in order, with boxes nested in another box dropped.
std::vector<Span> last_boxes(std::string_view text) {
  std::vector<Span> boxes;
  std::size_t pos = text.size();
  bool last = true;
  for (std::size_t examined = 0; examined < 2 * kMaxBoxesRead && boxes.size() < kMaxBoxesRead && pos > 0; ++examined) {
    const std::size_t b = text.rfind("\\boxed", pos - 1);
    const std::size_t f = text.rfind("\\fbox", pos - 1);
    std::size_t hit = kNotFound;
    if (b != kNotFound && f != kNotFound)
      hit = std::max(b, f);
    else
      hit = b != kNotFound ? b : f;
    if (hit == kNotFound) break;
    pos = hit;
    if (!is_box_command_at(text, hit)) continue;
    if (auto box = box_at(text, hit, last)) {
      boxes.push_back(*box);
      last = false;
    }
  }
  std::reverse(boxes.begin(), boxes.end());
  std::vector<Span> outer;
  for (const Span& box : boxes) {  // sorted by start: a box inside the previous one is part of it
    if (!outer.empty() && box.end <= outer.back().end) continue;
    outer.push_back(box);
  }
  return outer;
}

// What separates two answers that belong together: commas, "and"/"or", LaTeX spacing and delimiters, and a few
// words ("\text{ for part (a) and }"). Inside one math environment anything short joins ("\boxed{1}\boxed{2}").
bool joinable(std::string_view between, bool same_environment) {
  if (between.size() > kMaxJoinGap) return false;
  std::string cleaned;
  for (std::size_t i = 0; i < between.size(); ++i) {
    const char c = between[i];
    if (c == '\\') {
      i += command_at(between, i).size();  // \quad, \text, \), \, ... are layout
      cleaned.push_back(' ');
      continue;
    }
    if (c == '$' || c == '{' || c == '}' || c == '&' || c == '~' || c == '*' || is_ascii_space(c)) {
      cleaned.push_back(' ');
    } else {
      cleaned.push_back(lower_ascii(c));
    }
  }
  // "text", "textbf", "quad" left by commands are gone with their backslash; only prose words remain.
  std::vector<std::string> words;
  bool separator = false;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (word == "and" || word == "or" || word == "et" || word == "ou" || word == "und") {
      separator = true;
    } else {
      words.push_back(word);
    }
    word.clear();
  };
  for (char c : cleaned) {
    if (is_ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80) {
      word.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  if (words.empty()) return true;  // only spacing, punctuation and connectors: "\boxed{1}, \boxed{2}"
  // A connector word with a few others ("\text{ for part (a) and }"), or a short gap inside one environment.
  // A comma alone does not join prose ("\boxed{1} first, then \boxed{2}": the last box is the answer).
  return (separator || same_environment) && words.size() <= 4;
}

// The final boxed answer, joined with the boxes just before it that belong to it; duplicates kept once.
std::optional<std::string> boxed_answer(std::string_view text, const std::vector<Span>& envs, std::size_t& end) {
  const std::vector<Span> boxes = last_boxes(text);
  if (boxes.empty()) return std::nullopt;
  end = boxes.back().end;
  std::size_t first = boxes.size() - 1;
  while (first > 0) {
    const Span& prev = boxes[first - 1];
    const Span& cur = boxes[first];
    if (prev.end > cur.begin) break;
    const Span* env_prev = environment_containing(envs, prev.begin);
    const bool same_env = env_prev != nullptr && env_prev == environment_containing(envs, cur.begin);
    if (!joinable(text.substr(prev.end, cur.begin - prev.end), same_env)) break;
    --first;
  }
  std::vector<std::string> parts;
  std::vector<std::string> seen;
  for (std::size_t i = first; i < boxes.size(); ++i) {
    const std::string part(trim(content_of(text, boxes[i])));
    if (part.empty()) continue;
    const std::string key = normalize_math(part);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    parts.push_back(part);
  }
  if (parts.empty()) return std::nullopt;
  std::string joined = parts[0];
  for (std::size_t i = 1; i < parts.size(); ++i) joined += ", " + parts[i];
  return joined;
}

// The environment at envs[i] and those right after it joined by ",", "and", "or" ("$1$, $2$ and $3$").
std::pair<std::string, std::size_t> joined_environments(std::string_view text, const std::vector<Span>& envs,
                                                        std::size_t i) {
  std::string joined(trim(content_of(text, envs[i])));
  std::size_t last = i;
  while (last + 1 < envs.size() && last - i < 8) {
    std::string between = to_lower_ascii(trim(text.substr(envs[last].end, envs[last + 1].begin - envs[last].end)));
    if (!between.empty() && between[0] == ',') between = std::string(trim(std::string_view(between).substr(1)));
    if (!(between.empty() || between == "and" || between == "or")) break;
    ++last;
    joined += ", " + std::string(trim(content_of(text, envs[last])));
  }
  return {joined, envs[last].end};
}

// ---- answer markers -------------------------------------------------------------------------------------------

struct Marker {
  std::size_t start = kNotFound;  // where the marker begins
  std::size_t window = 0;         // where the answer text may begin
  bool needs_is = false;          // "Final Answer: The volume is 120": the answer follows the last " is "
};

std::size_t skip_spaces_and_stars(std::string_view s, std::size_t i) {
  while (i < s.size() && (is_ascii_space(s[i]) || s[i] == '*' || s[i] == '#')) ++i;
  return i;
}

// "answer" followed by is / : / = / would be ..., or preceded by "final".
std::optional<Marker> english_marker(std::string_view s, std::size_t i) {
  static constexpr std::string_view kVerbs[] = {"is:", "is", "would be", "should be",   "will be",
                                                "was", ":",  "=",        "\xEF\xBC\x9A"};
  std::size_t p = skip_spaces_and_stars(s, i + 6);
  for (std::string_view verb : kVerbs) {
    if (matches_ci_at(s, p, verb) && (!is_ascii_alpha(verb[0]) || boundary_after(s, p + verb.size()))) {
      std::size_t after = skip_spaces_and_stars(s, p + verb.size());
      if (after < s.size() && s[after] == ':') after = skip_spaces_and_stars(s, after + 1);
      const bool colon = verb == ":" || verb == "\xEF\xBC\x9A";  // "Answer: The volume is 120."
      return Marker{i, after, colon};
    }
  }
  std::size_t q = i;
  while (q > 0 && (s[q - 1] == ' ' || s[q - 1] == '*')) --q;
  if (q >= 5 && matches_ci_at(s, q - 5, "final")) return Marker{q - 5, p, true};
  return std::nullopt;
}

Marker last_marker(std::string_view s) {
  Marker best;
  auto consider = [&](const Marker& m) {
    if (best.start == kNotFound || m.start >= best.start) best = m;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if ((c == 'a' || c == 'A') && matches_ci_at(s, i, "answer") && boundary_before(s, i) && boundary_after(s, i + 6)) {
      if (auto m = english_marker(s, i)) consider(*m);
    } else if ((c == 'r' || c == 'R') && boundary_before(s, i)) {
      for (std::string_view word : {"r\xC3\xA9ponse", "respuesta", "risposta", "resposta", "antwort"}) {
        if (!matches_ci_at(s, i, word)) continue;
        std::size_t p = skip_spaces_and_stars(s, i + word.size());
        for (std::string_view verb : {"est", "es", "\xC3\xA8", "\xC3\xA9", "ist", ":"}) {
          if (matches_ci_at(s, p, verb) && (verb == ":" || boundary_after(s, p + verb.size()))) {
            p = skip_spaces_and_stars(s, p + verb.size());
            if (p < s.size() && s[p] == ':') p = skip_spaces_and_stars(s, p + 1);
            consider(Marker{i, p, false});
            break;
          }
        }
      }
    } else if (c == '\xE7' && matches_at(s, i, "\xE7\xAD\x94\xE6\xA1\x88")) {  // 答案
      std::size_t p = i + 6;
      for (std::string_view verb : {"\xE6\x98\xAF", "\xE4\xB8\xBA", "\xEF\xBC\x9A", ":"}) {  // 是 为 ： :
        if (matches_at(s, p, verb)) p += verb.size();
      }
      consider(Marker{i, skip_spaces_and_stars(s, p), false});
    } else if (c == '#' && matches_at(s, i, "####")) {
      consider(Marker{i, skip_spaces_and_stars(s, i + 4), false});
      i += 3;
    }
  }
  return best;
}

// End of the sentence that starts at `from`: a line break, "。", or a full stop followed by a space (not inside a
// math environment, not a decimal point); at most kMaxMarkerWindow bytes.
std::size_t sentence_end(std::string_view s, std::size_t from, const std::vector<Span>& envs) {
  const std::size_t limit = std::min(s.size(), from + kMaxMarkerWindow);
  for (std::size_t i = from; i < limit; ++i) {
    if (const Span* env = environment_containing(envs, i)) {
      i = env->end - 1;
      continue;
    }
    const char c = s[i];
    if (c == '\n') return i;
    if (matches_at(s, i, "\xE3\x80\x82")) return i;
    if ((c == '.' || c == '!' || c == '?') && (i + 1 == s.size() || is_ascii_space(s[i + 1]))) return i;
  }
  return limit;
}

// Position after the last top-level occurrence of `word` (an ASCII word or "=") in [from, to), or `from`.
std::size_t after_last(std::string_view s, std::size_t from, std::size_t to, std::string_view word,
                       const std::vector<Span>& envs) {
  std::size_t result = from;
  for (std::size_t i = from; i + word.size() <= to; ++i) {
    if (const Span* env = environment_containing(envs, i)) {
      i = env->end - 1;
      continue;
    }
    const bool alpha = is_ascii_alpha(word[0]);
    if (matches_at(s, i, word) && (!alpha || (boundary_before(s, i) && boundary_after(s, i + word.size())))) {
      result = i + word.size();
    }
  }
  return result;
}

std::string strip_sentence_punctuation(std::string_view s) {
  s = trim(s);
  while (!s.empty() && (s.back() == '.' || s.back() == ',' || s.back() == ';' || s.back() == ':')) {
    s.remove_suffix(1);
    s = trim(s);
  }
  return std::string(s);
}

std::optional<std::string> first_candidate(std::string_view text, std::size_t from, std::size_t to,
                                           const std::vector<Span>& envs) {
  for (std::size_t i = 0; i < envs.size(); ++i) {
    if (envs[i].begin < from || envs[i].begin >= to) continue;
    const auto [joined, end] = joined_environments(text, envs, i);
    if (is_math_answer(joined)) return joined;
  }
  const auto numbers = prose_numbers(text, from, to, true);
  if (!numbers.empty()) return numbers.front().value;
  return std::nullopt;
}

// The answer after the last marker. Math environments are paired afresh from the marker on, so that currency
// dollars earlier in the response ("$10,200 + $255 = $10,455") cannot swallow the answer's delimiters.
std::optional<std::string> marked_answer(std::string_view text, std::size_t not_before) {
  const Marker marker = last_marker(text);
  if (marker.start == kNotFound || marker.start < not_before || marker.window >= text.size()) return std::nullopt;
  if (is_box_command_at(text, marker.window)) return std::nullopt;  // the box was already considered
  const std::string_view window = text.substr(marker.window, kMaxMarkerWindow + kMaxEnvironment);
  const std::vector<Span> envs = math_environments(window);
  const std::size_t to = sentence_end(window, 0, envs);
  if (to == 0) return std::nullopt;
  std::vector<std::size_t> starts{0};
  if (marker.needs_is) {
    const std::size_t after_is = after_last(window, 0, to, "is", envs);
    if (after_is != 0) starts.insert(starts.begin(), after_is);
  }
  for (std::size_t from : starts) {
    const std::string sentence = strip_sentence_punctuation(window.substr(from, to - from));
    if (!sentence.empty() && is_math_answer(sentence)) return sentence;
    const std::size_t after_equals = after_last(window, from, to, "=", envs);
    if (auto candidate = first_candidate(window, after_equals, to, envs)) return candidate;
    if (after_equals != from) {
      if (auto candidate = first_candidate(window, from, to, envs)) return candidate;
    }
  }
  return std::nullopt;
}

// ---- fallbacks ------------------------------------------------------------------------------------------------

bool only_decoration_outside(std::string_view text, std::size_t begin, std::size_t end) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i >= begin && i < end) continue;
    const char c = text[i];
    const bool decoration = is_ascii_space(c) || c == '$' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
    if (!decoration) return false;
  }
  return true;
}

// A short response that is one number in prose ("1 000", "$1,000.99", "1,22" with a decimal comma) or, without
// math delimiters, one piece of mathematics ("x^2+2x+1", "\frac{14}{3}").
std::optional<std::string> whole_response(std::string_view text, const std::vector<Span>& envs) {
  const std::string_view t = trim(text);
  if (t.empty() || t.size() > kMaxWholeResponse || t.find('\n') != std::string_view::npos || !envs.empty()) {
    return std::nullopt;
  }
  const auto numbers = prose_numbers(t, 0, t.size(), true);
  if (numbers.size() == 1 && only_decoration_outside(t, numbers[0].begin, numbers[0].end)) return numbers[0].value;
  if (t.find("\\(") == std::string_view::npos && t.find("\\[") == std::string_view::npos && is_math_answer(t)) {
    return strip_sentence_punctuation(t);
  }
  // A text answer written in LaTeX: "\text{east}", "\textbf{Evelyn}".
  if (t[0] == '\\' && t.find(' ') == std::string_view::npos && !text_key(normalize_math(t)).empty()) {
    return std::string(t);
  }
  return std::nullopt;
}

std::optional<std::string> last_candidate(std::string_view text, const std::vector<Span>& envs) {
  struct Candidate {
    std::size_t end;
    std::size_t length;
    std::string value;
    bool environment;
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < envs.size(); ++i) {
    auto [joined, end] = joined_environments(text, envs, i);
    candidates.push_back({end, end - envs[i].begin, std::move(joined), true});
  }
  for (ProseNumber& n : prose_numbers(text, 0, text.size(), true)) {
    candidates.push_back({n.end, n.end - n.begin, std::move(n.value), false});
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.end != b.end ? a.end > b.end : a.length > b.length;
  });
  // A number inside an environment that is not mathematics does not stand for it ("$\text{13}$" garbled by an
  // escape is not 13).
  std::vector<std::pair<std::size_t, std::size_t>> failed;
  for (const Candidate& c : candidates) {
    if (c.environment) {
      if (is_math_answer(c.value)) return c.value;
      failed.emplace_back(c.end - c.length, c.end);
      continue;
    }
    const std::size_t begin = c.end - c.length;
    const bool inside_failed = std::any_of(
        failed.begin(), failed.end(), [&](const auto& span) { return begin >= span.first && c.end <= span.second; });
    if (!inside_failed) return c.value;
  }
  for (auto it = envs.rbegin(); it != envs.rend(); ++it) {  // a text answer in math mode: "$\text{Evelyn}$"
    const std::string content(trim(content_of(text, *it)));
    if (!normalize_math(content).empty()) return content;
  }
  return std::nullopt;
}

// "$x$", "\(x\)", "\[x\]", "$$x$$" -> "x" when the delimiters enclose the whole answer.
std::optional<std::string> without_math_delimiters(std::optional<std::string> answer) {
  if (!answer) return answer;
  const std::vector<Span> envs = math_environments(*answer);
  const std::string_view t = trim(*answer);
  if (envs.size() == 1 && envs[0].begin == static_cast<std::size_t>(t.data() - answer->data()) &&
      envs[0].end == envs[0].begin + t.size()) {
    return std::string(trim(content_of(*answer, envs[0])));
  }
  return answer;
}

}  // namespace

std::optional<std::string> extract_math(std::string_view response) {
  const std::string text = extraction_text(response);
  const std::vector<Span> envs = math_environments(text);
  // A box is the answer unless an answer marker follows it ("\boxed{255} ... The final answer is $10,455$."):
  // the last stated answer wins.
  std::size_t box_end = 0;
  const std::optional<std::string> boxed = boxed_answer(text, envs, box_end);
  if (auto marked = marked_answer(text, boxed ? box_end : 0)) return without_math_delimiters(marked);
  if (boxed) return boxed;
  if (auto whole = whole_response(text, envs)) return whole;
  return last_candidate(text, envs);
}

}  // namespace ttrl::answer::detail
