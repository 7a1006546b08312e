#pragma once
// The one way to read fields of a JSON document with errors that name the file and the JSON path of the offending
// value, e.g. "tokenizer.json: $.model.merges[12]: expected a string" or "config.json: $.hidden_size: expected an
// integer, got \"64\"". Used for tokenizer files, chat templates, checkpoints' config.json and generation_config.json.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ttrl/core/error.hpp"

namespace ttrl {

class JsonCursor {
 public:
  /// Which ttrl::Error a failure throws: IoError (a data file in the wrong format) or ConfigError (a model's
  /// configuration that cannot be used; the CLI exits with the usage code). Children inherit it.
  enum class ErrorKind { kIo, kConfig };

  JsonCursor(const nlohmann::json& node, std::string file, std::string path = "$", ErrorKind errors = ErrorKind::kIo)
      : node_(&node), file_(std::move(file)), path_(std::move(path)), errors_(errors) {}

  /// Parses `text` (the content of `file`); throws IoError naming the file and the parser's message.
  static nlohmann::json parse(const std::string& text, const std::string& file);

  const nlohmann::json& json() const { return *node_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  bool is_null() const { return node_->is_null(); }

  /// Whether this object has the member `key` with a non-null value.
  bool has(const std::string& key) const;
  /// The member `key`; throws when this is not an object or the member is missing.
  JsonCursor at(const std::string& key) const;
  /// The member `key`, or nullopt when it is missing or null.
  std::optional<JsonCursor> find(const std::string& key) const;
  JsonCursor at(size_t index) const;

  std::string as_string() const;
  bool as_bool() const;
  /// An integer; a number with an integral value (2.0) counts, as JSON has one number type.
  int64_t as_int() const;
  double as_number() const;
  /// An integer or a list of integers (eos_token_id).
  std::vector<int64_t> as_int_list() const;
  size_t array_size() const;  // throws unless an array
  void require_object() const;

  std::string string_or(const std::string& key, const std::string& fallback) const;
  bool bool_or(const std::string& key, bool fallback) const;
  int64_t int_or(const std::string& key, int64_t fallback) const;
  double number_or(const std::string& key, double fallback) const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  JsonCursor child(const nlohmann::json& node, std::string path) const {
    return JsonCursor(node, file_, std::move(path), errors_);
  }
  /// "expected <what>, got <the value>".
  [[noreturn]] void expected(const std::string& what) const;

  const nlohmann::json* node_;
  std::string file_;
  std::string path_;
  ErrorKind errors_;
};

}  // namespace ttrl
