// Reading safetensors files: mmap, complete header validation, zero-copy tensor views; sharded checkpoints.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/model/safetensors.hpp"

namespace ttrl::model {
namespace {

struct DtypeInfo {
  const char* name;
  torch::Dtype torch_dtype;
};

// The names are those of safetensors_dtype_size (safetensors_header.cpp), which also knows their sizes.
const DtypeInfo kDtypes[] = {
    {"BOOL", torch::kBool},     {"U8", torch::kUInt8},        {"I8", torch::kInt8},
    {"F8_E4M3", torch::kFloat8_e4m3fn}, {"F8_E5M2", torch::kFloat8_e5m2}, {"I16", torch::kInt16},
    {"U16", torch::kUInt16},    {"F16", torch::kFloat16},     {"BF16", torch::kBFloat16},
    {"I32", torch::kInt32},     {"U32", torch::kUInt32},      {"F32", torch::kFloat32},
    {"I64", torch::kInt64},     {"U64", torch::kUInt64},      {"F64", torch::kFloat64},
};

const DtypeInfo* find_dtype(const std::string& name) {
  for (const auto& info : kDtypes)
    if (name == info.name) return &info;
  return nullptr;
}

}  // namespace

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
    check_safetensors_file_size(file_size_, path);  // throws: nothing to map
  }
  // Private writable mapping: copy-on-write pages, so a stray write to a view reaches neither the file nor other views.
  void* address = ::mmap(nullptr, file_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (address == MAP_FAILED) throw IoError("cannot map '" + path + "': " + std::strerror(map_errno));
  const size_t size = file_size_;
  mapping_ = std::shared_ptr<void>(address, [size](void* p) { ::munmap(p, size); });
  SafetensorsHeader header = parse_safetensors_header(static_cast<const uint8_t*>(address), file_size_, path_);
  data_ = static_cast<const uint8_t*>(address) + header.data_offset;
  entries_ = std::move(header.entries);
  metadata_ = std::move(header.metadata);
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
  std::map<std::string, const SafetensorsFile*> shards;
  for (const auto& [name, file] : parse_safetensors_index(read_text_file(where), where)) {
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
