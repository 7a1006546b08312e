// The registry (built-ins, make_reward) and plugins loaded by path, with every error a user can meet.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "reward/reward_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/reward/dare.hpp"
#include "ttrl/reward/empo.hpp"
#include "ttrl/reward/entropy.hpp"
#include "ttrl/reward/plugin.hpp"
#include "ttrl/reward/registry.hpp"

using namespace ttrl::reward;
using namespace ttrl::reward::testing;
namespace fs = std::filesystem;

namespace {

ttrl::RewardSection section_named(const std::string& name, const std::string& plugin = "") {
  ttrl::RewardSection section;
  section.name = name;
  section.plugin = plugin;
  return section;
}

/// The message of the PluginError that `make_reward(section)` throws.
std::string plugin_error_of(const ttrl::RewardSection& section) {
  try {
    make_reward(section);
  } catch (const PluginError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no PluginError";
  return "";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST(Registry, HoldsTheBuiltIns) {
  const RewardRegistry registry;
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"co_reward", "dare", "empo", "entropy", "ground_truth",
                                                        "majority_vote", "rlpr", "self_certainty", "soft_majority"}));
  EXPECT_FALSE(registry.description("dare").empty());
}

TEST(Registry, CreatesByNameWithSectionOptions) {
  ttrl::RewardSection section = section_named("dare");
  section.alpha = 0.25;
  section.tau = 0.1;
  section.epsilon = 0.2;
  auto reward = RewardRegistry().create(section);
  auto* dare = dynamic_cast<DareReward*>(reward.get());
  ASSERT_NE(dare, nullptr);
  EXPECT_EQ(dare->options().alpha, 0.25);
  EXPECT_EQ(dare->options().tau, 0.1);
  EXPECT_EQ(dare->options().epsilon, 0.2);
  EXPECT_EQ(make_reward(section_named("majority_vote"))->score(group_of({"1", "2", "2"})).label, "2");
}

TEST(Registry, UnknownNameListsTheKnownOnes) {
  try {
    make_reward(section_named("majority"));
    FAIL();
  } catch (const ttrl::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "unknown reward 'majority' (did you mean 'majority_vote'?")) << e.what();
    EXPECT_TRUE(contains(e.what(), "co_reward, dare, empo, entropy, ground_truth, majority_vote")) << e.what();
  }
}

TEST(Registry, AddRejectsDuplicatesAndEmptyNames) {
  RewardRegistry registry;
  EXPECT_THROW(registry.add("dare", factory_of<DareReward>()), ttrl::ConfigError);
  EXPECT_THROW(registry.add("", factory_of<DareReward>()), ttrl::ConfigError);
  EXPECT_THROW(registry.add("x", nullptr), ttrl::ConfigError);
  registry.add("dare_defaults", factory_of<DareReward>());
  EXPECT_TRUE(registry.contains("dare_defaults"));
}

TEST(Plugin, LoadsByPathAndPassesOptions) {
  RewardRegistry registry;
  EXPECT_EQ(registry.load_plugin(TTRL_TEST_PLUGIN_TWO), (std::vector<std::string>{"answered", "constant"}));
  EXPECT_TRUE(registry.load_plugin(TTRL_TEST_PLUGIN_TWO).empty());  // the same file twice: loaded once
  ttrl::RewardSection section = section_named("constant", TTRL_TEST_PLUGIN_TWO);
  section.options["value"] = "0.75";
  const Group group = group_of({"1", kNone});
  const RewardResult result = registry.create(section)->score(group);
  EXPECT_EQ(result.rewards, (std::vector<double>{0.75, 0.75}));
  EXPECT_EQ(result.metrics.at("constant_value"), 0.75);
  EXPECT_EQ(registry.create(section_named("answered"))->score(group).rewards, (std::vector<double>{1.0, 0.0}));
}

TEST(Plugin, MakeRewardLoadsThePluginNamedInTheSection) {
  auto reward = make_reward(section_named("first_only", TTRL_TEST_PLUGIN_SINGLE));
  EXPECT_EQ(score_group(*reward, group_of({"1", "1", "2"})).rewards, (std::vector<double>{1, 0, 0}));
  // A built-in name stays available when a plugin is loaded.
  EXPECT_NO_THROW(make_reward(section_named("majority_vote", TTRL_TEST_PLUGIN_SINGLE)));
}

TEST(Plugin, BadOptionValueNamesTheKey) {
  ttrl::RewardSection section = section_named("constant", TTRL_TEST_PLUGIN_TWO);
  section.options["value"] = "lots";
  try {
    make_reward(section);
    FAIL();
  } catch (const ttrl::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "reward.value")) << e.what();
  }
}

TEST(Plugin, MissingFile) {
  const std::string message = plugin_error_of(section_named("x", "/nonexistent/libreward_x.so"));
  EXPECT_TRUE(contains(message, "no such file '/nonexistent/libreward_x.so'")) << message;
}

TEST(Plugin, NotALibrary) {
  const fs::path fake = fs::temp_directory_path() / "ttrl_test_not_a_plugin.so";
  std::ofstream(fake) << "this is text, not ELF\n";
  const std::string message = plugin_error_of(section_named("x", fake.string()));
  EXPECT_TRUE(contains(message, "cannot load")) << message;
  fs::remove(fake);
}

TEST(Plugin, MissingSymbol) {
  const std::string message = plugin_error_of(section_named("x", TTRL_TEST_PLUGIN_NO_SYMBOL));
  EXPECT_TRUE(contains(message, "does not export 'ttrl_register_rewards'")) << message;
  EXPECT_TRUE(contains(message, "TTRL_REGISTER_REWARD")) << message;
}

