// Reading safetensors files: mmap, complete header validation, zero-copy tensor views; sharded checkpoints.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/model/safetensors.hpp"

namespace ttrl::model {
namespace {

using nlohmann::json;

struct DtypeInfo {
  const char* name;
  size_t size;
  torch::Dtype torch_dtype;
};

const DtypeInfo kDtypes[] = {
    {"BOOL", 1, torch::kBool},     {"U8", 1, torch::kUInt8},        {"I8", 1, torch::kInt8},
    {"F8_E4M3", 1, torch::kFloat8_e4m3fn}, {"F8_E5M2", 1, torch::kFloat8_e5m2}, {"I16", 2, torch::kInt16},
    {"U16", 2, torch::kUInt16},    {"F16", 2, torch::kFloat16},     {"BF16", 2, torch::kBFloat16},
    {"I32", 4, torch::kInt32},     {"U32", 4, torch::kUInt32},      {"F32", 4, torch::kFloat32},
    {"I64", 8, torch::kInt64},     {"U64", 8, torch::kUInt64},      {"F64", 8, torch::kFloat64},
};

const DtypeInfo* find_dtype(const std::string& name) {
  for (const auto& info : kDtypes)
    if (name == info.name) return &info;
  return nullptr;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

uint64_t read_u64_le(const uint8_t* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

/// Reads one tensor entry of the header, checking its own fields (not yet its place among the others).
TensorEntry parse_entry(const std::string& name, const json& value, const std::string& where) {
  auto fail = [&](const std::string& problem) -> void {
    throw IoError(where + ": tensor '" + name + "': " + problem);
  };
  if (!value.is_object()) fail("header entry is not an object");
  TensorEntry entry;
  entry.name = name;
  if (!value.contains("dtype") || !value["dtype"].is_string()) fail("missing or non-string 'dtype'");
  entry.dtype = value["dtype"].get<std::string>();
  const DtypeInfo* info = find_dtype(entry.dtype);
  if (info == nullptr) fail("unknown dtype '" + entry.dtype + "'");
  if (!value.contains("shape") || !value["shape"].is_array()) fail("missing or non-array 'shape'");
  for (const json& dim : value["shape"]) {
    if (!dim.is_number_unsigned()) fail("shape " + value["shape"].dump() + " has a non-integer or negative dimension");
    const uint64_t d = dim.get<uint64_t>();
    if (d > static_cast<uint64_t>(INT64_MAX)) fail("shape dimension too large");
    entry.shape.push_back(static_cast<int64_t>(d));
  }
  const json* offsets = value.contains("data_offsets") ? &value["data_offsets"] : nullptr;
  if (offsets == nullptr || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    fail("'data_offsets' must be two non-negative integers [begin, end]");
  entry.begin = (*offsets)[0].get<uint64_t>();
  entry.end = (*offsets)[1].get<uint64_t>();
  if (entry.end < entry.begin)
    fail("data_offsets [" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) + "] end before they begin");
  uint64_t bytes = info->size;
  for (int64_t d : entry.shape)
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes)) fail("shape " + shape_string(entry.shape) + " overflows");
  if (bytes != entry.end - entry.begin)
    fail("shape " + shape_string(entry.shape) + " of dtype " + entry.dtype + " needs " + std::to_string(bytes) +
         " bytes but data_offsets span " + std::to_string(entry.end - entry.begin));
  return entry;
}

/// The data section must be tiled exactly by the tensors: sorted by begin, each starts where the previous ended, the
/// first at 0 and the last at the end of the file. This rules out overlaps, holes and bytes outside the file.
void check_offsets_tile(std::vector<const TensorEntry*> entries, uint64_t data_length, const std::string& where) {
  for (const TensorEntry* e : entries)
    if (e->end > data_length)
      throw IoError(where + ": tensor '" + e->name + "': data_offsets [" + std::to_string(e->begin) + ", " +
                    std::to_string(e->end) + "] lie outside the data section of " + std::to_string(data_length) +
                    " bytes (truncated file?)");
  std::sort(entries.begin(), entries.end(), [](const TensorEntry* a, const TensorEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t expected = 0;
  const TensorEntry* previous = nullptr;
  for (const TensorEntry* e : entries) {
    if (e->begin < expected)
      throw IoError(where + ": tensor '" + e->name + "' overlaps tensor '" + previous->name + "' (bytes " +
                    std::to_string(e->begin) + ".." + std::to_string(expected) + ")");
    if (e->begin > expected)
      throw IoError(where + ": " + std::to_string(e->begin - expected) + " unused bytes before tensor '" + e->name +
                    "' (offsets must be contiguous)");
    expected = e->end;
    previous = e;
  }
  if (expected != data_length)
    throw IoError(where + ": " + std::to_string(data_length - expected) +
                  " bytes after the last tensor (the data section must end with the last tensor)");
}

}  // namespace

size_t safetensors_dtype_size(const std::string& dtype) {
  const DtypeInfo* info = find_dtype(dtype);
  return info ? info->size : 0;
}

torch::Dtype safetensors_to_torch_dtype(const std::string& dtype) {
  const DtypeInfo* info = find_dtype(dtype);
  if (info == nullptr) throw IoError("unknown safetensors dtype '" + dtype + "'");
  return info->torch_dtype;
}

std::string torch_to_safetensors_dtype(torch::Dtype dtype) {
  for (const auto& info : kDtypes)
    if (info.torch_dtype == dtype) return info.name;
  throw Error(std::string("safetensors cannot store dtype ") + c10::toString(dtype));
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw IoError("'" + path + "' is not a regular file");
  }
  file_size_ = static_cast<uint64_t>(st.st_size);
  if (file_size_ < 8) {
    ::close(fd);
    throw IoError(path + ": truncated file of " + std::to_string(file_size_) +
                  " bytes (a safetensors file starts with an 8-byte header length)");
  }
  // Private writable mapping: copy-on-write pages, so a stray write to a view reaches neither the file nor other views.
  void* address = ::mmap(nullptr, file_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (address == MAP_FAILED) throw IoError("cannot map '" + path + "': " + std::strerror(map_errno));
  const size_t size = file_size_;
  mapping_ = std::shared_ptr<void>(address, [size](void* p) { ::munmap(p, size); });
  parse_header(read_u64_le(static_cast<const uint8_t*>(address)));
}

void SafetensorsFile::parse_header(uint64_t header_length) {
  if (header_length > kMaxSafetensorsHeaderBytes)
    throw IoError(path_ + ": header of " + std::to_string(header_length) + " bytes exceeds the limit of " +
                  std::to_string(kMaxSafetensorsHeaderBytes) + " (corrupt file?)");
  if (header_length > file_size_ - 8)
    throw IoError(path_ + ": truncated file: the header claims " + std::to_string(header_length) + " bytes but only " +
                  std::to_string(file_size_ - 8) + " follow");
  const auto* base = static_cast<const uint8_t*>(mapping_.get());
  const char* text = reinterpret_cast<const char*>(base + 8);
  json header;
  try {
    header = json::parse(text, text + header_length);
  } catch (const json::parse_error& e) {
    throw IoError(path_ + ": header is not valid JSON: " + e.what());
  }
  if (!header.is_object()) throw IoError(path_ + ": header is not a JSON object");
  data_ = base + 8 + header_length;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) throw IoError(path_ + ": __metadata__ is not an object");
      for (const auto& [key, item] : value.items()) {
        if (!item.is_string()) throw IoError(path_ + ": __metadata__ value of '" + key + "' is not a string");
        metadata_[key] = item.get<std::string>();
      }
      continue;
    }
    entries_.emplace(name, parse_entry(name, value, path_));
  }
  std::vector<const TensorEntry*> all;
  for (const auto& item : entries_) all.push_back(&item.second);
  check_offsets_tile(std::move(all), file_size_ - 8 - header_length, path_);
}

