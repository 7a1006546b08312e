// Loading, saving and randomly initialising Hugging Face-format checkpoints.
#include "ttrl/model/checkpoint.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <set>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/model/safetensors.hpp"

namespace ttrl::model {
namespace fs = std::filesystem;
namespace {

/// Files save_pretrained copies from a tokenizer source directory when present.
const char* const kTokenizerFiles[] = {"tokenizer.json",      "tokenizer_config.json", "special_tokens_map.json",
                                       "vocab.json",          "merges.txt",            "tokenizer.model",
                                       "added_tokens.json",   "chat_template.jinja",   "chat_template.json",
                                       "generation_config.json"};

std::string shape_string(c10::IntArrayRef shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

bool is_floating_safetensors_dtype(const std::string& dtype) {
  return dtype == "BF16" || dtype == "F16" || dtype == "F32" || dtype == "F64";
}

/// Tensors a checkpoint may carry that the model legitimately does not use.
bool silently_ignored(const std::string& name, const ModelConfig& config) {
  if (config.tie_word_embeddings && name == "lm_head.weight") return true;  // some tied checkpoints store both
  return name.size() >= 9 && name.compare(name.size() - 9, 9, ".inv_freq") == 0;  // old rotary buffers
}

/// True when an element's exponent bits are all ones (NaN or Inf), judged on the raw bits.
template <typename Bits>
bool any_exponent_saturated(const void* data, int64_t begin, int64_t end, Bits exponent_mask) {
  const auto* bits = static_cast<const Bits*>(data);
  bool bad = false;
  for (int64_t i = begin; i < end; ++i) bad |= (bits[i] & exponent_mask) == exponent_mask;
  return bad;
}

bool any_non_finite(const torch::Tensor& view, int64_t begin, int64_t end) {
  switch (view.scalar_type()) {
    case torch::kBFloat16: return any_exponent_saturated<uint16_t>(view.data_ptr(), begin, end, 0x7F80);
    case torch::kFloat16: return any_exponent_saturated<uint16_t>(view.data_ptr(), begin, end, 0x7C00);
    case torch::kFloat32: return any_exponent_saturated<uint32_t>(view.data_ptr(), begin, end, 0x7F800000u);
    default: return !torch::isfinite(view.narrow(0, begin, end - begin)).all().item<bool>();
  }
}

/// Copies the mapped tensor `view` into `param` (converting dtype and device) and, when `check_finite`, scans it for
/// NaN/Inf on the way: chunk by chunk on the source bits, each chunk scanned while it is in cache, so the scan costs
/// little over the copy (torch's own bf16 reductions on CPU would triple the load time). Returns true when a value
/// is not finite.
bool copy_and_scan(torch::Tensor& param, const torch::Tensor& view, bool check_finite) {
  const torch::Tensor source = view.reshape({-1});
  constexpr int64_t kChunk = int64_t{1} << 18;  // elements scanned then copied together: ~0.5-1 MB, in L2
  constexpr int64_t kGrain = int64_t{1} << 21;  // smaller tensors run on one thread
  std::atomic<bool> non_finite{false};
  const bool direct = param.is_cpu() && param.is_contiguous();
  torch::Tensor target = direct ? param.view({-1}) : torch::Tensor();
  const bool same_dtype = param.scalar_type() == view.scalar_type();
  at::parallel_for(0, source.numel(), kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t chunk = begin; chunk < end; chunk += kChunk) {
      const int64_t stop = std::min(end, chunk + kChunk);
      if (check_finite && any_non_finite(source, chunk, stop)) non_finite = true;
      if (!direct) continue;
      if (same_dtype) {
        std::memcpy(static_cast<char*>(target.data_ptr()) + chunk * target.element_size(),
                    static_cast<const char*>(source.data_ptr()) + chunk * source.element_size(),
                    static_cast<size_t>(stop - chunk) * source.element_size());
      } else {
        target.narrow(0, chunk, stop - chunk).copy_(source.narrow(0, chunk, stop - chunk));
      }
    }
  });
  if (!direct) param.copy_(view);  // another device: one transfer per tensor
  return non_finite;
}

void warn_non_finite(const torch::Tensor& view, const std::string& name, const std::string& file) {
  const int64_t nan = torch::isnan(view).sum().item<int64_t>();
  const int64_t inf = torch::isinf(view).sum().item<int64_t>();
  spdlog::warn("{}: tensor '{}' contains {} NaN and {} infinite values", file, name, nan, inf);
}

/// Consecutive groups of parameters, each at most `max_bytes` (a single larger tensor gets a shard of its own).
std::vector<std::vector<std::pair<std::string, torch::Tensor>>> plan_shards(
    const std::vector<std::pair<std::string, torch::Tensor>>& params, size_t element_size, int64_t max_bytes) {
  std::vector<std::vector<std::pair<std::string, torch::Tensor>>> shards(1);
  int64_t shard_bytes = 0;
  for (const auto& item : params) {
    const int64_t bytes = item.second.numel() * static_cast<int64_t>(element_size);
    if (!shards.back().empty() && shard_bytes + bytes > max_bytes) {
      shards.emplace_back();
      shard_bytes = 0;
    }
    shards.back().push_back(item);
    shard_bytes += bytes;
  }
  return shards;
}

std::string shard_name(size_t index, size_t count) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "model-%05zu-of-%05zu.safetensors", index + 1, count);
  return buffer;
}

