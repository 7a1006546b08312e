#pragma once
// Regular expressions of Hugging Face pre-tokenizers, run with PCRE2 (UTF + UCP, JIT-compiled). Hugging Face
// runs them with Oniguruma; the few places where the two differ are rewritten at compile time so that both
// match the same text (see oniguruma_compatible() in regex.cpp). PCRE2 10.42 knows Unicode 14 while the
// Oniguruma inside `tokenizers` 0.23 knows Unicode 16: characters assigned after Unicode 14 may be classified
// differently (docs/tokenizers.md).
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ttrl {

/// A byte range [begin, end) of a string.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

class Regex {
 public:
  /// Compiles `pattern`; `literal` matches it as plain text. Throws std::invalid_argument with PCRE2's message.
  explicit Regex(const std::string& pattern, bool literal = false);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  /// Every match in `text` (valid UTF-8), left to right, as Oniguruma's find_iter reports them: an empty
  /// match right where the previous match ended is skipped. Safe to call from several threads.
  void find_all(std::string_view text, std::vector<Span>& matches) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct MatchResources;
  std::unique_ptr<MatchResources> acquire() const;
  void release(std::unique_ptr<MatchResources> resources) const;

  std::string pattern_;
  void* code_ = nullptr;  // pcre2_code_8*
  bool jit_ = false;
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<MatchResources>> pool_;  // match data reused across calls
};

/// The pattern rewritten so that PCRE2 gives Oniguruma's meaning to \s \S \w \W \h \H (exposed for tests).
std::string oniguruma_compatible(const std::string& pattern);

}  // namespace ttrl
