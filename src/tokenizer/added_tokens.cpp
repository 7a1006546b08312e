#include "tokenizer/added_tokens.hpp"

#include "ttrl/core/json_cursor.hpp"
#include "tokenizer/unicode_delta.hpp"
#include "tokenizer/utf8.hpp"

namespace ttrl {

void read_added_token_fields(const JsonCursor& item, AddedToken& token) {
  token.content = item.at("content").as_string();
  token.single_word = item.bool_or("single_word", false);
  token.lstrip = item.bool_or("lstrip", false);
  token.rstrip = item.bool_or("rstrip", false);
  token.special = item.bool_or("special", false);
  token.normalized = item.bool_or("normalized", !token.special);
}

namespace {

/// Unicode White_Space (Rust's \s, used by lstrip/rstrip).
bool is_white_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

/// Rust regex's \w (Unicode 16 in `tokenizers` 0.23): alphabetic, marks, decimal digits, connector punctuation,
/// joiners.
bool is_word_character(uint32_t cp) {
  using namespace unicode;
  switch (category_unicode16(cp)) {
    case kLu: case kLl: case kLt: case kLm: case kLo: case kNl: case kMn: case kMc: case kMe: case kNd: case kPc:
      return true;
    default:
      // Other_Alphabetic symbols (circled and squared letters) and the zero-width joiners.
      return cp == 0x200C || cp == 0x200D || (cp >= 0x24B6 && cp <= 0x24E9) || (cp >= 0x1F130 && cp <= 0x1F149) ||
             (cp >= 0x1F150 && cp <= 0x1F169) || (cp >= 0x1F170 && cp <= 0x1F189);
  }
}

/// The code point that ends just before `end`.
uint32_t code_point_before(std::string_view text, size_t end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  return utf8::decode_at(text, start);
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens, const std::vector<std::string>& patterns)
    : tokens_(std::move(tokens)) {
  trie_.emplace_back();
  for (size_t t = 0; t < tokens_.size(); ++t) {
    const std::string& pattern = patterns[t];
    if (pattern.empty()) continue;
    first_bytes_[static_cast<unsigned char>(pattern[0])] = true;
    int32_t node = 0;
    for (unsigned char b : pattern) {
      int32_t child = -1;
      for (const auto& [byte, index] : trie_[node].children)
        if (byte == b) child = index;
      if (child < 0) {
        child = static_cast<int32_t>(trie_.size());
        trie_[node].children.emplace_back(b, child);
        trie_.emplace_back();
      }
      node = child;
    }
    if (trie_[node].token < 0) trie_[node].token = static_cast<int>(t);  // the first of equal patterns wins
  }
}

std::pair<size_t, int> AddedTokenMatcher::longest_at(std::string_view text, size_t pos) const {
  std::pair<size_t, int> best{pos, -1};
  int32_t node = 0;
  for (size_t q = pos; q < text.size(); ++q) {
    const auto b = static_cast<unsigned char>(text[q]);
    int32_t child = -1;
    for (const auto& [byte, index] : trie_[node].children)
      if (byte == b) child = index;
    if (child < 0) break;
    node = child;
    if (trie_[node].token >= 0) best = {q + 1, trie_[node].token};
  }
  return best;
}

void AddedTokenMatcher::split(std::string_view text, std::vector<TextSegment>& out) const {
  if (text.empty()) {
    out.push_back({{0, 0}, -1});
    return;
  }
  size_t start_offset = 0;  // end of the last segment emitted
  size_t pos = 0;
  while (pos < text.size()) {
    if (!first_bytes_[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    const auto [match_end, index] = longest_at(text, pos);
    if (index < 0) {
      ++pos;
      continue;
    }
    size_t start = pos;
    size_t stop = match_end;
    pos = match_end;  // matches never overlap, even when this one is rejected below
    const AddedToken& token = tokens_[static_cast<size_t>(index)];
    if (token.single_word) {
      const bool word_before = start > 0 && is_word_character(code_point_before(text, start));
      size_t after = stop;
      const bool word_after = stop < text.size() && is_word_character(utf8::decode_at(text, after));
      if (word_before || word_after) continue;
    }
    if (token.lstrip) {
      size_t new_start = start;
      while (new_start > 0 && is_white_space(code_point_before(text, new_start))) {
        size_t p = new_start - 1;
        while ((static_cast<unsigned char>(text[p]) & 0xC0) == 0x80) --p;
        new_start = p;
      }
      start = std::max(new_start, start_offset);  // never take back what an earlier match took
    }
    if (token.rstrip) {
      size_t p = stop;
      while (p < text.size()) {
        size_t q = p;
        if (!is_white_space(utf8::decode_at(text, q))) break;
        p = q;
      }
      stop = p;  // the search for the next token still resumes at match_end, as Hugging Face's does
    }
    if (start_offset < start) out.push_back({{start_offset, start}, -1});
    out.push_back({{start, stop}, index});
    start_offset = stop;
  }
  if (start_offset != text.size()) out.push_back({{start_offset, text.size()}, -1});
}

}  // namespace ttrl
