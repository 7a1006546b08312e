#include "ttrl/model/cpu_code_paths.hpp"

#include <ATen/Version.h>

#include <cstdlib>
#include <fstream>

namespace ttrl::model {
namespace {

/// The value of field `key` ("model name", "flags") of the first processor in /proc/cpuinfo; "" when absent.
std::string cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

bool has_flag(const std::string& flags, const std::string& flag) {
  return (" " + flags + " ").find(" " + flag + " ") != std::string::npos;
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

bool pin_portable_cpu_code_paths() {
#if defined(__x86_64__) || defined(_M_X64)
  // ATen runs a forced capability without checking the CPU (AVX2 code on a CPU without it dies of SIGILL), so the
  // CPU's flags decide; without /proc/cpuinfo ATen keeps its own choice.
  const std::string flags = cpuinfo_field("flags");
  if (!flags.empty()) {
    const bool avx2 = has_flag(flags, "avx2") && has_flag(flags, "fma");
    ::setenv("ATEN_CPU_CAPABILITY", avx2 ? "avx2" : "default", /*overwrite=*/0);
  }
  ::setenv("MKL_CBWR", "COMPATIBLE", 0);
  ::setenv("ONEDNN_MAX_CPU_ISA", "AVX2", 0);
  return true;
#else
  return false;
#endif
}

CpuCodePaths cpu_code_paths() {
  CpuCodePaths paths;
  paths.cpu_model = cpuinfo_field("model name");
  if (paths.cpu_model.empty()) paths.cpu_model = "unknown";
  paths.avx512 = has_flag(cpuinfo_field("flags"), "avx512f");
  paths.aten_capability = at::get_cpu_capability();
  paths.mkl_cbwr = env_or_empty("MKL_CBWR");
  paths.onednn_max_isa = env_or_empty("ONEDNN_MAX_CPU_ISA");
  return paths;
}

}  // namespace ttrl::model
