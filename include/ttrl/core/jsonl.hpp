#pragma once
// The one JSONL reader. Every input of one JSON object per line (datasets, and the inputs of `ttrl score`,
// `generate`, `reward`, `tokenize`, `grade`, and metrics files on resume) goes through it, so all of them skip blank
// lines, accept CRLF, bound the length of a line and report errors the same way: "<source>:<line>: <problem>".
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>

namespace ttrl {

struct JsonlOptions {
  /// Longest accepted line, in bytes: a file with no newline is not read whole into memory before it fails.
  size_t max_line_bytes = size_t{64} << 20;
  /// Skip lines that are not a JSON object (a line torn by a crash in a metrics file) instead of failing.
  bool skip_malformed = false;
};

/// One line of the input: its 1-based number and its text (without the newline).
struct JsonlLine {
  int64_t number = 0;
  std::string_view text;
};

/// Called with each object and its line. Any std::exception it throws (ttrl::Error,
/// nlohmann::json::exception, a plugin's own) is rethrown as ttrl::IoError prefixed with "<source>:<line>: ", so visitors report the problem, not the place.
using JsonlVisitor = std::function<void(const nlohmann::json& object, const JsonlLine& line)>;

/// Reads `in` to the end, calling `visit` for every line that holds a JSON object (blank lines are skipped, a
/// trailing '\r' is dropped). Throws ttrl::IoError "<source>:<line>: ..." for a line that is not valid UTF-8 (with its
/// column), not JSON, not an object, or longer than options.max_line_bytes, and "<source>: read error" when the stream
/// fails. Returns the number of objects visited.
int64_t read_jsonl(std::istream& in, const std::string& source, const JsonlVisitor& visit,
                   const JsonlOptions& options = {});

}  // namespace ttrl
