#pragma once
// The built-in byte tokenizer ("byte"): no files, for tiny models in tests and the demo.
//   ids 0..255   the byte of the same value
//   256 <|bos|>  beginning of sequence
//   257 <|eos|>  end of sequence
//   258 <|pad|>  padding
//   259 <|eot|>  end of turn (also ends a generation)
// vocab_size() is 260. Special tokens written in the text are recognised; everything else is its UTF-8 bytes.
#include <cstdint>
#include <memory>

#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl {

struct ByteTokenizerIds {
  static constexpr int64_t kBos = 256;
  static constexpr int64_t kEos = 257;
  static constexpr int64_t kPad = 258;
  static constexpr int64_t kEndOfTurn = 259;
  static constexpr int64_t kVocabSize = 260;
};

std::unique_ptr<Tokenizer> make_byte_tokenizer();

}  // namespace ttrl
