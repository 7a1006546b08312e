#pragma once
// Added tokens (special and not) found in text before the model sees it, as Hugging Face's AddedVocabulary does:
// leftmost-longest, non-overlapping matches; single_word rejects a match touching a word character; lstrip/rstrip
// extend a match over the white space beside it. Tokens with normalized=false are matched in the raw text, the
// others in the normalised text.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/regex.hpp"

namespace ttrl {

struct AddedToken {
  int64_t id = 0;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
  bool special = false;
};

class JsonCursor;
/// content, single_word, lstrip, rstrip, special and normalized (default: not special) of an added-token object, as
/// tokenizer.json's added_tokens and tokenizer_config.json's added_tokens_decoder write them.
void read_added_token_fields(const JsonCursor& item, AddedToken& token);

/// A part of a text: either plain text or one added token (then `token` is its index in the matcher's list).
struct TextSegment {
  Span span;
  int token = -1;
};

class AddedTokenMatcher {
 public:
  AddedTokenMatcher() = default;
  /// `patterns[i]` is what token i looks like in the text it is matched in (its content, normalised or not).
  AddedTokenMatcher(std::vector<AddedToken> tokens, const std::vector<std::string>& patterns);

  bool empty() const { return tokens_.empty(); }
  const AddedToken& token(int index) const { return tokens_[static_cast<size_t>(index)]; }

  /// Cuts `text` into plain-text segments and added tokens, covering it in order. Empty text gives one empty
  /// plain segment.
  void split(std::string_view text, std::vector<TextSegment>& out) const;

 private:
  struct Node {
    std::vector<std::pair<unsigned char, int32_t>> children;
    int token = -1;  // index of the token ending here
  };
  /// Longest pattern starting at text[pos]: (end, token), or token -1.
  std::pair<size_t, int> longest_at(std::string_view text, size_t pos) const;

  std::vector<AddedToken> tokens_;
  std::vector<Node> trie_;
  bool first_bytes_[256] = {};
};

}  // namespace ttrl
