// Answer normalisation: a fixed sequence of linear passes (see docs/grading.md, "Normalisation").
#include "answer/normalize.hpp"

#include <algorithm>

#include "answer/latex_commands.hpp"
#include "answer/text_scan.hpp"

namespace ttrl::answer::detail {
namespace {

struct Replacement {
  std::string_view from;
  std::string_view to;
};

// UTF-8 spellings of math characters models print instead of LaTeX.
constexpr Replacement kUnicodeMath[] = {
    {"\xE2\x88\x92", "-"},
    {"\xE2\x80\x93", "-"},
    {"\xC3\x97", "\\times "},
    {"\xC3\xB7", "\\div "},
    {"\xC2\xB7", "\\cdot "},
    {"\xE2\x8B\x85", "\\cdot "},
    {"\xE2\x88\x97", "*"},
    {"\xE2\x89\xA4", "\\le "},
    {"\xE2\x89\xA5", "\\ge "},
    {"\xE2\x89\xA0", "\\ne "},
    {"\xE2\x89\x88", "\\approx "},
    {"\xCF\x80", "\\pi "},
    {"\xE2\x88\x9A", "\\sqrt "},
    {"\xE2\x88\x9E", "\\infty "},
    {"\xC2\xB1", "\\pm "},
    {"\xE2\x88\x93", "\\mp "},
    {"\xC2\xB0", "^\\circ "},
    {"\xC2\xB2", "^2"},
    {"\xC2\xB3", "^3"},
    {"\xC2\xB9", "^1"},
    {"\xE2\x88\xAA", "\\cup "},
    {"\xE2\x88\xA9", "\\cap "},
    {"\xE2\x88\x88", "\\in "},
    {"\xC2\xA0", " "},
    {"\xE2\x80\x89", " "},
    {"\xE2\x80\xAF", " "},
    {"\xE2\x80\x8B", ""},
    {"\xEF\xBC\x8C", ","},
    {"\xEF\xBC\x9A", ":"},
    {"\xEF\xBC\x9B", ";"},
    {"\xEF\xBC\x88", "("},
    {"\xEF\xBC\x89", ")"},
    {"\xE3\x80\x82", "."},
    {"\xE2\x82\xAC", ""},
    {"\xC2\xA3", ""},
    {"\xC2\xA5", ""},
    {"\xE2\x88\x85", "\\emptyset "},
    {"\xE2\x80\xB2", "'"},
};

// Units dropped at the end of an answer after a number (multi-letter ones compare case-insensitively).
constexpr std::string_view kUnitWords[] = {
    "square", "sq",      "cubic",  "cu",      "cm",       "mm",      "km",     "meters", "meter",   "metres",
    "metre",  "inches",  "inch",   "feet",    "foot",     "ft",      "yards",  "yard",   "yd",      "miles",
    "mile",   "kg",      "mg",     "grams",   "gram",     "gm",      "lbs",    "lb",     "pounds",  "pound",
    "ounces", "ounce",   "oz",     "liters",  "liter",    "litres",  "litre",  "ml",     "gallons", "gallon",
    "gal",    "seconds", "second", "secs",    "sec",      "minutes", "minute", "mins",   "min",     "hours",
    "hour",   "hrs",     "hr",     "days",    "day",      "weeks",   "week",   "months", "month",   "years",
    "year",   "yrs",     "yr",     "dollars", "dollar",   "cents",   "cent",   "euros",  "euro",    "yuan",
    "rupees", "rs",      "units",  "unit",    "degrees",  "degree",  "deg",    "mph",    "kmh",     "kph",
    "km/h",   "m/s",     "people", "persons", "students", "points",  "ways",   "acres",  "acre",    "hectares",
};
// Single-letter units, dropped only right after a digit ("3s", "5 m").
constexpr std::string_view kUnitLetters[] = {"m", "s", "g", "h", "l"};

bool ends_with_value(std::string_view out) {
  const std::string_view t = trim(out);
  if (t.empty()) return false;
  const char c = t.back();
  return is_ascii_alnum(c) || c == '}' || c == ')' || c == ']' || c == '%';
}

bool is_connector_word(std::string_view word) {
  const std::string w = to_lower_ascii(trim(word));
  return w == "and" || w == "or" || w == "," || w == ";" || w.empty();
}

bool has_letter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return is_ascii_alpha(c); });
}

