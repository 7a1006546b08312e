#pragma once
// Normalizers of Hugging Face tokenizer.json: NFC/NFD/NFKC/NFKD (utf8proc), Prepend, Replace, Sequence.
#include <memory>
#include <string>
#include <vector>

namespace ttrl {

class Regex;

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  /// Rewrites `text` (valid UTF-8) in place.
  virtual void normalize(std::string& text) const = 0;
};

enum class UnicodeForm { kNFC, kNFD, kNFKC, kNFKD };

/// Unicode normalisation as Hugging Face `tokenizers` does it. Its normaliser carries Unicode 9.0 data, so
/// combining marks assigned later are ordinary characters there; utf8proc knows them (Unicode 15), so the text
/// is normalised in segments around those marks to give the same result.
std::unique_ptr<Normalizer> make_unicode_normalizer(UnicodeForm form);
/// Prepends `prefix` to non-empty text.
std::unique_ptr<Normalizer> make_prepend_normalizer(std::string prefix);
/// Replaces every occurrence of `pattern` (a literal string, or a regex when `regex` is set) by `content`.
std::unique_ptr<Normalizer> make_replace_normalizer(const std::string& pattern, bool regex, std::string content);
std::unique_ptr<Normalizer> make_sequence_normalizer(std::vector<std::unique_ptr<Normalizer>> steps);

}  // namespace ttrl
