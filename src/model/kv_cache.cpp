#include "ttrl/model/kv_cache.hpp"

#include <algorithm>
#include <numeric>

#include "ttrl/core/error.hpp"

namespace ttrl::model {
namespace {

int64_t max_of(const std::vector<int64_t>& values, const std::vector<int64_t>& rows) {
  int64_t out = 0;
  for (int64_t r : rows) out = std::max(out, values[static_cast<size_t>(r)]);
  return out;
}

torch::Tensor index_tensor(const std::vector<int64_t>& rows, const torch::Device& device) {
  return torch::tensor(rows, torch::TensorOptions().dtype(torch::kInt64)).to(device);
}

}  // namespace

KVCache::KVCache(const ModelConfig& config, const KVCacheOptions& options) : options_(options) {
  if (options.max_batch <= 0 || options.max_len <= 0)
    throw Error("KVCache: max_batch and max_len must be positive, got " + std::to_string(options.max_batch) + " and " +
                std::to_string(options.max_len));
  const auto tensor_options = torch::TensorOptions().dtype(options.dtype).device(options.device);
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    keys_.push_back(torch::zeros({options.max_batch, config.num_key_value_heads, options.max_len, config.head_dim}, tensor_options));
    values_.push_back(torch::zeros_like(keys_.back()));
  }
}

int64_t KVCache::bytes_needed(const ModelConfig& config, const KVCacheOptions& options) {
  return 2 * config.num_hidden_layers * options.max_batch * config.num_key_value_heads * options.max_len *
         config.head_dim * static_cast<int64_t>(c10::elementSize(options.dtype));
}

void KVCache::reset(int64_t batch_size) {
  if (batch_size < 0 || batch_size > options_.max_batch)
    throw Error("KVCache::reset: batch of " + std::to_string(batch_size) + " rows exceeds max_batch " +
                std::to_string(options_.max_batch));
  lengths_.assign(static_cast<size_t>(batch_size), 0);
}

void KVCache::check_rows(const std::vector<int64_t>& rows, int64_t limit, const char* what) const {
  for (int64_t r : rows)
    if (r < 0 || r >= limit)
      throw Error(std::string("KVCache::") + what + ": row " + std::to_string(r) + " is not in the batch of " +
                  std::to_string(limit));
}

void KVCache::select_rows(const std::vector<int64_t>& rows) {
  if (static_cast<int64_t>(rows.size()) > options_.max_batch)
    throw Error("KVCache::select_rows: " + std::to_string(rows.size()) + " rows exceed max_batch " +
                std::to_string(options_.max_batch));
  check_rows(rows, batch_size(), "select_rows");
  const auto n = static_cast<int64_t>(rows.size());
  std::vector<int64_t> identity(rows.size());
  std::iota(identity.begin(), identity.end(), 0);
  const int64_t span = max_of(lengths_, rows);
  if (rows != identity && span > 0) {
    const torch::Tensor index = index_tensor(rows, options_.device);
    torch::NoGradGuard no_grad;
    for (size_t layer = 0; layer < keys_.size(); ++layer) {
      for (torch::Tensor* cache : {&keys_[layer], &values_[layer]}) {
        // index_select copies first, so rows may be read and overwritten in the same call.
        const torch::Tensor picked = cache->narrow(2, 0, span).index_select(0, index);
        cache->narrow(0, 0, n).narrow(2, 0, span).copy_(picked);
      }
    }
  }
  std::vector<int64_t> lengths(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) lengths[i] = lengths_[static_cast<size_t>(rows[i])];
  lengths_ = std::move(lengths);
}

void KVCache::keep_rows(const std::vector<int64_t>& rows) {
  for (size_t i = 1; i < rows.size(); ++i)
    if (rows[i] <= rows[i - 1]) throw Error("KVCache::keep_rows: rows must be strictly increasing");
  select_rows(rows);
}

void KVCache::move_rows(const std::vector<int64_t>& from, const std::vector<int64_t>& to, int64_t new_size) {
  if (from.size() != to.size() || new_size < 0 || new_size > batch_size())
    throw Error("KVCache::move_rows: one destination per moved row and a new size within the batch are needed");
  check_rows(from, batch_size(), "move_rows");
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] < new_size || to[i] < 0 || to[i] >= new_size)
      throw Error("KVCache::move_rows: row " + std::to_string(from[i]) + " -> " + std::to_string(to[i]) +
                  " does not move a row from beyond the new size " + std::to_string(new_size) + " into it");
  const int64_t span = max_of(lengths_, from);
  if (span > 0) {
    const torch::Tensor source = index_tensor(from, options_.device), target = index_tensor(to, options_.device);
    torch::NoGradGuard no_grad;
    for (size_t layer = 0; layer < keys_.size(); ++layer)
      for (torch::Tensor* cache : {&keys_[layer], &values_[layer]}) {
        const torch::Tensor window = cache->narrow(2, 0, span);
        window.index_copy_(0, target, window.index_select(0, source));
      }
  }
  for (size_t i = 0; i < from.size(); ++i) lengths_[static_cast<size_t>(to[i])] = lengths_[static_cast<size_t>(from[i])];
  lengths_.resize(static_cast<size_t>(new_size));
}

void KVCache::expand_rows(int64_t times) {
  if (times < 1) throw Error("KVCache::expand_rows: times must be >= 1");
  std::vector<int64_t> rows;
  for (int64_t r = 0; r < batch_size(); ++r) rows.insert(rows.end(), static_cast<size_t>(times), r);
  select_rows(rows);
}

