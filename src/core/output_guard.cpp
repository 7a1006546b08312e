#include "ttrl/core/output_guard.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"

namespace ttrl {
namespace fs = std::filesystem;
namespace {

/// The kind recorded in dir/.ttrl-output, or "" when there is no readable marker.
std::string marked_kind(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / kOutputMarker, ec)) return "";
  const auto marker = nlohmann::json::parse(read_text_file((dir / kOutputMarker).string()), nullptr, false);
  if (!marker.is_object() || !marker.contains("kind") || !marker["kind"].is_string()) return "";
  return marker["kind"].get<std::string>();
}

/// Creates and removes a probe file: a directory we cannot write into fails now, not at the first checkpoint.
void require_writable(const fs::path& dir, const std::string& option) {
  const fs::path probe = dir / fmt::format(".ttrl-write-test.{}", ::getpid());
  {
    std::ofstream out(probe);
    if (!out) throw IoError(fmt::format("{} '{}': cannot create files in it: {}", option, dir.string(), std::strerror(errno)));
  }
  std::error_code ec;
  fs::remove(probe, ec);
}

std::string refusal(const std::string& option, const fs::path& path, const std::string& what_is_there) {
  return fmt::format("{} '{}' {}; ttrl does not replace what it did not write: choose another {}, or pass --overwrite "
                     "to replace it", option, path.string(), what_is_there, option);
}

}  // namespace

void mark_output_dir(const std::string& dir, const std::string& kind) {
  write_file_atomic((fs::path(dir) / kOutputMarker).string(), nlohmann::json{{"kind", kind}}.dump() + "\n");
}

void claim_output_dir(const std::string& dir_text, const OutputClaim& claim) {
  const fs::path dir(dir_text);
  std::error_code ec;
  const auto status = fs::status(dir, ec);
  if (fs::exists(status) && !fs::is_directory(status)) {
    if (!claim.overwrite) throw IoError(refusal(claim.option, dir, "is a file, not a directory"));
    throw IoError(fmt::format("{} '{}' is a file; --overwrite replaces directories only: remove it yourself", claim.option,
                              dir.string()));
  }
  if (fs::is_directory(status) && !fs::is_empty(dir, ec) && !claim.overwrite) {
    std::string kind = marked_kind(dir);
    if (kind.empty() && claim.is_previous_output && claim.is_previous_output(dir_text)) kind = claim.kind;
    if (kind.empty()) throw IoError(refusal(claim.option, dir, "is a non-empty directory that ttrl did not write"));
    if (kind != claim.kind)
      throw IoError(refusal(claim.option, dir, fmt::format("holds the output of `ttrl {}`, not of `ttrl {}`", kind,
                                                          claim.kind)));
  }
  fs::create_directories(dir, ec);
  if (ec) throw IoError(fmt::format("{} '{}': cannot create it: {}", claim.option, dir.string(), ec.message()));
  require_writable(dir, claim.option);
  mark_output_dir(dir_text, claim.kind);
}

void check_output_file(const std::string& path_text, const std::string& option, bool overwrite,
                       const std::function<bool(const std::string& content)>& is_previous_output) {
  const fs::path path(path_text);
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw IoError(fmt::format("{} '{}' is a directory; it must name a file", option, path.string()));
  if (fs::exists(path, ec) && !overwrite && !is_previous_output(read_text_file(path_text)))
    throw IoError(refusal(option, path, "exists and is not a previous output of this command"));
  fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  fs::create_directories(parent, ec);
  if (ec) throw IoError(fmt::format("{} '{}': cannot create its directory: {}", option, path.string(), ec.message()));
  require_writable(parent, option);
}

}  // namespace ttrl
