// The GRPO update step (update_policy) on a tiny random model: one step equals a hand-computed loss + AdamW,
// gradient accumulation over micro-batches equals one big micro-batch, advantages move log-probs the right way,
// zero advantages move nothing, non-finite losses are skipped and counted, and the KL term and PPO epochs behave.
// AdamW's epsilon is set large (1.0) where updates are compared: its first step is then
//   lr * g / (|g| + eps),
// which depends on the gradient's size, not only on its sign as with eps = 1e-8.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "model/model_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/train/policy_update.hpp"
#include "ttrl/train/portable_adamw.hpp"

namespace ttrl::train {
namespace {

constexpr double kLr = 1e-3;

model::Transformer tiny_model(uint64_t seed = 7) {
  return model::random_init(model::test_util::tiny_config(), seed);
}

OptimizerOptions optimizer_options(double epsilon = 1.0, double weight_decay = 0.0) {
  OptimizerOptions o;
  o.epsilon = epsilon;
  o.weight_decay = weight_decay;
  o.grad_clip = 0;  // no clipping
  o.fp32_master_weights = false;
  o.schedule = {kLr, 100, 0.0, 0.0, "constant"};
  return o;
}

/// Two prompts with two completions each, of different lengths; old log-probs are the model's own, shifted on some
/// tokens so that the ratio leaves the clip range on a few of them.
struct Rollouts {
  std::vector<TrainSequence> sequences;
  std::vector<std::vector<size_t>> by_prompt;
};
Rollouts make_rollouts(model::TransformerImpl& model, double temperature = 1.0) {
  Rollouts r;
  r.sequences = {{{1, 2, 3}, {4, 5, 6}, {}, 1.0},
                 {{1, 2, 3}, {7, 8}, {}, -1.0},
                 {{10, 11}, {12, 13, 14, 15}, {}, 0.5},
                 {{10, 11}, {16}, {}, -0.5}};
  r.by_prompt = {{0, 1}, {2, 3}};
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < r.sequences.size(); ++i) {
    auto& s = r.sequences[i];
    s.old_logprobs.assign(s.completion_ids.size(), 0.0f);
    const auto stats = response_stats(model, make_batch({&s}, model.device()), temperature);
    for (size_t t = 0; t < s.completion_ids.size(); ++t) {
      const double shift = (i + t) % 3 == 0 ? 0.4 : ((i + t) % 3 == 1 ? -0.05 : 0.0);
      s.old_logprobs[t] = stats.logprobs[0][static_cast<int64_t>(t)].item<float>() + static_cast<float>(shift);
    }
  }
  return r;
}

std::vector<torch::Tensor> snapshot(model::TransformerImpl& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model.parameters()) out.push_back(p.detach().clone());
  return out;
}

double max_abs_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, (a[i] - b[i]).abs().max().item<double>());
  return d;
}

