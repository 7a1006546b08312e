#include "ttrl/train/zero_shards.hpp"

#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"

namespace ttrl::train {
namespace fs = std::filesystem;

namespace {

constexpr const char* kIndexFile = "optimizer-shards.json";
constexpr const char* kFormat = "ttrl-zero-1";

std::string shard_file(int64_t rank, int64_t world) { return fmt::format("optimizer-shard-{}-of-{}.pt", rank, world); }

/// The bucket's tensors (one per parameter, or zeros where a tensor is undefined) flattened in `dtype` and padded
/// with zeros to slice * world elements.
torch::Tensor flat_bucket(const std::vector<torch::Tensor>& tensors, const std::vector<torch::Tensor>& parameters,
                          const ZeroBucket& bucket, int64_t world, torch::ScalarType dtype) {
  const auto first = static_cast<std::ptrdiff_t>(bucket.first), last = static_cast<std::ptrdiff_t>(bucket.last);
  return dist::flatten_padded(std::vector<torch::Tensor>(tensors.begin() + first, tensors.begin() + last),
                              std::vector<torch::Tensor>(parameters.begin() + first, parameters.begin() + last), dtype,
                              world);
}

}  // namespace

std::vector<ZeroBucket> zero_buckets(const std::vector<torch::Tensor>& parameters, int64_t bucket_elements) {
  std::vector<ZeroBucket> buckets;
  for (const auto& range : dist::gradient_buckets(parameters, bucket_elements)) {
    buckets.push_back({range.first, range.last, 0});
    for (size_t i = range.first; i < range.last; ++i) buckets.back().numel += parameters[i].numel();
  }
  return buckets;
}

int64_t zero_slice(int64_t numel, int64_t world) { return (numel + world - 1) / world; }

ZeroShards::ZeroShards(std::vector<torch::Tensor> parameters, dist::ProcessGroup& group, torch::ScalarType state_dtype,
                       int64_t bucket_elements, bool overlap)
    : parameters_(std::move(parameters)),
      group_(group),
      buckets_(zero_buckets(parameters_, bucket_elements)),
      bucket_elements_(bucket_elements) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> values;
  for (const auto& p : parameters_) values.push_back(p.detach().to(state_dtype));
  shard_ = slice_of(values).set_requires_grad(true);
  std::vector<dist::GradientBucket> ranges;
  for (const auto& bucket : buckets_) ranges.push_back({bucket.first, bucket.last});
  dist::GradientSyncOptions options;
  options.reduction = dist::GradientSyncOptions::Reduction::kReduceScatter;
  options.flat_dtype = state_dtype;
  options.overlap = overlap;
  sync_ = std::make_unique<dist::GradientSync>(group_, parameters_, std::move(ranges), options);
}

torch::Tensor ZeroShards::slice_of(const std::vector<torch::Tensor>& full) const {
  std::vector<torch::Tensor> slices;
  const int64_t world = group_.size();
  for (const auto& bucket : buckets_) {
    const int64_t slice = zero_slice(bucket.numel, world);
    const auto dtype = full[bucket.first].scalar_type();
    slices.push_back(flat_bucket(full, parameters_, bucket, world, dtype).narrow(0, group_.rank() * slice, slice).clone());
  }
  return torch::cat(slices);
}

std::vector<torch::Tensor> ZeroShards::unflatten(const torch::Tensor& flat) const {
  if (group_.size() != 1) throw Error("ZeroShards::unflatten: only the state of one process is whole");
  std::vector<torch::Tensor> out;
  int64_t offset = 0;
  for (const auto& p : parameters_) {
    out.push_back(flat.narrow(0, offset, p.numel()).view(p.sizes()).clone());
    offset += p.numel();
  }
  return out;
}

dist::GradientSyncStats ZeroShards::reduce_scatter_gradients() {
  shard_.mutable_grad() = sync_->finish();
  return sync_->stats();
}

double ZeroShards::global_grad_norm() {
  std::vector<double> squares{shard_.grad().to(torch::kFloat64).pow(2).sum().item<double>()};
  dist::sum_across_ranks(group_, squares);
  return std::sqrt(squares[0]);
}

void ZeroShards::gather_parameters() {
  torch::NoGradGuard no_grad;
  const int64_t world = group_.size();
  int64_t offset = 0;
  for (const auto& bucket : buckets_) {
    const int64_t slice = zero_slice(bucket.numel, world);
    const auto dtype = parameters_[bucket.first].scalar_type();
    auto mine = shard_.detach().narrow(0, offset, slice).to(dtype).contiguous();
    auto full = torch::empty({slice * world}, mine.options());
    group_.all_gather(full, mine);
    int64_t at = 0;
    for (size_t i = bucket.first; i < bucket.last; ++i) {
      auto& p = parameters_[i];
      p.copy_(full.narrow(0, at, p.numel()).view(p.sizes()));  // round to nearest even
      at += p.numel();
    }
    offset += slice;
  }
}

bool ZeroShards::has_shards(const std::string& dir) { return fs::exists(fs::path(dir) / kIndexFile); }

