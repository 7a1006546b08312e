// tokenizer.json (Hugging Face `tokenizers` serialisation) -> HfTokenizer.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/hf_tokenizer.hpp"
#include "ttrl/core/json_cursor.hpp"
#include "tokenizer/loaders.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/memory.hpp"

namespace ttrl {
namespace {

/// A Split/Replace pattern: {"String": "..."} or {"Regex": "..."}. Returns (pattern, is_regex).
std::pair<std::string, bool> read_pattern(const JsonCursor& node) {
  if (const auto s = node.find("String")) return {s->as_string(), false};
  if (const auto r = node.find("Regex")) return {r->as_string(), true};
  node.fail("expected {\"String\": ...} or {\"Regex\": ...}");
}

std::unique_ptr<Normalizer> read_normalizer(const JsonCursor& node) {
  const std::string type = node.at("type").as_string();
  if (type == "NFC") return make_unicode_normalizer(UnicodeForm::kNFC);
  if (type == "NFD") return make_unicode_normalizer(UnicodeForm::kNFD);
  if (type == "NFKC") return make_unicode_normalizer(UnicodeForm::kNFKC);
  if (type == "NFKD") return make_unicode_normalizer(UnicodeForm::kNFKD);
  if (type == "Prepend") return make_prepend_normalizer(node.at("prepend").as_string());
  if (type == "Replace") {
    const auto [pattern, is_regex] = read_pattern(node.at("pattern"));
    try {
      return make_replace_normalizer(pattern, is_regex, node.at("content").as_string());
    } catch (const std::invalid_argument& e) {
      node.at("pattern").fail(e.what());
    }
  }
  if (type == "Sequence") {
    const JsonCursor list = node.at("normalizers");
    std::vector<std::unique_ptr<Normalizer>> steps;
    for (size_t i = 0; i < list.array_size(); ++i) steps.push_back(read_normalizer(list.at(i)));
    return make_sequence_normalizer(std::move(steps));
  }
  node.at("type").fail("unsupported normalizer \"" + type + "\" (supported: NFC, NFD, NFKC, NFKD, Prepend, "
                       "Replace, Sequence)");
}

/// Reads one pre-tokenizer; `byte_level_seen` is set when it is (or contains) ByteLevel, which must come last
/// because the BPE model works on the raw bytes that ByteLevel would have mapped to characters.
std::unique_ptr<PreTokenizer> read_pre_tokenizer(const JsonCursor& node, bool& byte_level_seen) {
  const std::string type = node.at("type").as_string();
  if (byte_level_seen) node.fail("a pre-tokenizer after ByteLevel is not supported");
  if (type == "ByteLevel") {
    byte_level_seen = true;
    return make_byte_level_pretokenizer(node.bool_or("add_prefix_space", true), node.bool_or("use_regex", true));
  }
  if (type == "Split") {
    const auto [pattern, is_regex] = read_pattern(node.at("pattern"));
    SplitBehavior behavior;
    const JsonCursor behavior_node = node.at("behavior");
    if (!parse_split_behavior(behavior_node.as_string(), behavior))
      behavior_node.fail("unknown behavior \"" + behavior_node.as_string() + "\"");
    try {
      return make_split_pretokenizer(pattern, is_regex, behavior, node.bool_or("invert", false));
    } catch (const std::invalid_argument& e) {
      node.at("pattern").fail(e.what());
    }
  }
  if (type == "Digits") return make_digits_pretokenizer(node.bool_or("individual_digits", false));
  if (type == "Sequence") {
    const JsonCursor list = node.at("pretokenizers");
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (size_t i = 0; i < list.array_size(); ++i) steps.push_back(read_pre_tokenizer(list.at(i), byte_level_seen));
    return make_sequence_pretokenizer(std::move(steps));
  }
  node.at("type").fail("unsupported pre_tokenizer \"" + type + "\" (supported: Split, ByteLevel, Digits, Sequence)");
}

/// Only the ByteLevel decoder (alone or in a Sequence) is supported: it is what byte-level BPE uses.
void check_decoder(const JsonCursor& node) {
  const std::string type = node.at("type").as_string();
  if (type == "ByteLevel") return;
  if (type == "Sequence") {
    const JsonCursor list = node.at("decoders");
    for (size_t i = 0; i < list.array_size(); ++i) check_decoder(list.at(i));
    return;
  }
  node.at("type").fail("unsupported decoder \"" + type + "\" (byte-level BPE needs ByteLevel; SentencePiece "
                       "models load from tokenizer.model)");
}

std::vector<std::pair<std::string, std::string>> read_merges(const JsonCursor& list) {
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(list.array_size());
  for (size_t i = 0; i < list.array_size(); ++i) {
    const JsonCursor item = list.at(i);
    if (item.json().is_string()) {  // legacy form "a b"
      const std::string line = item.as_string();
      const size_t space = line.find(' ');
      if (space == std::string::npos) item.fail("expected two tokens separated by a space");
      merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    } else {  // ["a", "b"]
      if (item.array_size() != 2) item.fail("expected a pair of tokens");
      merges.emplace_back(item.at(size_t{0}).as_string(), item.at(size_t{1}).as_string());
    }
  }
  return merges;
}

std::unique_ptr<BpeModel> read_model(const JsonCursor& node, bool byte_level) {
  const std::string type = node.string_or("type", "BPE");
  if (type != "BPE") node.at("type").fail("unsupported model \"" + type + "\" (only BPE)");
  if (const auto dropout = node.find("dropout"))
    if (!dropout->json().is_number() || dropout->json().get<double>() > 0) dropout->fail("BPE dropout is not supported (encoding must be deterministic)");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (!node.string_or(key, "").empty()) node.at(key).fail("not supported");
  BpeConfig config;
  config.byte_level = byte_level;
  config.ignore_merges = node.bool_or("ignore_merges", false);
  config.fuse_unk = node.bool_or("fuse_unk", false);
  config.byte_fallback = node.bool_or("byte_fallback", false);
  if (const auto unk = node.find("unk_token")) config.unk_token = unk->as_string();

  const JsonCursor vocab_node = node.at("vocab");
  vocab_node.require_object();
  if (vocab_node.json().empty()) vocab_node.fail("is empty: a tokenizer needs a vocabulary to encode anything");
  std::vector<std::pair<std::string, int64_t>> vocab;
  vocab.reserve(vocab_node.json().size());
  std::optional<JsonCursor> largest;  // the entry with the largest id
  for (const auto& [token, id] : vocab_node.json().items()) {
    const JsonCursor entry(id, node.file(), vocab_node.path() + "[\"" + token + "\"]");
    if (!id.is_number_integer() || id.get<int64_t>() < 0) entry.fail("expected a non-negative id");
    vocab.emplace_back(token, id.get<int64_t>());
    if (!largest || id.get<int64_t>() > largest->json().get<int64_t>()) largest = entry;
  }
  if (largest) check_id_tables_fit(*largest, largest->json().get<int64_t>());
  const auto merges = node.find("merges") ? read_merges(node.at("merges")) : decltype(read_merges(node)){};
  try {
    return std::make_unique<BpeModel>(vocab, merges, config);
  } catch (const std::invalid_argument& e) {
    node.fail(e.what());
  }
}

std::vector<AddedToken> read_added_tokens(const JsonCursor& list) {
  std::vector<AddedToken> tokens;
  size_t largest = 0;  // index of the token with the largest id
  for (size_t i = 0; i < list.array_size(); ++i) {
    const JsonCursor item = list.at(i);
    AddedToken token;
    token.id = item.at("id").as_int();
    if (token.id < 0) item.at("id").fail("expected a non-negative id");
    read_added_token_fields(item, token);
    if (tokens.empty() || token.id > tokens[largest].id) largest = tokens.size();
    tokens.push_back(std::move(token));
  }
  if (!tokens.empty()) check_id_tables_fit(list.at(largest).at("id"), tokens[largest].id);
  return tokens;
}

/// The first id of a TemplateProcessing post-processor's single-sequence template when it starts with a special
/// token (Llama 3 puts <|begin_of_text|> there). Only read for the BOS default: anything unexpected gives none.
std::optional<int64_t> post_processor_bos(const nlohmann::json& node) {
  if (!node.is_object()) return std::nullopt;
  const std::string type = node.value("type", "");
  if (type == "Sequence" && node.contains("processors") && node["processors"].is_array()) {
    for (const auto& processor : node["processors"])
      if (const auto bos = post_processor_bos(processor)) return bos;
    return std::nullopt;
  }
  if (type != "TemplateProcessing" || !node.contains("single") || !node["single"].is_array() || node["single"].empty())
    return std::nullopt;
  const auto& first = node["single"][0];
  if (!first.is_object() || !first.contains("SpecialToken")) return std::nullopt;
  const std::string name = first["SpecialToken"].value("id", "");
  const auto specials = node.find("special_tokens");
  if (specials == node.end() || !specials->contains(name)) return std::nullopt;
  const auto& ids = (*specials)[name]["ids"];
  if (!ids.is_array() || ids.size() != 1 || !ids[0].is_number_integer()) return std::nullopt;
  return ids[0].get<int64_t>();
}

}  // namespace

void check_id_tables_fit(const JsonCursor& id_node, int64_t id) {
  constexpr double kBytesPerId = 2 * sizeof(std::string) + 1;  // token text, its decoded bytes, the special flag
  try {
    check_fits_in_memory((static_cast<double>(id) + 1) * kBytesPerId, host_available_bytes(),
                         "an id table up to " + std::to_string(id), "this id");
  } catch (const Error& e) {
    id_node.fail(e.what());
  }
}

std::unique_ptr<Tokenizer> load_tokenizer_json(const std::string& path) {
  const nlohmann::json document = JsonCursor::parse(read_text_file(path), path);
  const JsonCursor root(document, path);
  root.require_object();
  HfTokenizerParts parts;
  if (const auto added = root.find("added_tokens")) parts.added_tokens = read_added_tokens(*added);
  if (const auto normalizer = root.find("normalizer")) parts.normalizer = read_normalizer(*normalizer);
  bool byte_level = false;
  if (const auto pre = root.find("pre_tokenizer")) parts.pre_tokenizer = read_pre_tokenizer(*pre, byte_level);
  const auto decoder = root.find("decoder");
  if (!decoder) root.fail("missing \"decoder\" (byte-level BPE needs the ByteLevel decoder)");
  check_decoder(*decoder);
  parts.model = read_model(root.at("model"), byte_level);
  if (const auto post = root.find("post_processor")) parts.post_processor_bos = post_processor_bos(post->json());
  return std::make_unique<HfTokenizer>(std::move(parts));
}

}  // namespace ttrl
