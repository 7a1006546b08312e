#pragma once
// UTF-8 well-formedness (Unicode Table 3-7): the one validator of every module (configs, JSONL readers, tokenizers).
#include <cstddef>
#include <string_view>

namespace ttrl::utf8 {

/// Number of bytes a character with lead byte `lead` has, or 0 for a byte that cannot start one.
size_t sequence_length(unsigned char lead);

/// Length of the maximal prefix of a well-formed sequence at text[pos] (at least 1), and whether it is complete.
/// A prefix that is cut by the end of `text` is reported with truncated = true.
size_t maximal_subpart(std::string_view text, size_t pos, bool& complete, bool& truncated);

/// Length of the well-formed UTF-8 character starting at text[pos], or 0 when the bytes there are not one
/// (invalid lead byte, bad continuation, overlong form, surrogate, above U+10FFFF or truncated).
size_t valid_char_length(std::string_view text, size_t pos);

/// Offset of the first byte that does not start a well-formed character, or text.size() when all is valid.
size_t first_invalid_offset(std::string_view text);

inline bool is_valid(std::string_view text) { return first_invalid_offset(text) == text.size(); }

}  // namespace ttrl::utf8
