#include "tokenizer/normalizer.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <utility>
#include <cstdlib>
#include <stdexcept>

#include "tokenizer/regex.hpp"
#include "tokenizer/utf8.hpp"

namespace ttrl {
namespace {

// Code points that take part in canonical reordering, decomposition or composition in Unicode 10.0-16.0 but are
// unassigned in the Unicode 9.0 data of Hugging Face's normaliser (crate unicode-normalization-alignments), which
// therefore leaves them where they are. Found by comparing `tokenizers` 0.23's NFC/NFD with Unicode 16 (PyPI
// unicodedata2 16.0.0) and with utf8proc 2.8 (Unicode 15) on probes for every code point (mark reordering both
// ways, decomposition and recomposition), plus the starters of the compositions added since (whose result Hugging
// Face does not know), so that the list also holds for utf8proc releases up to Unicode 16. Sorted.
constexpr std::array<uint32_t, 159> kMarksUnknownToHuggingFace = {
    0x7FD,   0x897,   0x898,   0x899,   0x89A,   0x89B,   0x89C,   0x89D,   0x89E,   0x89F,   0x8CA,   0x8CB,
    0x8CC,   0x8CD,   0x8CE,   0x8CF,   0x8D0,   0x8D1,   0x8D2,   0x8D3,   0x9FE,   0xC3C,   0xD3B,   0xD3C,
    0xEBA,   0x1715,  0x1ABF,  0x1AC0,  0x1AC1,  0x1AC2,  0x1AC3,  0x1AC4,  0x1AC5,  0x1AC6,  0x1AC7,  0x1AC8,
    0x1AC9,  0x1ACA,  0x1ACB,  0x1ACC,  0x1ACD,  0x1ACE,  0x1DF6,  0x1DF7,  0x1DF8,  0x1DF9,  0x1DFA,  0xA82C,
    0x105C9, 0x105D2, 0x105DA, 0x105E4, 0x10D24, 0x10D25, 0x10D26, 0x10D27, 0x10D69, 0x10D6A, 0x10D6B, 0x10D6C,
    0x10D6D, 0x10EAB, 0x10EAC, 0x10EFD, 0x10EFE, 0x10EFF, 0x10F46, 0x10F47, 0x10F48, 0x10F49, 0x10F4A, 0x10F4B,
    0x10F4C, 0x10F4D, 0x10F4E, 0x10F4F, 0x10F50, 0x10F82, 0x10F83, 0x10F84, 0x10F85, 0x11070, 0x1133B, 0x11382,
    0x11383, 0x11384, 0x11385, 0x1138B, 0x1138E, 0x11390, 0x11391, 0x113B8, 0x113BB, 0x113C2, 0x113C5, 0x113C7,
    0x113C8, 0x113C9, 0x113CE, 0x113CF, 0x113D0, 0x1145E, 0x11839, 0x1183A, 0x11930, 0x11935, 0x11938, 0x1193D,
    0x1193E, 0x11943, 0x119E0, 0x11A34, 0x11A47, 0x11A99, 0x11D42, 0x11D44, 0x11D45, 0x11D97, 0x11F41, 0x11F42,
    0x1611E, 0x1611F, 0x16120, 0x16121, 0x16122, 0x16123, 0x16124, 0x16125, 0x16126, 0x16127, 0x16128, 0x16129,
    0x1612F, 0x16D63, 0x16D67, 0x16D68, 0x16D69, 0x16D6A, 0x16FF0, 0x16FF1, 0x1E08F, 0x1E130, 0x1E131, 0x1E132,
    0x1E133, 0x1E134, 0x1E135, 0x1E136, 0x1E2AE, 0x1E2EC, 0x1E2ED, 0x1E2EE, 0x1E2EF, 0x1E4EC, 0x1E4ED, 0x1E4EE,
    0x1E4EF, 0x1E5EE, 0x1E5EF};

// Characters with a compatibility decomposition in Unicode 10.0-16.0 that Hugging Face's Unicode 9.0 data leaves
// alone under NFKC/NFKD (found the same way). Inclusive ranges, sorted.
constexpr std::array<std::pair<uint32_t, uint32_t>, 10> kCompatibilityUnknownToHuggingFace = {{
    {0x32FF, 0x32FF}, {0xA7F2, 0xA7F4}, {0xAB69, 0xAB69}, {0x10781, 0x10785}, {0x10787, 0x107B0},
    {0x107B2, 0x107BA}, {0x1CCD6, 0x1CCF9}, {0x1E030, 0x1E06D}, {0x1F16C, 0x1F16C}, {0x1FBF0, 0x1FBF9}}};

bool unknown_to_hugging_face(uint32_t cp, bool compatibility) {
  if (std::binary_search(kMarksUnknownToHuggingFace.begin(), kMarksUnknownToHuggingFace.end(), cp)) return true;
  if (!compatibility) return false;
  for (const auto& [first, last] : kCompatibilityUnknownToHuggingFace)
    if (cp >= first && cp <= last) return true;
  return false;
}

/// NFC leaves text below U+0300 unchanged: it holds no combining mark and no character that NFC rewrites (the
/// first is U+0340). The other forms rewrite Latin-1 letters or compatibility characters, so only ASCII is safe.
bool below_u0300(const std::string& text) {
  // UTF-8 lead bytes C2..CB encode U+0080..U+02FF.
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0xCC; });
}

