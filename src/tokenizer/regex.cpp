#include "tokenizer/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/unicode_delta.hpp"
#include "tokenizer/utf8.hpp"

namespace ttrl {
namespace {

using unicode::GeneralCategory;

// Oniguruma's \s is Unicode White_Space (25 code points); PCRE2 10.42 with UCP also matches U+180E.
constexpr const char* kWhiteSpaceItems =
    "\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
// Oniguruma's \h is a hexadecimal digit (PCRE2's is horizontal white space).
constexpr const char* kHexItems = "0-9a-fA-F";
// Oniguruma's \w beyond the categories of kWordCategories: the circled and squared letters (Other_Alphabetic
// symbols) and, outside classes only, the Latin-1 digits and fractions its ISO 8859-1 table calls word characters.
constexpr const char* kWordSymbolItems =
    "\\x{24B6}-\\x{24E9}\\x{1F130}-\\x{1F149}\\x{1F150}-\\x{1F169}\\x{1F170}-\\x{1F189}";
constexpr const char* kWordLatin1Items = "\\x{B2}\\x{B3}\\x{B9}\\x{BC}-\\x{BE}";

// A set of general categories, one bit per GeneralCategory.
using CategorySet = uint32_t;

constexpr CategorySet categories(std::initializer_list<GeneralCategory> list) {
  CategorySet set = 0;
  for (GeneralCategory c : list) set |= CategorySet{1} << c;
  return set;
}

constexpr CategorySet kLetter = categories({unicode::kLu, unicode::kLl, unicode::kLt, unicode::kLm, unicode::kLo});
constexpr CategorySet kMark = categories({unicode::kMn, unicode::kMc, unicode::kMe});
constexpr CategorySet kNumber = categories({unicode::kNd, unicode::kNl, unicode::kNo});
constexpr CategorySet kPunctuation = categories({unicode::kPc, unicode::kPd, unicode::kPs, unicode::kPe,
                                                 unicode::kPi, unicode::kPf, unicode::kPo});
constexpr CategorySet kSymbol = categories({unicode::kSm, unicode::kSc, unicode::kSk, unicode::kSo});
constexpr CategorySet kSeparator = categories({unicode::kZs, unicode::kZl, unicode::kZp});
constexpr CategorySet kOther = categories({unicode::kCc, unicode::kCf, unicode::kCs, unicode::kCo, unicode::kCn});
// Oniguruma's \w: letters, marks, decimal and letter numbers, connector punctuation (and the items above).
constexpr CategorySet kWordCategories =
    kLetter | kMark | categories({unicode::kNd, unicode::kNl, unicode::kPc});

constexpr const char* kCategoryCodes[] = {"Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd",
                                          "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm",
                                          "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co"};

struct CategoryName {
  const char* short_name;
  const char* long_name;
  CategorySet set;
};

// The general-category names Oniguruma accepts in \p{..} (Unicode's short and long value names).
const CategoryName kCategoryNames[] = {
    {"L", "Letter", kLetter},
    {"LC", "Cased_Letter", categories({unicode::kLu, unicode::kLl, unicode::kLt})},
    {"Lu", "Uppercase_Letter", categories({unicode::kLu})},
    {"Ll", "Lowercase_Letter", categories({unicode::kLl})},
    {"Lt", "Titlecase_Letter", categories({unicode::kLt})},
    {"Lm", "Modifier_Letter", categories({unicode::kLm})},
    {"Lo", "Other_Letter", categories({unicode::kLo})},
    {"M", "Mark", kMark},
    {"M", "Combining_Mark", kMark},
    {"Mn", "Nonspacing_Mark", categories({unicode::kMn})},
    {"Mc", "Spacing_Mark", categories({unicode::kMc})},
    {"Me", "Enclosing_Mark", categories({unicode::kMe})},
    {"N", "Number", kNumber},
    {"Nd", "Decimal_Number", categories({unicode::kNd})},
    {"Nl", "Letter_Number", categories({unicode::kNl})},
    {"No", "Other_Number", categories({unicode::kNo})},
    {"P", "Punctuation", kPunctuation},
    {"Pc", "Connector_Punctuation", categories({unicode::kPc})},
    {"Pd", "Dash_Punctuation", categories({unicode::kPd})},
    {"Ps", "Open_Punctuation", categories({unicode::kPs})},
    {"Pe", "Close_Punctuation", categories({unicode::kPe})},
    {"Pi", "Initial_Punctuation", categories({unicode::kPi})},
    {"Pf", "Final_Punctuation", categories({unicode::kPf})},
    {"Po", "Other_Punctuation", categories({unicode::kPo})},
    {"S", "Symbol", kSymbol},
    {"Sm", "Math_Symbol", categories({unicode::kSm})},
    {"Sc", "Currency_Symbol", categories({unicode::kSc})},
    {"Sk", "Modifier_Symbol", categories({unicode::kSk})},
    {"So", "Other_Symbol", categories({unicode::kSo})},
    {"Z", "Separator", kSeparator},
    {"Zs", "Space_Separator", categories({unicode::kZs})},
    {"Zl", "Line_Separator", categories({unicode::kZl})},
    {"Zp", "Paragraph_Separator", categories({unicode::kZp})},
    {"C", "Other", kOther},
    {"Cc", "Control", categories({unicode::kCc})},
    {"Cf", "Format", categories({unicode::kCf})},
    {"Cs", "Surrogate", categories({unicode::kCs})},
    {"Co", "Private_Use", categories({unicode::kCo})},
    {"Cn", "Unassigned", categories({unicode::kCn})},
};

/// A property name as Oniguruma compares them: case-insensitive, spaces, hyphens and underscores ignored.
std::string loose_name(std::string_view name) {
  std::string out;
  for (char c : name)
    if (c != ' ' && c != '-' && c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// The categories a property name stands for, or 0 when it is not a general category (a script, a binary
/// property: left to PCRE2).
CategorySet category_set_named(std::string_view name) {
  const std::string wanted = loose_name(name);
  for (const CategoryName& n : kCategoryNames)
    if (wanted == loose_name(n.short_name) || wanted == loose_name(n.long_name)) return n.set;
  return 0;
}

bool contains(CategorySet set, GeneralCategory c) { return (set >> c) & 1; }

/// PCRE2 escapes for `set`: \p{L} for a whole group, else one per category.
std::string property_items(CategorySet set) {
  std::string out;
  for (const auto& [group, name] : {std::pair{kLetter, "L"}, {kMark, "M"}, {kNumber, "N"}, {kPunctuation, "P"},
                                    {kSymbol, "S"}, {kSeparator, "Z"}, {kOther, "C"}}) {
    if ((set & group) == group) {
      out += std::string("\\p{") + name + "}";
      set &= ~group;
    }
  }
  for (int c = 0; c <= unicode::kCo; ++c)
    if ((set >> c) & 1) out += std::string("\\p{") + kCategoryCodes[c] + "}";
  return out;
}

void append_code_point_item(uint32_t cp, std::string& out) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "\\x{%X}", static_cast<unsigned>(cp));
  out += buffer;
}

/// Class items for the code points of the category changes `in` selects, adjacent runs merged.
template <typename Predicate>
std::string changed_ranges(Predicate in) {
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  for (const unicode::CategoryChange& change : unicode::category_changes()) {
    if (!in(change)) continue;
    if (!ranges.empty() && ranges.back().second + 1 == change.first)
      ranges.back().second = change.last;
    else
      ranges.emplace_back(change.first, change.last);
  }
  std::string out;
  for (const auto& [first, last] : ranges) {
    append_code_point_item(first, out);
    if (last == first) continue;
    out += '-';
    append_code_point_item(last, out);
  }
  return out;
}

/// A one-character test of Oniguruma's: the code points of PCRE2's class items `items` but not of `removed`,
/// or all others when `negated`.
struct CharSet {
  std::string items;
  std::string removed;  // class items; empty: nothing to take out
  bool negated = false;
};

/// The set of `set` plus `extra_items`: PCRE2's properties (Unicode 14), with `unicode16` the code points that
/// entered its categories since added and those that left them removed (Oniguruma's Unicode 16).
CharSet category_char_set(CategorySet set, const std::string& extra_items, bool negated, bool unicode16) {
  CharSet out;
  out.items = property_items(set) + extra_items;
  out.negated = negated;
  if (!unicode16) return out;
  out.items += changed_ranges([set](const unicode::CategoryChange& c) {
    return contains(set, c.unicode16) && !contains(set, c.unicode14);
  });
  out.removed = changed_ranges([set](const unicode::CategoryChange& c) {
    return contains(set, c.unicode14) && !contains(set, c.unicode16);
  });
  return out;
}

/// Oniguruma's \w; inside a class it lacks the Latin-1 digits and fractions.
const CharSet& word_char_set(bool in_class, bool unicode16) {
  static const CharSet sets[2][2] = {
      {category_char_set(kWordCategories, std::string(kWordLatin1Items) + kWordSymbolItems, false, false),
       category_char_set(kWordCategories, std::string(kWordLatin1Items) + kWordSymbolItems, false, true)},
      {category_char_set(kWordCategories, kWordSymbolItems, false, false),
       category_char_set(kWordCategories, kWordSymbolItems, false, true)}};
  return sets[in_class][unicode16];
}

CharSet negation(CharSet set) {
  set.negated = !set.negated;
  return set;
}

/// The escape at pattern[i] ('\\') as a set when Oniguruma's meaning differs from PCRE2's; i is left on the
/// escape's last character. Other escapes: nullopt and i unchanged.
std::optional<CharSet> escape_char_set(const std::string& pattern, size_t& i, bool in_class, bool unicode16) {
  const char e = pattern[i + 1];
  const bool upper = std::isupper(static_cast<unsigned char>(e)) != 0;
  switch (std::tolower(static_cast<unsigned char>(e))) {
    case 's': ++i; return CharSet{kWhiteSpaceItems, "", upper};
    case 'h': ++i; return CharSet{kHexItems, "", upper};
    case 'w': ++i; return upper ? negation(word_char_set(in_class, unicode16)) : word_char_set(in_class, unicode16);
    case 'd': ++i; return category_char_set(categories({unicode::kNd}), "", upper, unicode16);
    case 'p': break;
    default: return std::nullopt;
  }
  // \p{Name}, \p{^Name}, \P{Name}: general categories only.
  if (i + 2 >= pattern.size() || pattern[i + 2] != '{') return std::nullopt;
  const size_t close = pattern.find('}', i + 3);
  if (close == std::string::npos) return std::nullopt;
  std::string_view name(pattern.data() + i + 3, close - (i + 3));
  bool negated = upper;
  if (!name.empty() && name.front() == '^') {
    negated = !negated;
    name.remove_prefix(1);
  }
  const CategorySet set = category_set_named(name);
  if (set == 0) return std::nullopt;
  i = close;
  return category_char_set(set, "", negated, unicode16);
}

/// Oniguruma reads \p or \P without a following '{' as the letter itself (PCRE2 as a one-letter property).
bool is_bare_property_escape(const std::string& pattern, size_t i) {
  const char e = pattern[i + 1];
  return (e == 'p' || e == 'P') && (i + 2 >= pattern.size() || pattern[i + 2] != '{');
}

/// `items` as the body of a class: a leading '^' escaped so that it stays a member.
std::string class_body(const std::string& items) { return !items.empty() && items[0] == '^' ? "\\" + items : items; }

/// Whether class items are one property escape such as \p{L}.
bool is_one_property(const std::string& items) {
  return items.rfind("\\p{", 0) == 0 && items.find('}') == items.size() - 1;
}

/// A set outside a class: a property escape, a class, or a group that PCRE2 can quantify.
std::string char_set_atom(const CharSet& set) {
  const std::string items = class_body(set.items);
  // \p{L} rather than [\p{L}]: the form PCRE2 optimises best (auto-possessive repeats).
  if (set.removed.empty() && is_one_property(items)) return set.negated ? "\\P" + items.substr(2) : items;
  if (set.removed.empty()) return (set.negated ? "[^" : "[") + items + "]";
  if (!set.negated) return "(?:(?![" + set.removed + "])[" + items + "])";
  return "(?:[^" + items + "]|[" + set.removed + "])";
}

/// Oniguruma's \b and \B: boundaries of its \w, written with lookarounds on the word set.
std::string word_boundary(bool negated, bool unicode16) {
  const std::string w = char_set_atom(word_char_set(false, unicode16));
  if (negated) return "(?:(?<=" + w + ")(?=" + w + ")|(?<!" + w + ")(?!" + w + "))";
  return "(?:(?<=" + w + ")(?!" + w + ")|(?<!" + w + ")(?=" + w + "))";
}

/// A class from the items PCRE2 can hold (written and spliced-in items, in order) and the sets it cannot: those
/// make the class a union (alternation) or, negated, a complement (lookaheads), as PCRE2 10.42 has no class
/// subtraction.
std::string class_of(bool negated, const std::string& items, const std::vector<CharSet>& others) {
  if (others.empty()) return (negated ? "[^" : "[") + class_body(items) + "]";
  std::string out = "(?:";
  if (!negated) {
    if (!items.empty()) out += "[" + class_body(items) + "]|";
    for (size_t k = 0; k < others.size(); ++k) out += (k ? "|" : "") + char_set_atom(others[k]);
  } else {
    for (const CharSet& set : others) out += "(?!" + char_set_atom(set) + ")";
    out += items.empty() ? "(?s:.)" : "[^" + class_body(items) + "]";
  }
  return out + ")";
}

/// Translates the class starting at pattern[i] ('['); i is left on its closing ']'. An unterminated class is
/// copied as it is, for PCRE2 to report.
std::string translate_class(const std::string& pattern, size_t& i, bool unicode16) {
  size_t j = i + 1;
  const bool negated = j < pattern.size() && pattern[j] == '^';
  if (negated) ++j;
  std::string items;
  std::vector<CharSet> others;  // sets PCRE2 cannot hold as class items: negated, or with code points to remove
  // A ']' right after '[' or '[^' is a literal member, not the end of the class.
  if (j < pattern.size() && pattern[j] == ']') {
    items += "\\]";
    ++j;
  }
  for (; j < pattern.size() && pattern[j] != ']'; ++j) {
    if (pattern[j] == '\\' && j + 1 < pattern.size()) {
      if (auto set = escape_char_set(pattern, j, true, unicode16)) {
        if (!set->negated && set->removed.empty())
          items += set->items;  // spliced in
        else
          others.push_back(std::move(*set));
      } else if (is_bare_property_escape(pattern, j)) {
        items += pattern[++j];
      } else {
        items.append(pattern, j, 2);  // other escapes keep PCRE2's meaning
        ++j;
      }
      continue;
    }
    if (pattern[j] == '[' && j + 1 < pattern.size() && pattern[j + 1] == ':') {
      const size_t close = pattern.find(":]", j + 2);  // POSIX class such as [:alpha:]
      if (close != std::string::npos) {
        items.append(pattern, j, close + 2 - j);
        j = close + 1;
        continue;
      }
    }
    items += pattern[j];
  }
  if (j >= pattern.size()) {
    const std::string rest = pattern.substr(i);
    i = pattern.size() - 1;
    return rest;
  }
  i = j;
  return class_of(negated, items, others);
}

pcre2_code* as_code(void* p) { return static_cast<pcre2_code*>(p); }

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

}  // namespace

std::string oniguruma_compatible(const std::string& pattern, bool unicode16) {
  std::string out;
  out.reserve(pattern.size() + 64);
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      if (auto set = escape_char_set(pattern, i, false, unicode16)) {
        out += char_set_atom(*set);
      } else if (is_bare_property_escape(pattern, i)) {
        out += pattern[++i];
      } else if (pattern[i + 1] == 'b' || pattern[i + 1] == 'B') {
        out += word_boundary(pattern[++i] == 'B', unicode16);
      } else {
        out.append(pattern, i, 2);  // other escapes keep PCRE2's meaning
        ++i;
      }
      continue;
    }
    if (c == '[') {
      out += translate_class(pattern, i, unicode16);
      continue;
    }
    out += c;
  }
  return out;
}

