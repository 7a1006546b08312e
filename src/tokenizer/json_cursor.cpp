#include "tokenizer/json_cursor.hpp"

namespace ttrl {

nlohmann::json JsonCursor::parse(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw IoError(file + ": malformed JSON: " + e.what());
  }
}

void JsonCursor::fail(const std::string& message) const { throw IoError(file_ + ": " + path_ + ": " + message); }

void JsonCursor::require_object() const {
  if (!node_->is_object()) fail("expected an object");
}

JsonCursor JsonCursor::at(const std::string& key) const {
  require_object();
  const auto it = node_->find(key);
  if (it == node_->end()) fail("missing key \"" + key + "\"");
  return JsonCursor(*it, file_, path_ + "." + key);
}

std::optional<JsonCursor> JsonCursor::find(const std::string& key) const {
  require_object();
  const auto it = node_->find(key);
  if (it == node_->end() || it->is_null()) return std::nullopt;
  return JsonCursor(*it, file_, path_ + "." + key);
}

JsonCursor JsonCursor::at(size_t index) const {
  if (!node_->is_array()) fail("expected an array");
  if (index >= node_->size()) fail("index " + std::to_string(index) + " out of range");
  return JsonCursor((*node_)[index], file_, path_ + "[" + std::to_string(index) + "]");
}

size_t JsonCursor::array_size() const {
  if (!node_->is_array()) fail("expected an array");
  return node_->size();
}

std::string JsonCursor::as_string() const {
  if (!node_->is_string()) fail("expected a string");
  return node_->get<std::string>();
}

bool JsonCursor::as_bool() const {
  if (!node_->is_boolean()) fail("expected true or false");
  return node_->get<bool>();
}

int64_t JsonCursor::as_int() const {
  if (!node_->is_number_integer()) fail("expected an integer");
  return node_->get<int64_t>();
}

std::string JsonCursor::string_or(const std::string& key, const std::string& fallback) const {
  const auto member = find(key);
  return member ? member->as_string() : fallback;
}

bool JsonCursor::bool_or(const std::string& key, bool fallback) const {
  const auto member = find(key);
  return member ? member->as_bool() : fallback;
}

}  // namespace ttrl
