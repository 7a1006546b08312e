#pragma once
// Preallocated key/value cache for batched sampling.
//
// Layout: per layer, K and V of shape [max_batch, kv_heads, max_len, head_dim]. Rows are LEFT-ALIGNED: row b holds
// its tokens in slots 0 .. length(b)-1, and a token's slot is also its position id. Rows of different lengths are
// padded on the right, so no position offsets are needed and a row never attends to padding:
//   a query at position p of row b sees the keys in slots 0..p (and, in a sliding-window layer, only slots > p - W).
// Slots past a row's length may hold stale values; the mask never reaches them, and the next token overwrites them.
//
// The active batch is rows 0 .. batch_size()-1. Row operations reorder it in place:
//   select_rows(i)    new row r = old row i[r]; repeats allowed (fan-out) -> expand_rows, keep_rows (compaction)
//   move_rows         compaction that copies only the rows changing place (the sampler's: holes filled from the end)
//   append_rows_from  rows of another cache (e.g. newly prefilled prompts) appended to the batch
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "ttrl/model/model_config.hpp"

namespace ttrl::model {

struct KVCacheOptions {
  int64_t max_batch = 1;   ///< rows preallocated
  int64_t max_len = 2048;  ///< tokens per row (prompt + completion)
  torch::Dtype dtype = torch::kFloat32;
  torch::Device device = torch::kCPU;
};

class KVCache {
 public:
  /// Allocates 2 * layers * max_batch * kv_heads * max_len * head_dim elements; starts with an empty batch.
  KVCache(const ModelConfig& config, const KVCacheOptions& options);
  // Move-only: a copy would silently share (and overwrite) the same buffers.
  KVCache(KVCache&&) = default;
  KVCache& operator=(KVCache&&) = default;
  KVCache(const KVCache&) = delete;
  KVCache& operator=(const KVCache&) = delete;

  /// Bytes the cache would allocate for these options (to size max_batch from a memory budget).
  static int64_t bytes_needed(const ModelConfig& config, const KVCacheOptions& options);

  int64_t batch_size() const { return static_cast<int64_t>(lengths_.size()); }
  int64_t max_batch() const { return options_.max_batch; }
  int64_t max_len() const { return options_.max_len; }
  int64_t num_layers() const { return static_cast<int64_t>(keys_.size()); }
  const KVCacheOptions& options() const { return options_; }
  /// Tokens stored per active row.
  const std::vector<int64_t>& lengths() const { return lengths_; }
  int64_t length(int64_t row) const { return lengths_.at(static_cast<size_t>(row)); }

  /// Starts over with `batch_size` empty rows.
  void reset(int64_t batch_size);
  /// New row r = old row rows[r] (K, V and length); rows may repeat. Throws ttrl::Error on a bad index.
  void select_rows(const std::vector<int64_t>& rows);
  /// Compaction: keeps `rows` (increasing) of the batch, in that order.
  void keep_rows(const std::vector<int64_t>& rows);
  /// Compaction by moves: row to[i] takes row from[i] (K, V and length), then the batch is cut to `new_size` rows.
  /// `from` and `to` are disjoint (every row is read before any is written), every `to` < new_size <= every `from`;
  /// the other rows below new_size stay where they are. Throws ttrl::Error otherwise.
  void move_rows(const std::vector<int64_t>& from, const std::vector<int64_t>& to, int64_t new_size);
  /// Fan-out: each row is repeated `times` consecutively (prompt p becomes rows p*times .. p*times+times-1).
  void expand_rows(int64_t times);
  /// Appends rows `rows` of `source` (same architecture and max_len >= their lengths) after the current batch.
  void append_rows_from(const KVCache& source, const std::vector<int64_t>& rows);

  // ---- used by the attention layers during a forward pass --------------------------------------------------------

  /// Starts a forward pass that appends `new_tokens` tokens to every active row; returns their positions
  /// [batch, new_tokens] int64 on the cache device (row b: length(b) .. length(b)+new_tokens-1). Throws ttrl::Error
  /// when a row would exceed max_len.
  torch::Tensor begin_forward(int64_t new_tokens);
  /// Writes k, v [batch, kv_heads, T, head_dim] of `layer` at the slots begin_forward() assigned; returns the keys
  /// and values of slots 0 .. span-1 (span = max over rows of length + T) for attention.
  std::pair<torch::Tensor, torch::Tensor> write(int64_t layer, const torch::Tensor& k, const torch::Tensor& v);
  /// Ends the forward pass: row b's length grows by valid[b] <= T (the tokens that were not right padding).
  void end_forward(const std::vector<int64_t>& valid);
  /// Keys (values) of every slot of every preallocated row of `layer`: [max_batch, kv_heads, max_len, head_dim].
  const torch::Tensor& layer_keys(int64_t layer) const { return keys_.at(static_cast<size_t>(layer)); }
  const torch::Tensor& layer_values(int64_t layer) const { return values_.at(static_cast<size_t>(layer)); }
  /// Per row, the keys the pending forward's last token sees (length + T): int32 [batch] on the cache device.
  torch::Tensor pending_key_lengths() const;
  /// Longest row after the pending forward (the attention span).
  int64_t pending_span() const;

  /// Whether a layer's decode steps use the fused kernel (decode_attention.hpp): each layer checks it against
  /// masked SDPA on its first decode step with this cache; one mismatch or failure turns it off for all layers.
  enum class FusedDecode { kUnchecked, kOn, kOff };
  FusedDecode fused_decode(int64_t layer) const;
  void set_fused_decode(int64_t layer, FusedDecode state);

 private:
  void check_rows(const std::vector<int64_t>& rows, int64_t limit, const char* what) const;
  KVCacheOptions options_;
  std::vector<torch::Tensor> keys_, values_;
  std::vector<int64_t> lengths_;
  // State of the forward pass in progress (begin_forward .. end_forward).
  int64_t pending_tokens_ = 0;
  torch::Tensor pending_positions_;  ///< [batch, T]
  bool pending_uniform_ = false;     ///< every row has the same length: writes are plain slice copies
  std::vector<FusedDecode> fused_decode_;  ///< per layer
};

}  // namespace ttrl::model