struct Regex::MatchResources {
  pcre2_match_data* data = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  ~MatchResources() {
    if (data) pcre2_match_data_free(data);
    if (context) pcre2_match_context_free(context);
    if (jit_stack) pcre2_jit_stack_free(jit_stack);
  }
};

namespace {

/// Compiles `source` (JIT when possible). Throws std::invalid_argument with PCRE2's message.
void* compile(const std::string& source, bool literal, bool& jit) {
  pcre2_compile_context* context = pcre2_compile_context_create(nullptr);
  // Oniguruma's newline is LF only; ^ and $ match at line boundaries (as Oniguruma's default syntax does).
  pcre2_set_newline(context, PCRE2_NEWLINE_LF);
  uint32_t options = PCRE2_UTF | PCRE2_NO_UTF_CHECK;
  options |= literal ? PCRE2_LITERAL : PCRE2_UCP | PCRE2_MULTILINE;
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(), options, &error,
                                   &error_offset, context);
  pcre2_compile_context_free(context);
  if (code == nullptr)
    throw std::invalid_argument("invalid regular expression at offset " + std::to_string(error_offset) + ": " +
                                pcre2_message(error));
  jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  return code;
}

}  // namespace

Regex::Regex(const std::string& pattern, bool literal) : pattern_(pattern) {
  if (literal) {
    exact_.code = compile(pattern, true, exact_.jit);
    return;
  }
  const std::string unicode16 = oniguruma_compatible(pattern, true);
  exact_.code = compile(unicode16, false, exact_.jit);
  // The Unicode 14 pattern runs up to twice as fast: PCRE2 tests a class's ranges one by one, and the Unicode 16
  // one has dozens more. Both give the same matches on text without the code points of unicode_delta.inc.
  const std::string unicode14 = oniguruma_compatible(pattern, false);
  if (unicode14 != unicode16) plain_.code = compile(unicode14, false, plain_.jit);
}

