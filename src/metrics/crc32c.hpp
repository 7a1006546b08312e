#pragma once
// CRC-32C (Castagnoli), the checksum of TFRecord framing (TensorBoard event files).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ttrl::metrics {

/// CRC-32C of `data`: reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF.
/// crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::string_view data);

/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8 (mod 2^32).
uint32_t masked_crc32c(std::string_view data);

}  // namespace ttrl::metrics
