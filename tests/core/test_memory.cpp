#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ttrl/core/error.hpp"
#include "ttrl/core/memory.hpp"

namespace {

TEST(Memory, FormatBytesUsesBinaryUnits) {
  EXPECT_EQ(ttrl::format_bytes(0), "0 B");
  EXPECT_EQ(ttrl::format_bytes(1023), "1023 B");
  EXPECT_EQ(ttrl::format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(ttrl::format_bytes(23.4 * (1ull << 30)), "23.4 GiB");
  EXPECT_EQ(ttrl::format_bytes(std::ldexp(1.0, 90)), "1024.0 YiB");  // beyond the last unit: stays in it
}

TEST(Memory, HostAvailableBytesIsReadOnLinux) {
  const auto available = ttrl::host_available_bytes();
  ASSERT_TRUE(available.has_value());
  EXPECT_GT(*available, 0u);
}

TEST(Memory, HostPeakRssGrowsWithTouchedMemory) {
  const auto before = ttrl::host_peak_rss_bytes();
  ASSERT_TRUE(before.has_value());
  const size_t size = size_t{256} << 20;
  std::vector<char> block(size, 1);  // written, so resident
  const auto after = ttrl::host_peak_rss_bytes();
  ASSERT_TRUE(after.has_value());
  EXPECT_GE(*after + 1, *before + size / 2) << "peak RSS did not follow a 256 MiB resident block";
  EXPECT_EQ(block[size - 1], 1);
}

TEST(Memory, CheckNamesWhatAndWhoAskedAndPassesWhatFits) {
  EXPECT_NO_THROW(ttrl::check_fits_in_memory(1000, uint64_t{1000}, "x", "y"));
  EXPECT_NO_THROW(ttrl::check_fits_in_memory(1e30, std::nullopt, "x", "y"));  // unknown: no check
  try {
    ttrl::check_fits_in_memory(std::ldexp(1.0, 70), uint64_t{1} << 30, "a KV cache of 9 rows", "--max-batch");
    FAIL() << "no error for 1 ZiB";
  } catch (const ttrl::Error& e) {
    EXPECT_STREQ(e.what(), "a KV cache of 9 rows needs 1.0 ZiB but 1.0 GiB of memory is available (set by --max-batch)");
  }
}

}  // namespace