bool bitwise_equal(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

/// Sum of the log-probs of a sequence's completion under `model`.
double completion_logprob(model::TransformerImpl& model, const TrainSequence& s) {
  torch::NoGradGuard no_grad;
  return response_stats(model, make_batch({&s}, model.device()), 1.0).logprobs.sum().item<double>();
}

TEST(PolicyUpdate, OneStepEqualsHandComputedLossAndAdamW) {
  auto policy = tiny_model();
  auto by_hand = model::copy_model(*policy);
  const auto rollouts = make_rollouts(*policy);
  PolicyUpdateOptions options;
  options.mini_batch_prompts = 2;  // one mini-batch, one micro-batch, one epoch: one optimizer step
  options.micro_batch_size = 8;
  options.loss.clip_low = 0.2;
  options.loss.clip_high = 0.28;
  options.entropy_coef = 0.1;
  Optimizer optimizer(policy->parameters(), optimizer_options());
  std::vector<bool> outcomes;
  const auto result = update_policy(*policy, nullptr, optimizer, rollouts.sequences, rollouts.by_prompt, options,
                                    [&](bool applied) { outcomes.push_back(applied); });
  EXPECT_EQ(result.optimizer_steps, 1);
  EXPECT_EQ(result.skipped_updates, 0);
  EXPECT_EQ(optimizer.steps_taken(), 1);
  EXPECT_EQ(outcomes, std::vector<bool>{true});
  EXPECT_FALSE(policy->is_training());

  // By hand: token-mean clipped loss minus the entropy bonus over all 10 completion tokens, backward, AdamW (the
  // optimizer's update without clipping).
  std::vector<const TrainSequence*> all;
  for (const auto& s : rollouts.sequences) all.push_back(&s);
  const auto batch = make_batch(all, torch::kCPU);
  const auto stats = response_stats(*by_hand, batch, 1.0);
  const auto pg = policy_loss(stats.logprobs, batch.old_logprobs, batch.advantages, batch.mask, options.loss);
  const auto entropy = (stats.entropies * batch.mask).sum() / 10.0;
  const auto loss = pg.loss - 0.1 * entropy;
  loss.backward();
  double squared_norm = 0;
  for (const auto& p : by_hand->parameters()) squared_norm += p.grad().to(torch::kFloat64).pow(2).sum().item<double>();
  PortableAdamW adamw(by_hand->parameters(), torch::optim::AdamWOptions(kLr).eps(1.0).weight_decay(0.0));
  adamw.step();

  EXPECT_LT(max_abs_difference(snapshot(*policy), snapshot(*by_hand)), 1e-7);  // the same operations (bitwise on CPU)
  EXPECT_GT(pg.clip_fraction, 0.0);  // the shifted old log-probs put some ratios outside the clip range
  EXPECT_NEAR(result.metrics.at("actor/pg_loss"), pg.loss.item<double>(), 1e-6);
  EXPECT_NEAR(result.metrics.at("actor/entropy"), entropy.item<double>(), 1e-6);
  EXPECT_NEAR(result.metrics.at("actor/clip_fraction"), pg.clip_fraction, 1e-12);
  EXPECT_NEAR(result.metrics.at("actor/approx_kl"), pg.approx_kl, 1e-12);
  EXPECT_EQ(result.metrics.at("actor/dual_clip_fraction"), 0.0);
  EXPECT_NEAR(result.metrics.at("actor/grad_norm"), std::sqrt(squared_norm), 1e-5 * std::sqrt(squared_norm));
  EXPECT_DOUBLE_EQ(result.metrics.at("actor/lr"), kLr);
  EXPECT_EQ(result.metrics.at("actor/skipped_updates"), 0.0);
  EXPECT_EQ(result.metrics.count("actor/kl_loss"), 0u);  // no KL term without kl_coef
}

TEST(PolicyUpdate, TheStepMovesTheWeights) {
  // Guards the comparisons of the other tests against a step that changes nothing.
  auto policy = tiny_model();
  const auto before = snapshot(*policy);
  const auto rollouts = make_rollouts(*policy);
  Optimizer optimizer(policy->parameters(), optimizer_options());
  PolicyUpdateOptions options;
  options.mini_batch_prompts = 2;
  update_policy(*policy, nullptr, optimizer, rollouts.sequences, rollouts.by_prompt, options);
  EXPECT_GT(max_abs_difference(before, snapshot(*policy)), 1e-5);
}

struct AccumulationCase {
  LossAggregation aggregation;
  double kl_coef, entropy_coef;
  bool dual_clip;
};

void PrintTo(const AccumulationCase& c, std::ostream* os) {
  *os << "aggregation " << static_cast<int>(c.aggregation) << ", kl_coef " << c.kl_coef << ", entropy_coef "
      << c.entropy_coef << (c.dual_clip ? ", dual clip" : "");
}

std::string accumulation_case_name(const ::testing::TestParamInfo<AccumulationCase>& info) {
  const char* names[] = {"TokenMean", "SeqMeanTokenMean", "SeqMeanTokenSumNorm"};
  std::string name = names[static_cast<int>(info.param.aggregation)];
  if (info.param.kl_coef > 0) name += "WithKlAndEntropy";
  if (info.param.dual_clip) name += "DualClip";
  return name;
}

class MicroBatchTest : public ::testing::TestWithParam<AccumulationCase> {};

TEST_P(MicroBatchTest, MicroBatchesOfOneGiveTheUpdateOfOneMicroBatch) {
  const auto c = GetParam();
  auto whole = tiny_model();
  auto pieces = model::copy_model(*whole);
  auto reference = tiny_model(/*seed=*/99);  // differs from the policy, so that the KL term has a gradient
  reference->eval();
  const auto rollouts = make_rollouts(*whole, 0.8);
  PolicyUpdateOptions options;
  options.mini_batch_prompts = 2;
  options.loss.aggregation = c.aggregation;
  options.loss.dual_clip = c.dual_clip;
  options.kl_coef = c.kl_coef;
  options.entropy_coef = c.entropy_coef;
  options.temperature = 0.8;
  options.norm_length = 6;

  Optimizer whole_optimizer(whole->parameters(), optimizer_options());
  options.micro_batch_size = 4;
  const auto a = update_policy(*whole, reference.get(), whole_optimizer, rollouts.sequences, rollouts.by_prompt, options);
  Optimizer pieces_optimizer(pieces->parameters(), optimizer_options());
  options.micro_batch_size = 1;
  const auto b = update_policy(*pieces, reference.get(), pieces_optimizer, rollouts.sequences, rollouts.by_prompt, options);

  EXPECT_EQ(a.optimizer_steps, 1);
  EXPECT_EQ(b.optimizer_steps, 1);
  EXPECT_LT(max_abs_difference(snapshot(*whole), snapshot(*pieces)), 1e-6);
  for (const char* key : {"actor/pg_loss", "actor/entropy", "actor/clip_fraction", "actor/approx_kl", "actor/grad_norm"})
    EXPECT_NEAR(a.metrics.at(key), b.metrics.at(key), 1e-5) << key;
  if (c.kl_coef > 0) {
    EXPECT_NEAR(a.metrics.at("actor/kl_loss"), b.metrics.at("actor/kl_loss"), 1e-5);
    EXPECT_GT(a.metrics.at("actor/kl_loss"), 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Aggregations, MicroBatchTest,
    ::testing::Values(AccumulationCase{LossAggregation::kTokenMean, 0.0, 0.0, false},
                      AccumulationCase{LossAggregation::kTokenMean, 0.5, 0.01, true},
                      AccumulationCase{LossAggregation::kSeqMeanTokenMean, 0.5, 0.01, false},
                      AccumulationCase{LossAggregation::kSeqMeanTokenSumNorm, 0.5, 0.01, false}),
    accumulation_case_name);

TEST(PolicyUpdate, AdvantageSignDecidesTheDirection) {
  for (const double advantage : {1.0, -1.0}) {
    auto policy = tiny_model();
    TrainSequence s{{1, 2, 3}, {20, 30, 40, 50}, {}, advantage};
    {
      torch::NoGradGuard no_grad;
      s.old_logprobs.assign(4, 0.0f);
      const auto stats = response_stats(*policy, make_batch({&s}, torch::kCPU), 1.0);
      for (int64_t t = 0; t < 4; ++t) s.old_logprobs[static_cast<size_t>(t)] = stats.logprobs[0][t].item<float>();
    }
    const double before = completion_logprob(*policy, s);
    Optimizer optimizer(policy->parameters(), optimizer_options(/*epsilon=*/1e-8));
    update_policy(*policy, nullptr, optimizer, {s}, {{0}}, PolicyUpdateOptions{});
    const double after = completion_logprob(*policy, s);
    if (advantage > 0)
      EXPECT_GT(after, before + 1e-3) << "a positive advantage must raise the completion's log-prob";
    else
      EXPECT_LT(after, before - 1e-3) << "a negative advantage must lower the completion's log-prob";
  }
}

TEST(PolicyUpdate, ZeroAdvantagesLeaveTheWeightsAlone) {
  auto policy = tiny_model();
  auto rollouts = make_rollouts(*policy);
  for (auto& s : rollouts.sequences) s.advantage = 0;
  const auto before = snapshot(*policy);
  PolicyUpdateOptions options;
  options.mini_batch_prompts = 1;
  {
    Optimizer optimizer(policy->parameters(), optimizer_options(/*epsilon=*/1e-8, /*weight_decay=*/0.0));
    const auto result = update_policy(*policy, nullptr, optimizer, rollouts.sequences, rollouts.by_prompt, options);
    EXPECT_EQ(result.optimizer_steps, 2);  // the steps are taken, with a zero gradient
    EXPECT_EQ(result.metrics.at("actor/grad_norm"), 0.0);
    EXPECT_EQ(result.metrics.at("actor/pg_loss"), 0.0);
    EXPECT_TRUE(bitwise_equal(before, snapshot(*policy)));
  }
  // With weight decay only the decay acts: p <- p (1 - lr wd) per step.
  Optimizer decaying(policy->parameters(), optimizer_options(/*epsilon=*/1e-8, /*weight_decay=*/0.1));
  update_policy(*policy, nullptr, decaying, rollouts.sequences, rollouts.by_prompt, options);
  const double factor = (1 - kLr * 0.1) * (1 - kLr * 0.1);
  std::vector<torch::Tensor> decayed;
  for (const auto& p : before) decayed.push_back(p * factor);
  EXPECT_LT(max_abs_difference(decayed, snapshot(*policy)), 1e-7);
  EXPECT_FALSE(bitwise_equal(before, snapshot(*policy)));
}

TEST(PolicyUpdate, NonFiniteLossSkipsTheMiniBatchAndCountsIt) {
  auto policy = tiny_model();
  auto rollouts = make_rollouts(*policy);
  rollouts.sequences[1].advantage = std::numeric_limits<double>::quiet_NaN();  // prompt 0's second completion
  const auto before = snapshot(*policy);
  PolicyUpdateOptions options;
  options.micro_batch_size = 1;  // prompt 0's first micro-batch is finite and back-propagated before the NaN one

  // Only prompt 0: nothing changes.
  {
    auto copy = model::copy_model(*policy);
    Optimizer optimizer(copy->parameters(), optimizer_options());
    std::vector<bool> outcomes;
    const auto result = update_policy(*copy, nullptr, optimizer, rollouts.sequences, {{0, 1}}, options,
                                      [&](bool applied) { outcomes.push_back(applied); });
    EXPECT_EQ(result.skipped_updates, 1);
    EXPECT_EQ(result.optimizer_steps, 0);
    EXPECT_EQ(optimizer.steps_taken(), 0);
    EXPECT_EQ(outcomes, std::vector<bool>{false});
    EXPECT_EQ(result.metrics.at("actor/skipped_updates"), 1.0);
    EXPECT_EQ(result.metrics.count("actor/grad_norm"), 0u);
    EXPECT_TRUE(bitwise_equal(before, snapshot(*copy)));
    for (const auto& p : copy->parameters()) EXPECT_FALSE(p.grad().defined());
  }

  // Prompts 0 and 1 as two mini-batches: the skipped one leaves no gradient behind, so the result is that of
  // prompt 1 alone.
  std::vector<bool> outcomes;
  Optimizer optimizer(policy->parameters(), optimizer_options());
  const auto result = update_policy(*policy, nullptr, optimizer, rollouts.sequences, rollouts.by_prompt, options,
                                    [&](bool applied) { outcomes.push_back(applied); });
  EXPECT_EQ(result.skipped_updates, 1);
  EXPECT_EQ(result.optimizer_steps, 1);
  EXPECT_EQ(outcomes, (std::vector<bool>{false, true}));
  EXPECT_TRUE(std::isfinite(result.metrics.at("actor/pg_loss")));

  auto alone = tiny_model();
  Optimizer alone_optimizer(alone->parameters(), optimizer_options());
  update_policy(*alone, nullptr, alone_optimizer, rollouts.sequences, {{2, 3}}, options);
  EXPECT_TRUE(bitwise_equal(snapshot(*alone), snapshot(*policy)));
}

TEST(PolicyUpdate, ACallbackThatThrowsStopsTheUpdate) {
  // The trainer's max_bad_steps: its callback saves a checkpoint and throws.
  auto policy = tiny_model();
  auto rollouts = make_rollouts(*policy);
  rollouts.sequences[0].advantage = std::numeric_limits<double>::infinity();
  Optimizer optimizer(policy->parameters(), optimizer_options());
  int calls = 0;
  EXPECT_THROW(update_policy(*policy, nullptr, optimizer, rollouts.sequences, rollouts.by_prompt, PolicyUpdateOptions{},
                             [&](bool applied) {
                               ++calls;
                               if (!applied) throw Error("too many bad steps");
                             }),
               Error);
  EXPECT_EQ(calls, 1);  // the second mini-batch never ran
  EXPECT_EQ(optimizer.steps_taken(), 0);
}

TEST(PolicyUpdate, KlToAnIdenticalReferenceIsZeroOnTheFirstStep) {
  auto policy = tiny_model();
  auto reference = model::copy_model(*policy, /*requires_grad=*/false);
  reference->eval();
  const auto rollouts = make_rollouts(*policy);
  for (const auto estimator : {KlEstimator::kK1, KlEstimator::kK2, KlEstimator::kK3}) {
    auto copy = model::copy_model(*policy);
    PolicyUpdateOptions options;
    options.mini_batch_prompts = 2;
    options.kl_coef = 0.1;
    options.kl_estimator = estimator;
    Optimizer optimizer(copy->parameters(), optimizer_options());
    const auto first = update_policy(*copy, reference.get(), optimizer, rollouts.sequences, rollouts.by_prompt, options);
    EXPECT_NEAR(first.metrics.at("actor/kl_loss"), 0.0, 1e-7);
    // After a step the policy has moved away from the reference.
    const auto second = update_policy(*copy, reference.get(), optimizer, rollouts.sequences, rollouts.by_prompt, options);
    if (estimator == KlEstimator::kK1)
      EXPECT_NE(second.metrics.at("actor/kl_loss"), 0.0);
    else
      EXPECT_GT(second.metrics.at("actor/kl_loss"), 1e-9);
  }
  // kl_coef > 0 without a reference model is an error.
  PolicyUpdateOptions options;
  options.kl_coef = 0.1;
  Optimizer optimizer(policy->parameters(), optimizer_options());
  EXPECT_THROW(update_policy(*policy, nullptr, optimizer, rollouts.sequences, rollouts.by_prompt, options), Error);
}

TEST(PolicyUpdate, EachPpoEpochAndMiniBatchIsOneOptimizerStep) {
  auto policy = tiny_model();
  const auto rollouts = make_rollouts(*policy);
  for (const auto& [epochs, mini_batch_prompts, steps] :
       std::vector<std::tuple<int64_t, int64_t, int64_t>>{{2, 2, 2}, {2, 1, 4}, {1, 1, 2}, {3, 5, 3}}) {
    auto copy = model::copy_model(*policy);
    PolicyUpdateOptions options;
    options.ppo_epochs = epochs;
    options.mini_batch_prompts = mini_batch_prompts;
    Optimizer optimizer(copy->parameters(), optimizer_options());
    int calls = 0;
    const auto result = update_policy(*copy, nullptr, optimizer, rollouts.sequences, rollouts.by_prompt, options,
                                      [&](bool applied) { calls += applied; });
    EXPECT_EQ(result.optimizer_steps, steps) << epochs << " epochs, " << mini_batch_prompts << " prompts per step";
    EXPECT_EQ(optimizer.steps_taken(), steps);
    EXPECT_EQ(calls, steps);
  }
  // The second epoch sees the moved policy: its ratios are no longer those of the first (approx_kl moves).
  auto one = model::copy_model(*policy), two = model::copy_model(*policy);
  PolicyUpdateOptions options;
  options.mini_batch_prompts = 2;
  Optimizer one_optimizer(one->parameters(), optimizer_options());
  const auto single = update_policy(*one, nullptr, one_optimizer, rollouts.sequences, rollouts.by_prompt, options);
  options.ppo_epochs = 2;
  Optimizer two_optimizer(two->parameters(), optimizer_options());
  const auto twice = update_policy(*two, nullptr, two_optimizer, rollouts.sequences, rollouts.by_prompt, options);
  EXPECT_NE(single.metrics.at("actor/approx_kl"), twice.metrics.at("actor/approx_kl"));
  EXPECT_GT(max_abs_difference(snapshot(*one), snapshot(*two)), 1e-6);
}

TEST(PolicyUpdate, EmptyPromptsArePassedOver) {
  auto policy = tiny_model();
  const auto rollouts = make_rollouts(*policy);
  Optimizer optimizer(policy->parameters(), optimizer_options());
  PolicyUpdateOptions options;  // one prompt per mini-batch: the empty prompt is no step
  const auto result = update_policy(*policy, nullptr, optimizer, rollouts.sequences, {{0, 1}, {}, {2, 3}}, options);
  EXPECT_EQ(result.optimizer_steps, 2);
  EXPECT_EQ(result.skipped_updates, 0);
  EXPECT_THROW(update_policy(*policy, nullptr, optimizer, rollouts.sequences, {{0, 9}}, options), Error);
}

}  // namespace
}  // namespace ttrl::train