// Length of a "^2", "^{3}" or "^\circ"-free power suffix at s[pos], 0 if none.
std::size_t power_suffix_length(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || s[pos] != '^') return 0;
  if (pos + 1 < s.size() && is_ascii_digit(s[pos + 1])) return 2;
  if (matches_at(s, pos + 1, "{2}") || matches_at(s, pos + 1, "{3}")) return 4;
  return 0;
}

// Whether only spaces, an optional power suffix and an optional full stop follow s[pos].
bool only_suffix_remains(std::string_view s, std::size_t pos) {
  while (pos < s.size() && is_ascii_space(s[pos])) ++pos;
  pos += power_suffix_length(s, pos);
  while (pos < s.size() && (is_ascii_space(s[pos]) || s[pos] == '.')) ++pos;
  return pos >= s.size();
}

// "{,}", "{, }", ",\!" and "\," between digit groups ("14{,}916", "12,\!000", "10\,000"): removed.
std::string join_marked_thousands(std::string_view s) {
  static constexpr std::string_view kSeparators[] = {"{,}", "{, }", ",\\!", "\\,"};
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t sep_len = 0;
    for (std::string_view sep : kSeparators) {
      if (matches_at(s, i, sep)) {
        sep_len = sep.size();
        break;
      }
    }
    if (sep_len > 0) {
      const std::string_view before = trim(out);
      std::size_t next = i + sep_len;
      while (next < s.size() && is_ascii_space(s[next])) ++next;
      std::size_t digits = 0;
      while (next + digits < s.size() && is_ascii_digit(s[next + digits])) ++digits;
      if (!before.empty() && is_ascii_digit(before.back()) && digits == 3) {
        out.resize(before.size() + (before.data() - out.data()));
        i = next;
        continue;
      }
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

// "1,000" / "12,345,678.5": commas between groups of exactly three digits, first group 1-3 digits not starting with
// 0, are thousands separators; a run followed by ",<digit>" is left alone (it may be a list).
std::string join_plain_thousands(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const bool starts_number =
        s[i] >= '1' && s[i] <= '9' && (i == 0 || !(is_ascii_alnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ','));
    if (!starts_number) {
      out.push_back(s[i++]);
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && is_ascii_digit(s[j])) ++j;
    const std::size_t lead = j - i;
    std::size_t groups = 0;
    std::size_t end = j;
    while (lead <= 3 && end + 4 <= s.size() && s[end] == ',' && is_ascii_digit(s[end + 1]) &&
           is_ascii_digit(s[end + 2]) && is_ascii_digit(s[end + 3]) &&
           (end + 4 == s.size() || !is_ascii_digit(s[end + 4]))) {
      end += 4;
      ++groups;
    }
    const bool list_follows = end + 1 < s.size() && s[end] == ',' && is_ascii_digit(s[end + 1]);
    // "(12,102)" and "[1,100]" are pairs, not twelve thousand: no joining right inside brackets or lists.
    std::size_t before = i;
    while (before > 0 && s[before - 1] == ' ') --before;
    std::size_t after = end;
    while (after < s.size() && s[after] == ' ') ++after;
    const bool in_brackets = (before > 0 && (s[before - 1] == '(' || s[before - 1] == '[' || s[before - 1] == ',' ||
                                             s[before - 1] == ';')) ||
                             (after < s.size() && (s[after] == ')' || s[after] == ']' || s[after] == ';'));
    if (groups == 0 || list_follows || in_brackets) {
      out.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    for (std::size_t k = i; k < end; ++k) {
      if (s[k] != ',') out.push_back(s[k]);
    }
    i = end;
  }
  return out;
}

// Layout-only commands, spacing, dollar signs, boxes and invisible commands.
std::string strip_layout(std::string_view s, int depth = 0) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '$' || c == '"') {  // math delimiters and quotation marks
      ++i;
      continue;
    }
    if (c == '~') {
      out.push_back(' ');
      ++i;
      continue;
    }
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    const std::string_view name = command_at(s, i);
    if (name.empty()) {
      ++i;  // a lone trailing backslash
      continue;
    }
    const std::size_t after = i + 1 + name.size();
    if (name == "$" || name == "\"") {
      i = after;
      continue;
    }
    if (name == "\\") {  // a LaTeX line break: keep (matrix rows) as is
      out.append("\\\\");
      i = after;
      continue;
    }
    if (latex_command_has(name, LatexRole::kLayout)) {
      i = after;
      if ((name == "left" || name == "right") && i < s.size() && s[i] == '.') ++i;  // invisible delimiter
      continue;
    }
    if (latex_command_has(name, LatexRole::kSpacing)) {
      out.push_back(' ');
      i = after;
      continue;
    }
    // "\quadx" reads as \quad then x: the spacing command is a prefix of a longer letter run.
    if (name.size() > 5 && name.substr(0, 5) == "qquad") {
      out.push_back(' ');
      i += 6;
      continue;
    }
    if (name.size() > 4 && name.substr(0, 4) == "quad") {
      out.push_back(' ');
      i += 5;
      continue;
    }
    if (latex_command_has(name, LatexRole::kInvisible) && after < s.size() && s[after] == '{') {
      const std::size_t close = matching_brace(s, after);
      i = close == kNotFound ? s.size() : close + 1;
      continue;
    }
    if ((name == "boxed" || name == "fbox" || name == "framebox") && after < s.size() && s[after] == '{' && depth < 8) {
      const std::size_t close = matching_brace(s, after);
      if (close != kNotFound) {
        out.push_back('{');
        out += strip_layout(s.substr(after + 1, close - after - 1), depth + 1);
        out.push_back('}');
        i = close + 1;
        continue;
      }
    }
    out.append(s.substr(i, after - i));
    i = after;
  }
  return out;
}

