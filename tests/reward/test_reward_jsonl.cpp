// `ttrl reward` as a library: JSONL groups in, JSONL results out, errors naming file and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ttrl/core/error.hpp"
#include "ttrl/reward/dare.hpp"
#include "ttrl/reward/majority_vote.hpp"
#include "ttrl/reward/reward_jsonl.hpp"

using namespace ttrl::reward;
using nlohmann::json;
using Task = ttrl::answer::Task;

namespace {

/// Scores `input` with `fn`; returns the output lines parsed.
std::vector<json> score_text(const std::string& input, RewardFn& fn, Task task = Task::kMath) {
  std::istringstream in(input);
  std::ostringstream out;
  score_jsonl(in, "groups.jsonl", out, fn, task);
  std::vector<json> lines;
  std::istringstream result(out.str());
  for (std::string line; std::getline(result, line);) lines.push_back(json::parse(line));
  return lines;
}

/// The IoError message of scoring `input` with majority_vote.
std::string error_of(const std::string& input) {
  MajorityVoteReward vote;
  try {
    score_text(input, vote);
  } catch (const ttrl::IoError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no IoError for: " << input;
  return "";
}

const std::string kGroupLine =
    R"({"rollouts": [{"text": "so \\boxed{3}", "entropy": 0.5, "num_tokens": 12},)"
    R"( {"text": "I think \\boxed{3}", "entropy": 0.7}, {"text": "\\boxed{4}", "entropy": 0.1},)"
    R"( {"text": "no idea", "entropy": 2.0}], "vocab_size": 1000, "gold": "3", "task": "math", "id": "ignored"})";

}  // namespace

TEST(RewardJsonl, ParsesAGroupAndExtractsAnswers) {
  const Group group = parse_group(nlohmann::json::parse(kGroupLine), Task::kChoice);
  ASSERT_EQ(group.rollouts.size(), 4u);
  EXPECT_EQ(group.task, Task::kMath);  // the line's task wins over the default
  EXPECT_EQ(group.vocab_size, 1000);
  EXPECT_EQ(group.gold, "3");
  EXPECT_EQ(group.rollouts[0].answer, "3");
  EXPECT_EQ(group.rollouts[2].answer, "4");
  EXPECT_FALSE(group.rollouts[3].answer.has_value());
  EXPECT_EQ(group.rollouts[0].num_tokens, 12);
  EXPECT_EQ(group.rollouts[1].num_tokens, 0);
  EXPECT_EQ(group.rollouts[1].mean_entropy, 0.7);
}

TEST(RewardJsonl, DefaultTaskAndOptionalFields) {
  const Group group = parse_group(nlohmann::json::parse(R"({"rollouts": [{"text": "The answer is \\boxed{B}."}]})"), Task::kChoice);
  EXPECT_EQ(group.task, Task::kChoice);
  EXPECT_EQ(group.vocab_size, 0);
  EXPECT_FALSE(group.gold.has_value());
  EXPECT_FALSE(group.rollouts[0].mean_entropy.has_value());
  EXPECT_EQ(group.rollouts[0].answer, "B");
}

TEST(RewardJsonl, MajorityVoteOutputLines) {
  MajorityVoteReward vote;
  const auto lines = score_text(kGroupLine + "\n\n" + R"({"rollouts": [{"text": "nothing"}]})" + "\n", vote);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["rewards"], json({1.0, 1.0, 0.0, 0.0}));
  EXPECT_EQ(lines[0]["label"], "3");
  EXPECT_EQ(lines[0]["answers"], json({"3", "3", "4", nullptr}));
  EXPECT_EQ(lines[0]["metrics"]["label_accuracy"], 1.0);
  EXPECT_EQ(lines[0]["metrics"]["majority_ratio"], 0.5);
  EXPECT_EQ(lines[0]["metrics"]["reward_accuracy"], 1.0);
  EXPECT_TRUE(lines[1]["label"].is_null());
  EXPECT_EQ(lines[1]["rewards"], json({0.0}));
  EXPECT_FALSE(lines[1]["metrics"].contains("label_accuracy"));  // no gold
}

