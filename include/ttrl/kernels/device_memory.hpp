#pragma once
// How much memory a CUDA device can still give this process, to size buffers before they are allocated.
#include <torch/torch.h>

#include <cstdint>
#include <optional>

namespace ttrl::kernels {

struct DeviceMemory {
  uint64_t free = 0;   ///< cudaMemGetInfo's free bytes plus what PyTorch's caching allocator holds unused
  uint64_t total = 0;  ///< the device's memory
};

/// The memory of CUDA device `device`; nullopt for a CPU device or in a build without the CUDA kernels.
std::optional<DeviceMemory> device_memory(const torch::Device& device);

/// The most memory this process has held on `device` so far: the peak of PyTorch's CUDA allocator (tensors, not its
/// cache or the CUDA context), or on the CPU the peak resident set (host_peak_rss_bytes). nullopt when unknown.
std::optional<uint64_t> peak_memory_bytes(const torch::Device& device);

}  // namespace ttrl::kernels