// \text{...} and friends: a trailing text group after a value is a unit or remark and is dropped ("10\text{ cm}",
// "17\text{ any text}"); any other is unwrapped ("\text{Evelyn}", "6\text{ and }8"). Math fonts are unwrapped.
std::string unwrap_text_commands(std::string_view s, int depth = 0) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '\\') {
      out.push_back(s[i++]);
      continue;
    }
    const std::string_view name = command_at(s, i);
    const std::size_t after = i + 1 + name.size();
    const bool text_command = latex_command_has(name, LatexRole::kText);
    const bool font_command = latex_command_has(name, LatexRole::kFont);
    if (!(text_command || font_command) || after >= s.size()) {
      out.append(s.substr(i, std::max<std::size_t>(after - i, 1)));
      i = std::max(after, i + 1);
      continue;
    }
    std::size_t open = after;
    while (open < s.size() && s[open] == ' ') ++open;
    if (open >= s.size() || s[open] != '{') {
      i = after;  // "\rm cm" style: drop the command, keep what follows
      continue;
    }
    const std::size_t close = matching_brace(s, open);
    if (close == kNotFound) {
      i = open + 1;  // unbalanced: drop the command and its brace
      continue;
    }
    const std::string_view content = s.substr(open + 1, close - open - 1);
    if (text_command && only_suffix_remains(s, close + 1) && ends_with_value(out) && !is_connector_word(content) &&
        has_letter(content)) {
      break;  // a trailing unit or remark: the rest of the answer goes
    }
    const std::string inner = depth < 8 ? unwrap_text_commands(content, depth + 1) : std::string(content);
    if (text_command) {
      out.push_back(' ');
      out += inner;
      out.push_back(' ');
    } else {
      out += inner;
    }
    i = close + 1;
  }
  return out;
}

