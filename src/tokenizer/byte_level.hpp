#pragma once
// GPT-2's byte-level alphabet: each of the 256 byte values is written as one printable Unicode character
// (printable Latin-1 bytes as themselves, the others as U+0100 + n in byte order), so that a vocabulary of byte
// strings can be stored as text. "Ġ" (U+0120) is the space byte, "Ċ" (U+010A) the newline.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ttrl::byte_level {

/// The code point that stands for byte `b`.
uint32_t code_point_of_byte(unsigned char b);

/// Raw bytes -> their byte-level text (each byte becomes one character).
std::string encode(std::string_view bytes);

/// Byte-level text -> raw bytes. Returns false (and leaves `out` partly written) when `text` has a character
/// outside the byte-level alphabet.
bool decode(std::string_view text, std::string& out);

}  // namespace ttrl::byte_level
