#include "tokenizer/byte_level.hpp"

#include "tokenizer/utf8.hpp"

namespace ttrl::byte_level {
namespace {

struct Tables {
  std::array<uint32_t, 256> byte_to_cp{};
  std::array<int16_t, 324> cp_to_byte{};  // every byte-level code point is below 256 + 68
};

/// GPT-2's bytes_to_unicode(): bytes in "!".."~", "¡".."¬", "®".."ÿ" keep their code point; the remaining 68
/// bytes get 256, 257, ... in increasing byte order.
Tables build_tables() {
  Tables t;
  t.cp_to_byte.fill(-1);
  auto keeps_code_point = [](int b) {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  };
  uint32_t next_extra = 256;
  for (int b = 0; b < 256; ++b) {
    const uint32_t cp = keeps_code_point(b) ? static_cast<uint32_t>(b) : next_extra++;
    t.byte_to_cp[b] = cp;
    t.cp_to_byte[cp] = static_cast<int16_t>(b);
  }
  return t;
}

const Tables& tables() {
  static const Tables t = build_tables();  // immutable after construction
  return t;
}

}  // namespace

uint32_t code_point_of_byte(unsigned char b) { return tables().byte_to_cp[b]; }

std::string encode(std::string_view bytes) {
  const Tables& t = tables();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) utf8::append_code_point(t.byte_to_cp[b], out);
  return out;
}

bool decode(std::string_view text, std::string& out) {
  const Tables& t = tables();
  size_t pos = 0;
  while (pos < text.size()) {
    if (utf8::valid_char_length(text, pos) == 0) return false;
    const uint32_t cp = utf8::decode_at(text, pos);
    if (cp >= t.cp_to_byte.size() || t.cp_to_byte[cp] < 0) return false;
    out += static_cast<char>(t.cp_to_byte[cp]);
  }
  return true;
}

}  // namespace ttrl::byte_level
