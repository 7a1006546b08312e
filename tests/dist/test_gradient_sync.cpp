// dist::GradientSync with two ranks of a real c10d Gloo group, run as two threads of this process (TCPStore on
// loopback). Each rank knows both ranks' inputs, so it computes the expected sum of gradients without any
// collective and checks what the sync produced against it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <future>
#include <thread>

#include <ATen/CPUGeneratorImpl.h>

#include "ttrl/dist/gradient_sync.hpp"

namespace {

using ttrl::dist::GradientSync;
using ttrl::dist::GradientSyncOptions;

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

/// Runs body(group) as rank 0 and rank 1 of one group, each on its own thread; rethrows a rank's exception.
void with_two_ranks(const std::function<void(ttrl::dist::ProcessGroup&)>& body) {
  setenv("GLOO_SOCKET_IFNAME", "lo", 0);
  const int port = free_port();
  auto run = [&](int64_t rank) {
    ttrl::LaunchEnv env;
    env.rank = rank;
    env.world_size = 2;
    env.local_rank = rank;
    env.local_world_size = 2;
    env.master_addr = "127.0.0.1";
    env.master_port = port;
    ttrl::dist::ProcessGroupOptions options;
    options.timeout = std::chrono::seconds(60);
    auto group = ttrl::dist::ProcessGroup::create(env, options);
    body(*group);
  };
  auto second = std::async(std::launch::async, run, 1);
  run(0);
  second.get();
}

/// A job of one process whose collectives still go through c10d (connect_single_process): Gloo, and NCCL for CUDA.
std::shared_ptr<ttrl::dist::ProcessGroup> connected_single_process(const std::string& device_type) {
  setenv("GLOO_SOCKET_IFNAME", "lo", 0);
  ttrl::LaunchEnv env;
  env.master_addr = "127.0.0.1";
  env.master_port = free_port();
  ttrl::dist::ProcessGroupOptions options;
  options.timeout = std::chrono::seconds(60);
  options.device_type = device_type;
  options.connect_single_process = true;
  return ttrl::dist::ProcessGroup::create(env, options);
}

/// A chain of linear layers (backward reaches the last one first), its parameters in forward order.
struct Chain {
  std::vector<torch::Tensor> parameters;
  explicit Chain(int64_t layers, const torch::Device& device = torch::kCPU) {
    // The same weights on both ranks: a generator of its own (the two rank threads would race on the global one).
    auto generator = at::make_generator<at::CPUGeneratorImpl>(11);
    for (int64_t l = 0; l < layers; ++l) {
      parameters.push_back(torch::randn({6, 6}, generator).to(device).requires_grad_(true));
      parameters.push_back(torch::randn({6}, generator).to(device).requires_grad_(true));
    }
  }
  /// Loss of the rank-`rank` micro-batch `micro`; `skip` leaves out the bias of that layer (no gradient for it).
  torch::Tensor loss(int64_t rank, int64_t micro, int64_t skip_bias_of = -1) const {
    auto x = torch::arange(12, parameters.front().options().requires_grad(false)).view({2, 6}).mul(
        0.1 * static_cast<double>(1 + rank + 2 * micro));
    for (size_t l = 0; l < parameters.size() / 2; ++l) {
      x = torch::tanh(torch::matmul(x, parameters[2 * l]));
      if (static_cast<int64_t>(l) != skip_bias_of) x = x + parameters[2 * l + 1];
    }
    return x.pow(2).sum();
  }
  /// The gradients of a loss, computed apart from .grad.
  std::vector<torch::Tensor> gradients_of(const torch::Tensor& loss) const {
    auto grads = torch::autograd::grad({loss}, parameters, {}, /*retain_graph=*/false, false, /*allow_unused=*/true);
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined()) grads[i] = torch::zeros_like(parameters[i]);
    return grads;
  }
};

std::vector<ttrl::dist::GradientBucket> one_per_parameter(size_t n) {
  std::vector<ttrl::dist::GradientBucket> buckets;
  for (size_t i = 0; i < n; ++i) buckets.push_back({i, i + 1});
  return buckets;
}

}  // namespace

