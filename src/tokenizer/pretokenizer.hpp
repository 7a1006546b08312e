#pragma once
// Pre-tokenizers of Hugging Face tokenizer.json: they cut normalised text into pieces that the model encodes
// one by one. Supported: Split (regex or literal; every behaviour; invert), ByteLevel (add_prefix_space,
// use_regex), Digits, Sequence. ByteLevel's byte-to-character mapping itself is left to the BPE model, which
// works on raw bytes (see bpe_model.hpp).
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/regex.hpp"

namespace ttrl {

/// The pieces of one text; views into the text or into `arena` (pieces a pre-tokenizer had to build).
struct Pieces {
  std::vector<std::string_view> views;
  std::deque<std::string> arena;

  std::string_view own(std::string text) {
    arena.push_back(std::move(text));
    return arena.back();
  }
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  /// Replaces every piece by its sub-pieces (empty ones dropped).
  virtual void split(Pieces& pieces) const = 0;
};

/// What Split does with the matches of its pattern (names as in tokenizer.json).
enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

/// Parses "Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"; false when unknown.
bool parse_split_behavior(const std::string& name, SplitBehavior& behavior);

/// Cuts `text` at the matches of `regex` and groups the parts by `behavior` (Hugging Face's
/// NormalizedString::split). Appends the resulting non-empty spans to `out`.
void split_by_regex(const Regex& regex, std::string_view text, SplitBehavior behavior, bool invert,
                    std::vector<Span>& scratch, std::vector<Span>& out);

std::unique_ptr<PreTokenizer> make_split_pretokenizer(const std::string& pattern, bool is_regex,
                                                      SplitBehavior behavior, bool invert);
/// ByteLevel's splitting part: optional leading space, optional GPT-2 regex split.
std::unique_ptr<PreTokenizer> make_byte_level_pretokenizer(bool add_prefix_space, bool use_regex);
/// Digits: every digit alone (individual_digits) or runs of digits, as separate pieces.
std::unique_ptr<PreTokenizer> make_digits_pretokenizer(bool individual_digits);
std::unique_ptr<PreTokenizer> make_sequence_pretokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps);

/// GPT-2's pre-tokenizer regex, used by ByteLevel when use_regex is true.
extern const char* const kGpt2Pattern;

}  // namespace ttrl
