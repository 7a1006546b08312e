#include "ttrl/tokenizer/tokenizer.hpp"

#include "tokenizer/utf8.hpp"

namespace ttrl {

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
  DecodeState state;
  std::string bytes;
  for (int64_t id : ids) append_token_bytes(id, state, skip_special_tokens, bytes);
  return utf8::lossy(bytes, invalid_utf8_replacement());
}

}  // namespace ttrl
