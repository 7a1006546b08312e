#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "model/model_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/model/score.hpp"

using namespace ttrl::model;

namespace {

std::string parse_error(const std::string& text) {
  std::istringstream in(text);
  try {
    parse_score_requests(in, "pairs.jsonl");
  } catch (const ttrl::IoError& e) {
    return e.what();
  }
  return "";
}

Transformer scoring_model() {
  ModelConfig config = test_util::tiny_config("qwen2");
  config.initializer_range = 0.3;
  return random_init(config, 8);
}

}  // namespace

TEST(ModelScore, ParsesLinesAndNamesTheBadOne) {
  std::istringstream in("{\"prompt_ids\": [1, 2], \"completion_ids\": [3]}\n\n{\"prompt_ids\": [4], \"completion_ids\": []}\n");
  const auto requests = parse_score_requests(in, "pairs.jsonl");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].line, 3);
  EXPECT_EQ(requests[0].prompt_ids, (std::vector<int64_t>{1, 2}));
  const std::string good = "{\"prompt_ids\": [1], \"completion_ids\": [2]}\n";
  EXPECT_NE(parse_error(good + "{oops\n").find("pairs.jsonl:2: not valid JSON"), std::string::npos);
  EXPECT_NE(parse_error(good + good + "{\"prompt_ids\": [1]}\n").find("pairs.jsonl:3: missing \"completion_ids\""),
            std::string::npos);
  EXPECT_NE(parse_error("{\"prompt_ids\": [1.5], \"completion_ids\": []}").find("pairs.jsonl:1"), std::string::npos);
  EXPECT_NE(parse_error("{\"prompt_ids\": [-1], \"completion_ids\": []}").find("non-negative"), std::string::npos);
  EXPECT_NE(parse_error("{\"prompt_ids\": [], \"completion_ids\": [1]}").find("is empty"), std::string::npos);
  EXPECT_NE(parse_error("[1, 2]").find("pairs.jsonl:1: expected a JSON object, got array"), std::string::npos);
}

TEST(ModelScore, MatchesLogSoftmaxOfTheFullForwardWhateverTheBatching) {
  Transformer model = scoring_model();
  const std::vector<ScoreRequest> requests = {
      {{1, 2, 3}, {4, 5, 6, 7}}, {{9}, {8}}, {{10, 11, 12, 13, 14}, {}}, {{20, 21}, {22, 23, 24, 25, 26, 27}}};
  ScoreOptions one_at_a_time;
  one_at_a_time.max_batch_tokens = 1;
  const auto batched = score(*model, requests);
  const auto single = score(*model, requests, one_at_a_time);
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    ASSERT_EQ(batched[i].logprobs.size(), r.completion_ids.size());
    std::vector<int64_t> tokens = r.prompt_ids;
    tokens.insert(tokens.end(), r.completion_ids.begin(), r.completion_ids.end());
    torch::NoGradGuard no_grad;
    const auto logp = torch::log_softmax(model->logits(torch::tensor(tokens).unsqueeze(0))[0], -1);
    for (size_t j = 0; j < r.completion_ids.size(); ++j) {
      const auto row = logp[static_cast<int64_t>(r.prompt_ids.size() + j - 1)];
      EXPECT_NEAR(batched[i].logprobs[j], row[r.completion_ids[j]].item<float>(), 1e-5);
      EXPECT_NEAR(batched[i].entropies[j], -(row.exp() * row).sum().item<float>(), 1e-5);
      EXPECT_NEAR(single[i].logprobs[j], batched[i].logprobs[j], 1e-5);
    }
  }
  EXPECT_THROW(score(*model, {{{1}, {97}}}), ttrl::Error);  // outside the vocabulary
}

TEST(ModelScore, RunScoreWritesOneLinePerInputAndNamesBadIds) {
  const test_util::ScratchDir scratch("score");
  const std::string& dir = scratch.path();
  save_pretrained(*scoring_model(), dir + "/model");
  std::ofstream(dir + "/in.jsonl") << "{\"prompt_ids\": [1, 2], \"completion_ids\": [3, 4]}\n"
                                      "{\"prompt_ids\": [5], \"completion_ids\": []}\n";
  ScoreJob job;
  job.model_dir = dir + "/model";
  job.input_path = dir + "/in.jsonl";
  job.device = "cpu";
  std::ostringstream out;
  run_score(job, out);
  std::istringstream lines(out.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(first.rfind("{\"logprobs\":[", 0), 0u) << first;  // keys in the documented order
  const auto j = nlohmann::json::parse(first);
  EXPECT_EQ(j["logprobs"].size(), 2u);
  EXPECT_EQ(j["entropies"].size(), 2u);
  EXPECT_LT(j["logprobs"][0].get<double>(), 0.0);
  EXPECT_EQ(nlohmann::json::parse(second)["logprobs"].size(), 0u);
  std::ofstream(dir + "/bad.jsonl") << "{\"prompt_ids\": [1], \"completion_ids\": [2]}\n"
                                       "{\"prompt_ids\": [1], \"completion_ids\": [500]}\n";
  job.input_path = dir + "/bad.jsonl";
  try {
    run_score(job, out);
    FAIL();
  } catch (const ttrl::IoError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("bad.jsonl:2: token id 500"), std::string::npos) << message;
  }
}