TEST(RewardJsonl, DareFromMeanEntropies) {
  // 3 x "7" (u 0.9) and 1 x "8" (u 0): the majority is pruned (see test_dare.cpp), "8" gets 1 + 0.5 * 3/4 = 1.375
  // at alpha 0.5.
  const double h_high = 0.9 * std::log(1000.0);
  const std::string line = R"({"vocab_size": 1000, "rollouts": [)"
                           R"({"text": "\\boxed{7}", "entropy": )" + std::to_string(h_high) + "}," +
                           R"({"text": "\\boxed{7}", "entropy": )" + std::to_string(h_high) + "}," +
                           R"({"text": "\\boxed{8}", "entropy": 0},)" +
                           R"({"text": "\\boxed{7}", "entropy": )" + std::to_string(h_high) + "}]}";
  DareReward dare({0.5, 0.05, 0.01});
  const auto lines = score_text(line, dare);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["label"], "8");
  EXPECT_NEAR(lines[0]["rewards"][2].get<double>(), 1.375, 1e-12);
  EXPECT_EQ(lines[0]["rewards"][0].get<double>(), 0.0);
}

TEST(RewardJsonl, BadLinesNameFileAndLine) {
  const std::string good = R"({"rollouts": [{"text": "\\boxed{1}"}]})";
  EXPECT_TRUE(error_of(good + "\n" + "{not json\n").rfind("groups.jsonl:2: not valid JSON", 0) == 0);
  EXPECT_TRUE(error_of(good + "\n\n[1]\n").rfind("groups.jsonl:3: expected a JSON object", 0) == 0);
  EXPECT_EQ(error_of(R"({"rollout": []})"), "groups.jsonl:1: missing \"rollouts\"");
  EXPECT_EQ(error_of(R"({"rollouts": {}})"), "groups.jsonl:1: \"rollouts\": expected a list, got {}");
  EXPECT_EQ(error_of(R"({"rollouts": [{"txt": "a"}]})"), "groups.jsonl:1: \"rollouts[0].text\": expected a string, got null");
  EXPECT_EQ(error_of(R"({"rollouts": [{"text": "a"}, {"text": "b", "entropy": "high"}]})"),
            "groups.jsonl:1: \"rollouts[1].entropy\": expected a number (mean token entropy, nats), got \"high\"");
  EXPECT_EQ(error_of(R"({"rollouts": [{"text": "a", "num_tokens": -3}]})"),
            "groups.jsonl:1: \"rollouts[0].num_tokens\": expected an integer >= 0, got -3");
  EXPECT_EQ(error_of(R"({"rollouts": [], "vocab_size": 0})"), "groups.jsonl:1: \"vocab_size\": expected an integer >= 1, got 0");
  EXPECT_EQ(error_of(R"({"rollouts": [], "gold": 3})"), "groups.jsonl:1: \"gold\": expected a string or null, got 3");
  EXPECT_TRUE(error_of(R"({"rollouts": [], "task": "poetry"})").rfind("groups.jsonl:1: \"task\": ", 0) == 0);
}

TEST(RewardJsonl, ReadsThePerTokenListsTtrlGenerateWrites) {
  const Group g = parse_group(json::parse(R"({"rollouts": [{"text": "\\boxed{2}", "completion_ids": [5, 7],
      "logprobs": [-0.5, -1.5], "entropies": [1.0, 2.0], "self_certainties": [3.0, 4.5]}]})"), Task::kMath);
  const Rollout& r = g.rollouts[0];
  EXPECT_EQ(r.num_tokens, 2);  // from the lists when num_tokens is absent
  EXPECT_EQ(r.token_ids, (std::vector<int64_t>{5, 7}));
  EXPECT_EQ(r.token_logprobs, (std::vector<float>{-0.5f, -1.5f}));
  EXPECT_EQ(r.token_entropies, (std::vector<float>{1.0f, 2.0f}));
  EXPECT_EQ(r.token_self_certainties, (std::vector<float>{3.0f, 4.5f}));
  EXPECT_EQ(mean_token_entropy(r), 1.5);
}

