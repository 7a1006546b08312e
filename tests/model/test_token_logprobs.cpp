#include <gtest/gtest.h>

#include "ttrl/core/error.hpp"
#include "ttrl/model/token_logprobs.hpp"

using ttrl::model::token_logprobs_and_entropy;

namespace {

struct Case {
  torch::Tensor hidden, weight, targets;
};

Case make_case(int64_t rows, int64_t dim, int64_t vocab, uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  return {torch::randn({rows, dim}, generator, torch::kFloat64).requires_grad_(true),
          torch::randn({vocab, dim}, generator, torch::kFloat64).requires_grad_(true),
          torch::randint(vocab, {rows}, generator, torch::kInt64)};
}

}  // namespace

TEST(ModelTokenLogprobs, MatchesFullSoftmaxValuesAndGradients) {
  for (const double temperature : {1.0, 0.6}) {
    Case c = make_case(23, 8, 50, 1);
    const auto g_lp = torch::randn({23}, torch::kFloat64), g_ent = torch::randn({23}, torch::kFloat64);
    // Reference: the whole [rows, vocab] logits through autograd.
    const auto logp = torch::log_softmax(c.hidden.mm(c.weight.t()) / temperature, -1);
    const auto ref_lp = logp.gather(1, c.targets.unsqueeze(1)).squeeze(1);
    const auto ref_ent = -(logp.exp() * logp).sum(-1);
    const auto ref_grads = torch::autograd::grad({(ref_lp * g_lp).sum() + (ref_ent * g_ent).sum()}, {c.hidden, c.weight});
    // Chunks of 5 rows (23 is not a multiple) in float32 as the model would run it.
    const auto h = c.hidden.detach().to(torch::kFloat32).requires_grad_(true);
    const auto w = c.weight.detach().to(torch::kFloat32).requires_grad_(true);
    const auto out = token_logprobs_and_entropy(h, w, c.targets, temperature, 5);
    EXPECT_LT((out.logprobs.to(torch::kFloat64) - ref_lp).abs().max().item<double>(), 1e-5);
    EXPECT_LT((out.entropies.to(torch::kFloat64) - ref_ent).abs().max().item<double>(), 1e-5);
    ((out.logprobs * g_lp.to(torch::kFloat32)).sum() + (out.entropies * g_ent.to(torch::kFloat32)).sum()).backward();
    EXPECT_TRUE(torch::allclose(h.grad().to(torch::kFloat64), ref_grads[0], 1e-4, 1e-5));
    EXPECT_TRUE(torch::allclose(w.grad().to(torch::kFloat64), ref_grads[1], 1e-4, 1e-5));
  }
}

TEST(ModelTokenLogprobs, OnlyOneOutputUsedStillGivesGradients) {
  Case c = make_case(6, 4, 9, 2);
  const auto h = c.hidden.detach().to(torch::kFloat32).requires_grad_(true);
  const auto w = c.weight.detach().to(torch::kFloat32);  // frozen head
  token_logprobs_and_entropy(h, w, c.targets).entropies.sum().backward();
  const auto logp = torch::log_softmax(h.detach().mm(w.t()), -1);
  const auto href = h.detach().clone().requires_grad_(true);
  const auto ref = torch::log_softmax(href.mm(w.t()), -1);
  (-(ref.exp() * ref).sum()).backward();
  EXPECT_TRUE(torch::allclose(h.grad(), href.grad(), 1e-4, 1e-6));
  EXPECT_FALSE(w.grad().defined());
}

TEST(ModelTokenLogprobs, BFloat16RunsInTheModelDtype) {
  Case c = make_case(10, 16, 40, 3);
  const auto h = c.hidden.detach().to(torch::kBFloat16).requires_grad_(true);
  const auto w = c.weight.detach().to(torch::kBFloat16).requires_grad_(true);
  const auto out = token_logprobs_and_entropy(h, w, c.targets, 1.0, 3);
  EXPECT_EQ(out.logprobs.scalar_type(), torch::kFloat32);
  const auto ref = torch::log_softmax(h.detach().mm(w.detach().t()).to(torch::kFloat32), -1);
  EXPECT_LT((out.logprobs - ref.gather(1, c.targets.unsqueeze(1)).squeeze(1)).abs().max().item<float>(), 1e-4);
  out.logprobs.sum().backward();
  EXPECT_EQ(w.grad().scalar_type(), torch::kBFloat16);
}

TEST(ModelTokenLogprobs, RejectsBadArguments) {
  Case c = make_case(4, 4, 9, 4);
  const auto h = c.hidden.detach().to(torch::kFloat32), w = c.weight.detach().to(torch::kFloat32);
  EXPECT_THROW(token_logprobs_and_entropy(h, w, torch::full({4}, 9, torch::kInt64)), ttrl::Error);
  EXPECT_THROW(token_logprobs_and_entropy(h, w, c.targets, 0.0), ttrl::Error);
  EXPECT_THROW(token_logprobs_and_entropy(h, w.t(), c.targets), ttrl::Error);
  EXPECT_THROW(token_logprobs_and_entropy(h, w.to(torch::kFloat64), c.targets), ttrl::Error);
}
