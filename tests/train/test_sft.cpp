// Supervised warm start: examples carry the templated prompt and solution + eos; the loss is the mean NLL of the
// target tokens computed independently from full logits; a few steps on a fixed batch lower it.
#include <gtest/gtest.h>

#include "ttrl/core/error.hpp"
#include "ttrl/tokenizer/byte_tokenizer.hpp"
#include "ttrl/train/sft.hpp"

namespace {
using namespace ttrl;

RunConfig tiny_config() {
  RunConfig c;
  c.model.random_init = true;
  c.model.device = "cpu";
  c.model.dtype = "float32";
  c.model.num_threads = 1;
  c.model.random.hidden_size = 32;
  c.model.random.num_layers = 1;
  c.model.random.num_heads = 2;
  c.model.random.num_kv_heads = 1;
  c.model.random.intermediate_size = 64;
  c.model.random.max_position_embeddings = 128;
  c.model.random.seed = 3;
  c.tokenizer.path = "byte";
  c.tokenizer.chat_template = "custom";
  c.tokenizer.custom_template = "{question}\n";
  return c;
}

std::vector<data::Record> records() {
  std::vector<data::Record> out;
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"Compute 1+2.", "1+2=3. \\boxed{3}"}, {"Compute 4+4.", "4+4=8. \\boxed{8}"},
      {"Compute 2+5+1.", "2+5=7, 7+1=8. \\boxed{8}"}, {"Compute 9+9.", "9+9=18. \\boxed{18}"}};
  for (size_t i = 0; i < pairs.size(); ++i) {
    data::Record r;
    r.id = std::to_string(i);
    r.prompt = pairs[i].first;
    r.extra = {{"solution", pairs[i].second}};
    out.push_back(r);
  }
  return out;
}

std::vector<int64_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

TEST(Sft, ExamplesAreTemplatedPromptAndSolutionThenEos) {
  const RunConfig config = tiny_config();
  const auto policy = rollout::load_policy(config);
  const auto examples = train::make_sft_examples(policy, config, records());
  ASSERT_EQ(examples.size(), 4u);
  EXPECT_EQ(examples[0].prompt_ids, bytes_of("Compute 1+2.\n"));
  auto target = bytes_of("1+2=3. \\boxed{3}");
  target.push_back(ByteTokenizerIds::kEos);
  EXPECT_EQ(examples[0].target_ids, target);

  auto bad = records();
  bad[2].extra = {{"answer", "8"}};
  try {
    train::make_sft_examples(policy, config, bad);
    FAIL() << "a record without a solution was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("record 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("solution"), std::string::npos) << e.what();
  }
}

TEST(Sft, TheAnswerFieldCanBeTheSolutionButThePromptCannot) {
  const RunConfig config = tiny_config();
  const auto policy = rollout::load_policy(config);
  auto with_answers = records();
  for (auto& r : with_answers) r.answer = r.extra["solution"].get<std::string>(), r.extra = nlohmann::json::object();
  const auto examples = train::make_sft_examples(policy, config, with_answers, config.data.answer_key);
  ASSERT_EQ(examples.size(), 4u);
  auto target = bytes_of("1+2=3. \\boxed{3}");
  target.push_back(ByteTokenizerIds::kEos);
  EXPECT_EQ(examples[0].target_ids, target);
  EXPECT_THROW(train::make_sft_examples(policy, config, with_answers, config.data.prompt_key), ttrl::ConfigError);
}

TEST(Sft, LossIsMeanNllOfTargetTokens) {
  const RunConfig config = tiny_config();
  auto policy = rollout::load_policy(config);
  const auto examples = train::make_sft_examples(policy, config, records());
  std::vector<const train::SftExample*> batch;
  for (const auto& e : examples) batch.push_back(&e);
  const double loss = train::sft_loss(*policy.model, batch).item<double>();

  // Reference: each sequence on its own, full logits, log_softmax, the target positions only.
  torch::NoGradGuard no_grad;
  double total = 0;
  int64_t tokens = 0;
  for (const auto& e : examples) {
    std::vector<int64_t> ids = e.prompt_ids;
    ids.insert(ids.end(), e.target_ids.begin(), e.target_ids.end());
    const auto logp = torch::log_softmax(policy.model->logits(torch::tensor(ids).unsqueeze(0)).squeeze(0), -1);
    for (size_t t = 0; t < e.target_ids.size(); ++t) {
      const auto position = static_cast<int64_t>(e.prompt_ids.size() + t - 1);
      total -= logp[position][e.target_ids[t]].item<double>();
      ++tokens;
    }
  }
  EXPECT_NEAR(loss, total / static_cast<double>(tokens), 1e-4);
}

TEST(Sft, StepsOnAFixedBatchLowerTheLoss) {
  const RunConfig config = tiny_config();
  auto policy = rollout::load_policy(config);
  const auto examples = train::make_sft_examples(policy, config, records());
  train::SftOptions options;
  options.steps = 40;
  options.batch_size = static_cast<int64_t>(examples.size());  // every step sees the same batch
  options.lr = 1e-2;
  options.progress_bar = false;
  int64_t callbacks = 0;
  const auto result = train::run_sft(policy, examples, options, [&](int64_t step, const std::map<std::string, double>& m) {
    EXPECT_EQ(step, ++callbacks);
    EXPECT_TRUE(m.count("sft/loss") && m.count("sft/lr") && m.count("sft/grad_norm"));
  });
  ASSERT_EQ(result.losses.size(), 40u);
  EXPECT_EQ(callbacks, 40);
  EXPECT_GT(result.losses.front(), 5.0);                       // about ln(260) for a random model
  EXPECT_LT(result.losses.back(), 0.5 * result.losses.front());
  EXPECT_THROW(train::run_sft(policy, {}, options), Error);
}

}  // namespace