void write_weights(const TransformerImpl& model, const fs::path& dir, torch::Dtype dtype, int64_t max_shard_bytes) {
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (const auto& item : model.named_parameters()) params.emplace_back(item.key(), item.value());
  const auto shards = plan_shards(params, c10::elementSize(dtype), max_shard_bytes);
  nlohmann::ordered_json weight_map = nlohmann::ordered_json::object();
  int64_t total_bytes = 0;
  for (size_t i = 0; i < shards.size(); ++i) {
    const std::string file = shards.size() == 1 ? "model.safetensors" : shard_name(i, shards.size());
    std::vector<std::pair<std::string, torch::Tensor>> converted;  // one shard in memory at a time
    for (const auto& [name, tensor] : shards[i]) {
      converted.emplace_back(name, tensor.detach().to(dtype));
      total_bytes += converted.back().second.numel() * static_cast<int64_t>(converted.back().second.element_size());
      weight_map[name] = file;
    }
    write_safetensors((dir / file).string(), converted);
  }
  if (shards.size() > 1) {
    const nlohmann::ordered_json index = {{"metadata", {{"total_size", total_bytes}}}, {"weight_map", weight_map}};
    write_file_atomic((dir / "model.safetensors.index.json").string(), index.dump(2) + "\n");
  }
}

void copy_tokenizer_files(const std::string& source, const fs::path& dir) {
  if (source.empty()) return;
  if (!fs::is_directory(source)) throw IoError("tokenizer source '" + source + "' is not a directory");
  for (const char* name : kTokenizerFiles) {
    const fs::path from = fs::path(source) / name;
    if (!fs::exists(from)) continue;
    std::error_code ec;
    fs::copy_file(from, dir / name, fs::copy_options::overwrite_existing, ec);
    if (ec) throw IoError("cannot copy '" + from.string() + "' to '" + (dir / name).string() + "': " + ec.message());
  }
}

void write_generation_config(const ModelConfig& config, const fs::path& dir) {
  if (fs::exists(dir / "generation_config.json") || config.eos_token_ids.empty()) return;
  nlohmann::ordered_json generation = nlohmann::ordered_json::object();
  if (config.bos_token_id) generation["bos_token_id"] = *config.bos_token_id;
  if (config.eos_token_ids.size() == 1) generation["eos_token_id"] = config.eos_token_ids[0];
  else generation["eos_token_id"] = config.eos_token_ids;
  write_file_atomic((dir / "generation_config.json").string(), generation.dump(2) + "\n");
}

