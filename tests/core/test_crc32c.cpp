// CRC-32C (src/core/crc32c.hpp): known vectors, the slicing-by-8 path against a bit-by-bit reference, streaming and
// files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/crc32c.hpp"
#include "ttrl/core/error.hpp"

namespace {

/// The definition, one bit at a time (no tables): what the sliced tables must reproduce.
uint32_t crc32c_bitwise(const std::string& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
  }
  return crc ^ 0xFFFFFFFFu;
}

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(ttrl::crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(ttrl::crc32c(""), 0u);
  // RFC 3720 (iSCSI) B.4: 32 zero bytes and 32 0xFF bytes.
  EXPECT_EQ(ttrl::crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(ttrl::crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
}

TEST(Crc32c, SlicedTablesMatchTheBitwiseDefinitionAtEveryLengthAndOffset) {
  const std::string data = random_bytes(300, 7);
  for (size_t start = 0; start < 9; ++start)
    for (size_t length = 0; start + length <= data.size(); length += 7) {
      const std::string piece = data.substr(start, length);
      ASSERT_EQ(ttrl::crc32c(piece), crc32c_bitwise(piece)) << "start " << start << " length " << length;
    }
}

TEST(Crc32c, ExtendEqualsOneCallOverTheConcatenation) {
  const std::string a = random_bytes(1001, 1), b = random_bytes(77, 2);
  EXPECT_EQ(ttrl::crc32c_extend(ttrl::crc32c(a), b), ttrl::crc32c(a + b));
  EXPECT_EQ(ttrl::crc32c_extend(0, a), ttrl::crc32c(a));
}

TEST(Crc32c, FileChecksumSeesOneFlippedBit) {
  const auto path = std::filesystem::temp_directory_path() / ("ttrl_crc_" + std::to_string(::getpid()));
  std::string data = random_bytes((size_t{8} << 20) + 123, 3);  // more than one read chunk
  std::ofstream(path, std::ios::binary) << data;
  EXPECT_EQ(ttrl::crc32c_of_file(path.string()), crc32c_bitwise(data));
  data[5000000] = static_cast<char>(data[5000000] ^ 0x10);
  std::ofstream(path, std::ios::binary) << data;
  EXPECT_EQ(ttrl::crc32c_of_file(path.string()), crc32c_bitwise(data));
  std::filesystem::remove(path);
  EXPECT_THROW(ttrl::crc32c_of_file(path.string()), ttrl::IoError);
}

TEST(Crc32c, MaskRotatesAndAddsConstant) {
  const uint32_t crc = 0xE3069283u;
  EXPECT_EQ(ttrl::masked_crc32c("123456789"), ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
}

}  // namespace
