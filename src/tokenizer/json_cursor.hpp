#pragma once
// Reading configuration JSON with errors that name the file and the JSON path of the offending value, e.g.
// "tokenizer.json: $.model.merges[12]: expected a string".
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "ttrl/core/error.hpp"

namespace ttrl {

class JsonCursor {
 public:
  JsonCursor(const nlohmann::json& node, std::string file, std::string path = "$")
      : node_(&node), file_(std::move(file)), path_(std::move(path)) {}

  /// Parses `text` (the content of `file`); throws IoError naming the file and the parser's message.
  static nlohmann::json parse(const std::string& text, const std::string& file);

  const nlohmann::json& json() const { return *node_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  bool is_null() const { return node_->is_null(); }

  /// The member `key`; throws when this is not an object or the member is missing.
  JsonCursor at(const std::string& key) const;
  /// The member `key`, or nullopt when it is missing or null.
  std::optional<JsonCursor> find(const std::string& key) const;
  JsonCursor at(size_t index) const;

  std::string as_string() const;
  bool as_bool() const;
  int64_t as_int() const;
  size_t array_size() const;  // throws unless an array
  void require_object() const;

  std::string string_or(const std::string& key, const std::string& fallback) const;
  bool bool_or(const std::string& key, bool fallback) const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  const nlohmann::json* node_;
  std::string file_;
  std::string path_;
};

}  // namespace ttrl
