#include "ttrl/core/memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <sys/resource.h>

#include "ttrl/core/error.hpp"

namespace ttrl {
namespace {

/// The first number in a one-value file such as memory.max; nullopt for "max", a missing file or no number.
std::optional<uint64_t> read_number_file(const char* path) {
  std::ifstream in(path);
  uint64_t value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

/// MemAvailable (kB) from /proc/meminfo, in bytes.
std::optional<uint64_t> meminfo_available() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream fields(line.substr(13));
    uint64_t kib = 0;
    if (fields >> kib) return kib * 1024;
  }
  return std::nullopt;
}

/// What the cgroup still allows: limit - usage, for cgroup v2 or v1 (a v1 "no limit" is a huge number, harmless).
std::optional<uint64_t> cgroup_remaining() {
  std::optional<uint64_t> limit = read_number_file("/sys/fs/cgroup/memory.max");
  std::optional<uint64_t> usage = read_number_file("/sys/fs/cgroup/memory.current");
  if (!limit) {
    limit = read_number_file("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    usage = read_number_file("/sys/fs/cgroup/memory/memory.usage_in_bytes");
  }
  if (!limit) return std::nullopt;
  const uint64_t used = usage.value_or(0);
  return *limit > used ? *limit - used : 0;
}

}  // namespace

std::optional<uint64_t> host_peak_rss_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0 || usage.ru_maxrss <= 0) return std::nullopt;
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

std::optional<uint64_t> host_available_bytes() {
  const std::optional<uint64_t> meminfo = meminfo_available();
  const std::optional<uint64_t> cgroup = cgroup_remaining();
  if (meminfo && cgroup) return std::min(*meminfo, *cgroup);
  return meminfo ? meminfo : cgroup;
}

std::string format_bytes(double bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  size_t unit = 0;
  while (bytes >= 1024.0 && unit + 1 < std::size(kUnits)) bytes /= 1024.0, ++unit;
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

void check_fits_in_memory(double bytes, std::optional<uint64_t> available, const std::string& what,
                          const std::string& asked_by) {
  if (!available || bytes <= static_cast<double>(*available)) return;
  throw Error(fmt::format("{} needs {} but {} of memory is available (set by {})", what, format_bytes(bytes),
                          format_bytes(static_cast<double>(*available)), asked_by));
}

}  // namespace ttrl
