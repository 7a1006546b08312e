#pragma once
// The parts of the safetensors format that need no LibTorch (so that they can be fuzzed and tested alone): the
// header of a .safetensors file and a sharded checkpoint's model.safetensors.index.json. The format, and what the
// header validation guarantees: include/ttrl/model/safetensors.hpp, which reads files through these.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ttrl::model {

/// Headers larger than this are rejected (the limit of the reference implementation).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

struct TensorEntry {
  std::string name;
  std::string dtype;             ///< safetensors name: "BF16", "F16", "F32", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0;            ///< byte offsets in the data section
  uint64_t end = 0;
};

/// A validated header: every tensor's entry, "__metadata__", and where the data section starts in the file.
struct SafetensorsHeader {
  std::map<std::string, TensorEntry> entries;
  std::map<std::string, std::string> metadata;
  uint64_t data_offset = 0;  ///< 8 + the header length
};

/// Throws ttrl::IoError "<where>: truncated file ..." when `file_size` bytes cannot hold the 8-byte header length.
void check_safetensors_file_size(uint64_t file_size, const std::string& where);

/// Parses and validates the header of the safetensors file whose `file_size` bytes start at `file` (all of them:
/// the offsets are checked against the data section that follows the header). Throws ttrl::IoError prefixed with
/// `where` (the file's path) and naming the tensor when one is involved.
SafetensorsHeader parse_safetensors_header(const uint8_t* file, uint64_t file_size, const std::string& where);

/// The weight_map of a model.safetensors.index.json (`text`, read from `where`): tensor name -> shard file name,
/// every shard a plain file name (no directory part). Throws ttrl::IoError naming `where` and the entry.
std::map<std::string, std::string> parse_safetensors_index(const std::string& text, const std::string& where);

/// Element size in bytes of a safetensors dtype name, 0 when unknown.
size_t safetensors_dtype_size(const std::string& dtype);

}  // namespace ttrl::model
