#pragma once
// The Tokenizer interface the rest of ttrl uses (sampler, trainer, CLI), and load_tokenizer(), which picks the
// implementation from a path:
//   - a Hugging Face tokenizer.json (byte-level BPE: Qwen2/2.5/3, Llama 3, DeepSeek, GPT-2 style),
//   - a vocab.json + merges.txt pair (in a directory),
//   - a SentencePiece tokenizer.model (Llama 2, Mistral v0.x),
//   - "byte": the built-in byte tokenizer for tiny test models (ids documented in byte_tokenizer.hpp).
// encode() never adds BOS/EOS; special and added tokens written in the text are recognised as single ids, as
// Hugging Face `Tokenizer.encode(text, add_special_tokens=False)` does. Every method is const and safe to call
// from several threads at once.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ttrl/core/error.hpp"

namespace ttrl {

/// Text given to encode() that is not valid UTF-8; the message gives the byte offset.
class InvalidUtf8Error : public Error {
 public:
  using Error::Error;
};

/// The ids the rest of the system needs. Taken from tokenizer_config.json / generation_config.json next to the
/// tokenizer file when present, otherwise from well-known token names found in the vocabulary.
struct SpecialTokens {
  std::optional<int64_t> bos;
  std::optional<int64_t> eos;
  std::optional<int64_t> pad;
  std::optional<int64_t> unk;
  /// Every id that ends a generation: eos, generation_config.json's eos_token_id(s) and the chat end-of-turn
  /// tokens present in the vocabulary (<|im_end|>, <|eot_id|>, <|eom_id|>, <｜end▁of▁sentence｜>, ...). Sorted.
  std::vector<int64_t> eos_ids;
  /// tokenizer_config.json "add_bos_token" (SentencePiece models: true unless the config says otherwise).
  bool add_bos = false;
};

/// How the bytes of a decoded id sequence that are not valid UTF-8 become U+FFFD. Byte-level BPE follows Rust's
/// String::from_utf8_lossy (one U+FFFD per maximal invalid subpart); SentencePiece emits one U+FFFD per byte.
enum class InvalidUtf8Replacement { kPerMaximalSubpart, kPerByte };

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  /// Token ids of `text` (no BOS/EOS added; special tokens written in the text are recognised).
  /// Throws InvalidUtf8Error when `text` is not valid UTF-8.
  virtual std::vector<int64_t> encode(std::string_view text) const = 0;

  /// Text of `ids`, bytes that are not valid UTF-8 replaced by U+FFFD. Ids outside the vocabulary are skipped
  /// (as Hugging Face does). Special tokens are written out unless skip_special_tokens.
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = false) const;

  /// One past the largest id the tokenizer can produce (added tokens included). Models may have more rows.
  virtual int64_t vocab_size() const = 0;

  const SpecialTokens& special_tokens() const { return special_; }
  /// Set by load_tokenizer() from the configuration files next to the tokenizer.
  void set_special_tokens(SpecialTokens special) { special_ = std::move(special); }

  /// The id of a vocabulary entry or added token written as in the vocabulary file, if any.
  virtual std::optional<int64_t> token_to_id(std::string_view token) const = 0;
  /// The vocabulary entry of `id` as written in the vocabulary file ("" when there is none).
  virtual std::string id_to_token(int64_t id) const = 0;
  /// Whether `id` is a special (control) token, skipped by decode(..., skip_special_tokens=true).
  virtual bool is_special(int64_t id) const = 0;

  /// "bpe", "sentencepiece" or "byte".
  virtual std::string kind() const = 0;

  // ---- Decoding one id at a time (used by decode() and StreamDecoder) ----

  /// State carried between ids of one decoded stream.
  struct DecodeState {
    bool at_start = true;  ///< nothing emitted yet (SentencePiece drops the dummy-prefix space here)
  };
  /// Appends the raw bytes `id` stands for to `out` (possibly an incomplete UTF-8 character).
  virtual void append_token_bytes(int64_t id, DecodeState& state, bool skip_special_tokens,
                                  std::string& out) const = 0;
  virtual InvalidUtf8Replacement invalid_utf8_replacement() const {
    return InvalidUtf8Replacement::kPerMaximalSubpart;
  }

 protected:
  SpecialTokens special_;
};

/// Loads a tokenizer from `path`: a tokenizer.json, a tokenizer.model, a vocab.json (with merges.txt next to it),
/// a directory holding one of those (tokenizer.model first when present, then tokenizer.json, then
/// vocab.json + merges.txt), or "byte". Throws IoError naming the file (and the JSON path) when something is
/// missing or malformed.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

}  // namespace ttrl
