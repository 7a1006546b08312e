#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ttrl/core/config.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"

namespace {
using ttrl::ConfigError;
using ttrl::parse_config;

/// The message of the ConfigError `fn` throws (fails the test when it throws nothing).
template <class Fn>
std::string config_error(Fn fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return "";
}

TEST(Config, DefaultsMatchTheTtrlReferenceHyperparameters) {
  const auto c = ttrl::default_config();
  EXPECT_EQ(c.rollout.n_vote, 64);
  EXPECT_EQ(c.rollout.n_train, 32);
  EXPECT_DOUBLE_EQ(c.trainer.lr, 5e-7);
  EXPECT_DOUBLE_EQ(c.trainer.warmup_ratio, 0.03);
  EXPECT_DOUBLE_EQ(c.algorithm.kl_coef, 0.001);
  EXPECT_EQ(c.algorithm.kl_estimator, "k3");
  EXPECT_EQ(c.eval.k, 16);
  EXPECT_DOUBLE_EQ(c.eval.temperature, 0.6);
}

TEST(Config, ParsesSectionsNestedKeysAndLists) {
  const auto c = parse_config(R"(
model:
  random_init: true
  random:
    hidden_size: 96
    num_heads: 6
    num_kv_heads: 2
rollout:
  n_vote: 16
  n_train: 8
  temperature: 0.6
  stop: ["</s>", "\n\nQuestion:"]
data:
  train_files: [a.json, b.jsonl]
)", "inline.yaml");
  EXPECT_TRUE(c.model.random_init);
  EXPECT_EQ(c.model.random.hidden_size, 96);
  EXPECT_EQ(c.rollout.n_vote, 16);
  EXPECT_DOUBLE_EQ(c.rollout.temperature, 0.6);
  ASSERT_EQ(c.rollout.stop.size(), 2u);
  EXPECT_EQ(c.rollout.stop[1], "\n\nQuestion:");
  EXPECT_EQ(c.data.train_files, (std::vector<std::string>{"a.json", "b.jsonl"}));
}

TEST(Config, SetOverridesAreTypedLikeYaml) {
  const auto c = parse_config("rollout: {n_vote: 16}\n", "x.yaml",
                              {"rollout.n_vote=8", "rollout.n_train=4", "trainer.lr=1e-6", "logging.tensorboard=false",
                               "model.random.hidden_size=32", "data.train_files=[a.json, b.json]", "tokenizer.path=byte"});
  EXPECT_EQ(c.rollout.n_vote, 8);
  EXPECT_EQ(c.rollout.n_train, 4);
  EXPECT_DOUBLE_EQ(c.trainer.lr, 1e-6);
  EXPECT_FALSE(c.logging.tensorboard);
  EXPECT_EQ(c.model.random.hidden_size, 32);
  EXPECT_EQ(c.data.train_files.size(), 2u);
  EXPECT_EQ(c.tokenizer.path, "byte");
}

TEST(Config, SetErrors) {
  EXPECT_NE(config_error([] { ttrl::default_config({"rollout.n_vote"}); }).find("expected KEY=VALUE"), std::string::npos);
  auto msg = config_error([] { ttrl::default_config({"rollout.n_vote=many"}); });
  EXPECT_NE(msg.find("--set rollout.n_vote=many"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected an integer"), std::string::npos) << msg;
  msg = config_error([] { ttrl::default_config({"rollout.nvote=3"}); });
  EXPECT_NE(msg.find("unknown key 'rollout.nvote'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'rollout.n_vote'"), std::string::npos) << msg;
  msg = config_error([] { ttrl::default_config({"rollout=3"}); });
  EXPECT_NE(msg.find("is a section"), std::string::npos) << msg;
}

TEST(Config, MalformedYamlNamesFileAndLine) {
  const auto msg = config_error([] { parse_config("rollout:\n  n_vote: [1, 2\n", "bad.yaml"); });
  EXPECT_NE(msg.find("bad.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("malformed YAML"), std::string::npos) << msg;
  EXPECT_NE(msg.find("bad.yaml:3:"), std::string::npos) << msg;
}

TEST(Config, UnknownKeysGiveFullPathAndNearestKey) {
  auto msg = config_error([] { parse_config("rollout:\n  n_votes: 3\n", "u.yaml"); });
  EXPECT_NE(msg.find("u.yaml:2:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'rollout.n_votes'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'rollout.n_vote'"), std::string::npos) << msg;
  msg = config_error([] { parse_config("model:\n  random:\n    hiden_size: 3\n", "u.yaml"); });
  EXPECT_NE(msg.find("'model.random.hiden_size'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'model.random.hidden_size'"), std::string::npos) << msg;
  msg = config_error([] { parse_config("trainr:\n  lr: 1\n", "u.yaml"); });
  EXPECT_NE(msg.find("unknown key 'trainr'"), std::string::npos) << msg;
}

TEST(Config, MisspelledSectionSuggestsTheSectionNotAKeyInside) {
  auto msg = config_error([] { parse_config("rolout:\n  n_vote: 3\n", "s.yaml"); });
  EXPECT_NE(msg.find("s.yaml:1:1: unknown key 'rolout' (did you mean 'rollout'?)"), std::string::npos) << msg;
  msg = config_error([] { parse_config("model:\n  randm:\n    hidden_size: 8\n", "s.yaml"); });
  EXPECT_NE(msg.find("did you mean 'model.random'?"), std::string::npos) << msg;
  msg = config_error([] { ttrl::default_config({"rollout=3"}); });
  EXPECT_NE(msg.find("'rollout' is a section; set one of its keys (e.g. rollout."), std::string::npos) << msg;
}

TEST(Config, MalformedFlowMappingEndsInAnErrorNotALoop) {
  // Found by fuzz.config: YAML::LoadAll never returned on this input (a hang); the first document is an error.
  const std::string text = "{algorithm: {kl_coef: 0, loss_agg_mode: seq-mean-token-mean}, trainer: {total_steps: 3, lr_schedule: constant}, oss_agg_mode: seq-mean-token-mean}, traine";
  const auto msg = config_error([&] { parse_config(text, "f.yaml"); });
  EXPECT_NE(msg.find("f.yaml:1:"), std::string::npos) << msg;
}

TEST(Config, InvalidUtf8IsAnErrorNamingLineAndColumn) {
  const auto msg = config_error([] { parse_config("rollout:\n  stop: [\"ab\xff\"]\n", "u.yaml"); });
  EXPECT_NE(msg.find("u.yaml:2:13: not valid UTF-8"), std::string::npos) << msg;
}

// Found by fuzzing (scripts/fuzz.sh config): invalid UTF-8 given with --set got into the configuration, and the
// config.resolved.yaml written from it could not be read back.
TEST(Config, InvalidUtf8InAnOverrideIsAnError) {
  const auto msg = config_error([] { parse_config("", "o.yaml", {"eval.files=[a.json, b\xb9.jsonl]"}); });
  EXPECT_NE(msg.find("--set: not valid UTF-8"), std::string::npos) << msg;
}

// Found by fuzzing (scripts/fuzz.sh config, 1M runs): yaml-cpp decodes the double-quoted escapes \N and \_ to one
// raw byte (0x85, 0xa0), not to UTF-8, so a valid text gave a value that config.resolved.yaml could not hold.
TEST(Config, EscapesDecodingToInvalidUtf8AreErrors) {
  auto msg = config_error([] { parse_config("rollout:\n  stop: [\"</s>\", \"\\n\\N\"]\n", "e.yaml"); });
  EXPECT_NE(msg.find("e.yaml:2:3: rollout.stop[]: the value is not valid UTF-8 once its escapes are decoded"),
            std::string::npos) << msg;
  msg = config_error([] { parse_config("tokenizer:\n  custom_template: \"Q\\_{question}\"\n", "e.yaml"); });
  EXPECT_NE(msg.find("tokenizer.custom_template: the value is not valid UTF-8"), std::string::npos) << msg;
  msg = config_error([] { parse_config("reward:\n  plugin: x.so\n  name: x\n  limit: \"\\N\"\n", "e.yaml"); });
  EXPECT_NE(msg.find("reward.limit: the value is not valid UTF-8"), std::string::npos) << msg;
  // \L (U+2028) is decoded to UTF-8 and round-trips.
  const ttrl::RunConfig ok = parse_config("rollout:\n  stop: [\"a\\Lb\"]\n", "e.yaml");
  EXPECT_EQ(ok.rollout.stop.at(0), "a\xe2\x80\xa8" "b");
  EXPECT_EQ(ttrl::to_yaml(parse_config(ttrl::to_yaml(ok), "r.yaml")), ttrl::to_yaml(ok));
}

TEST(Config, DuplicateKeysAreErrorsNamingBothLines) {
  auto msg = config_error([] { parse_config("rollout:\n  n_vote: 8\n  n_train: 4\n  n_vote: 16\n", "d.yaml"); });
  EXPECT_NE(msg.find("d.yaml:4:3: duplicate key 'rollout.n_vote' (first written at d.yaml:2:3)"), std::string::npos)
      << msg;
  msg = config_error([] { parse_config("rollout:\n  n_vote: 8\nrollout:\n  n_train: 4\n", "d.yaml"); });
  EXPECT_NE(msg.find("d.yaml:3:1: duplicate key 'rollout'"), std::string::npos) << msg;
}

TEST(Config, ASecondYamlDocumentIsAnErrorNamingItsLine) {
  auto msg = config_error([] { parse_config("rollout:\n  n_vote: 8\n---\nrollout:\n  n_vote: 16\n", "m.yaml"); });
  EXPECT_NE(msg.find("m.yaml:4:1: a second YAML document"), std::string::npos) << msg;
  // An empty trailing document holds nothing that could be ignored.
  EXPECT_EQ(parse_config("rollout:\n  n_vote: 64\n---\n", "m.yaml").rollout.n_vote, 64);
}

TEST(Config, WrongTypesNameThePathAndExpectedType) {
  auto msg = config_error([] { parse_config("rollout:\n  temperature: hot\n", "t.yaml"); });
  EXPECT_NE(msg.find("t.yaml:2:3: rollout.temperature: expected a finite number, got 'hot'"), std::string::npos) << msg;
  msg = config_error([] { parse_config("rollout:\n  n_vote: 2.5\n", "t.yaml"); });
  EXPECT_NE(msg.find("expected an integer"), std::string::npos) << msg;
  msg = config_error([] { parse_config("rollout:\n  n_vote: \"8\"\n", "t.yaml"); });
  EXPECT_NE(msg.find("expected an integer"), std::string::npos) << msg;
  msg = config_error([] { parse_config("logging:\n  tensorboard: maybe\n", "t.yaml"); });
  EXPECT_NE(msg.find("expected true or false"), std::string::npos) << msg;
  msg = config_error([] { parse_config("data:\n  train_files: {a: 1}\n", "t.yaml"); });
  EXPECT_NE(msg.find("expected a list of strings"), std::string::npos) << msg;
  msg = config_error([] { parse_config("rollout: 5\n", "t.yaml"); });
  EXPECT_NE(msg.find("'rollout' is a section"), std::string::npos) << msg;
  msg = config_error([] { parse_config("- a\n- b\n", "t.yaml"); });
  EXPECT_NE(msg.find("expected a mapping of sections"), std::string::npos) << msg;
}

TEST(Config, OutOfRangeValuesNameThePathAndRange) {
  auto msg = config_error([] { parse_config("rollout:\n  n_vote: 0\n", "r.yaml"); });
  EXPECT_NE(msg.find("r.yaml:2:3: rollout.n_vote = 0 is out of range: expected int [1, 65536]"), std::string::npos) << msg;
  msg = config_error([] { parse_config("rollout:\n  top_p: 0\n", "r.yaml"); });
  EXPECT_NE(msg.find("(0, 1]"), std::string::npos) << msg;
  msg = config_error([] { parse_config("trainer:\n  lr_schedule: linear\n", "r.yaml"); });
  EXPECT_NE(msg.find("trainer.lr_schedule = 'linear' is not valid: expected one of: cosine, constant"), std::string::npos) << msg;
  msg = config_error([] { parse_config("rollout:\n  n_vote: 8\n  n_train: 16\n", "r.yaml"); });
  EXPECT_NE(msg.find("rollout.n_train = 16 must not exceed rollout.n_vote = 8"), std::string::npos) << msg;
  msg = config_error([] { parse_config("", "r.yaml", {"reward.alpha=1.5"}); });
  EXPECT_NE(msg.find("--set reward.alpha=1.5: reward.alpha = 1.5 is out of range"), std::string::npos) << msg;
}

TEST(Config, PluginOptionsAreAcceptedOnlyWithAPlugin) {
  const auto c = parse_config("reward:\n  plugin: libx.so\n  name: x\n  bonus: 0.3\n", "p.yaml");
  EXPECT_EQ(c.reward.options.at("bonus"), "0.3");
  const auto msg = config_error([] { parse_config("reward:\n  name: dare\n  bonus: 0.3\n", "p.yaml"); });
  EXPECT_NE(msg.find("unknown key 'reward.bonus'"), std::string::npos) << msg;
}

TEST(Config, MissingFileIsNamed) {
  const auto msg = config_error([] { ttrl::load_config("/nonexistent/run.yaml"); });
  EXPECT_NE(msg.find("/nonexistent/run.yaml"), std::string::npos) << msg;
}

TEST(Config, OnlyTheNeededSectionIsFine) {
  const auto c = parse_config("reward:\n  name: dare\n  alpha: 0.2\n", "r.yaml");
  EXPECT_EQ(c.reward.name, "dare");
  EXPECT_DOUBLE_EQ(c.reward.alpha, 0.2);
  EXPECT_EQ(c.rollout.n_vote, 64);
}

TEST(Config, ResolvedYamlRoundTripsEveryKey) {
  const auto original = parse_config("reward:\n  plugin: libx.so\n  name: x\n  weight: 2\n", "p.yaml",
                                     {"rollout.stop=[\"a\\\"b\", \"\\n\"]", "trainer.lr=3.5e-7", "model.random.hidden_size=32"});
  const std::string yaml = ttrl::to_yaml(original, /*with_docs=*/true);
  const auto reread = parse_config(yaml, "resolved.yaml");
  EXPECT_EQ(ttrl::to_yaml(reread), ttrl::to_yaml(original));
  EXPECT_EQ(reread.rollout.stop, original.rollout.stop);
  EXPECT_DOUBLE_EQ(reread.trainer.lr, 3.5e-7);
  EXPECT_EQ(reread.reward.options.at("weight"), "2");
}

TEST(Config, PluginOptionKeysThatAreNotPlainNamesRoundTripQuoted) {
  // Found by fuzz.config: a plugin option whose key holds ':' and a newline (from --set) was written unquoted.
  const auto original = parse_config("reward:\n  plugin: libx.so\n  nam!: y\n", "p.yaml",
                                     {"reward.odd:\n-key=1e-6", "reward.plain_key=3"});
  const std::string yaml = ttrl::to_yaml(original);
  EXPECT_NE(yaml.find("  plain_key: \"3\""), std::string::npos) << yaml;
  const auto reread = parse_config(yaml, "resolved.yaml");
  EXPECT_EQ(reread.reward.options, original.reward.options);
  EXPECT_EQ(reread.reward.options.at("odd:\n-key"), "1e-6");
  EXPECT_EQ(reread.reward.options.at("nam!"), "y");
}

TEST(Config, EveryKeyIsDocumented) {
  const auto keys = ttrl::config_keys();
  EXPECT_GT(keys.size(), 60u);
  for (const auto& k : keys) {
    EXPECT_FALSE(k.doc.empty()) << k.path;
    EXPECT_FALSE(k.default_value.empty()) << k.path;
  }
}

TEST(Config, ResolvedConfigIsWrittenNextToOutputs) {
  const auto dir = std::filesystem::temp_directory_path() / "ttrl_test_resolved";
  std::filesystem::remove_all(dir);
  const auto path = ttrl::write_resolved_config(ttrl::default_config({"rollout.n_vote=5", "rollout.n_train=5"}), dir.string());
  const auto reread = ttrl::load_config(path);
  EXPECT_EQ(reread.rollout.n_vote, 5);
  std::filesystem::remove_all(dir);
}

TEST(Config, ShippedDefaultsFileIsUpToDate) {
  // configs/defaults.yaml documents every default; regenerate with `ttrl config > configs/defaults.yaml`.
  const std::string shipped = ttrl::read_text_file(std::string(TTRL_SOURCE_DIR) + "/configs/defaults.yaml");
  EXPECT_EQ(shipped, ttrl::to_yaml(ttrl::default_config(), true))
      << "configs/defaults.yaml is stale: run build/bin/ttrl config > configs/defaults.yaml";
}

}  // namespace
