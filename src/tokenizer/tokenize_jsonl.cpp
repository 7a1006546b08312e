#include "ttrl/tokenizer/tokenize_jsonl.hpp"

#include <nlohmann/json.hpp>

#include <istream>
#include <ostream>

#include "ttrl/core/jsonl.hpp"

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
  const int64_t written = read_jsonl(in, input_name, [&](const nlohmann::json& record, const JsonlLine&) {
    out << (options.decode ? decode_line(tokenizer, record, options.skip_special_tokens) : encode_line(tokenizer, record))
        << '\n';
  });
  return static_cast<size_t>(written);
}

}  // namespace ttrl
