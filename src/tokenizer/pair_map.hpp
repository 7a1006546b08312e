#pragma once
// Open-addressing hash map from a pair of token ids to (merge rank, merged id): the hot lookup of BPE.
#include <cstdint>
#include <vector>

namespace ttrl {

struct Merge {
  int32_t rank = -1;
  int32_t merged_id = -1;
};

class PairMap {
 public:
  void reserve(size_t count) {
    size_t capacity = 16;
    shift_ = 60;
    while (capacity < count * 2) {
      capacity *= 2;
      --shift_;
    }
    keys_.assign(capacity, kEmpty);
    values_.assign(capacity, Merge{});
    mask_ = capacity - 1;
    size_ = 0;
  }

  /// Inserts or overwrites (a later duplicate merge replaces the earlier one, as in Hugging Face's HashMap).
  void insert_or_assign(int32_t left, int32_t right, Merge merge) {
    if ((size_ + 1) * 2 > keys_.size()) grow();
    const uint64_t key = pack(left, right);
    size_t slot = home(key);
    while (keys_[slot] != kEmpty && keys_[slot] != key) slot = (slot + 1) & mask_;
    if (keys_[slot] == kEmpty) ++size_;
    keys_[slot] = key;
    values_[slot] = merge;
  }

  /// The merge of (left, right), or nullptr when there is none.
  const Merge* find(int32_t left, int32_t right) const {
    if (keys_.empty()) return nullptr;
    const uint64_t key = pack(left, right);
    for (size_t slot = home(key);; slot = (slot + 1) & mask_) {
      if (keys_[slot] == key) return &values_[slot];
      if (keys_[slot] == kEmpty) return nullptr;
    }
  }

  size_t size() const { return size_; }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};  // ids are non-negative int32, so no pair packs to this
  static uint64_t pack(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  // Fibonacci hashing: the high bits of key * 2^64/phi.
  size_t home(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_); }

  void grow() {
    std::vector<uint64_t> old_keys;
    std::vector<Merge> old_values;
    old_keys.swap(keys_);
    old_values.swap(values_);
    reserve(old_keys.empty() ? 16 : old_keys.size());
    for (size_t i = 0; i < old_keys.size(); ++i)
      if (old_keys[i] != kEmpty)
        insert_or_assign(static_cast<int32_t>(old_keys[i] >> 32), static_cast<int32_t>(old_keys[i] & 0xFFFFFFFF),
                         old_values[i]);
  }

  std::vector<uint64_t> keys_;
  std::vector<Merge> values_;
  size_t mask_ = 0;
  unsigned shift_ = 60;
  size_t size_ = 0;
};

}  // namespace ttrl
