// ZeRO-1 layout and one-process behaviour; several processes (re-cutting shards, sharded vs replicated updates) are
// tested end to end by distributed_e2e.py under torchrun.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ttrl/core/error.hpp"
#include "ttrl/train/zero_shards.hpp"

namespace {

std::vector<torch::Tensor> parameters() {
  torch::manual_seed(3);
  return {torch::randn({3, 4}), torch::randn({5}), torch::randn({7, 2}), torch::randn({1})};
}

}  // namespace

TEST(ZeroShards, BucketsHoldConsecutiveParametersUpToTheLimit) {
  const auto buckets = ttrl::train::zero_buckets(parameters(), 20);  // 12 + 5 | 14 + 1
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0].first, 0u);
  EXPECT_EQ(buckets[0].last, 2u);
  EXPECT_EQ(buckets[0].numel, 17);
  EXPECT_EQ(buckets[1].first, 2u);
  EXPECT_EQ(buckets[1].last, 4u);
  EXPECT_EQ(buckets[1].numel, 15);
  // A parameter larger than the limit is a bucket of its own.
  EXPECT_EQ(ttrl::train::zero_buckets(parameters(), 4).size(), 4u);
  EXPECT_EQ(ttrl::train::zero_slice(17, 3), 6);
  EXPECT_EQ(ttrl::train::zero_slice(15, 3), 5);
  EXPECT_EQ(ttrl::train::zero_slice(1, 8), 1);
}

TEST(ZeroShards, OneProcessHoldsEverythingAndSavesWhatItLoads) {
  ttrl::dist::ProcessGroup one;
  auto params = parameters();
  ttrl::train::ZeroShards shards(params, one, torch::kFloat32, 20);
  ASSERT_EQ(shards.shard().numel(), 32);
  const auto back = shards.unflatten(shards.shard().detach());
  for (size_t i = 0; i < params.size(); ++i) EXPECT_TRUE(torch::equal(back[i], params[i]));
  // Gradients: missing ones count as zeros; the norm is that of all gradients.
  params[0].mutable_grad() = torch::full({3, 4}, 2.0f);
  shards.reduce_scatter_gradients();
  EXPECT_NEAR(shards.global_grad_norm(), std::sqrt(12 * 4.0), 1e-12);
  // Save and load back through the files.
  const auto dir = std::filesystem::temp_directory_path() / "ttrl_zero_shards_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const ttrl::train::ZeroState saved{shards.shard().detach() * 2, torch::ones({32}), torch::full({32}, 3.0f), 7};
  shards.save(dir.string(), saved);
  EXPECT_TRUE(ttrl::train::ZeroShards::has_shards(dir.string()));
  const auto loaded = shards.load(dir.string());
  EXPECT_TRUE(torch::equal(loaded.masters, saved.masters));
  EXPECT_TRUE(torch::equal(loaded.exp_avg_sq, saved.exp_avg_sq));
  EXPECT_EQ(loaded.step, 7);
  // Another model's shards are refused, naming the index.
  auto other = parameters();
  other.pop_back();
  ttrl::train::ZeroShards smaller(other, one, torch::kFloat32, 20);
  try {
    smaller.load(dir.string());
    FAIL() << "expected an error";
  } catch (const ttrl::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("optimizer-shards.json"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(ZeroShards, ANegativeOrInconsistentOptimizerStepIsAnErrorNamingTheShard) {
  ttrl::dist::ProcessGroup one;
  auto params = parameters();
  ttrl::train::ZeroShards shards(params, one, torch::kFloat32, 20);
  const auto dir = std::filesystem::temp_directory_path() / "ttrl_zero_shards_step_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto expect_error = [&](const std::string& needle) {
    try {
      shards.load(dir.string());
      FAIL() << "expected an error";
    } catch (const ttrl::IoError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  shards.save(dir.string(), {shards.shard().detach(), torch::zeros({32}), torch::zeros({32}), -3});
  expect_error("optimizer-shard-0-of-1.pt': the optimizer step must be an int64 >= 0, got -3");
  // Two shards (as two processes write them) at different steps: buckets of 17 and 15 -> slices of 9 and 8.
  const auto write_shard = [&](int64_t rank, int64_t step) {
    torch::save(std::vector<torch::Tensor>{torch::zeros({17}), torch::zeros({17}), torch::zeros({17}),
                                           torch::tensor(step, torch::kInt64)},
                (dir / ("optimizer-shard-" + std::to_string(rank) + "-of-2.pt")).string());
  };
  write_shard(0, 5);
  write_shard(1, 6);
  std::ofstream(dir / "optimizer-shards.json") << R"({"format": "ttrl-zero-1", "world_size": 2, "bucket_elements": 20, "buckets": [17, 15]})";
  expect_error("optimizer-shard-1-of-2.pt' was written at optimizer step 6, the shards before it at step 5");
  std::filesystem::remove_all(dir);
}
