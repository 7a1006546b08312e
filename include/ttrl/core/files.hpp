#pragma once
// Whole-file reads and atomic writes: results, metrics snapshots and checkpoints are never left half written.
#include <string>

namespace ttrl {

/// Reads a whole file; throws IoError naming the path when it is missing or unreadable.
std::string read_text_file(const std::string& path);

/// Writes `content` to `path` atomically: to "<path>.tmp.<pid>" first, fsync, then rename over the target.
/// Creates missing parent directories. Throws IoError naming the path on failure.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace ttrl
