// PortableAdamW: torch::optim::AdamW's update with a correctly rounded square root (see portable_adamw.hpp).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "ttrl/train/portable_adamw.hpp"

namespace ttrl::train {
namespace {

// The correctly rounded float32 square root is the float64 one rounded to float32 (float64 carries more than
// 2 * 24 + 2 bits, so that double rounding is exact). MKL VML's sqrt, behind at::sqrt on the CPU, misses it on
// many inputs on some CPUs; ours must never.
TEST(CorrectlyRoundedSqrt, Float32EqualsFloat64RoundedToFloat32) {
  torch::manual_seed(0);
  auto x = torch::cat({torch::randn({100000}).abs(), torch::rand({1000}) * 1e-38,  // subnormals
                       torch::tensor({0.0f, 1.0f, 4.0f, 2.0f, 3.4e38f, std::numeric_limits<float>::infinity()})});
  const auto ours = correctly_rounded_sqrt(x);
  const auto exact = x.to(torch::kFloat64).sqrt().to(torch::kFloat32);
  EXPECT_EQ(ours.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(ours, exact));
  EXPECT_TRUE(std::isnan(correctly_rounded_sqrt(torch::tensor({-1.0f})).item<float>()));
}

TEST(CorrectlyRoundedSqrt, StridedAndSixteenBitInputs) {
  const auto x = torch::rand({64, 48}).t();  // not contiguous
  EXPECT_TRUE(torch::equal(correctly_rounded_sqrt(x), x.to(torch::kFloat64).sqrt().to(torch::kFloat32)));
  const auto h = torch::rand({4096}).to(torch::kBFloat16);
  EXPECT_TRUE(torch::equal(correctly_rounded_sqrt(h), h.to(torch::kFloat64).sqrt().to(torch::kBFloat16)));
}

/// Runs `steps` updates of `optimizer` on a copy of `start` with the same gradients each time.
template <typename Opt>
torch::Tensor run(const torch::Tensor& start, const std::vector<torch::Tensor>& grads, bool amsgrad,
                  std::string* saved = nullptr) {
  auto p = start.clone().set_requires_grad(true);
  Opt opt({p}, torch::optim::AdamWOptions(1e-2).betas({0.9, 0.99}).eps(1e-8).weight_decay(0.1).amsgrad(amsgrad));
  for (const auto& g : grads) {
    p.mutable_grad() = g.clone();
    opt.step();
  }
  if (saved) {
    std::ostringstream out;
    torch::serialize::OutputArchive archive;
    opt.save(archive);
    archive.save_to(out);
    *saved = out.str();
  }
  return p.detach();
}

TEST(PortableAdamW, MatchesLibTorchAdamWUpToSqrtRounding) {
  torch::manual_seed(1);
  const auto start = torch::randn({300, 70});
  std::vector<torch::Tensor> grads;
  for (int i = 0; i < 6; ++i) grads.push_back(torch::randn({300, 70}) * (i + 1));
  for (bool amsgrad : {false, true}) {
    const auto ours = run<PortableAdamW>(start, grads, amsgrad);
    const auto theirs = run<torch::optim::AdamW>(start, grads, amsgrad);
    EXPECT_FALSE(torch::equal(ours, start));
    EXPECT_TRUE(torch::allclose(ours, theirs, /*rtol=*/1e-5, /*atol=*/1e-7)) << "amsgrad " << amsgrad;
  }
}

TEST(PortableAdamW, StateLoadsIntoLibTorchAdamW) {
  torch::manual_seed(2);
  const auto start = torch::randn({50});
  std::string saved;
  run<PortableAdamW>(start, {torch::randn({50}), torch::randn({50})}, false, &saved);
  auto p = start.clone().set_requires_grad(true);
  torch::optim::AdamW theirs({p}, torch::optim::AdamWOptions(1e-2));
  std::istringstream in(saved);
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  theirs.load(archive);
  const auto& state = static_cast<torch::optim::AdamWParamState&>(*theirs.state().begin()->second);
  EXPECT_EQ(state.step(), 2);
  EXPECT_TRUE(state.exp_avg_sq().gt(0).all().item<bool>());
}

}  // namespace
}  // namespace ttrl::train
