#pragma once
// How much memory this process may still take, and the check made before a large allocation, so that a size the
// machine cannot hold is an error naming what was being built and who asked for it, not an abort or std::bad_alloc.
#include <cstdint>
#include <optional>
#include <string>

namespace ttrl {

/// Bytes this process can still allocate on the host: MemAvailable from /proc/meminfo, lowered to the cgroup's
/// remaining allowance (cgroup v2 memory.max - memory.current, or v1 limit_in_bytes - usage_in_bytes) when one is
/// set. nullopt when neither can be read (then no check is made).
std::optional<uint64_t> host_available_bytes();

/// The most resident memory this process has had (getrusage's ru_maxrss); nullopt when it cannot be read.
std::optional<uint64_t> host_peak_rss_bytes();

/// "512 B", "3.0 KiB", "23.4 GiB", "1.2 PiB" (binary units, one decimal).
std::string format_bytes(double bytes);

/// Throws ttrl::Error "<what> needs <bytes> but <available> is available (<asked_by>)" when `bytes` (a double, so
/// that sizes beyond 2^64 are represented) exceeds `available`. No check when `available` is nullopt.
void check_fits_in_memory(double bytes, std::optional<uint64_t> available, const std::string& what,
                          const std::string& asked_by);

}  // namespace ttrl
