#pragma once
// Builders of each tokenizer kind from its files (used by load_tokenizer in load_tokenizer.cpp).
#include <memory>
#include <string>

#include "ttrl/core/json_cursor.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl {

/// A Hugging Face tokenizer.json with a BPE model.
std::unique_ptr<Tokenizer> load_tokenizer_json(const std::string& path);

/// The older pair: vocab.json ({"token": id}) and merges.txt (one "a b" per line, optional "#version" line).
/// Normaliser and pre-tokenizer follow tokenizer_config.json's tokenizer_class in `config_dir` (Qwen2Tokenizer:
/// NFC + the Qwen2 split regex; otherwise GPT-2's byte-level regex); added tokens come from its
/// added_tokens_decoder and from added_tokens.json.
std::unique_ptr<Tokenizer> load_vocab_and_merges(const std::string& vocab_path, const std::string& merges_path,
                                                 const std::string& config_dir);

/// A SentencePiece tokenizer.model.
std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& path);

/// BOS/EOS/pad/unk and end-of-generation ids from tokenizer_config.json and generation_config.json in
/// `config_dir` (either may be absent), completed from well-known special token names.
SpecialTokens resolve_special_tokens(const Tokenizer& tokenizer, const std::string& config_dir);

/// Ids size the tokenizer's tables (one entry per id up to the largest): fails at `id_node` (an error naming the file
/// and JSON path) when the tables for ids up to `id` cannot fit in memory, instead of a std::bad_alloc later.
void check_id_tables_fit(const JsonCursor& id_node, int64_t id);

/// Qwen2's pre-tokenizer regex (Qwen1.5/2/2.5/3); Llama 3's is the same with \p{N}{1,3}.
extern const char* const kQwen2Pattern;

}  // namespace ttrl
