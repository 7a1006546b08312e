#pragma once
// Incremental decoding for sampling: ids arrive one at a time and only complete UTF-8 characters come out, so
// stop strings can be searched in the text as it grows. The concatenation of everything push() and flush()
// return equals tokenizer.decode(all ids pushed).
#include <cstdint>
#include <string>

#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl {

class StreamDecoder {
 public:
  /// `tokenizer` must outlive the decoder.
  explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special_tokens = false);

  /// Adds one id; returns the text it completes (possibly empty while a character is still incomplete).
  std::string push(int64_t id);
  /// Ends the stream: bytes of an incomplete character become U+FFFD. Returns that text.
  std::string flush();
  /// All text returned so far.
  const std::string& text() const { return text_; }
  /// Whether bytes are waiting for the rest of their character.
  bool has_pending_bytes() const { return !pending_.empty(); }
  void reset();

 private:
  std::string emit(bool final);

  const Tokenizer* tokenizer_;
  bool skip_special_tokens_;
  Tokenizer::DecodeState state_;
  std::string pending_;  // bytes not yet returned
  std::string text_;
};

}  // namespace ttrl