TEST(GradientBuckets, ConsecutiveParametersOfOneDtypeUpToTheSize) {
  const std::vector<torch::Tensor> p{torch::zeros({4}), torch::zeros({2}), torch::zeros({8}),
                                     torch::zeros({1}, torch::kFloat64), torch::zeros({1}, torch::kFloat64)};
  const auto buckets = ttrl::dist::gradient_buckets(p, 6);  // 4 + 2 | 8 (alone, larger) | a float64 pair
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[0].last, 2u);
  EXPECT_EQ(buckets[1].first, 2u);
  EXPECT_EQ(buckets[1].last, 3u);
  EXPECT_EQ(buckets[2].first, 3u);
  EXPECT_EQ(buckets[2].last, 5u);
  const auto flat = ttrl::dist::flatten_padded({torch::ones({2, 2}), torch::Tensor()}, {p[0], p[1]}, torch::kFloat64, 4);
  EXPECT_TRUE(torch::equal(flat, torch::tensor({1., 1., 1., 1., 0., 0., 0., 0.}, torch::kFloat64)));
}

// Armed before the last of two micro-batches' backward: buckets start inside backward, and every rank ends with
// the sum over ranks and micro-batches, exactly as the sync without overlap gives it.
TEST(GradientSync, AllReduceDuringBackwardEqualsTheSumOfEveryRanksGradients) {
  with_two_ranks([](ttrl::dist::ProcessGroup& group) {
    for (bool overlap : {true, false}) {
      Chain chain(4);
      std::vector<torch::Tensor> expected(chain.parameters.size());
      for (int64_t rank = 0; rank < 2; ++rank)
        for (int64_t micro = 0; micro < 2; ++micro) {
          const auto g = chain.gradients_of(chain.loss(rank, micro));
          for (size_t i = 0; i < g.size(); ++i) expected[i] = expected[i].defined() ? expected[i] + g[i] : g[i];
        }
      GradientSyncOptions options;
      options.overlap = overlap;
      GradientSync sync(group, chain.parameters, one_per_parameter(chain.parameters.size()), options);
      chain.loss(group.rank(), 0).backward();
      sync.arm();
      chain.loss(group.rank(), 1).backward();
      sync.finish();
      EXPECT_EQ(sync.stats().buckets, 8);
      if (overlap)
        EXPECT_GE(sync.stats().started_in_backward, 4) << "rank " << group.rank();  // all but the first layer's, at least
      else
        EXPECT_EQ(sync.stats().started_in_backward, 0);
      for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_TRUE(torch::allclose(chain.parameters[i].grad(), expected[i], 1e-5, 1e-6))
            << "rank " << group.rank() << " parameter " << i << " overlap " << overlap;
    }
  });
}

// A parameter without a gradient in the armed backward holds its bucket (and those after it in launch order) until
// finish(); a rank that ran no backward at all takes part with zeros. No deadlock, the same sums.
TEST(GradientSync, MissingGradientsAndARankWithoutBackwardTakePartAsZeros) {
  with_two_ranks([](ttrl::dist::ProcessGroup& group) {
    Chain chain(3);
    const auto expected = chain.gradients_of(chain.loss(0, 0, /*skip_bias_of=*/1));  // rank 1 contributes nothing
    GradientSync sync(group, chain.parameters, one_per_parameter(chain.parameters.size()));
    sync.arm();
    if (group.rank() == 0) chain.loss(0, 0, 1).backward();
    sync.finish();
    if (group.rank() == 0) EXPECT_LT(sync.stats().started_in_backward, 6);  // the skipped bias stops the launches
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_TRUE(chain.parameters[i].grad().defined()) << i;
      EXPECT_TRUE(torch::allclose(chain.parameters[i].grad(), expected[i], 1e-5, 1e-6)) << "rank " << group.rank() << " " << i;
    }
  });
}

