#pragma once
// Regular expressions of Hugging Face pre-tokenizers, run with PCRE2 (UTF + UCP, JIT-compiled). Hugging Face
// runs them with Oniguruma; the places where the two differ are rewritten at compile time so that both match the
// same text (see oniguruma_compatible() in regex.cpp). That includes the Unicode versions: PCRE2 10.42 has
// Unicode 14 tables, the Oniguruma inside `tokenizers` 0.23 Unicode 16, so general-category properties get the
// code points whose category changed in between from unicode_delta.inc (docs/tokenizers.md).
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

  /// A compiled pattern (pcre2_code_8*) and whether it was JIT-compiled.
  struct Code {
    void* code = nullptr;
    bool jit = false;
  };

  std::string pattern_;
  Code exact_;  // Oniguruma's meaning with Unicode 16 categories
  Code plain_;  // the same with PCRE2's Unicode 14 categories, for text without changed code points; or none
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<MatchResources>> pool_;  // match data reused across calls
};

/// The pattern rewritten so that PCRE2 gives it Oniguruma's meaning (exposed for tests): \s \S \w \W \h \H \d
/// \D \b \B, bare \p and \P (letters), and general-category properties \p{..} \P{..} \p{^..} with Unicode 16's
/// categories, inside and outside classes. `unicode16` false keeps PCRE2's Unicode 14 categories: the same
/// pattern for text without the code points of unicode_delta.inc.
std::string oniguruma_compatible(const std::string& pattern, bool unicode16 = true);

}  // namespace ttrl