// "%" (unescaped), "percent", "percentage", "pct", "per cent" -> "\%"; degree marks removed.
std::string percent_and_degrees(std::string_view s) {
  static constexpr std::string_view kPercentWords[] = {"percentage", "percent", "per cent", "pct"};
  static constexpr std::string_view kDegreeMarks[] = {"^{\\circ}", "^\\circ",  "^{\\degree}",
                                                      "^\\degree", "\\degree", "\\circ"};
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '%') {
      out += "\\%";
      i += 2;
      continue;
    }
    if (s[i] == '%') {
      out += "\\%";
      ++i;
      continue;
    }
    bool replaced = false;
    for (std::string_view mark : kDegreeMarks) {
      if (matches_at(s, i, mark) && (mark[0] == '^' || mark == "\\degree" || ends_with_value(out))) {
        i += mark.size();
        if (i < s.size() && (s[i] == 'C' || s[i] == 'F') && boundary_after(s, i + 1)) ++i;  // degrees Celsius
        out += "\\degree ";
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    if (is_ascii_alpha(s[i]) && boundary_before(s, i) && ends_with_value(out)) {
      for (std::string_view word : kPercentWords) {
        if (matches_ci_at(s, i, word) && boundary_after(s, i + word.size())) {
          out += "\\%";
          i += word.size();
          replaced = true;
          break;
        }
      }
      if (replaced) continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

// Relation spellings: \leq, \leqslant, <= -> \le; \geq, \geqslant, >= -> \ge; \neq, != -> \ne; \lt, \gt -> < >.
std::string canonical_relations(std::string_view s) {
  static constexpr Replacement kRelations[] = {
      {"\\leqslant", "\\le "}, {"\\geqslant", "\\ge "}, {"\\leq", "\\le "}, {"\\geq", "\\ge "},
      {"\\neq", "\\ne "},      {"\\lt", "<"},           {"\\gt", ">"},      {"<=", "\\le "},
      {">=", "\\ge "},         {"!=", "\\ne "},         {"=<", "\\le "},    {"=>", "\\ge "},
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    for (const auto& r : kRelations) {
      if (matches_at(s, i, r.from) && (r.from[0] != '\\' || boundary_after(s, i + r.from.size()))) {
        out += r.to;
        i += r.from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(s[i++]);
  }
  return out;
}

// Strips one trailing unit word (and its power suffix); returns whether it did.
bool strip_one_trailing_unit(std::string& s) {
  std::string_view t = trim(s);
  // Optional power suffix on the unit: "cm^2", "cm^{2}".
  std::size_t end = t.size();
  if (end >= 2 && t[end - 2] == '^' && is_ascii_digit(t[end - 1])) {
    end -= 2;
  } else if (end >= 4 && t[end - 4] == '^' && t[end - 3] == '{' && t[end - 1] == '}') {
    end -= 4;
  }
  const std::string_view body = t.substr(0, end);
  auto preceded_by_value = [&](std::size_t unit_start, bool single_letter) {
    std::size_t p = unit_start;
    std::size_t spaces = 0;
    while (p > 0 && is_ascii_space(body[p - 1])) {
      --p;
      ++spaces;
    }
    if (p == 0) return false;
    const char c = body[p - 1];
    if (single_letter) return is_ascii_digit(c) && spaces <= 1;
    return is_ascii_digit(c) || c == '}' || c == ')' || c == ']' || c == '%';
  };
  for (std::string_view unit : kUnitWords) {
    if (body.size() < unit.size()) continue;
    std::size_t start = body.size() - unit.size();
    if (!matches_ci_at(body, start, unit) || (start > 0 && is_ascii_alpha(body[start - 1]))) continue;
    // "square feet", "cubic cm": a size word before the unit goes with it.
    for (std::string_view size_word : {"square ", "cubic ", "sq ", "cu "}) {
      if (start >= size_word.size() && matches_ci_at(body, start - size_word.size(), size_word) &&
          (start == size_word.size() || !is_ascii_alpha(body[start - size_word.size() - 1]))) {
        start -= size_word.size();
        break;
      }
    }
    if (preceded_by_value(start, false)) {
      s = std::string(trim(body.substr(0, start)));
      return true;
    }
  }
  for (std::string_view unit : kUnitLetters) {
    if (body.size() < 2) break;
    const std::size_t start = body.size() - 1;
    if (body[start] == unit[0] && !is_ascii_alpha(body[start - 1]) && preceded_by_value(start, true)) {
      s = std::string(trim(body.substr(0, start)));
      return true;
    }
  }
  return false;
}

// Trailing punctuation and lone backslashes that carry no meaning: "5.", "185\", "x,".
std::string strip_trailing_noise(std::string s) {
  while (true) {
    const std::string_view t = trim(s);
    if (t.empty()) return std::string(t);
    const char c = t.back();
    if (c == '.' || c == ',' || c == ';' || (c == '\\' && (t.size() < 2 || t[t.size() - 2] != '\\'))) {
      s = std::string(t.substr(0, t.size() - 1));
      continue;
    }
    if (t.size() >= 2 && t.substr(t.size() - 2) == "\\\\") {  // a trailing line break
      s = std::string(t.substr(0, t.size() - 2));
      continue;
    }
    return std::string(t);
  }
}

// "\frac12" -> "\frac{1}{2}", "\frac{a}b" -> "\frac{a}{b}", "\sqrt3" -> "\sqrt{3}" (single-token arguments).
std::string brace_single_token_arguments(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  auto take_argument = [&](std::size_t& i) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) return;
    if (s[i] == '{') {
      const std::size_t close = matching_brace(s, i);
      const std::size_t end = close == kNotFound ? s.size() : close + 1;
      out.append(s.substr(i, end - i));
      i = end;
    } else if (s[i] == '\\') {
      const std::string_view name = command_at(s, i);
      out += "{\\";
      out += name;
      out += "}";
      i += 1 + std::max<std::size_t>(name.size(), 1);
    } else {
      out.push_back('{');
      out.push_back(s[i]);
      out.push_back('}');
      ++i;
    }
  };
  for (std::size_t i = 0; i < s.size();) {
    if (matches_at(s, i, "\\frac") && !is_ascii_alpha(i + 5 < s.size() ? s[i + 5] : ' ')) {
      out += "\\frac";
      i += 5;
      take_argument(i);
      take_argument(i);
      continue;
    }
    if (matches_at(s, i, "\\sqrt") && i + 5 < s.size() && !is_ascii_alpha(s[i + 5]) && s[i + 5] != '[') {
      out += "\\sqrt";
      i += 5;
      take_argument(i);
      continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

// Integer literals lose leading zeros ("025" -> "25"); decimals lose trailing zeros ("142.0" -> "142", "2.50" ->
// "2.5"). Only standalone numbers (not inside names like x_01).
std::string canonical_numbers(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const bool in_script = i >= 2 && s[i - 1] == '{' && (s[i - 2] == '_' || s[i - 2] == '^');  // x_{01}
    const bool standalone =
        is_ascii_digit(s[i]) && !in_script &&
        (i == 0 || !(is_ascii_alnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '_' || s[i - 1] == '^'));
    if (!standalone) {
      out.push_back(s[i++]);
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && is_ascii_digit(s[j])) ++j;
    std::string_view integer = s.substr(i, j - i);
    std::string_view fraction;
    std::size_t end = j;
    if (j + 1 < s.size() && s[j] == '.' && is_ascii_digit(s[j + 1])) {
      std::size_t k = j + 1;
      while (k < s.size() && is_ascii_digit(s[k])) ++k;
      fraction = s.substr(j + 1, k - j - 1);
      end = k;
    }
    if (end < s.size() && is_ascii_alpha(s[end])) {  // "2e5", "3x": keep as written
      out.append(s.substr(i, end - i));
      i = end;
      continue;
    }
    while (integer.size() > 1 && integer[0] == '0') integer.remove_prefix(1);
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    out += integer;
    if (!fraction.empty()) {
      out.push_back('.');
      out += fraction;
    }
    i = end;
  }
  return out;
}

// "x = 5" -> "5", "k\in[1,2]" -> "[1,2]": a single-letter (optionally subscripted) label before the only relation.
std::string strip_label_prefix(const std::string& s) {
  std::size_t i = 0;
  if (i >= s.size() || !is_ascii_alpha(s[i])) return s;
  ++i;
  if (i < s.size() && s[i] == '_') {
    ++i;
    if (i < s.size() && s[i] == '{') {
      const std::size_t close = matching_brace(s, i, 16);
      if (close == kNotFound) return s;
      i = close + 1;
    } else if (i < s.size() && is_ascii_alnum(s[i])) {
      ++i;
    }
  }
  while (i < s.size() && s[i] == ' ') ++i;
  std::size_t rest = kNotFound;
  if (i < s.size() && s[i] == '=') rest = i + 1;
  if (matches_at(s, i, "\\in") && boundary_after(s, i + 3)) rest = i + 3;
  if (rest == kNotFound) return s;
  const std::string_view tail = std::string_view(s).substr(rest);
  const bool another_relation = tail.find('=') != std::string_view::npos || tail.find('<') != std::string_view::npos ||
                                tail.find('>') != std::string_view::npos ||
                                tail.find("\\le") != std::string_view::npos ||
                                tail.find("\\ge") != std::string_view::npos;
  const bool list_of_assignments = s[i] == '=' && tail.find(',') != std::string_view::npos;  // "x=1, y=2"
  if (another_relation || list_of_assignments) return s;
  return std::string(trim(tail));
}

// Spaces kept only between two characters that would otherwise fuse (letters/digits, or a command and a letter).
std::string tighten_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != ' ') {
      out.push_back(s[i]);
      continue;
    }
    const char prev = out.empty() ? ' ' : out.back();
    const char next = i + 1 < s.size() ? s[i + 1] : ' ';
    if (is_ascii_alnum(prev) && is_ascii_alnum(next)) out.push_back(' ');
  }
  return out;
}

}  // namespace

std::string map_unicode_math(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      out.push_back(s[i++]);
      continue;
    }
    bool replaced = false;
    for (const auto& r : kUnicodeMath) {
      if (matches_at(s, i, r.from)) {
        out += r.to;
        i += r.from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(s[i++]);
  }
  return out;
}

std::string collapse_escaped_commands(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '\\') {
      out.push_back(s[i++]);
      continue;
    }
    std::size_t run = i;
    while (run < s.size() && s[run] == '\\') ++run;
    const std::size_t backslashes = run - i;
    std::size_t letters = run;
    while (letters < s.size() && is_ascii_alpha(s[letters])) ++letters;
    const std::string_view name = s.substr(run, letters - run);
    if (backslashes == 2 && !name.empty() && latex_command_has(name, LatexRole::kUnescape)) {
      out.push_back('\\');
    } else {
      out.append(s.substr(i, backslashes));
    }
    i = run;
  }
  return out;
}

