#pragma once
// The BPE model of Hugging Face `tokenizers`: a piece is split into units (bytes for byte-level vocabularies,
// characters otherwise), then adjacent units are merged, lowest merge rank first and leftmost first among equal
// ranks, until no listed merge applies. With ignore_merges (Llama 3) a piece that is itself a vocabulary entry
// becomes that one id. Results are cached per piece.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tokenizer/pair_map.hpp"
#include "tokenizer/word_cache.hpp"

namespace ttrl {

struct BpeConfig {
  /// Pieces are raw bytes and vocabulary entries are written in GPT-2's byte alphabet (a ByteLevel
  /// pre-tokenizer precedes the model). Otherwise pieces and entries are plain UTF-8 text.
  bool byte_level = true;
  bool ignore_merges = false;
  std::optional<std::string> unk_token;  ///< replaces units missing from the vocabulary (else they are dropped)
  bool fuse_unk = false;                 ///< consecutive unknown units give one unk id
  bool byte_fallback = false;            ///< missing characters become their <0xXX> byte tokens
  size_t cache_capacity = 1 << 17;       ///< pieces kept in the word cache
};

class BpeModel {
 public:
  /// `vocab`: entry -> id. `merges`: pairs of entries, highest priority first. Throws std::invalid_argument
  /// naming the merge ("merges[12]: ...") when an entry of a merge or its result is not in the vocabulary.
  BpeModel(const std::vector<std::pair<std::string, int64_t>>& vocab,
           const std::vector<std::pair<std::string, std::string>>& merges, BpeConfig config);

  /// Appends the ids of one non-empty piece to `out`.
  void tokenize(std::string_view piece, std::vector<int64_t>& out) const;

  std::optional<int64_t> token_to_id(std::string_view token) const;
  /// The entry of `id` as written in the vocabulary ("" when `id` has none).
  const std::string& id_to_token(int64_t id) const;
  /// One past the largest id.
  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  const BpeConfig& config() const { return config_; }

 private:
  void split_into_units(std::string_view piece, std::vector<int32_t>& units) const;
  void append_unknown(std::string_view unit, std::vector<int32_t>& units, bool& previous_was_unk) const;
  void merge(std::vector<int32_t>& units) const;
  int32_t lookup(std::string_view key) const;  // raw-byte key in byte-level mode; -1 when absent

  BpeConfig config_;
  std::vector<std::string> tokens_;                       // id -> entry
  std::unordered_map<std::string, int32_t> entry_ids_;    // entry (as written) -> id
  std::unordered_map<std::string, int32_t> raw_ids_;      // byte-level mode: entry's raw bytes -> id
  std::array<int32_t, 256> byte_ids_{};                   // byte-level mode: byte -> id of its one-byte entry
  std::array<int32_t, 256> fallback_ids_{};               // byte_fallback: byte -> id of "<0xXX>"
  int32_t unk_id_ = -1;
  PairMap merges_;
  WordCache cache_;
};

}  // namespace ttrl