bool is_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(UnicodeForm form) : form_(form) {}

  void normalize(std::string& text) const override {
    if (form_ == UnicodeForm::kNFC ? below_u0300(text) : is_ascii(text)) return;
    const bool compatibility = form_ == UnicodeForm::kNFKC || form_ == UnicodeForm::kNFKD;
    std::string out;
    out.reserve(text.size());
    size_t segment_start = 0;
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t char_start = pos;
      const uint32_t cp = utf8::decode_at(text, pos);
      if (!unknown_to_hugging_face(cp, compatibility)) continue;
      append_normalized(text.substr(segment_start, char_start - segment_start), out);
      out.append(text, char_start, pos - char_start);
      segment_start = pos;
    }
    append_normalized(text.substr(segment_start), out);
    text = std::move(out);
  }

 private:
  void append_normalized(const std::string& segment, std::string& out) const {
    if (segment.empty()) return;
    int options = UTF8PROC_STABLE;
    switch (form_) {
      case UnicodeForm::kNFC: options |= UTF8PROC_COMPOSE; break;
      case UnicodeForm::kNFD: options |= UTF8PROC_DECOMPOSE; break;
      case UnicodeForm::kNFKC: options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT; break;
      case UnicodeForm::kNFKD: options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT; break;
    }
    utf8proc_uint8_t* result = nullptr;
    const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(segment.data()),
                                            static_cast<utf8proc_ssize_t>(segment.size()), &result,
                                            static_cast<utf8proc_option_t>(options));
    if (n < 0) throw std::runtime_error(std::string("Unicode normalisation failed: ") + utf8proc_errmsg(n));
    out.append(reinterpret_cast<const char*>(result), static_cast<size_t>(n));
    std::free(result);
  }

  UnicodeForm form_;
};

class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prefix) : prefix_(std::move(prefix)) {}
  void normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(const std::string& pattern, bool regex, std::string content)
      : regex_(std::make_unique<Regex>(pattern, !regex)), content_(std::move(content)) {}
  void normalize(std::string& text) const override {
    std::vector<Span> matches;
    regex_->find_all(text, matches);
    if (matches.empty()) return;
    std::string out;
    size_t previous = 0;
    for (const Span& m : matches) {
      out.append(text, previous, m.begin - previous);
      out += content_;
      previous = m.end;
    }
    out.append(text, previous, std::string::npos);
    text = std::move(out);
  }

 private:
  std::unique_ptr<Regex> regex_;
  std::string content_;
};

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> steps) : steps_(std::move(steps)) {}
  void normalize(std::string& text) const override {
    for (const auto& step : steps_) step->normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> steps_;
};

}  // namespace

std::unique_ptr<Normalizer> make_unicode_normalizer(UnicodeForm form) {
  return std::make_unique<UnicodeNormalizer>(form);
}
std::unique_ptr<Normalizer> make_prepend_normalizer(std::string prefix) {
  return std::make_unique<PrependNormalizer>(std::move(prefix));
}
std::unique_ptr<Normalizer> make_replace_normalizer(const std::string& pattern, bool regex, std::string content) {
  return std::make_unique<ReplaceNormalizer>(pattern, regex, std::move(content));
}
std::unique_ptr<Normalizer> make_sequence_normalizer(std::vector<std::unique_ptr<Normalizer>> steps) {
  return std::make_unique<SequenceNormalizer>(std::move(steps));
}

}  // namespace ttrl
