#include "ttrl/core/device.hpp"

#include <cstdlib>

#include "ttrl/core/error.hpp"

namespace ttrl {

DType parse_dtype(const std::string& name) {
  if (name == "auto") return DType::kAuto;
  if (name == "float32" || name == "fp32") return DType::kFloat32;
  if (name == "bfloat16" || name == "bf16") return DType::kBFloat16;
  if (name == "float16" || name == "fp16") return DType::kFloat16;
  throw ConfigError("unknown dtype '" + name + "': expected auto, float32, bfloat16 or float16");
}

DeviceSpec parse_device(const std::string& name) {
  if (name == "auto") return {DeviceKind::kAuto, 0};
  if (name == "cpu") return {DeviceKind::kCpu, 0};
  if (name == "cuda") return {DeviceKind::kCuda, 0};
  if (name.rfind("cuda:", 0) == 0 && name.size() > 5) {
    char* end = nullptr;
    const long index = std::strtol(name.c_str() + 5, &end, 10);
    if (*end == '\0' && index >= 0 && index < 1024) return {DeviceKind::kCuda, static_cast<int>(index)};
  }
  throw ConfigError("unknown device '" + name + "': expected auto, cpu, cuda or cuda:N");
}

std::string to_string(DType dtype) {
  switch (dtype) {
    case DType::kAuto: return "auto";
    case DType::kFloat32: return "float32";
    case DType::kBFloat16: return "bfloat16";
    case DType::kFloat16: return "float16";
  }
  return "?";
}

std::string to_string(const DeviceSpec& device) {
  switch (device.kind) {
    case DeviceKind::kAuto: return "auto";
    case DeviceKind::kCpu: return "cpu";
    case DeviceKind::kCuda: return "cuda:" + std::to_string(device.index);
  }
  return "?";
}

}  // namespace ttrl
