#include "ttrl/tokenizer/byte_tokenizer.hpp"

#include <array>

#include "tokenizer/added_tokens.hpp"
#include "tokenizer/utf8.hpp"

namespace ttrl {
namespace {

constexpr std::array<const char*, 4> kSpecialTexts = {"<|bos|>", "<|eos|>", "<|pad|>", "<|eot|>"};

class ByteTokenizer : public Tokenizer {
 public:
  ByteTokenizer() {
    std::vector<AddedToken> tokens;
    std::vector<std::string> patterns;
    for (size_t i = 0; i < kSpecialTexts.size(); ++i) {
      tokens.push_back(AddedToken{ByteTokenizerIds::kBos + static_cast<int64_t>(i), kSpecialTexts[i], false, false,
                                  false, false, true});
      patterns.emplace_back(kSpecialTexts[i]);
    }
    specials_ = AddedTokenMatcher(std::move(tokens), patterns);
    SpecialTokens special;
    special.bos = ByteTokenizerIds::kBos;
    special.eos = ByteTokenizerIds::kEos;
    special.pad = ByteTokenizerIds::kPad;
    special.eos_ids = {ByteTokenizerIds::kEos, ByteTokenizerIds::kEndOfTurn};
    set_special_tokens(std::move(special));
  }

  std::vector<int64_t> encode(std::string_view text) const override {
    utf8::require_valid(text, "text to encode");
    std::vector<TextSegment> segments;
    specials_.split(text, segments);
    std::vector<int64_t> ids;
    ids.reserve(text.size());
    for (const TextSegment& segment : segments) {
      if (segment.token >= 0) {
        ids.push_back(specials_.token(segment.token).id);
        continue;
      }
      for (size_t i = segment.span.begin; i < segment.span.end; ++i) ids.push_back(static_cast<unsigned char>(text[i]));
    }
    return ids;
  }

  int64_t vocab_size() const override { return ByteTokenizerIds::kVocabSize; }

  std::optional<int64_t> token_to_id(std::string_view token) const override {
    for (size_t i = 0; i < kSpecialTexts.size(); ++i)
      if (token == kSpecialTexts[i]) return ByteTokenizerIds::kBos + static_cast<int64_t>(i);
    if (token.size() == 1) return static_cast<unsigned char>(token[0]);
    return std::nullopt;
  }
  std::string id_to_token(int64_t id) const override {
    if (id >= 0 && id < 256) return std::string(1, static_cast<char>(id));
    if (is_special(id)) return kSpecialTexts[static_cast<size_t>(id - ByteTokenizerIds::kBos)];
    return "";
  }
  bool is_special(int64_t id) const override { return id >= ByteTokenizerIds::kBos && id < ByteTokenizerIds::kVocabSize; }
  std::string kind() const override { return "byte"; }

  void append_token_bytes(int64_t id, DecodeState& state, bool skip_special_tokens,
                          std::string& out) const override {
    if (id >= 0 && id < 256) out += static_cast<char>(id);
    else if (is_special(id) && !skip_special_tokens) out += kSpecialTexts[static_cast<size_t>(id - ByteTokenizerIds::kBos)];
    state.at_start = false;
  }

 private:
  AddedTokenMatcher specials_;
};

}  // namespace

std::unique_ptr<Tokenizer> make_byte_tokenizer() { return std::make_unique<ByteTokenizer>(); }

}  // namespace ttrl
