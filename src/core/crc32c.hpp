#pragma once
// CRC-32C (Castagnoli): the checksum of TFRecord framing (TensorBoard event files) and of checkpoint files
// (checksums.json), where it finds bit flips and truncation; it is not a defence against deliberate tampering.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ttrl {

/// CRC-32C of `data`: reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF.
/// crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::string_view data);

/// The CRC of a stream fed in pieces: crc32c_extend(crc32c(a), b) == crc32c(a + b); crc32c_extend(0, a) == crc32c(a).
uint32_t crc32c_extend(uint32_t crc, std::string_view data);

/// CRC-32C of a whole file, read in chunks; throws IoError naming the path when it cannot be read.
uint32_t crc32c_of_file(const std::string& path);

/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8 (mod 2^32).
uint32_t masked_crc32c(std::string_view data);

}  // namespace ttrl