TEST(Plugin, WrongName) {
  const std::string message = plugin_error_of(section_named("constnat", TTRL_TEST_PLUGIN_TWO));
  EXPECT_TRUE(contains(message, "registers answered, constant, not 'constnat'")) << message;
}

TEST(Plugin, WrongAbiVersion) {
  const std::string message = plugin_error_of(section_named("x", TTRL_TEST_PLUGIN_WRONG_ABI));
  EXPECT_TRUE(contains(message, "ABI 999")) << message;
}

TEST(Plugin, FailedRegistration) {
  const std::string message = plugin_error_of(section_named("majority_vote", TTRL_TEST_PLUGIN_DUPLICATE));
  EXPECT_TRUE(contains(message, "registration failed: reward 'majority_vote' is already registered")) << message;
}

TEST(Registry, BuiltInsReadTheirSectionKeys) {
  ttrl::RewardSection section = section_named("empo");
  section.gate = "none";
  // gate none: four distinct answers keep their 1/4 (the entropy gate would zero them).
  EXPECT_EQ(make_reward(section)->score(group_of({"1", "2", "3", "4"})).rewards, (std::vector<double>(4, 0.25)));
  section.gate = "entropy";
  EXPECT_EQ(make_reward(section)->score(group_of({"1", "2", "3", "4"})).rewards, (std::vector<double>(4, 0.0)));
  section.gate = "entropie";
  EXPECT_THROW(make_reward(section), ttrl::ConfigError);

  ttrl::RewardSection entropy = section_named("entropy");
  Group g = group_of({"1"});
  g.rollouts[0].num_tokens = 2;
  g.rollouts[0].token_entropies = {1.0f, 3.0f};
  g.rollouts[0].token_logprobs = {-0.5f, -1.5f};
  EXPECT_EQ(make_reward(entropy)->score(g).rewards, (std::vector<double>{-2.0}));
  entropy.trajectory = true;
  EXPECT_EQ(make_reward(entropy)->score(g).rewards, (std::vector<double>{-1.0}));
}

TEST(Registry, InProcessRegistrationReachesMakeReward) {
  register_reward("test_in_process_constant",
                  [](const ttrl::RewardSection& section) -> std::unique_ptr<ttrl::RewardFn> {
                    struct Constant : ttrl::RewardFn {
                      double value;
                      explicit Constant(double v) : value(v) {}
                      RewardResult score(const Group& group) override {
                        return {std::vector<double>(group.rollouts.size(), value), std::nullopt, {}};
                      }
                    };
                    return std::make_unique<Constant>(option_double(section.options, "value", 0.5));
                  },
                  {"a constant, registered in-process", {{"value", "the reward"}}});
  EXPECT_TRUE(RewardRegistry().contains("test_in_process_constant"));
  EXPECT_EQ(RewardRegistry().description("test_in_process_constant"), "a constant, registered in-process");
  ttrl::RewardSection section = section_named("test_in_process_constant");
  EXPECT_EQ(make_reward(section)->score(group_of({"1", "2"})).rewards, (std::vector<double>{0.5, 0.5}));
  section.options["value"] = "0.75";
  EXPECT_EQ(make_reward(section)->score(group_of({"1"})).rewards, (std::vector<double>{0.75}));

  // An option it did not declare: the key and the declared ones are named.
  section.options = {{"valeu", "1"}};
  try {
    make_reward(section);
    ADD_FAILURE() << "an undeclared option was accepted";
  } catch (const ttrl::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "reward.valeu: unknown option of reward 'test_in_process_constant' (did you mean "
                                   "'value'? it declares: value)")) << e.what();
  }
  // Names: a second registration, a built-in's name, an empty name.
  auto factory = [](const ttrl::RewardSection&) -> std::unique_ptr<ttrl::RewardFn> { return nullptr; };
  EXPECT_THROW(register_reward("test_in_process_constant", factory), ttrl::ConfigError);
  EXPECT_THROW(register_reward("majority_vote", factory), ttrl::ConfigError);
  EXPECT_THROW(register_reward("", factory), ttrl::ConfigError);
}

TEST(Plugin, UndeclaredOptionsAreErrorsNamingTheKnownOnes) {
  ttrl::RewardSection section = section_named("constant", TTRL_TEST_PLUGIN_TWO);
  section.options["vaule"] = "0.5";
  try {
    make_reward(section);
    ADD_FAILURE() << "an undeclared option was accepted";
  } catch (const ttrl::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "reward.vaule: unknown option of reward 'constant' (did you mean 'value'?"))
        << e.what();
  }
  EXPECT_EQ(RewardRegistry().options("constant").size(), 0u);  // not loaded in a fresh registry
  RewardRegistry registry;
  registry.load_plugin(TTRL_TEST_PLUGIN_TWO);
  ASSERT_EQ(registry.options("constant").size(), 1u);
  EXPECT_EQ(registry.options("constant")[0].name, "value");
  // A reward that declares nothing accepts no option.
  ttrl::RewardSection answered = section_named("answered", TTRL_TEST_PLUGIN_TWO);
  answered.options["value"] = "1";
  try {
    make_reward(answered);
    ADD_FAILURE() << "an option of a reward that declares none was accepted";
  } catch (const ttrl::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "reward.value: unknown key: reward 'answered' declares no options")) << e.what();
  }
}