// Reduce-scatter (ZeRO): rank r receives slice r of each bucket's padded sum, in float64 here, during backward.
TEST(GradientSync, ReduceScatterGivesEachRankItsSliceOfEveryBucket) {
  with_two_ranks([](ttrl::dist::ProcessGroup& group) {
    Chain chain(2);
    std::vector<torch::Tensor> expected(chain.parameters.size());
    for (int64_t rank = 0; rank < 2; ++rank) {
      const auto g = chain.gradients_of(chain.loss(rank, 0));
      for (size_t i = 0; i < g.size(); ++i) expected[i] = expected[i].defined() ? expected[i] + g[i] : g[i];
    }
    const std::vector<ttrl::dist::GradientBucket> buckets{{0, 1}, {1, 3}, {3, 4}};  // 36 | 6 + 36 | 6 elements
    GradientSyncOptions options;
    options.reduction = GradientSyncOptions::Reduction::kReduceScatter;
    options.flat_dtype = torch::kFloat64;
    GradientSync sync(group, chain.parameters, buckets, options);
    sync.arm();
    chain.loss(group.rank(), 0).backward();
    const auto slices = sync.finish();
    EXPECT_GT(sync.stats().started_in_backward, 0);
    std::vector<torch::Tensor> want;
    for (const auto& b : buckets) {
      const std::vector<torch::Tensor> like(chain.parameters.begin() + b.first, chain.parameters.begin() + b.last);
      const std::vector<torch::Tensor> sums(expected.begin() + b.first, expected.begin() + b.last);
      const auto flat = ttrl::dist::flatten_padded(sums, like, torch::kFloat64, 2);
      want.push_back(flat.chunk(2)[group.rank()]);
    }
    ASSERT_EQ(slices.scalar_type(), torch::kFloat64);
    EXPECT_TRUE(torch::allclose(slices, torch::cat(want), 1e-6, 1e-9)) << "rank " << group.rank();
  });
}

namespace {

torch::Tensor concatenated(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> flat;
  for (const auto& t : tensors) flat.push_back(t.reshape({-1}));
  return torch::cat(flat);
}

std::vector<torch::Tensor> grads_of(const Chain& chain) {
  std::vector<torch::Tensor> grads;
  for (const auto& p : chain.parameters) grads.push_back(p.grad());
  return grads;
}

/// Every collective of a connected group of one on `device` (Gloo for CPU tensors, NCCL for CUDA ones): the sums
/// of one rank are its own values; GradientSync's hooks start the buckets during backward (on CUDA, on the autograd
/// engine's device thread).
void one_connected_process(const torch::Device& device) {
  auto group = connected_single_process(device.is_cuda() ? "cuda" : "cpu");
  ASSERT_TRUE(group->connected());
  ASSERT_FALSE(group->distributed());
  auto values = torch::arange(6, torch::TensorOptions().dtype(torch::kFloat32).device(device));
  const auto original = values.clone();
  group->all_reduce_sum(values);
  auto slice = torch::empty({6}, values.options());
  group->reduce_scatter_sum(slice, values);
  auto gathered = torch::empty({6}, values.options());
  group->all_gather(gathered, slice);
  EXPECT_TRUE(torch::equal(values, original));
  EXPECT_TRUE(torch::equal(gathered, original));
  EXPECT_EQ(group->all_gather_strings("one"), std::vector<std::string>{"one"});

  for (auto reduction : {GradientSyncOptions::Reduction::kAllReduce, GradientSyncOptions::Reduction::kReduceScatter}) {
    Chain chain(4, device);
    const auto expected = chain.gradients_of(chain.loss(0, 0));
    GradientSyncOptions options;
    options.reduction = reduction;
    GradientSync sync(*group, chain.parameters, one_per_parameter(chain.parameters.size()), options);
    sync.arm();
    chain.loss(0, 0).backward();
    const auto slices = sync.finish();
    EXPECT_GE(sync.stats().started_in_backward, 4);
    // One rank: its slice of each bucket is the whole bucket, so both reductions give the gradients themselves.
    const auto got = reduction == GradientSyncOptions::Reduction::kReduceScatter ? slices : concatenated(grads_of(chain));
    EXPECT_TRUE(torch::allclose(got, concatenated(expected), 1e-5, 1e-6));
  }
}

}  // namespace

TEST(GradientSync, OneConnectedProcessRunsEveryCollectiveThroughGloo) { one_connected_process(torch::kCPU); }

// The NCCL path on one GPU (label gpu: scripts/gpu_check.sh); NCCL refuses two ranks on one device, so this is all
// of ProcessGroupNCCL that one GPU can run.
TEST(GradientSync, OneConnectedProcessRunsEveryCollectiveThroughNcclOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  setenv("NCCL_SOCKET_IFNAME", "lo", 0);  // NCCL's bootstrap, like Gloo, on loopback
  one_connected_process(torch::Device(torch::kCUDA, 0));
}
