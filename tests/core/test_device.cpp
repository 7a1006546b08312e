#include <gtest/gtest.h>

#include "ttrl/core/device.hpp"
#include "ttrl/core/error.hpp"

TEST(Device, ParsesNamesUsersWrite) {
  EXPECT_EQ(ttrl::parse_dtype("bf16"), ttrl::DType::kBFloat16);
  EXPECT_EQ(ttrl::parse_dtype("float32"), ttrl::DType::kFloat32);
  EXPECT_EQ(ttrl::parse_device("cuda:3").index, 3);
  EXPECT_EQ(ttrl::parse_device("cpu").kind, ttrl::DeviceKind::kCpu);
  EXPECT_EQ(ttrl::to_string(ttrl::parse_device("cuda")), "cuda:0");
  EXPECT_THROW(ttrl::parse_dtype("int8"), ttrl::ConfigError);
  EXPECT_THROW(ttrl::parse_device("cuda:x"), ttrl::ConfigError);
  EXPECT_THROW(ttrl::parse_device("tpu"), ttrl::ConfigError);
}