void KVCache::append_rows_from(const KVCache& source, const std::vector<int64_t>& rows) {
  source.check_rows(rows, source.batch_size(), "append_rows_from");
  if (batch_size() + static_cast<int64_t>(rows.size()) > options_.max_batch)
    throw Error("KVCache::append_rows_from: " + std::to_string(batch_size() + rows.size()) + " rows exceed max_batch " +
                std::to_string(options_.max_batch));
  if (source.keys_.size() != keys_.size() || source.options_.dtype != options_.dtype ||
      source.keys_[0].size(1) != keys_[0].size(1) || source.keys_[0].size(3) != keys_[0].size(3))
    throw Error("KVCache::append_rows_from: the caches belong to different architectures or dtypes");
  const int64_t span = max_of(source.lengths_, rows);
  if (span > options_.max_len)
    throw Error("KVCache::append_rows_from: a row of " + std::to_string(span) + " tokens exceeds max_len " +
                std::to_string(options_.max_len));
  const int64_t first = batch_size();
  const auto n = static_cast<int64_t>(rows.size());
  if (span > 0) {
    const torch::Tensor index = index_tensor(rows, source.options_.device);
    torch::NoGradGuard no_grad;
    for (size_t layer = 0; layer < keys_.size(); ++layer) {
      keys_[layer].narrow(0, first, n).narrow(2, 0, span).copy_(source.keys_[layer].narrow(2, 0, span).index_select(0, index));
      values_[layer].narrow(0, first, n).narrow(2, 0, span).copy_(source.values_[layer].narrow(2, 0, span).index_select(0, index));
    }
  }
  for (int64_t r : rows) lengths_.push_back(source.lengths_[static_cast<size_t>(r)]);
}

torch::Tensor KVCache::begin_forward(int64_t new_tokens) {
  if (batch_size() == 0) throw Error("KVCache: the batch is empty; call reset(batch_size) first");
  const int64_t longest = *std::max_element(lengths_.begin(), lengths_.end());
  if (longest + new_tokens > options_.max_len)
    throw Error("KVCache: a row of " + std::to_string(longest) + " tokens cannot take " + std::to_string(new_tokens) +
                " more (max_len " + std::to_string(options_.max_len) + ")");
  pending_tokens_ = new_tokens;
  pending_uniform_ = std::all_of(lengths_.begin(), lengths_.end(), [&](int64_t l) { return l == lengths_[0]; });
  const auto options = torch::TensorOptions().dtype(torch::kInt64);
  const torch::Tensor starts = torch::tensor(lengths_, options).unsqueeze(1);
  pending_positions_ = (starts + torch::arange(new_tokens, options).unsqueeze(0)).to(options_.device);
  return pending_positions_;
}

std::pair<torch::Tensor, torch::Tensor> KVCache::write(int64_t layer, const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t batch = batch_size();
  const int64_t tokens = pending_tokens_;
  if (!pending_positions_.defined() || k.size(0) != batch || k.size(2) != tokens)
    throw Error("KVCache::write: expected k of [" + std::to_string(batch) + ", heads, " + std::to_string(tokens) +
                ", head_dim] after begin_forward");
  torch::Tensor& keys = keys_.at(static_cast<size_t>(layer));
  torch::Tensor& values = values_.at(static_cast<size_t>(layer));
  if (pending_uniform_) {
    keys.narrow(0, 0, batch).narrow(2, lengths_[0], tokens).copy_(k);
    values.narrow(0, 0, batch).narrow(2, lengths_[0], tokens).copy_(v);
  } else {
    // Row b's token t goes to slot length(b) + t.
    const torch::Tensor slots = pending_positions_.view({batch, 1, tokens, 1}).expand_as(k);
    keys.narrow(0, 0, batch).scatter_(2, slots, k);
    values.narrow(0, 0, batch).scatter_(2, slots, v);
  }
  const int64_t span = *std::max_element(lengths_.begin(), lengths_.end()) + tokens;
  return {keys.narrow(0, 0, batch).narrow(2, 0, span), values.narrow(0, 0, batch).narrow(2, 0, span)};
}

void KVCache::end_forward(const std::vector<int64_t>& valid) {
  if (valid.size() != lengths_.size()) throw Error("KVCache::end_forward: one valid count per row expected");
  for (size_t b = 0; b < valid.size(); ++b) {
    if (valid[b] < 0 || valid[b] > pending_tokens_)
      throw Error("KVCache::end_forward: row " + std::to_string(b) + " cannot keep " + std::to_string(valid[b]) +
                  " of " + std::to_string(pending_tokens_) + " tokens");
    lengths_[b] += valid[b];
  }
  pending_tokens_ = 0;
  pending_positions_ = torch::Tensor();
}

torch::Tensor KVCache::pending_key_lengths() const {
  if (!pending_positions_.defined()) throw Error("KVCache::pending_key_lengths: no forward pass in progress");
  return pending_positions_.select(1, pending_tokens_ - 1).add(1).to(torch::kInt32);
}

int64_t KVCache::pending_span() const {
  return *std::max_element(lengths_.begin(), lengths_.end()) + pending_tokens_;
}

KVCache::FusedDecode KVCache::fused_decode(int64_t layer) const {
  return fused_decode_.empty() ? FusedDecode::kUnchecked : fused_decode_.at(static_cast<size_t>(layer));
}

void KVCache::set_fused_decode(int64_t layer, FusedDecode state) {
  if (fused_decode_.empty()) fused_decode_.assign(keys_.size(), FusedDecode::kUnchecked);
  if (state == FusedDecode::kOff) {
    fused_decode_.assign(keys_.size(), FusedDecode::kOff);
    return;
  }
  fused_decode_.at(static_cast<size_t>(layer)) = state;
}

}  // namespace ttrl::model
