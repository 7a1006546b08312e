#include "tokenizer/hf_tokenizer.hpp"

#include "tokenizer/byte_level.hpp"
#include "tokenizer/utf8.hpp"

namespace ttrl {
namespace {

/// Hugging Face's ByteLevel decoder: a token whose characters are all in the byte alphabet stands for those
/// bytes; any other token (e.g. an added token such as "<｜User｜>") stands for its own UTF-8 text.
std::string byte_level_token_bytes(const std::string& token) {
  std::string raw;
  if (byte_level::decode(token, raw)) return raw;
  return token;
}

}  // namespace

HfTokenizer::HfTokenizer(HfTokenizerParts parts)
    : added_tokens_(std::move(parts.added_tokens)),
      normalizer_(std::move(parts.normalizer)),
      pre_tokenizer_(std::move(parts.pre_tokenizer)),
      model_(std::move(parts.model)),
      post_processor_bos_(parts.post_processor_bos) {
  std::vector<AddedToken> raw_tokens, normalized_tokens;
  std::vector<std::string> raw_patterns, normalized_patterns;
  int64_t size = model_->size();
  for (const AddedToken& token : added_tokens_) {
    size = std::max(size, token.id + 1);
    added_ids_.emplace(token.content, token.id);
    if (token.normalized) {
      std::string pattern = token.content;
      if (normalizer_) normalizer_->normalize(pattern);
      normalized_tokens.push_back(token);
      normalized_patterns.push_back(std::move(pattern));
    } else {
      raw_tokens.push_back(token);
      raw_patterns.push_back(token.content);
    }
  }
  raw_matcher_ = AddedTokenMatcher(std::move(raw_tokens), raw_patterns);
  normalized_matcher_ = AddedTokenMatcher(std::move(normalized_tokens), normalized_patterns);

  id_bytes_.resize(static_cast<size_t>(size));
  id_special_.assign(static_cast<size_t>(size), 0);
  for (int64_t id = 0; id < model_->size(); ++id)
    id_bytes_[static_cast<size_t>(id)] = byte_level_token_bytes(model_->id_to_token(id));
  for (const AddedToken& token : added_tokens_) {
    id_bytes_[static_cast<size_t>(token.id)] = byte_level_token_bytes(token.content);
    id_special_[static_cast<size_t>(token.id)] = token.special;
  }
}

std::vector<int64_t> HfTokenizer::encode(std::string_view text) const {
  utf8::require_valid(text, "text to encode");
  std::vector<int64_t> ids;
  ids.reserve(text.size() / 3 + 4);
  std::vector<TextSegment> segments;
  raw_matcher_.split(text, segments);
  for (const TextSegment& segment : segments) {
    if (segment.token >= 0) {
      ids.push_back(raw_matcher_.token(segment.token).id);
      continue;
    }
    const std::string_view part = text.substr(segment.span.begin, segment.span.end - segment.span.begin);
    if (part.empty()) continue;
    if (!normalizer_) {
      encode_normalized_segment(part, ids);
      continue;
    }
    std::string normalized(part);
    normalizer_->normalize(normalized);
    encode_normalized_segment(normalized, ids);
  }
  return ids;
}

void HfTokenizer::encode_normalized_segment(std::string_view text, std::vector<int64_t>& ids) const {
  if (normalized_matcher_.empty()) {
    encode_pieces(text, ids);
    return;
  }
  std::vector<TextSegment> segments;
  normalized_matcher_.split(text, segments);
  for (const TextSegment& segment : segments) {
    if (segment.token >= 0) ids.push_back(normalized_matcher_.token(segment.token).id);
    else encode_pieces(text.substr(segment.span.begin, segment.span.end - segment.span.begin), ids);
  }
}

void HfTokenizer::encode_pieces(std::string_view text, std::vector<int64_t>& ids) const {
  if (text.empty()) return;
  if (!pre_tokenizer_) {
    model_->tokenize(text, ids);
    return;
  }
  Pieces pieces;
  pieces.views.push_back(text);
  pre_tokenizer_->split(pieces);
  for (std::string_view piece : pieces.views) model_->tokenize(piece, ids);
}

std::optional<int64_t> HfTokenizer::token_to_id(std::string_view token) const {
  const auto it = added_ids_.find(std::string(token));
  if (it != added_ids_.end()) return it->second;
  return model_->token_to_id(token);
}

std::string HfTokenizer::id_to_token(int64_t id) const {
  for (const AddedToken& token : added_tokens_)
    if (token.id == id) return token.content;
  return model_->id_to_token(id);
}

bool HfTokenizer::is_special(int64_t id) const {
  return id >= 0 && id < vocab_size() && id_special_[static_cast<size_t>(id)];
}

void HfTokenizer::append_token_bytes(int64_t id, DecodeState& state, bool skip_special_tokens,
                                     std::string& out) const {
  if (id < 0 || id >= vocab_size()) return;  // unknown ids are skipped, as Hugging Face does
  if (skip_special_tokens && id_special_[static_cast<size_t>(id)]) return;
  out += id_bytes_[static_cast<size_t>(id)];
  state.at_start = false;
}

}  // namespace ttrl
