#pragma once
// safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N, N bytes of
// JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the tensor bytes.
//
// The reader maps the file read-only and validates the whole header before any tensor is touched: header size limit,
// JSON syntax, known dtype, non-negative shape whose byte size equals end - begin, and offsets that tile the data
// section exactly (sorted by begin: first at 0, each begin == previous end, last end == data length; so no overlap,
// hole or byte outside the file). Tensors are then zero-copy views of the mapping. Every error names the file and,
// when one is involved, the tensor. Sharded checkpoints (model.safetensors.index.json) are read as one name space.
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ttrl/model/safetensors_header.hpp"  // TensorEntry, the header and index parsers (no LibTorch)

namespace ttrl::model {

/// One .safetensors file, mapped read-only. Movable, not copyable; views from tensor() must not outlive it.
class SafetensorsFile {
 public:
  /// Maps and validates `path`; throws ttrl::IoError naming the file (and tensor) on any defect.
  explicit SafetensorsFile(const std::string& path);
  SafetensorsFile(SafetensorsFile&&) noexcept = default;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept = default;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  bool contains(const std::string& name) const { return entries_.count(name) != 0; }
  const TensorEntry& entry(const std::string& name) const;  ///< throws IoError naming file and tensor
  std::vector<std::string> names() const;                    ///< sorted
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  /// A CPU tensor viewing the mapped bytes (no copy; do not write to it). Copy it (`param.copy_(view)`) to convert
  /// dtype or device.
  torch::Tensor tensor(const std::string& name) const;

 private:
  std::string path_;
  std::shared_ptr<void> mapping_;  ///< the whole file; shared with every tensor view so views may outlive this object
  uint64_t file_size_ = 0;
  const uint8_t* data_ = nullptr;  ///< start of the data section
  std::map<std::string, TensorEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

/// A checkpoint directory's tensors: model.safetensors, or the shards listed by model.safetensors.index.json.
class SafetensorsCheckpoint {
 public:
  /// Throws IoError when the directory has neither file, an index is malformed, a shard is missing or defective, or
  /// a tensor is not in the shard the index names.
  explicit SafetensorsCheckpoint(const std::string& dir);

  bool contains(const std::string& name) const { return location_.count(name) != 0; }
  std::vector<std::string> names() const;  ///< sorted
  /// The file holding `name`; throws IoError ("tensor 'x' is missing from <dir>") when absent.
  const SafetensorsFile& file_of(const std::string& name) const;
  torch::Tensor tensor(const std::string& name) const { return file_of(name).tensor(name); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const SafetensorsFile*> location_;
};

/// The torch dtype of a safetensors dtype name; throws ttrl::IoError on an unknown name.
torch::Dtype safetensors_to_torch_dtype(const std::string& dtype);
/// "BF16", "F16", "F32", ...; throws ttrl::Error for dtypes safetensors cannot store.
std::string torch_to_safetensors_dtype(torch::Dtype dtype);

/// Writes `tensors` (any device and dtype safetensors knows; written in their own dtype, in the given order) to
/// `path` atomically: a temporary file in the same directory, fsync, rename. `metadata` goes to "__metadata__"; it
/// always includes format=pt, which transformers requires. Throws ttrl::IoError naming the path.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       std::map<std::string, std::string> metadata = {});

}  // namespace ttrl::model
