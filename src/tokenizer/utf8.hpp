#pragma once
// UTF-8 helpers: validation, code point iteration, lossy conversion (as Rust's String::from_utf8_lossy or
// SentencePiece's decoder) and the longest prefix of a byte stream that can be emitted before more bytes arrive.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ttrl/core/utf8.hpp"  // validation; this header adds decoding and lossy conversion
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl::utf8 {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

/// Throws InvalidUtf8Error("<what> is not valid UTF-8 (byte offset N)") unless `text` is valid.
void require_valid(std::string_view text, std::string_view what);

/// Decodes the (well-formed) character at text[pos] and advances pos past it.
uint32_t decode_at(std::string_view text, size_t& pos);

/// Appends the UTF-8 encoding of code point `cp` to `out`.
void append_code_point(uint32_t cp, std::string& out);

/// Number of bytes of the UTF-8 encoding of `cp`.
inline size_t encoded_length(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

/// Consumes bytes from the front of `bytes`, appending valid characters to `out` and U+FFFD for invalid ones
/// (per `policy`). When `final` is false, a trailing incomplete-but-possibly-valid character is left
/// unconsumed. Returns the number of bytes consumed.
size_t append_lossy(std::string_view bytes, InvalidUtf8Replacement policy, bool final, std::string& out);

/// The whole of `bytes` as valid UTF-8.
inline std::string lossy(std::string_view bytes, InvalidUtf8Replacement policy) {
  std::string out;
  out.reserve(bytes.size());
  append_lossy(bytes, policy, true, out);
  return out;
}

}  // namespace ttrl::utf8
