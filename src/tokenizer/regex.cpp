#include "tokenizer/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

#include "tokenizer/utf8.hpp"

namespace ttrl {
namespace {

// Oniguruma's \s is Unicode White_Space (25 code points); PCRE2 10.42 with UCP also matches U+180E.
constexpr const char* kWhiteSpaceItems =
    "\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
// Oniguruma's \w (Unicode): letters, marks, decimal digits, connector punctuation. PCRE2 10.42's is L, N and '_'.
constexpr const char* kWordItems = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";
// Oniguruma's \h is a hexadecimal digit (PCRE2's is horizontal white space).
constexpr const char* kHexItems = "0-9a-fA-F";

pcre2_code* as_code(void* p) { return static_cast<pcre2_code*>(p); }

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

}  // namespace

std::string oniguruma_compatible(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size() + 64);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char e = pattern[++i];
      const char* items = e == 's' || e == 'S' ? kWhiteSpaceItems
                          : e == 'w' || e == 'W' ? kWordItems
                          : e == 'h' || e == 'H' ? kHexItems
                                                 : nullptr;
      const bool negated = e == 'S' || e == 'W' || e == 'H';
      if (items != nullptr && !in_class) {
        out += negated ? "[^" : "[";
        out += items;
        out += ']';
      } else if (items != nullptr && !negated) {
        out += items;  // inside a class: splice the items in
      } else {
        out += '\\';
        out += e;  // other escapes (and a negated shorthand inside a class) keep PCRE2's meaning
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
      continue;
    }
    if (in_class && c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      const size_t close = pattern.find(":]", i + 2);  // POSIX class such as [:alpha:]
      if (close != std::string::npos) {
        out.append(pattern, i, close + 2 - i);
        i = close + 1;
        continue;
      }
    }
    if (in_class && c == ']') in_class = false;
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

Regex::Regex(const std::string& pattern, bool literal) : pattern_(pattern) {
  const std::string source = literal ? pattern : oniguruma_compatible(pattern);
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
  code_ = code;
  jit_ = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() { pcre2_code_free(as_code(code_)); }

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
  r->data = pcre2_match_data_create_from_pattern(as_code(code_), nullptr);
  r->context = pcre2_match_context_create(nullptr);
  if (jit_) {
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
  auto resources = acquire();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  bool have_previous = false;
  size_t previous_end = 0;
  while (start <= text.size()) {
    const int rc = jit_ ? pcre2_jit_match(as_code(code_), subject, text.size(), start, PCRE2_NO_UTF_CHECK,
                                          resources->data, resources->context)
                        : pcre2_match(as_code(code_), subject, text.size(), start, PCRE2_NO_UTF_CHECK,
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
