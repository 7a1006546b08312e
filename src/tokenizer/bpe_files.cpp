// vocab.json + merges.txt (the pre-tokenizer.json format of GPT-2 and Qwen2 checkpoints) -> HfTokenizer.
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>

#include "tokenizer/hf_tokenizer.hpp"
#include "ttrl/core/json_cursor.hpp"
#include "tokenizer/loaders.hpp"
#include "ttrl/core/files.hpp"

namespace ttrl {
namespace fs = std::filesystem;

const char* const kQwen2Pattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
    "\\s+(?!\\S)|\\s+";

namespace {

std::vector<std::pair<std::string, std::string>> read_merges_txt(const std::string& path) {
  std::istringstream lines(read_text_file(path));
  std::vector<std::pair<std::string, std::string>> merges;
  std::string line;
  size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.rfind("#version", 0) == 0) continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
      throw IoError(path + ":" + std::to_string(number) + ": expected two tokens separated by one space");
    merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  return merges;
}

std::vector<std::pair<std::string, int64_t>> read_vocab_json(const std::string& path) {
  const nlohmann::json document = JsonCursor::parse(read_text_file(path), path);
  const JsonCursor root(document, path);
  root.require_object();
  if (document.empty()) root.fail("is empty: a tokenizer needs a vocabulary to encode anything");
  std::vector<std::pair<std::string, int64_t>> vocab;
  vocab.reserve(document.size());
  std::optional<JsonCursor> largest;  // the entry with the largest id
  for (const auto& [token, id] : document.items()) {
    const JsonCursor entry(id, path, "$[\"" + token + "\"]");
    if (!id.is_number_integer() || id.get<int64_t>() < 0) entry.fail("expected a non-negative id");
    vocab.emplace_back(token, id.get<int64_t>());
    if (!largest || id.get<int64_t>() > largest->json().get<int64_t>()) largest = entry;
  }
  check_id_tables_fit(*largest, largest->json().get<int64_t>());
  return vocab;
}

/// Added tokens declared by tokenizer_config.json ("added_tokens_decoder": {"id": {content, special, ...}}) and
/// added_tokens.json ({"content": id}, not special unless the config lists them as special).
std::vector<AddedToken> read_config_added_tokens(const std::string& config_dir) {
  std::vector<AddedToken> tokens;
  const std::string config_path = (fs::path(config_dir) / "tokenizer_config.json").string();
  std::set<int64_t> known;
  if (fs::exists(config_path)) {
    const nlohmann::json document = JsonCursor::parse(read_text_file(config_path), config_path);
    const JsonCursor root(document, config_path);
    if (const auto decoder = root.find("added_tokens_decoder")) {
      decoder->require_object();
      for (const auto& [id_text, entry] : decoder->json().items()) {
        const JsonCursor item(entry, config_path, decoder->path() + "[\"" + id_text + "\"]");
        AddedToken token;
        size_t parsed = 0;
        try {
          token.id = std::stoll(id_text, &parsed);
        } catch (const std::exception&) {
          parsed = 0;
        }
        if (parsed == 0 || parsed != id_text.size() || token.id < 0)
          item.fail("the key is not a non-negative integer id");
        check_id_tables_fit(item, token.id);
        read_added_token_fields(item, token);
        known.insert(token.id);
        tokens.push_back(std::move(token));
      }
    }
  }
  const std::string added_path = (fs::path(config_dir) / "added_tokens.json").string();
  if (fs::exists(added_path)) {
    const nlohmann::json document = JsonCursor::parse(read_text_file(added_path), added_path);
    const JsonCursor root(document, added_path);
    root.require_object();
    for (const auto& [content, id] : document.items()) {
      const JsonCursor item(id, added_path, "$[\"" + content + "\"]");
      const int64_t value = item.as_int();
      if (value < 0) item.fail("expected a non-negative id");
      check_id_tables_fit(item, value);
      if (known.count(value)) continue;
      AddedToken token;
      token.id = value;
      token.content = content;
      token.normalized = true;
      tokens.push_back(std::move(token));
    }
  }
  return tokens;
}

std::string tokenizer_class(const std::string& config_dir) {
  const std::string config_path = (fs::path(config_dir) / "tokenizer_config.json").string();
  if (!fs::exists(config_path)) return "";
  const nlohmann::json document = JsonCursor::parse(read_text_file(config_path), config_path);
  return JsonCursor(document, config_path).string_or("tokenizer_class", "");
}

}  // namespace

std::unique_ptr<Tokenizer> load_vocab_and_merges(const std::string& vocab_path, const std::string& merges_path,
                                                 const std::string& config_dir) {
  HfTokenizerParts parts;
  const std::string cls = tokenizer_class(config_dir);
  if (cls.rfind("Qwen2Tokenizer", 0) == 0) {
    parts.normalizer = make_unicode_normalizer(UnicodeForm::kNFC);
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    steps.push_back(make_split_pretokenizer(kQwen2Pattern, true, SplitBehavior::kIsolated, false));
    steps.push_back(make_byte_level_pretokenizer(false, false));
    parts.pre_tokenizer = make_sequence_pretokenizer(std::move(steps));
  } else {
    parts.pre_tokenizer = make_byte_level_pretokenizer(false, true);
  }
  BpeConfig config;
  config.byte_level = true;
  try {
    parts.model = std::make_unique<BpeModel>(read_vocab_json(vocab_path), read_merges_txt(merges_path), config);
  } catch (const std::invalid_argument& e) {
    throw IoError(merges_path + ": " + e.what());
  }
  parts.added_tokens = read_config_added_tokens(config_dir);
  return std::make_unique<HfTokenizer>(std::move(parts));
}

}  // namespace ttrl
