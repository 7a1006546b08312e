// c10d from the torch wheel. The wheel ships no gloo headers, which ProcessGroupGloo.hpp includes: Debian's
// libgloo-dev provides them (headers only; the gloo symbols come from libtorch_cpu). This is the only file that
// includes them, and it never constructs the header's GlooStore (the one class whose layout depends on the gloo
// version), only ProcessGroupGloo through its exported constructor.
//
// On CUDA the group holds two backends, as torch.distributed's "cpu:gloo,cuda:nccl" does: ProcessGroupNCCL for CUDA
// tensors (gradients, shards) and Gloo for the CPU tensors of metrics and gathered strings. ProcessGroupNCCL.hpp
// includes <nccl.h>, which must be the wheel's (nvidia/nccl/include, put first by src/dist/CMakeLists.txt): the
// CUDA toolkit's older nccl.h has a smaller ncclConfig_t, which ProcessGroupNCCL::Options holds. The NCCL path has
// not run yet: it needs two GPUs (NCCL refuses two ranks on one device).
#include "ttrl/dist/process_group.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <limits>
#include <thread>

namespace ttrl::dist {
namespace {

constexpr const char* kFailureKey = "failed";

std::string seconds_of(std::chrono::milliseconds timeout) {
  return fmt::format("{:g} s", static_cast<double>(timeout.count()) / 1000.0);
}

}  // namespace

struct ProcessGroup::Backend {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> backend;  ///< Gloo: CPU tensors
  c10::intrusive_ptr<c10d::Backend> nccl;     ///< CUDA tensors, when the job runs on GPUs
  std::chrono::milliseconds timeout{};
  std::string store_address;  ///< MASTER_ADDR:MASTER_PORT, for messages
  bool failed = false;        ///< a collective failed: the backend may never drain its queue, so it is not destroyed
};

ProcessGroup::ProcessGroup() = default;

ProcessGroup::~ProcessGroup() {
  if (!backend_ || !backend_->failed) return;
  // After a failed collective ~ProcessGroupGloo can wait forever for work that will not finish; the process is
  // about to exit with an error anyway, so the backend and store are left to it.
  backend_->backend.release();
  backend_->nccl.release();
  backend_->store.release();
}

std::shared_ptr<ProcessGroup> ProcessGroup::create(const LaunchEnv& env, const ProcessGroupOptions& options) {
  auto group = std::make_shared<ProcessGroup>();
  if (!env.multi_process() && !options.connect_single_process) return group;
#ifndef USE_C10D_NCCL
  if (options.device_type != "cpu")
    throw NotAvailableError(fmt::format("rank {} of {}: this LibTorch has no NCCL, so several processes run on the "
                                        "CPU only; set model.device: cpu", env.rank, env.world_size));
#endif
  group->rank_ = env.rank;
  group->size_ = env.world_size;
  auto backend = std::make_unique<Backend>();
  backend->timeout = options.timeout;
  backend->store_address = fmt::format("{}:{}", env.master_addr, env.master_port);
  c10d::TCPStoreOptions store_options;
  store_options.port = static_cast<std::uint16_t>(env.master_port);
  // Without torchrun rank 0 serves the store; torchrun's agent already serves it at that address.
  store_options.isServer = env.rank == 0 && !env.agent_store;
  store_options.numWorkers = static_cast<size_t>(env.world_size);
  store_options.waitWorkers = false;
  store_options.timeout = options.timeout;
  try {
    auto tcp = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
    backend->store = c10::make_intrusive<c10d::PrefixStore>(fmt::format("ttrl/{}/", env.restart_count), tcp);
    auto gloo_options = c10d::ProcessGroupGloo::Options::create_default(options.timeout);
    backend->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(backend->store, static_cast<int>(env.rank),
                                                                   static_cast<int>(env.world_size), gloo_options);
#ifdef USE_C10D_NCCL
    if (options.device_type == "cuda") {
      c10::cuda::set_device(static_cast<c10::DeviceIndex>(env.local_rank));
      auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
      nccl_options->timeout = options.timeout;
      backend->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(
          c10::make_intrusive<c10d::PrefixStore>("nccl/", backend->store), static_cast<int>(env.rank),
          static_cast<int>(env.world_size), nccl_options);
    }
#endif
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw DistError(fmt::format(
        "rank {} of {}: no rendezvous with the other processes through the store at {} (MASTER_ADDR:MASTER_PORT) "
        "within {}: {}", env.rank, env.world_size, backend->store_address, seconds_of(options.timeout),
        what.substr(0, what.find('\n'))));
  }
  group->backend_ = std::move(backend);
  return group;
}

std::string ProcessGroup::failed_peer() {
  const auto said_failure = [&]() -> std::string {
    if (!backend_->store->check({kFailureKey})) return "";
    const auto bytes = backend_->store->get(kFailureKey);
    return std::string(bytes.begin(), bytes.end());
  };
  try {
    if (auto said = said_failure(); !said.empty()) return said;
    // Roll call: every rank whose collective failed too answers within a few seconds; the silent ones died.
    const std::string mine = fmt::format("alive-after-failure/{}", rank_);
    backend_->store->set(mine, std::vector<uint8_t>{1});
    std::vector<int64_t> silent;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    do {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      silent.clear();
      for (int64_t r = 0; r < size_; ++r)
        if (r != rank_ && !backend_->store->check({fmt::format("alive-after-failure/{}", r)})) silent.push_back(r);
    } while (!silent.empty() && std::chrono::steady_clock::now() < deadline);
    if (auto said = said_failure(); !said.empty()) return said;
    if (!silent.empty())
      return fmt::format("rank {} did not answer within 3 s after the failure (killed, crashed or still busy)",
                         fmt::join(silent, ", "));
    return "";
  } catch (const std::exception&) {
    return fmt::format("the store at {} is gone: rank 0, which serves it (unless torchrun does), has exited",
                       backend_->store_address);
  }
}

template <typename F>
void ProcessGroup::guarded(const char* what, F&& run) {
  try {
    run();
  } catch (const std::exception& e) {
    backend_->failed = true;
    const std::string transport = std::string(e.what()).substr(0, std::string(e.what()).find('\n'));
    const std::string culprit = failed_peer();
    if (!culprit.empty())
      throw DistError(fmt::format("rank {} of {}: {} failed because another process ended: {}", rank_, size_, what, culprit));
    throw DistError(fmt::format("rank {} of {}: {} failed (a process died or the trainer.dist_timeout_s of {} passed): {}",
                                rank_, size_, what, seconds_of(backend_->timeout), transport));
  }
}

namespace {

void all_reduce(c10d::Backend& backend, torch::Tensor& tensor, c10d::ReduceOp::RedOpType op,
                std::chrono::milliseconds timeout) {
  std::vector<at::Tensor> tensors{tensor};
  c10d::AllreduceOptions options;
  options.reduceOp = c10d::ReduceOp(op);
  options.timeout = timeout;
  backend.allreduce(tensors, options)->wait(timeout);
}

}  // namespace

c10d::Backend& ProcessGroup::backend_for(const torch::Tensor& tensor) {
  if (tensor.is_cuda()) {
    if (!backend_->nccl)
      throw DistError(fmt::format("rank {} of {}: a CUDA tensor in a collective of a CPU (Gloo) process group",
                                  rank_, size_));
    return *backend_->nccl;
  }
  return *backend_->backend;
}

void ProcessGroup::all_reduce_sum(torch::Tensor& tensor) { all_reduce_sum_async(tensor).wait(); }

void ProcessGroup::all_reduce_max(torch::Tensor& tensor) {
  if (!connected()) return;
  guarded("all_reduce", [&] { all_reduce(backend_for(tensor), tensor, c10d::ReduceOp::MAX, backend_->timeout); });
}

void ProcessGroup::all_reduce_min(torch::Tensor& tensor) {
  if (!connected()) return;
  guarded("all_reduce", [&] { all_reduce(backend_for(tensor), tensor, c10d::ReduceOp::MIN, backend_->timeout); });
}

void ProcessGroup::broadcast(torch::Tensor& tensor, int64_t root) {
  if (!connected()) return;
  guarded("broadcast", [&] {
    std::vector<at::Tensor> tensors{tensor};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    options.timeout = backend_->timeout;
    backend_for(tensor).broadcast(tensors, options)->wait(backend_->timeout);
  });
}

void ProcessGroup::reduce_scatter_sum(torch::Tensor& output, torch::Tensor& input) {
  reduce_scatter_sum_async(output, input).wait();
}

struct PendingCollective::State {
  ProcessGroup* group = nullptr;
  const char* what = "";
  c10::intrusive_ptr<c10d::Work> work;
};

PendingCollective::PendingCollective() = default;
PendingCollective::PendingCollective(PendingCollective&&) noexcept = default;
PendingCollective& PendingCollective::operator=(PendingCollective&&) noexcept = default;
PendingCollective::~PendingCollective() = default;

void PendingCollective::wait() {
  if (!state_ || !state_->work) return;
  auto work = std::move(state_->work);
  state_->group->guarded(state_->what, [&] { work->wait(state_->group->backend_->timeout); });
}

PendingCollective ProcessGroup::all_reduce_sum_async(torch::Tensor& tensor) {
  PendingCollective pending;
  if (!connected()) return pending;
  pending.state_ = std::make_unique<PendingCollective::State>();
  pending.state_->group = this;
  pending.state_->what = "all_reduce";
  guarded("all_reduce", [&] {
    std::vector<at::Tensor> tensors{tensor};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp(c10d::ReduceOp::SUM);
    options.timeout = backend_->timeout;
    pending.state_->work = backend_for(tensor).allreduce(tensors, options);
  });
  return pending;
}

PendingCollective ProcessGroup::reduce_scatter_sum_async(torch::Tensor& output, torch::Tensor& input) {
  PendingCollective pending;
  if (!connected()) {
    output.copy_(input);
    return pending;
  }
  pending.state_ = std::make_unique<PendingCollective::State>();
  pending.state_->group = this;
  pending.state_->what = "reduce_scatter";
  guarded("reduce_scatter", [&] {
    c10d::ReduceScatterOptions options;
    options.reduceOp = c10d::ReduceOp(c10d::ReduceOp::SUM);
    options.timeout = backend_->timeout;
    pending.state_->work = backend_for(input).reduce_scatter_single(output, input, options);
  });
  return pending;
}

void ProcessGroup::all_gather(torch::Tensor& output, torch::Tensor& input) {
  if (!connected()) {
    output.copy_(input);
    return;
  }
  guarded("all_gather", [&] {
    c10d::AllgatherOptions options;
    options.timeout = backend_->timeout;
    backend_for(input).all_gather_single(output, input, options)->wait(backend_->timeout);
  });
}

std::vector<std::string> ProcessGroup::all_gather_strings(const std::string& text) {
  if (!connected()) return {text};
  // Sizes first, then every rank's bytes padded to the longest.
  auto sizes = torch::zeros({size_}, torch::kInt64);
  sizes[rank_] = static_cast<int64_t>(text.size());
  all_reduce_sum(sizes);
  const int64_t longest = std::max<int64_t>(1, sizes.max().item<int64_t>());
  auto mine = torch::zeros({longest}, torch::kUInt8);
  std::copy(text.begin(), text.end(), mine.data_ptr<uint8_t>());
  auto all = torch::empty({size_ * longest}, torch::kUInt8);
  all_gather(all, mine);
  std::vector<std::string> out;
  const auto* bytes = all.data_ptr<uint8_t>();
  for (int64_t r = 0; r < size_; ++r)
    out.emplace_back(reinterpret_cast<const char*>(bytes + r * longest), static_cast<size_t>(sizes[r].item<int64_t>()));
  return out;
}

void ProcessGroup::barrier() {
  if (!connected()) return;
  guarded("barrier", [&] {
    c10d::BarrierOptions options;
    options.timeout = backend_->timeout;
    backend_->backend->barrier(options)->wait(backend_->timeout);
  });
}

void ProcessGroup::report_failure(const std::string& message) noexcept {
  if (!distributed() || !backend_ || backend_->failed) return;  // a failed collective is a consequence, not the cause
  try {
    const std::string line = fmt::format("rank {}: {}", rank_, message.substr(0, 2000));
    backend_->store->set(kFailureKey, std::vector<uint8_t>(line.begin(), line.end()));
  } catch (...) {
  }
}

void sum_across_ranks(ProcessGroup& group, std::vector<double>& values) {
  if (!group.distributed() || values.empty()) return;
  auto tensor = torch::tensor(values, torch::kFloat64);
  group.all_reduce_sum(tensor);
  std::copy(tensor.data_ptr<double>(), tensor.data_ptr<double>() + tensor.numel(), values.begin());
}

std::vector<int64_t> strided_share(int64_t count, int64_t rank, int64_t world) {
  std::vector<int64_t> positions;
  for (int64_t i = rank; i < count; i += world) positions.push_back(i);
  return positions;
}

}  // namespace ttrl::dist
