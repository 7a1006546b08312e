#pragma once
// Device and dtype names as users write them in configs and flags ("cpu", "cuda:1", "bfloat16"), parsed without
// LibTorch so that every module can validate them; the model module maps them onto torch types.
#include <string>

namespace ttrl {

enum class DType { kAuto, kFloat32, kBFloat16, kFloat16 };
enum class DeviceKind { kAuto, kCpu, kCuda };

struct DeviceSpec {
  DeviceKind kind = DeviceKind::kAuto;
  int index = 0;  ///< CUDA device ordinal ("cuda:1")
};

/// "auto" | "float32"/"fp32" | "bfloat16"/"bf16" | "float16"/"fp16"; throws ConfigError otherwise.
DType parse_dtype(const std::string& name);
/// "auto" | "cpu" | "cuda" | "cuda:N"; throws ConfigError otherwise.
DeviceSpec parse_device(const std::string& name);

std::string to_string(DType dtype);
std::string to_string(const DeviceSpec& device);

}  // namespace ttrl