/// Replaces `dir` by the complete `staged` directory: rename the old one aside, rename the new one in, delete the old.
void publish_directory(const fs::path& staged, const fs::path& dir) {
  std::error_code ec;
  fs::path old;
  if (fs::exists(dir)) {
    old = dir.string() + ".old." + std::to_string(::getpid());
    fs::remove_all(old, ec);
    fs::rename(dir, old, ec);
    if (ec) throw IoError("cannot move the existing '" + dir.string() + "' aside: " + ec.message());
  }
  fs::rename(staged, dir, ec);
  if (ec) {
    std::error_code ignored;
    if (!old.empty()) fs::rename(old, dir, ignored);
    throw IoError("cannot rename '" + staged.string() + "' to '" + dir.string() + "': " + ec.message());
  }
  if (!old.empty()) fs::remove_all(old, ec);
}

}  // namespace

torch::Dtype to_torch_dtype(DType dtype, const torch::Device& device) {
  switch (dtype) {
    case DType::kFloat32: return torch::kFloat32;
    case DType::kBFloat16: return torch::kBFloat16;
    case DType::kFloat16: return torch::kFloat16;
    case DType::kAuto: break;
  }
  return device.is_cuda() ? torch::kBFloat16 : torch::kFloat32;
}

torch::Device to_torch_device(const DeviceSpec& device) {
  if (device.kind == DeviceKind::kCpu) return torch::kCPU;
  if (device.kind == DeviceKind::kAuto) return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::kCPU;
  if (!torch::cuda::is_available()) throw Error("device " + to_string(device) + " requested but CUDA is not available");
  if (device.index >= static_cast<int>(torch::cuda::device_count()))
    throw Error("device " + to_string(device) + " requested but only " + std::to_string(torch::cuda::device_count()) +
                " CUDA devices exist");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(device.index));
}

std::string dtype_name(torch::Dtype dtype) {
  if (dtype == torch::kFloat32) return "float32";
  if (dtype == torch::kBFloat16) return "bfloat16";
  if (dtype == torch::kFloat16) return "float16";
  throw Error(std::string("unsupported model dtype ") + c10::toString(dtype));
}

namespace {

/// The checkpoint's tensor `name` exists, is of a dtype ttrl loads and has `shape`; else an IoError naming the file,
/// the tensor and what config.json implies.
const TensorEntry& check_checkpoint_tensor(const SafetensorsCheckpoint& checkpoint, const std::string& dir,
                                           const std::string& name, c10::IntArrayRef shape, const ModelConfig& config) {
  if (!checkpoint.contains(name))
    throw IoError("tensor '" + name + "' is missing from checkpoint '" + dir + "' (config.json describes a " +
                  config.model_type + " model with " + std::to_string(config.num_hidden_layers) + " layers)");
  const SafetensorsFile& file = checkpoint.file_of(name);
  const TensorEntry& entry = file.entry(name);
  if (!is_floating_safetensors_dtype(entry.dtype))
    throw IoError(file.path() + ": tensor '" + name + "' has dtype " + entry.dtype +
                  ", which ttrl does not load as model weights (supported: F32, BF16, F16, F64)");
  if (c10::IntArrayRef(entry.shape) != shape)
    throw IoError(file.path() + ": tensor '" + name + "' has shape " + shape_string(entry.shape) +
                  " but config.json implies " + shape_string(shape));
  return entry;
}

void load_weights(TransformerImpl& model, const SafetensorsCheckpoint& checkpoint, const std::string& dir,
                  bool check_finite) {
  std::set<std::string> used;
  torch::NoGradGuard no_grad;
  for (auto& item : model.named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor& param = item.value();
    check_checkpoint_tensor(checkpoint, dir, name, param.sizes(), model.config());
    const SafetensorsFile& file = checkpoint.file_of(name);
    const torch::Tensor view = file.tensor(name);
    if (copy_and_scan(param, view, check_finite)) warn_non_finite(view, name, file.path());
    used.insert(name);
  }
  std::vector<std::string> unused;
  for (const std::string& name : checkpoint.names())
    if (used.count(name) == 0 && !silently_ignored(name, model.config())) unused.push_back(name);
  if (!unused.empty())
    spdlog::warn("{}: {} tensors are not used by the model (first: '{}')", dir, unused.size(), unused.front());
}

/// Compares every parameter shape config.json implies with the safetensors headers before any weight is allocated:
/// the model is built on the meta device (shapes only, no memory), so a config.json whose sizes are far beyond its
/// tensors is an error naming the tensor instead of an allocation of its size.
void check_config_against_headers(const ModelConfig& config, const SafetensorsCheckpoint& checkpoint,
                                  const std::string& dir) {
  const Transformer shapes(config, torch::TensorOptions().dtype(torch::kFloat32).device(torch::kMeta));
  for (const auto& item : shapes->named_parameters())
    check_checkpoint_tensor(checkpoint, dir, item.key(), item.value().sizes(), config);
}

}  // namespace