Regex::~Regex() {
  pcre2_code_free(as_code(exact_.code));
  if (plain_.code != nullptr) pcre2_code_free(as_code(plain_.code));
}

std::unique_ptr<Regex::MatchResources> Regex::acquire() const {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      auto r = std::move(pool_.back());
      pool_.pop_back();
      return r;
    }
  }
  auto r = std::make_unique<MatchResources>();
  // Sized for the captures of exact_, which plain_ has as well (the translations add no capturing group).
  r->data = pcre2_match_data_create_from_pattern(as_code(exact_.code), nullptr);
  r->context = pcre2_match_context_create(nullptr);
  if (exact_.jit || plain_.jit) {
    // Long runs of one class (e.g. megabytes of spaces) need a larger JIT stack than the 32 KiB default.
    r->jit_stack = pcre2_jit_stack_create(32 * 1024, 64 * 1024 * 1024, nullptr);
    pcre2_jit_stack_assign(r->context, nullptr, r->jit_stack);
  }
  if (r->data == nullptr || r->context == nullptr) throw std::bad_alloc();
  return r;
}

void Regex::release(std::unique_ptr<MatchResources> resources) const {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(std::move(resources));
}

void Regex::find_all(std::string_view text, std::vector<Span>& matches) const {
  matches.clear();
  const Code& code = plain_.code != nullptr && !unicode::has_changes_since_unicode14(text) ? plain_ : exact_;
  auto resources = acquire();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  bool have_previous = false;
  size_t previous_end = 0;
  while (start <= text.size()) {
    const int rc = code.jit ? pcre2_jit_match(as_code(code.code), subject, text.size(), start, PCRE2_NO_UTF_CHECK,
                                              resources->data, resources->context)
                            : pcre2_match(as_code(code.code), subject, text.size(), start, PCRE2_NO_UTF_CHECK,
                                          resources->data, resources->context);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      release(std::move(resources));
      throw std::runtime_error("regular expression '" + pattern_ + "' failed: " + pcre2_message(rc));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(resources->data);
    const Span m{ovector[0], ovector[1]};
    if (m.begin == m.end && have_previous && previous_end == m.end) {
      // Oniguruma skips an empty match adjacent to the previous match and searches again one character on.
      if (m.end >= text.size()) break;
      size_t next = m.end;
      utf8::decode_at(text, next);
      start = next;
      continue;
    }
    matches.push_back(m);
    have_previous = true;
    previous_end = m.end;
    start = m.end;
  }
  release(std::move(resources));
}

}  // namespace ttrl
