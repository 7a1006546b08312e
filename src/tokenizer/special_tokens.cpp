// Special token ids from tokenizer_config.json / generation_config.json, completed from well-known names.
#include <algorithm>
#include <filesystem>

#include "tokenizer/hf_tokenizer.hpp"
#include "ttrl/core/json_cursor.hpp"
#include "tokenizer/loaders.hpp"
#include "ttrl/core/files.hpp"

namespace ttrl {
namespace fs = std::filesystem;
namespace {

// Names used by the supported model families, most specific first.
const std::vector<std::string> kBosNames = {"<|begin_of_text|>", "<｜begin▁of▁sentence｜>", "<s>", "<|startoftext|>",
                                            "<|bos|>"};
const std::vector<std::string> kEosNames = {"<|endoftext|>", "<|end_of_text|>", "<｜end▁of▁sentence｜>", "</s>",
                                            "<|eos|>"};
const std::vector<std::string> kPadNames = {"<|pad|>", "<pad>", "<|finetune_right_pad_id|>", "<｜▁pad▁｜>"};
// Tokens that close an assistant turn in the chat templates; a generation stops at any of them.
const std::vector<std::string> kEndOfTurnNames = {"<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<｜end▁of▁sentence｜>",
                                                  "<|endoftext|>", "<|end_of_text|>", "</s>", "<|eot|>", "<|eos|>"};

std::optional<nlohmann::json> read_json_if_present(const std::string& dir, const std::string& name,
                                                   std::string& path) {
  if (dir.empty()) return std::nullopt;
  path = (fs::path(dir) / name).string();
  if (!fs::exists(path)) return std::nullopt;
  return JsonCursor::parse(read_text_file(path), path);
}

/// A special token id given by name in tokenizer_config.json: "name" or {"content": "name", ...}. A name the
/// vocabulary lacks gives no id (transformers would append it as a new token, which no model row backs).
std::optional<int64_t> configured_token(const Tokenizer& tokenizer, const JsonCursor& config, const std::string& key) {
  const auto node = config.find(key);
  if (!node) return std::nullopt;
  const std::string content = node->json().is_object() ? node->at("content").as_string() : node->as_string();
  return tokenizer.token_to_id(content);
}

/// generation_config.json ids: an integer or a list of integers.
std::vector<int64_t> configured_ids(const JsonCursor& config, const std::string& key) {
  const auto node = config.find(key);
  return node ? node->as_int_list() : std::vector<int64_t>{};
}

std::optional<int64_t> first_special_named(const Tokenizer& tokenizer, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const auto id = tokenizer.token_to_id(name);
    if (id && tokenizer.is_special(*id)) return id;
  }
  return std::nullopt;
}

}  // namespace

SpecialTokens resolve_special_tokens(const Tokenizer& tokenizer, const std::string& config_dir) {
  SpecialTokens special;
  // What encode(text, add_special_tokens=True) would do: SentencePiece models and tokenizer.json files whose
  // post-processor starts with a special token (Llama 3) add BOS.
  const auto* hf = dynamic_cast<const HfTokenizer*>(&tokenizer);
  const std::optional<int64_t> post_processor_bos = hf ? hf->post_processor_bos() : std::nullopt;
  special.add_bos = tokenizer.kind() == "sentencepiece" || post_processor_bos.has_value();
  std::string tokenizer_config_path, generation_config_path;
  const auto tokenizer_config = read_json_if_present(config_dir, "tokenizer_config.json", tokenizer_config_path);
  const auto generation_config = read_json_if_present(config_dir, "generation_config.json", generation_config_path);
  bool configured = false;
  if (tokenizer_config) {
    const JsonCursor config(*tokenizer_config, tokenizer_config_path);
    config.require_object();
    special.bos = configured_token(tokenizer, config, "bos_token");
    special.eos = configured_token(tokenizer, config, "eos_token");
    special.pad = configured_token(tokenizer, config, "pad_token");
    special.unk = configured_token(tokenizer, config, "unk_token");
    special.add_bos = config.bool_or("add_bos_token", special.add_bos);
    configured = true;
  }
  std::vector<int64_t> eos_ids;
  if (generation_config) {
    const JsonCursor config(*generation_config, generation_config_path);
    config.require_object();
    eos_ids = configured_ids(config, "eos_token_id");
    if (!special.bos) {
      const auto bos = configured_ids(config, "bos_token_id");
      if (!bos.empty()) special.bos = bos.front();
    }
    if (!special.eos && !eos_ids.empty()) special.eos = eos_ids.front();
    if (!special.pad) {
      const auto pad = configured_ids(config, "pad_token_id");
      if (!pad.empty()) special.pad = pad.front();
    }
  }
  // Without configuration files, well-known names stand in (a config that says null means "none").
  if (!configured) {
    special.bos = post_processor_bos ? post_processor_bos : first_special_named(tokenizer, kBosNames);
    if (!special.eos) special.eos = first_special_named(tokenizer, kEosNames);
    special.pad = first_special_named(tokenizer, kPadNames);
  }
  if (special.eos) eos_ids.push_back(*special.eos);
  for (const std::string& name : kEndOfTurnNames) {
    const auto id = tokenizer.token_to_id(name);
    if (id && tokenizer.is_special(*id)) eos_ids.push_back(*id);
  }
  std::sort(eos_ids.begin(), eos_ids.end());
  eos_ids.erase(std::unique(eos_ids.begin(), eos_ids.end()), eos_ids.end());
  special.eos_ids = std::move(eos_ids);
  return special;
}

}  // namespace ttrl