const TensorEntry& SafetensorsFile::entry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw IoError(path_ + ": no tensor named '" + name + "'");
  return it->second;
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  for (const auto& item : entries_) out.push_back(item.first);
  return out;
}

torch::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const TensorEntry& e = entry(name);
  if (!mapping_) throw IoError("safetensors file '" + path_ + "' was moved from");
  void* address = const_cast<uint8_t*>(data_ + e.begin);
  return torch::from_blob(
      address, e.shape, [keep_alive = mapping_](void*) {},
      torch::TensorOptions().dtype(safetensors_to_torch_dtype(e.dtype)));
}

SafetensorsCheckpoint::SafetensorsCheckpoint(const std::string& dir) : dir_(dir) {
  namespace fs = std::filesystem;
  const fs::path index_path = fs::path(dir) / "model.safetensors.index.json";
  const fs::path single_path = fs::path(dir) / "model.safetensors";
  if (!fs::exists(index_path)) {
    if (!fs::exists(single_path))
      throw IoError("no model.safetensors or model.safetensors.index.json in '" + dir + "'");
    files_.push_back(std::make_unique<SafetensorsFile>(single_path.string()));
    for (const std::string& name : files_.back()->names()) location_[name] = files_.back().get();
    return;
  }
  const std::string where = index_path.string();
  json index;
  try {
    index = json::parse(read_text_file(where));
  } catch (const json::parse_error& e) {
    throw IoError(where + ": invalid JSON: " + e.what());
  }
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    throw IoError(where + ": expected an object with a 'weight_map' object");
  std::map<std::string, const SafetensorsFile*> shards;
  for (const auto& [name, shard] : index["weight_map"].items()) {
    if (!shard.is_string()) throw IoError(where + ": weight_map entry of '" + name + "' is not a file name");
    const std::string file = shard.get<std::string>();
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..")
      throw IoError(where + ": weight_map entry of '" + name + "' is not a plain file name: '" + file + "'");
    auto it = shards.find(file);
    if (it == shards.end()) {
      files_.push_back(std::make_unique<SafetensorsFile>((fs::path(dir) / file).string()));
      it = shards.emplace(file, files_.back().get()).first;
    }
    if (!it->second->contains(name))
      throw IoError(where + ": tensor '" + name + "' is listed in shard '" + file + "' but is missing from it");
    location_[name] = it->second;
  }
}

std::vector<std::string> SafetensorsCheckpoint::names() const {
  std::vector<std::string> out;
  for (const auto& item : location_) out.push_back(item.first);
  return out;
}

const SafetensorsFile& SafetensorsCheckpoint::file_of(const std::string& name) const {
  auto it = location_.find(name);
  if (it == location_.end()) throw IoError("tensor '" + name + "' is missing from checkpoint '" + dir_ + "'");
  return *it->second;
}

}  // namespace ttrl::model
