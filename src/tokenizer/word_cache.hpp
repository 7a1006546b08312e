#pragma once
// A bounded, thread-safe map from a pre-tokenized piece to its token ids. BPE on a piece costs far more than a
// lookup, and natural text repeats its words, so encoding mostly reads this cache. Sharded by hash so that
// concurrent encoders rarely wait on each other; once a shard is full it stops taking new words (as
// Hugging Face's BPE cache does) rather than evicting.
#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ttrl {

class WordCache {
 public:
  /// `capacity`: the most words kept (0 disables the cache). Words longer than `max_word_bytes` are not kept.
  explicit WordCache(size_t capacity, size_t max_word_bytes = 256)
      : shard_capacity_(capacity / kShards), max_word_bytes_(max_word_bytes) {}

  /// Appends the cached ids of `word` to `out` and returns true, or returns false when it is not cached.
  bool lookup(std::string_view word, std::vector<int64_t>& out) const {
    if (shard_capacity_ == 0 || word.size() > max_word_bytes_) return false;
    const Shard& shard = shard_of(word);
    std::shared_lock<std::shared_mutex> lock(shard.mutex);
    const auto it = shard.map.find(std::string(word));
    if (it == shard.map.end()) return false;
    out.insert(out.end(), it->second.begin(), it->second.end());
    return true;
  }

  void store(std::string_view word, const int64_t* ids, size_t count) const {
    if (shard_capacity_ == 0 || word.size() > max_word_bytes_) return;
    Shard& shard = shard_of(word);
    std::unique_lock<std::shared_mutex> lock(shard.mutex);
    if (shard.map.size() >= shard_capacity_) return;
    shard.map.emplace(std::string(word), std::vector<int32_t>(ids, ids + count));
  }

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, std::vector<int32_t>> map;
  };

  Shard& shard_of(std::string_view word) const { return shards_[std::hash<std::string_view>{}(word) % kShards]; }

  size_t shard_capacity_;
  size_t max_word_bytes_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace ttrl
