// Dataset readers: TTRL JSON lists and JSONL (include/ttrl/data/dataset.hpp).
#include "ttrl/data/dataset.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/jsonl.hpp"

namespace ttrl::data {
namespace {

using nlohmann::json;

const std::string kUtf8Bom = "\xEF\xBB\xBF";  // some editors start UTF-8 files with it

const char* type_name(const json& value) { return value.type_name(); }

/// "3", "Level 3", "level 3" -> 3; anything else (MATH has "Level ?") -> std::nullopt.
std::optional<int> parse_level_text(const std::string& text) {
  const std::string prefix = "level";
  std::string lower;
  for (unsigned char c : text) lower += static_cast<char>(std::tolower(c));
  size_t pos = lower.rfind(prefix, 0) == 0 ? prefix.size() : 0;
  while (pos < lower.size() && std::isspace(static_cast<unsigned char>(lower[pos]))) ++pos;
  if (pos == lower.size() || lower.size() - pos > 6) return std::nullopt;
  for (size_t i = pos; i < lower.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(lower[i]))) return std::nullopt;
  return std::stoi(lower.substr(pos));
}

std::optional<int> level_of(const json& record, const std::optional<int>& file_level) {
  auto it = record.find("level");
  if (it != record.end()) {
    if (it->is_number_integer()) return it->get<int>();
    if (it->is_string()) return parse_level_text(it->get<std::string>());
  }
  return file_level;
}

std::string id_of(const json& record, size_t index) {
  for (const char* key : {"id", "unique_id"}) {
    auto it = record.find(key);
    if (it == record.end() || it->is_null()) continue;
    return it->is_string() ? it->get<std::string>() : it->dump();
  }
  return std::to_string(index);
}

/// Builds a Record; errors say what is wrong, the caller says where ("file: record [3]" or "file:4").
Record to_record(const json& object, size_t index, const std::string& prompt_key, const std::string& answer_key,
                 const std::optional<int>& file_level) {
  if (!object.is_object()) throw IoError(fmt::format("expected a JSON object, got {}", type_name(object)));
  Record record;
  auto prompt = object.find(prompt_key);
  if (prompt == object.end())
    throw IoError(fmt::format("missing the prompt field \"{}\" (data.prompt_key)", prompt_key));
  if (!prompt->is_string())
    throw IoError(fmt::format("the prompt field \"{}\" must be a string, got {}", prompt_key, type_name(*prompt)));
  record.prompt = prompt->get<std::string>();
  // An empty question would reach the sampler as a prompt of no tokens (or of the chat template only).
  if (record.prompt.find_first_not_of(" \t\r\n") == std::string::npos)
    throw IoError(fmt::format("the prompt field \"{}\" is empty", prompt_key));
  if (auto answer = object.find(answer_key); answer != object.end() && !answer->is_null()) {
    if (answer->is_string()) record.answer = answer->get<std::string>();
    else if (answer->is_number()) record.answer = answer->dump();  // 25 -> "25", 142.0 -> "142.0"
    else throw IoError(fmt::format("the answer field \"{}\" must be a string or a number, got {}", answer_key,
                                   type_name(*answer)));
  }
  record.id = id_of(object, index);
  record.level = level_of(object, file_level);
  record.extra = json::object();
  for (auto it = object.begin(); it != object.end(); ++it)
    if (it.key() != prompt_key && it.key() != answer_key) record.extra[it.key()] = it.value();
  return record;
}

/// 1-based line of a byte offset, for parse errors in a JSON list.
size_t line_of_offset(const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1;
  for (size_t i = 0; i < offset; ++i) line += text[i] == '\n';
  return line;
}

std::vector<Record> read_json_list(const std::string& text, const std::string& path, const std::string& prompt_key,
                                   const std::string& answer_key, const std::optional<int>& file_level) {
  json list;
  try {
    list = json::parse(text);
  } catch (const json::parse_error& e) {
    throw IoError(fmt::format("{}:{}: malformed JSON: {}", path, line_of_offset(text, e.byte), e.what()));
  } catch (const json::out_of_range& e) {  // a number beyond double's range, e.g. 1e999: no offset to show
    throw IoError(fmt::format("{}: malformed JSON: {}", path, e.what()));
  }
  if (!list.is_array()) throw IoError(fmt::format("{}: expected a JSON list of records", path));
  std::vector<Record> records;
  records.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    try {
      records.push_back(to_record(list[i], i, prompt_key, answer_key, file_level));
      records.back().where = fmt::format("{}: record [{}]", path, i);
    } catch (const Error& e) {
      throw IoError(fmt::format("{}: record [{}]: {}", path, i, e.what()));
    }
  }
  return records;
}

std::vector<Record> read_jsonl_records(const std::string& text, const std::string& path,
                                       const std::string& prompt_key, const std::string& answer_key,
                                       const std::optional<int>& file_level) {
  std::vector<Record> records;
  std::istringstream lines(text);
  read_jsonl(lines, path, [&](const json& object, const JsonlLine& line) {
    records.push_back(to_record(object, records.size(), prompt_key, answer_key, file_level));
    records.back().where = fmt::format("{}:{}", path, line.number);
  });
  return records;
}

}  // namespace

std::optional<int> level_from_file_name(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  const std::string marker = "MATH-L";
  const size_t at = name.find(marker);
  if (at == std::string::npos) return std::nullopt;
  size_t end = at + marker.size();
  while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
  const std::string digits = name.substr(at + marker.size(), end - at - marker.size());
  if (digits.empty() || digits.size() > 6) return std::nullopt;
  return std::stoi(digits);
}

std::vector<Record> load_dataset(const std::string& path, const std::string& prompt_key,
                                 const std::string& answer_key) {
  std::string text = read_text_file(path);  // IoError naming the path when missing or unreadable
  if (text.rfind(kUtf8Bom, 0) == 0) text.erase(0, kUtf8Bom.size());
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw IoError(fmt::format("{}: the file is empty", path));
  const std::optional<int> file_level = level_from_file_name(path);
  std::vector<Record> records;
  if (text[first] == '[') {
    records = read_json_list(text, path, prompt_key, answer_key, file_level);
  } else if (text[first] == '{') {
    records = read_jsonl_records(text, path, prompt_key, answer_key, file_level);
  } else {
    throw IoError(fmt::format("{}: unknown format: expected a JSON list ('[' ...) or JSONL (one object per line)",
                              path));
  }
  if (records.empty()) throw IoError(fmt::format("{}: no records", path));
  return records;
}

}  // namespace ttrl::data
