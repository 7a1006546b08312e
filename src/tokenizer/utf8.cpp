#include "tokenizer/utf8.hpp"

namespace ttrl::utf8 {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/// Number of bytes a character with lead byte `lead` has, or 0 for a byte that cannot start one.
size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

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

/// Length of the maximal prefix of a well-formed sequence at text[pos] (at least 1), and whether it is complete.
/// A prefix that is cut by the end of `text` is reported with truncated = true.
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

}  // namespace

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

void require_valid(std::string_view text, std::string_view what) {
  const size_t bad = first_invalid_offset(text);
  if (bad != text.size())
    throw InvalidUtf8Error(std::string(what) + " is not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
}

uint32_t decode_at(std::string_view text, size_t& pos) {
  const auto c0 = static_cast<unsigned char>(text[pos]);
  if (c0 < 0x80) {
    ++pos;
    return c0;
  }
  const size_t n = sequence_length(c0);
  uint32_t cp = c0 & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) cp = (cp << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
  pos += n;
  return cp;
}

void append_code_point(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

size_t append_lossy(std::string_view bytes, InvalidUtf8Replacement policy, bool final, std::string& out) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    // ASCII runs are the common case: copy them at once.
    size_t ascii_end = pos;
    while (ascii_end < bytes.size() && static_cast<unsigned char>(bytes[ascii_end]) < 0x80) ++ascii_end;
    if (ascii_end > pos) {
      out.append(bytes.data() + pos, ascii_end - pos);
      pos = ascii_end;
      continue;
    }
    bool complete = false, truncated = false;
    const size_t n = maximal_subpart(bytes, pos, complete, truncated);
    if (complete) {
      out.append(bytes.data() + pos, n);
      pos += n;
      continue;
    }
    if (truncated && !final) break;  // the next bytes may complete it
    out += kReplacementCharacter;
    pos += policy == InvalidUtf8Replacement::kPerByte ? 1 : n;
  }
  return pos;
}

}  // namespace ttrl::utf8