TEST(RewardJsonl, FormatGroupLineReadsBackToTheSameGroup) {
  Group g;
  g.prompt = "Compute 1+2.";
  g.gold = "3";
  g.vocab_size = 512;
  g.task = Task::kLastNumber;
  Rollout a;
  a.text = "1+2=3 so 3";
  a.num_tokens = 3;
  a.token_ids = {4, 5, 6};
  a.token_logprobs = {-0.1f, -1.0f / 3.0f, -2.5e-7f};
  a.token_entropies = {1.0f / 7.0f, 0.0f, 6.2f};
  a.token_self_certainties = {0.3f, 1e-8f, 2.0f / 3.0f};
  Rollout b;
  b.text = "no idea \xff";  // invalid UTF-8 is replaced, never a throw
  b.mean_entropy = 0.25;
  g.rollouts = {a, b};
  g.partner_rollouts = {a};
  RewardResult result{{1.0, 0.0}, std::string("3"), {}};
  const json line = json::parse(format_group_line(g, &result));
  EXPECT_EQ(line["rewards"], json({1.0, 0.0}));
  EXPECT_EQ(line["label"], "3");
  const Group back = parse_group(line, Task::kMath);
  EXPECT_EQ(back.prompt, g.prompt);
  EXPECT_EQ(back.gold, g.gold);
  EXPECT_EQ(back.vocab_size, 512);
  EXPECT_EQ(back.task, Task::kLastNumber);
  ASSERT_EQ(back.rollouts.size(), 2u);
  EXPECT_EQ(back.rollouts[0].token_ids, a.token_ids);
  EXPECT_EQ(back.rollouts[0].token_logprobs, a.token_logprobs);  // bit-identical floats
  EXPECT_EQ(back.rollouts[0].token_entropies, a.token_entropies);
  EXPECT_EQ(back.rollouts[0].token_self_certainties, a.token_self_certainties);
  EXPECT_EQ(back.rollouts[0].answer, "3");
  EXPECT_EQ(back.rollouts[1].mean_entropy, 0.25);
  ASSERT_EQ(back.partner_rollouts.size(), 1u);
  EXPECT_EQ(back.partner_rollouts[0].token_logprobs, a.token_logprobs);
  EXPECT_EQ(back.partner_rollouts[0].answer, "3");  // partner answers are extracted too
  EXPECT_EQ(error_of(R"({"rollouts": [], "partner_rollouts": [{"text": 1}]})"),
            "groups.jsonl:1: \"partner_rollouts[0].text\": expected a string, got 1");
}

TEST(RewardJsonl, PerTokenListsOfTheWrongLengthOrTypeAreErrors) {
  EXPECT_EQ(error_of(R"({"rollouts": [{"text": "a", "logprobs": [-1, -2], "entropies": [1]}]})"),
            "groups.jsonl:1: \"rollouts[0].entropies\": 1 entries, but the rollout has 2 tokens (the first per-token list)");
  EXPECT_EQ(error_of(R"({"rollouts": [{"text": "a", "num_tokens": 3, "self_certainties": [1, 2]}]})"),
            "groups.jsonl:1: \"rollouts[0].self_certainties\": 2 entries, but the rollout has 3 tokens (num_tokens)");
  EXPECT_EQ(error_of(R"({"rollouts": [{"text": "a", "logprobs": [-1, "x"]}]})"),
            "groups.jsonl:1: \"rollouts[0].logprobs[1]\": expected a number, got \"x\"");
  EXPECT_EQ(error_of(R"({"rollouts": [{"text": "a", "completion_ids": [1, -2]}]})"),
            "groups.jsonl:1: \"rollouts[0].completion_ids[1]\": expected a token id (integer >= 0), got -2");
  EXPECT_EQ(error_of(R"({"rollouts": [{"text": "a", "entropies": [1e300]}]})"),
            "groups.jsonl:1: \"rollouts[0].entropies[0]\": expected a number, got 1e+300");
  EXPECT_EQ(error_of(R"({"rollouts": [{"text": "a", "entropies": 3}]})"),
            "groups.jsonl:1: \"rollouts[0].entropies\": expected a list of numbers, got 3");
}

TEST(RewardJsonl, RewardErrorsNameTheLineToo) {
  DareReward dare;
  std::istringstream in("{\"rollouts\": [{\"text\": \"\\\\boxed{1}\"}], \"vocab_size\": 10}\n");
  std::ostringstream out;
  try {
    score_jsonl(in, "g.jsonl", out, dare, Task::kMath);
    FAIL();
  } catch (const ttrl::IoError& e) {
    EXPECT_EQ(std::string(e.what()), "g.jsonl:1: dare: rollout 0 has an answer but no token entropy (dare needs entropies)");
  }
}

TEST(RewardJsonl, WholeFileWithTheSectionsReward) {
  const auto path = std::filesystem::temp_directory_path() / "ttrl_test_reward_groups.jsonl";
  std::ofstream(path) << kGroupLine << "\n" << kGroupLine << "\n";
  ttrl::RewardSection section;
  section.name = "ground_truth";
  std::ostringstream out;
  EXPECT_EQ(score_jsonl_file(path.string(), out, section), 2);
  const json first = json::parse(out.str().substr(0, out.str().find('\n')));
  EXPECT_EQ(first["rewards"], json({1.0, 1.0, 0.0, 0.0}));
  EXPECT_EQ(first["label"], "3");
  std::filesystem::remove(path);
  EXPECT_THROW(score_jsonl_file(path.string(), out, section), ttrl::IoError);
  section.name = "nope";
  EXPECT_THROW(score_jsonl_file(path.string(), out, section), ttrl::ConfigError);
}
