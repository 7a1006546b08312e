#include "ttrl/tokenizer/tokenize_jsonl.hpp"

#include <nlohmann/json.hpp>

#include <istream>
#include <ostream>

namespace ttrl {
namespace {

std::string encode_line(const Tokenizer& tokenizer, const nlohmann::json& record) {
  const auto text = record.find("text");
  if (text == record.end() || !text->is_string()) throw IoError("expected {\"text\": \"...\"}");
  nlohmann::json out;
  out["ids"] = tokenizer.encode(text->get_ref<const std::string&>());
  return out.dump();
}

std::string decode_line(const Tokenizer& tokenizer, const nlohmann::json& record, bool skip_special_tokens) {
  const auto ids = record.find("ids");
  if (ids == record.end() || !ids->is_array()) throw IoError("expected {\"ids\": [...]}");
  std::vector<int64_t> values;
  values.reserve(ids->size());
  for (const auto& id : *ids) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0) throw IoError("ids must be non-negative integers");
    values.push_back(id.get<int64_t>());
  }
  nlohmann::json out;
  out["text"] = tokenizer.decode(values, skip_special_tokens);
  return out.dump();
}

}  // namespace

size_t tokenize_jsonl(const Tokenizer& tokenizer, std::istream& in, const std::string& input_name, std::ostream& out,
                      const TokenizeJsonlOptions& options) {
  std::string line;
  size_t line_number = 0;
  size_t written = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const nlohmann::json record = nlohmann::json::parse(line);
      if (!record.is_object()) throw IoError("expected a JSON object");
      out << (options.decode ? decode_line(tokenizer, record, options.skip_special_tokens)
                             : encode_line(tokenizer, record))
          << '\n';
      ++written;
    } catch (const nlohmann::json::exception& e) {
      throw IoError(input_name + ":" + std::to_string(line_number) + ": " + e.what());
    } catch (const Error& e) {
      throw IoError(input_name + ":" + std::to_string(line_number) + ": " + e.what());
    }
  }
  if (in.bad()) throw IoError("error while reading '" + input_name + "'");
  return written;
}

}  // namespace ttrl
