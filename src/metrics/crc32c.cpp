// Hand-written, table-driven CRC-32C. It is a few lines, runs once per metrics record (speed is irrelevant), and
// Debian has no libcrc32c-dev package, so depending on a library for it would cost more than it saves.
#include "metrics/crc32c.hpp"

#include <array>

namespace ttrl::metrics {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78u;  // Castagnoli polynomial 0x1EDC6F41, bit-reversed

// table[b] = CRC of the single byte b: eight shift/xor rounds of the reflected polynomial.
constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? kPolynomial : 0u);
    table[b] = crc;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = make_table();

}  // namespace

uint32_t crc32c(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char c : data) crc = (crc >> 8) ^ kTable[(crc ^ static_cast<uint8_t>(c)) & 0xFFu];
  return crc ^ 0xFFFFFFFFu;
}

uint32_t masked_crc32c(std::string_view data) {
  const uint32_t crc = crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

}  // namespace ttrl::metrics