void ZeroShards::save(const std::string& dir, const ZeroState& state) const {
  const std::string path = (fs::path(dir) / shard_file(group_.rank(), group_.size())).string();
  try {
    torch::save(std::vector<torch::Tensor>{state.masters, state.exp_avg, state.exp_avg_sq,
                                           torch::tensor(state.step, torch::kInt64)},
                path);
  } catch (const c10::Error& e) {
    throw IoError("cannot write '" + path + "': " + e.what_without_backtrace());
  }
  if (!group_.is_main()) return;
  nlohmann::json index = {{"format", kFormat}, {"world_size", group_.size()}, {"bucket_elements", bucket_elements_},
                          {"buckets", nlohmann::json::array()}};
  for (const auto& bucket : buckets_) index["buckets"].push_back(bucket.numel);
  write_file_atomic((fs::path(dir) / kIndexFile).string(), index.dump(2) + "\n");
}

ZeroState ZeroShards::load(const std::string& dir) const {
  const std::string index_path = (fs::path(dir) / kIndexFile).string();
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(read_text_file(index_path));
  } catch (const nlohmann::json::exception& e) {
    throw IoError(fmt::format("{}: not a shard index: {}", index_path, e.what()));
  }
  if (index.is_object() && index.contains("bucket_elements") && index["bucket_elements"].is_number_integer() &&
      index["bucket_elements"].get<int64_t>() != bucket_elements_)
    throw IoError(fmt::format("{}: the optimizer shards were cut into buckets of {} elements, this run cuts {} "
                              "(trainer.grad_bucket_mb {:g}, this run {:g}): resume with trainer.grad_bucket_mb {:g}",
                              index_path, index["bucket_elements"].get<int64_t>(), bucket_elements_,
                              index["bucket_elements"].get<int64_t>() * 4.0 / (1 << 20),
                              bucket_elements_ * 4.0 / (1 << 20), index["bucket_elements"].get<int64_t>() * 4.0 / (1 << 20)));
  std::vector<int64_t> sizes;
  for (const auto& bucket : buckets_) sizes.push_back(bucket.numel);
  if (!index.is_object() || index.value("format", "") != kFormat || !index.contains("world_size") ||
      !index["world_size"].is_number_integer() || index["world_size"].get<int64_t>() < 1 || !index.contains("buckets") ||
      index["buckets"] != nlohmann::json(sizes))
    throw IoError(fmt::format("{}: the optimizer shards do not describe this model's parameters (format {}, bucket "
                              "sizes {} expected)", index_path, kFormat, nlohmann::json(sizes).dump()));
  const int64_t old_world = index["world_size"].get<int64_t>();
  const int64_t world = group_.size(), rank = group_.rank();
  ZeroState state;
  state.masters = torch::zeros_like(shard_.detach());
  state.exp_avg = torch::zeros_like(state.masters);
  state.exp_avg_sq = torch::zeros_like(state.masters);
  int64_t old_total = 0;
  for (const auto& bucket : buckets_) old_total += zero_slice(bucket.numel, old_world);
  // Each old shard once: copy the part of each bucket that it holds and this rank now owns.
  for (int64_t q = 0; q < old_world; ++q) {
    const std::string path = (fs::path(dir) / shard_file(q, old_world)).string();
    std::vector<torch::Tensor> saved;
    try {
      torch::load(saved, path);
    } catch (const c10::Error& e) {
      throw IoError("cannot read optimizer shard '" + path + "': " + e.what_without_backtrace());
    }
    if (saved.size() != 4 || saved[3].numel() != 1)
      throw IoError("'" + path + "' does not hold an optimizer shard (masters, exp_avg, exp_avg_sq, step)");
    for (int k = 0; k < 3; ++k)
      if (saved[k].dim() != 1 || saved[k].numel() != old_total || saved[k].scalar_type() != state.masters.scalar_type())
        throw IoError(fmt::format("'{}': tensor {} has {} elements of {}, expected {} of {}", path, k, saved[k].numel(),
                                  c10::toString(saved[k].scalar_type()), old_total,
                                  c10::toString(state.masters.scalar_type())));
    // Every shard was written at the same optimizer step, a count >= 0 (AdamW's bias correction divides by
    // 1 - beta^step: a negative or mixed step would silently change every update).
    if (saved[3].scalar_type() != torch::kInt64 || saved[3].item<int64_t>() < 0)
      throw IoError(fmt::format("'{}': the optimizer step must be an int64 >= 0, got {}", path,
                                saved[3].to(torch::kDouble).item<double>()));
    const int64_t step = saved[3].item<int64_t>();
    if (q > 0 && step != state.step)
      throw IoError(fmt::format("'{}' was written at optimizer step {}, the shards before it at step {}", path, step,
                                state.step));
    state.step = step;
    int64_t old_offset = 0, new_offset = 0;
    for (const auto& bucket : buckets_) {
      const int64_t old_slice = zero_slice(bucket.numel, old_world), slice = zero_slice(bucket.numel, world);
      const int64_t lo = std::max(q * old_slice, rank * slice);
      const int64_t hi = std::min({(q + 1) * old_slice, (rank + 1) * slice, bucket.numel});
      if (lo < hi) {
        const std::vector<torch::Tensor*> targets{&state.masters, &state.exp_avg, &state.exp_avg_sq};
        for (int k = 0; k < 3; ++k)
          targets[k]->narrow(0, new_offset + lo - rank * slice, hi - lo)
              .copy_(saved[k].narrow(0, old_offset + lo - q * old_slice, hi - lo));
      }
      old_offset += old_slice;
      new_offset += slice;
    }
  }
  return state;
}

}  // namespace ttrl::train
