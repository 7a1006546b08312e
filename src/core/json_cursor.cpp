#include "ttrl/core/json_cursor.hpp"

#include <cmath>

namespace ttrl {

nlohmann::json JsonCursor::parse(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    throw IoError(file + ": malformed JSON: " + e.what());
  }
}

void JsonCursor::fail(const std::string& message) const {
  const std::string text = file_ + ": " + path_ + ": " + message;
  if (errors_ == ErrorKind::kConfig) throw ConfigError(text);
  throw IoError(text);
}

void JsonCursor::expected(const std::string& what) const {
  constexpr size_t kShown = 60;  // a whole vocabulary in an error message helps nobody
  std::string value = node_->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (value.size() > kShown) value = value.substr(0, kShown) + "...";
  fail("expected " + what + ", got " + value);
}

void JsonCursor::require_object() const {
  if (!node_->is_object()) expected("an object");
}

bool JsonCursor::has(const std::string& key) const {
  require_object();
  const auto it = node_->find(key);
  return it != node_->end() && !it->is_null();
}

JsonCursor JsonCursor::at(const std::string& key) const {
  require_object();
  const auto it = node_->find(key);
  if (it == node_->end()) fail("missing key \"" + key + "\"");
  return child(*it, path_ + "." + key);
}

std::optional<JsonCursor> JsonCursor::find(const std::string& key) const {
  require_object();
  const auto it = node_->find(key);
  if (it == node_->end() || it->is_null()) return std::nullopt;
  return child(*it, path_ + "." + key);
}

JsonCursor JsonCursor::at(size_t index) const {
  if (!node_->is_array()) expected("an array");
  if (index >= node_->size()) fail("index " + std::to_string(index) + " out of range");
  return child((*node_)[index], path_ + "[" + std::to_string(index) + "]");
}

size_t JsonCursor::array_size() const {
  if (!node_->is_array()) expected("an array");
  return node_->size();
}

std::string JsonCursor::as_string() const {
  if (!node_->is_string()) expected("a string");
  return node_->get<std::string>();
}

bool JsonCursor::as_bool() const {
  if (!node_->is_boolean()) expected("true or false");
  return node_->get<bool>();
}

int64_t JsonCursor::as_int() const {
  if (node_->is_number_integer()) {
    if (node_->is_number_unsigned() && node_->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      fail("integer out of range");
    return node_->get<int64_t>();
  }
  if (node_->is_number_float()) {
    const double d = node_->get<double>();
    // 2^63 is the first double above INT64_MAX; the range check comes before the cast (which is UB outside it).
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9223372036854775808.0) return static_cast<int64_t>(d);
  }
  expected("an integer");
}

double JsonCursor::as_number() const {
  if (!node_->is_number()) expected("a number");
  return node_->get<double>();
}

std::vector<int64_t> JsonCursor::as_int_list() const {
  if (!node_->is_array()) return {as_int()};
  std::vector<int64_t> values;
  for (size_t i = 0; i < node_->size(); ++i) values.push_back(at(i).as_int());
  return values;
}

std::string JsonCursor::string_or(const std::string& key, const std::string& fallback) const {
  const auto member = find(key);
  return member ? member->as_string() : fallback;
}

bool JsonCursor::bool_or(const std::string& key, bool fallback) const {
  const auto member = find(key);
  return member ? member->as_bool() : fallback;
}

int64_t JsonCursor::int_or(const std::string& key, int64_t fallback) const {
  const auto member = find(key);
  return member ? member->as_int() : fallback;
}

double JsonCursor::number_or(const std::string& key, double fallback) const {
  const auto member = find(key);
  return member ? member->as_number() : fallback;
}

}  // namespace ttrl
