#pragma once
// A Hugging Face tokenizer pipeline with a BPE model: added tokens are cut out of the raw text, the rest is
// normalised, cut again on normalised added tokens, pre-tokenized into pieces, and each piece is encoded by the
// BPE model. Decoding writes each id's bytes as the ByteLevel decoder does.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer/added_tokens.hpp"
#include "tokenizer/bpe_model.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/pretokenizer.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl {

struct HfTokenizerParts {
  std::vector<AddedToken> added_tokens;
  std::unique_ptr<Normalizer> normalizer;      // may be null
  std::unique_ptr<PreTokenizer> pre_tokenizer;  // may be null
  std::unique_ptr<BpeModel> model;
  /// The id a TemplateProcessing post-processor puts first (BOS), if any.
  std::optional<int64_t> post_processor_bos;
};

class HfTokenizer : public Tokenizer {
 public:
  explicit HfTokenizer(HfTokenizerParts parts);

  std::vector<int64_t> encode(std::string_view text) const override;
  int64_t vocab_size() const override { return static_cast<int64_t>(id_bytes_.size()); }
  std::optional<int64_t> token_to_id(std::string_view token) const override;
  std::string id_to_token(int64_t id) const override;
  bool is_special(int64_t id) const override;
  std::string kind() const override { return "bpe"; }
  std::optional<int64_t> post_processor_bos() const { return post_processor_bos_; }
  void append_token_bytes(int64_t id, DecodeState& state, bool skip_special_tokens,
                          std::string& out) const override;

 private:
  void encode_normalized_segment(std::string_view text, std::vector<int64_t>& ids) const;
  void encode_pieces(std::string_view text, std::vector<int64_t>& ids) const;

  std::vector<AddedToken> added_tokens_;
  std::unordered_map<std::string, int64_t> added_ids_;  // content -> id
  AddedTokenMatcher raw_matcher_;                       // tokens with normalized == false
  AddedTokenMatcher normalized_matcher_;                // tokens with normalized == true (content normalised)
  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<BpeModel> model_;
  std::vector<std::string> id_bytes_;  // what each id decodes to (ByteLevel decoder rule)
  std::vector<char> id_special_;
  std::optional<int64_t> post_processor_bos_;
};

}  // namespace ttrl
