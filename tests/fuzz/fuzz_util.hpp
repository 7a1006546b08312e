#pragma once
// Helpers shared by the libFuzzer targets of tests/fuzz (built by scripts/fuzz.sh; not part of the library).
//
// Contract of every target: bad input must end in a ttrl::Error (IoError, ConfigError, ...) with a message, which
// the target swallows. Anything else (another exception, an abort, a sanitizer report, a hang, an allocation the
// size of the input asked for) is a finding: it escapes the target and libFuzzer reports it as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "ttrl/core/error.hpp"

namespace ttrl::fuzz {

/// A property every input must keep (beyond "no crash"); a violation aborts so that libFuzzer keeps the input.
inline void check(bool property) {
  if (!property) std::abort();
}

/// Runs `f`, swallowing only ttrl::Error: the correct outcome of bad input.
template <class F>
void expect_only_ttrl_errors(F&& f) {
  try {
    f();
  } catch (const ttrl::Error&) {
  }
}

inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// `input` cut at each `separator` into at most `max_parts` parts (the last keeps the rest, separators included).
inline std::vector<std::string> split(std::string_view input, char separator, std::size_t max_parts) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (parts.size() + 1 < max_parts) {
    const std::size_t at = input.find(separator, start);
    if (at == std::string_view::npos) break;
    parts.emplace_back(input.substr(start, at - start));
    start = at + 1;
  }
  parts.emplace_back(input.substr(start));
  return parts;
}

/// One scratch directory per fuzzer process (for code that reads files by path), removed at exit.
class ScratchDir {
 public:
  static ScratchDir& get() {
    static ScratchDir dir;
    return dir;
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// Writes `content` to `name`, replacing what a previous input left there.
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name), std::ios::binary | std::ios::trunc) << content;
    return file(name);
  }
  void remove(const std::string& name) const {
    std::error_code ignored;
    std::filesystem::remove(file(name), ignored);
  }

 private:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ttrl-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string path_;
};

}  // namespace ttrl::fuzz
