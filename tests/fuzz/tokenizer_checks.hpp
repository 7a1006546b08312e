#pragma once
// What the tokenizer targets do with a tokenizer that loaded: encode a fixed text and the fuzzed one, decode the ids
// (whole and as a stream), and decode ids made from the input's bytes, in and out of the vocabulary. Properties
// beyond "no crash": encode gives ids inside the vocabulary, and a StreamDecoder's output equals decode() (its
// documented contract).
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/tokenizer/stream_decoder.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl::fuzz {

inline void check_decode(const Tokenizer& tokenizer, const std::vector<std::int64_t>& ids) {
  for (bool skip : {false, true}) {
    const std::string text = tokenizer.decode(ids, skip);
    StreamDecoder stream(tokenizer, skip);
    std::string streamed;
    for (std::int64_t id : ids) streamed += stream.push(id);
    streamed += stream.flush();
    check(streamed == text && stream.text() == text);
  }
}

inline void check_encode(const Tokenizer& tokenizer, const std::string& text) {
  expect_only_ttrl_errors([&] {  // InvalidUtf8Error for text that is not UTF-8
    const std::vector<std::int64_t> ids = tokenizer.encode(text);
    for (std::int64_t id : ids) check(id >= 0 && id < tokenizer.vocab_size());
    check_decode(tokenizer, ids);
  });
}

/// Ids from the bytes of `text`, two at a time, spread a little beyond both ends of the vocabulary.
inline std::vector<std::int64_t> ids_from_bytes(const std::string& text, std::int64_t vocab_size) {
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i + 1 < text.size() && ids.size() < 256; i += 2) {
    const auto raw = static_cast<std::int64_t>(static_cast<unsigned char>(text[i]) << 8 |
                                               static_cast<unsigned char>(text[i + 1]));
    ids.push_back(raw % (vocab_size + 8) - 4);
  }
  return ids;
}

inline void exercise_tokenizer(const Tokenizer& tokenizer, const std::string& text) {
  check(tokenizer.vocab_size() >= 0);
  check_encode(tokenizer, "Hello world! 1234 <|im_end|> <s> caf\xC3\xA9 \xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\x98\x80\n\n");
  check_encode(tokenizer, text);
  check_decode(tokenizer, ids_from_bytes(text, tokenizer.vocab_size()));
  (void)tokenizer.token_to_id(text);
  for (std::int64_t id : {std::int64_t{-1}, std::int64_t{0}, tokenizer.vocab_size() - 1, tokenizer.vocab_size()}) {
    (void)tokenizer.id_to_token(id);
    (void)tokenizer.is_special(id);
  }
}

}  // namespace ttrl::fuzz
