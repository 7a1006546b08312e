#include "ttrl/core/utf8.hpp"

namespace ttrl::utf8 {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/// Allowed range of the second byte (Unicode Table 3-7): narrower after E0, ED, F0, F4 to exclude overlong
/// forms, surrogates and code points above U+10FFFF.
bool second_byte_ok(unsigned char lead, unsigned char second) {
  switch (lead) {
    case 0xE0: return second >= 0xA0 && second <= 0xBF;
    case 0xED: return second >= 0x80 && second <= 0x9F;
    case 0xF0: return second >= 0x90 && second <= 0xBF;
    case 0xF4: return second >= 0x80 && second <= 0x8F;
    default: return is_continuation(second);
  }
}

}  // namespace

size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

size_t maximal_subpart(std::string_view text, size_t pos, bool& complete, bool& truncated) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  const size_t need = sequence_length(lead);
  complete = false;
  truncated = false;
  if (need == 0) return 1;
  if (need == 1) {
    complete = true;
    return 1;
  }
  size_t have = 1;
  while (have < need) {
    if (pos + have >= text.size()) {
      truncated = true;
      return have;
    }
    const auto c = static_cast<unsigned char>(text[pos + have]);
    const bool ok = have == 1 ? second_byte_ok(lead, c) : is_continuation(c);
    if (!ok) return have;
    ++have;
  }
  complete = true;
  return have;
}

size_t valid_char_length(std::string_view text, size_t pos) {
  bool complete = false, truncated = false;
  const size_t n = maximal_subpart(text, pos, complete, truncated);
  return complete ? n : 0;
}

size_t first_invalid_offset(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const size_t n = valid_char_length(text, pos);
    if (n == 0) return pos;
    pos += n;
  }
  return text.size();
}

}  // namespace ttrl::utf8
