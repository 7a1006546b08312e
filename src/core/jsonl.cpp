#include "ttrl/core/jsonl.hpp"

#include <fmt/format.h>

#include <exception>

#include "ttrl/core/error.hpp"

namespace ttrl {
namespace {

/// Reads one line (without its '\n') into `line`; false at the end of the stream. Stops reading at `max_bytes` + 1
/// bytes so that an endless line is reported, not held in memory.
bool next_line(std::istream& in, std::string& line, size_t max_bytes, bool& too_long) {
  line.clear();
  too_long = false;
  std::streambuf* buffer = in.rdbuf();
  if (buffer == nullptr) return false;
  for (;;) {
    const int c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return !line.empty();
    }
    if (c == '\n') return true;
    if (line.size() == max_bytes) {
      too_long = true;
      return true;
    }
    line.push_back(static_cast<char>(c));
  }
}

bool is_blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

/// The parser's message, rewritten for the one case users hit most: bytes that are not UTF-8.
std::string parse_problem(const nlohmann::json::exception& e) {
  const std::string what = e.what();
  const auto* syntax = dynamic_cast<const nlohmann::json::parse_error*>(&e);
  if (syntax != nullptr && what.find("ill-formed UTF-8") != std::string::npos)
    return fmt::format("not valid UTF-8 near column {} (JSONL files must be UTF-8)", syntax->byte);
  return "not valid JSON: " + what;
}

}  // namespace

int64_t read_jsonl(std::istream& in, const std::string& source, const JsonlVisitor& visit,
                   const JsonlOptions& options) {
  std::string line;
  int64_t number = 0;
  int64_t objects = 0;
  bool too_long = false;
  while (next_line(in, line, options.max_line_bytes, too_long)) {
    ++number;
    const std::string where = fmt::format("{}:{}", source, number);
    if (too_long)
      throw IoError(fmt::format("{}: line longer than {} bytes (one JSON object per line expected)", where,
                                options.max_line_bytes));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (is_blank(line)) continue;
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
      if (options.skip_malformed) continue;
      throw IoError(where + ": " + parse_problem(e));
    }
    if (!object.is_object()) {
      if (options.skip_malformed) continue;
      throw IoError(fmt::format("{}: expected a JSON object, got {}", where, object.type_name()));
    }
    try {
      visit(object, JsonlLine{number, line});
    } catch (const std::exception& e) {  // ttrl::Error, nlohmann::json::exception, or whatever a plugin throws
      throw IoError(where + ": " + e.what());
    }
    ++objects;
  }
  if (in.bad()) throw IoError(fmt::format("{}: read error after line {}", source, number));
  return objects;
}

}  // namespace ttrl
