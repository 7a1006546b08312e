// Task names and the registry of named extractors.
#include <gtest/gtest.h>

#include "ttrl/answer/extractor.hpp"
#include "ttrl/core/error.hpp"

namespace ttrl::answer {
namespace {

TEST(Task, NamesRoundTrip) {
  for (Task task : {Task::kMath, Task::kChoice, Task::kLastNumber}) EXPECT_EQ(parse_task(to_string(task)), task);
  EXPECT_THROW(parse_task("Math"), ConfigError);
  EXPECT_THROW(parse_task(""), ConfigError);
}

class YesNoExtractor : public Extractor {
 public:
  std::optional<std::string> extract(const std::string& response) const override {
    if (response.find("yes") != std::string::npos) return "yes";
    if (response.find("no") != std::string::npos) return "no";
    return std::nullopt;
  }
};

TEST(ExtractorRegistry, BuiltinsAndPlugins) {
  ExtractorRegistry registry = ExtractorRegistry::with_builtins();
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"choice", "last_number", "math"}));
  EXPECT_EQ(registry.create("math")->extract("so \\boxed{12}"), "12");
  EXPECT_EQ(registry.create("choice")->extract("The answer is (C)"), "C");
  registry.add("yes_no", [] { return std::make_unique<YesNoExtractor>(); });
  EXPECT_TRUE(registry.contains("yes_no"));
  EXPECT_EQ(registry.create("yes_no")->extract("I would say yes."), "yes");
  EXPECT_THROW(registry.add("yes_no", [] { return std::make_unique<YesNoExtractor>(); }), ConfigError);
  EXPECT_THROW(registry.add("", [] { return std::make_unique<YesNoExtractor>(); }), ConfigError);
  try {
    registry.create("haiku");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("registered: choice, last_number, math, yes_no"), std::string::npos);
  }
}

}  // namespace
}  // namespace ttrl::answer
