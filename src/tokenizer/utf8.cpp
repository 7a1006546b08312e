#include "tokenizer/utf8.hpp"

namespace ttrl::utf8 {
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
