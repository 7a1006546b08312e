// Plugin options: typed reads of the strings under `reward:`.
#include <gtest/gtest.h>

#include "ttrl/core/error.hpp"
#include "ttrl/reward/options.hpp"

using namespace ttrl::reward;

TEST(Options, TypedValuesAndFallbacks) {
  const OptionMap options = {{"scale", "0.25"}, {"limit", "-12"}, {"strict", "Yes"}, {"mode", "fast"}};
  EXPECT_DOUBLE_EQ(option_double(options, "scale", 1.0), 0.25);
  EXPECT_DOUBLE_EQ(option_double(options, "absent", 1.5), 1.5);
  EXPECT_EQ(option_int(options, "limit", 0), -12);
  EXPECT_EQ(option_int(options, "absent", 7), 7);
  EXPECT_TRUE(option_bool(options, "strict", false));
  EXPECT_FALSE(option_bool(options, "absent", false));
  EXPECT_EQ(option_string(options, "mode", "slow"), "fast");
  EXPECT_EQ(option_string(options, "absent", "slow"), "slow");
}

TEST(Options, BadValuesNameTheKey) {
  const OptionMap options = {{"scale", "abc"}, {"limit", "1.5"}, {"strict", "maybe"}, {"big", "1e999"}, {"empty", ""}};
  try {
    option_double(options, "scale", 1.0);
    FAIL();
  } catch (const ttrl::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "reward.scale: expected a finite number, got 'abc'");
  }
  EXPECT_THROW(option_int(options, "limit", 0), ttrl::ConfigError);
  EXPECT_THROW(option_bool(options, "strict", false), ttrl::ConfigError);
  EXPECT_THROW(option_double(options, "big", 0), ttrl::ConfigError);
  EXPECT_THROW(option_double(options, "empty", 0), ttrl::ConfigError);
  EXPECT_THROW(option_int(options, "empty", 0), ttrl::ConfigError);
}