void load_weights(TransformerImpl& model, const std::string& dir, bool check_finite) {
  load_weights(model, SafetensorsCheckpoint(dir), dir, check_finite);
}

Transformer load_pretrained(const std::string& dir, const LoadOptions& options) {
  ModelConfig config = ModelConfig::load(dir);
  const SafetensorsCheckpoint checkpoint(dir);
  check_config_against_headers(config, checkpoint, dir);
  Transformer model(std::move(config), torch::TensorOptions().dtype(options.dtype).device(options.device),
                    options.transformer);
  load_weights(*model, checkpoint, dir, options.check_finite);
  return model;
}

void save_pretrained(const TransformerImpl& model, const std::string& dir, const SaveOptions& options) {
  if (options.max_shard_bytes <= 0) throw Error("save_pretrained: max_shard_bytes must be positive");
  const torch::Dtype dtype = options.dtype.empty() ? model.dtype() : to_torch_dtype(parse_dtype(options.dtype), torch::kCPU);
  const fs::path target = fs::absolute(fs::path(dir)).lexically_normal();
  const fs::path staged = target.string() + ".tmp." + std::to_string(::getpid());
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  fs::remove_all(staged, ec);
  if (!fs::create_directories(staged, ec) || ec)
    throw IoError("cannot create directory '" + staged.string() + "': " + ec.message());
  try {
    write_weights(model, staged, dtype, options.max_shard_bytes);
    write_file_atomic((staged / "config.json").string(), model.config().to_hf_json(dtype_name(dtype)).dump(2) + "\n");
    copy_tokenizer_files(options.tokenizer_source_dir, staged);
    write_generation_config(model.config(), staged);
    publish_directory(staged, target);
  } catch (...) {
    fs::remove_all(staged, ec);
    throw;
  }
}

Transformer random_init(const ModelConfig& config, uint64_t seed, torch::Dtype dtype, torch::Device device,
                        TransformerOptions options) {
  Transformer model(config, torch::TensorOptions().dtype(torch::kFloat32), options);
  auto generator = at::detail::createCPUGenerator(seed);
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    const bool is_norm = name.find("norm.weight") != std::string::npos;
    const bool is_bias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    if (is_norm) item.value().fill_(1.0);
    else if (is_bias) item.value().zero_();
    else item.value().normal_(0.0, config.initializer_range, generator);
  }
  model->to(device, dtype);
  return model;
}

Transformer copy_model(const TransformerImpl& model, bool requires_grad) {
  Transformer copy(model.config(), torch::TensorOptions().dtype(model.dtype()).device(model.device()),
                   TransformerOptions{model.gradient_checkpointing()});
  const auto source = model.named_parameters();
  torch::NoGradGuard no_grad;
  for (auto& item : copy->named_parameters()) {
    item.value().copy_(source[item.key()]);
    item.value().set_requires_grad(requires_grad);
  }
  return copy;
}

}  // namespace ttrl::model
