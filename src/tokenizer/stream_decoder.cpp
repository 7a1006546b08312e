#include "ttrl/tokenizer/stream_decoder.hpp"

#include "tokenizer/utf8.hpp"

namespace ttrl {

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool skip_special_tokens)
    : tokenizer_(&tokenizer), skip_special_tokens_(skip_special_tokens) {}

std::string StreamDecoder::push(int64_t id) {
  tokenizer_->append_token_bytes(id, state_, skip_special_tokens_, pending_);
  return emit(false);
}

std::string StreamDecoder::flush() { return emit(true); }

void StreamDecoder::reset() {
  state_ = Tokenizer::DecodeState{};
  pending_.clear();
  text_.clear();
}

std::string StreamDecoder::emit(bool final) {
  std::string out;
  const size_t consumed = utf8::append_lossy(pending_, tokenizer_->invalid_utf8_replacement(), final, out);
  pending_.erase(0, consumed);
  text_ += out;
  return out;
}

}  // namespace ttrl
