#include "ttrl/kernels/device_memory.hpp"

#include <algorithm>
#include <utility>

#include "ttrl/core/memory.hpp"

#ifdef TTRL_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

namespace ttrl::kernels {
#ifdef TTRL_WITH_CUDA
namespace {

/// PyTorch's caching allocator's counters for `device`, summed over its pools: {reserved, allocated}.
std::pair<c10::CachingAllocator::Stat, c10::CachingAllocator::Stat> allocator_stats(const torch::Device& device) {
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
  const auto aggregate = static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE);
  return {stats.reserved_bytes[aggregate], stats.allocated_bytes[aggregate]};
}

}  // namespace
#endif

std::optional<DeviceMemory> device_memory(const torch::Device& device) {
#ifdef TTRL_WITH_CUDA
  if (device.is_cuda()) {
    const c10::cuda::CUDAGuard guard(device);
    size_t free = 0, total = 0;
    C10_CUDA_CHECK(cudaMemGetInfo(&free, &total));
    // Blocks the caching allocator reserved but no tensor uses are free to the next allocation of this process.
    const auto [reserved, allocated] = allocator_stats(guard.current_device());
    const int64_t cached = reserved.current - allocated.current;
    return DeviceMemory{free + static_cast<uint64_t>(std::max<int64_t>(0, cached)), total};
  }
#endif
  (void)device;
  return std::nullopt;
}

std::optional<uint64_t> peak_memory_bytes(const torch::Device& device) {
#ifdef TTRL_WITH_CUDA
  if (device.is_cuda()) {
    const c10::cuda::CUDAGuard guard(device);
    return static_cast<uint64_t>(allocator_stats(guard.current_device()).second.peak);
  }
#endif
  if (device.is_cpu()) return host_peak_rss_bytes();
  return std::nullopt;
}

}  // namespace ttrl::kernels
