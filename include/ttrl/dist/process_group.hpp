#pragma once
// The processes of one job and the collectives between them, on PyTorch's own c10d engine from the torch wheel:
// a c10d::TCPStore rendezvous at MASTER_ADDR:MASTER_PORT (under torchrun every rank is a client of the store the
// torchrun agent already serves, as torch.distributed does), then ProcessGroupGloo for CPU tensors and, on GPUs,
// ProcessGroupNCCL for CUDA tensors (each collective goes to the backend of its tensor's device). A group of one process (the default) runs every collective as the identity,
// without c10d, so the single-process path is unchanged.
//
// Every collective is bounded by the group's timeout (trainer.dist_timeout_s); most block, the *_async ones return
// a PendingCollective to wait on later (gradient buckets summed while backward runs). A rank that fails
// publishes its error in the store (report_failure) before it exits; a rank whose collective then fails names that
// rank in its own error (DistError) instead of showing the transport's message. A rank killed without a word is
// found by a roll call: the surviving ranks answer in the store, and the silent one is named.
#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ttrl/core/error.hpp"
#include "ttrl/core/launch_env.hpp"

namespace c10d {
class Backend;
}  // namespace c10d

namespace ttrl::dist {

/// A collective failed: a peer died or threw, or the timeout passed. The message names the rank that failed when it
/// said so in the store.
struct DistError : Error {
  using Error::Error;
};

struct ProcessGroupOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};  ///< per collective and for the rendezvous
  /// "cpu": Gloo; "cuda": also NCCL, on device cuda:LOCAL_RANK (made current).
  std::string device_type = "cpu";
  /// Build the c10d backends even for a job of one process (MASTER_ADDR/MASTER_PORT set), so that its collectives
  /// run through Gloo and NCCL: how one GPU tests the NCCL path (NCCL refuses two ranks on one device).
  bool connect_single_process = false;
};

class ProcessGroup;

/// A collective started by one of ProcessGroup's *_async calls; its tensors hold the result once wait() returns.
/// With one process it is complete from the start. Wait on it before destroying it.
class PendingCollective {
 public:
  PendingCollective();
  PendingCollective(PendingCollective&&) noexcept;
  PendingCollective& operator=(PendingCollective&&) noexcept;
  ~PendingCollective();
  /// Blocks until the result is there; throws DistError as the blocking collectives do.
  void wait();

 private:
  friend class ProcessGroup;
  struct State;  ///< the group, the collective's name and c10d's Work handle
  std::unique_ptr<State> state_;
};

class ProcessGroup {
 public:
  /// One process, not connected: rank 0 of 1; every collective leaves its input as it is.
  ProcessGroup();
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  /// The group `env` describes (launch_env.hpp). One process when env.world_size == 1. Throws DistError naming
  /// MASTER_ADDR:MASTER_PORT when the rendezvous fails within the timeout.
  static std::shared_ptr<ProcessGroup> create(const LaunchEnv& env, const ProcessGroupOptions& options = {});

  int64_t rank() const { return rank_; }
  int64_t size() const { return size_; }
  bool distributed() const { return size_ > 1; }
  /// Whether collectives go through c10d (several processes, or one with connect_single_process); else they are
  /// the identity.
  bool connected() const { return backend_ != nullptr; }
  /// The rank-0 process (the one that logs, writes files and holds the store's server without torchrun).
  bool is_main() const { return rank_ == 0; }

  /// In place: the element-wise sum (max, min) of `tensor` over all ranks. Contiguous tensors of one shape on every rank.
  void all_reduce_sum(torch::Tensor& tensor);
  void all_reduce_max(torch::Tensor& tensor);
  void all_reduce_min(torch::Tensor& tensor);
  /// In place: `tensor` becomes rank `root`'s.
  void broadcast(torch::Tensor& tensor, int64_t root = 0);
  /// `output` ([n]) becomes slice `rank` of the element-wise sum over ranks of `input` ([n * size]): the
  /// reduce-scatter of ZeRO. One process: output = input.
  void reduce_scatter_sum(torch::Tensor& output, torch::Tensor& input);
  /// The same two, started and not waited for: the tensors must stay alive and untouched until wait() returns.
  PendingCollective all_reduce_sum_async(torch::Tensor& tensor);
  PendingCollective reduce_scatter_sum_async(torch::Tensor& output, torch::Tensor& input);
  /// `output` ([n * size]) becomes every rank's `input` ([n]), in rank order. One process: output = input.
  void all_gather(torch::Tensor& output, torch::Tensor& input);
  /// Every rank's `text`, in rank order.
  std::vector<std::string> all_gather_strings(const std::string& text);
  /// Returns when every rank has called it.
  void barrier();

  /// Best effort, before this process exits on an error: tells the other ranks which rank failed and why.
  void report_failure(const std::string& message) noexcept;

 private:
  friend class PendingCollective;
  struct Backend;
  std::unique_ptr<Backend> backend_;
  int64_t rank_ = 0;
  int64_t size_ = 1;

  /// NCCL for CUDA tensors, Gloo for CPU ones.
  c10d::Backend& backend_for(const torch::Tensor& tensor);
  /// After a failed collective: the failure another rank published, else the ranks that do not answer a roll call
  /// in the store within 3 s, else "" (the store gone: rank 0 ended).
  std::string failed_peer();
  /// Runs a collective; turns a transport failure into a DistError that names the failed rank where known.
  template <typename F>
  void guarded(const char* what, F&& run);
};

/// Sums `values` element-wise over the ranks of `group` (float64), in place.
void sum_across_ranks(ProcessGroup& group, std::vector<double>& values);

/// The positions in [0, count) that rank `rank` of `world` owns: rank, rank + world, rank + 2 * world, ... Strided, so
/// each rank gets a share of every contiguous range (every mini-batch of prompts).
std::vector<int64_t> strided_share(int64_t count, int64_t rank, int64_t world);

}  // namespace ttrl::dist