std::string normalize_math(std::string_view answer) {
  if (answer.size() > kMaxAnswerBytes) return collapse_spaces(answer);
  std::string s = map_unicode_math(answer);
  s = collapse_escaped_commands(s);
  s = join_marked_thousands(s);
  s = strip_layout(s);
  s = unwrap_text_commands(s);
  s = canonical_relations(s);
  s = percent_and_degrees(s);
  s = collapse_spaces(s);
  s = strip_trailing_noise(s);
  for (int i = 0; i < 4 && strip_one_trailing_unit(s); ++i) {
  }
  s = strip_trailing_noise(s);
  s = join_plain_thousands(s);
  s = replace_all(s, "\\varnothing", "\\emptyset");
  for (const std::string_view frac : {"\\dfrac", "\\tfrac", "\\cfrac"}) s = replace_all(s, frac, "\\frac");
  for (const std::string_view binom : {"\\dbinom", "\\tbinom"}) s = replace_all(s, binom, "\\binom");
  return collapse_spaces(s);
}

std::string canonical_math_display(std::string_view answer) {
  std::string s = normalize_math(answer);
  if (s.size() > kMaxAnswerBytes) return s;
  s = replace_all(s, "\\degree", "");
  s = brace_single_token_arguments(s);
  while (s.size() >= 2 && s.front() == '{' && matching_brace(s, 0) == s.size() - 1) s = s.substr(1, s.size() - 2);
  s = strip_label_prefix(s);
  s = canonical_numbers(s);
  return tighten_spaces(s);
}

std::string text_key(std::string_view s) {
  std::string key;
  key.reserve(s.size());
  for (char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || is_ascii_alnum(c)) {
      key.push_back(lower_ascii(c));
    } else if (c == '+' || c == '-' || c == '*' || c == '/' || c == '^' || c == '_' || c == '=' || c == '<' ||
               c == '>' || c == '|' || c == '\'' || c == '!') {
      key.push_back(c);
    }
  }
  return key;
}

}  // namespace ttrl::answer::detail
