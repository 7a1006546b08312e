// Writing safetensors files atomically, in the layout the reference implementation produces.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "ttrl/core/error.hpp"
#include "ttrl/model/safetensors.hpp"

namespace ttrl::model {
namespace {

/// A file descriptor that is closed and, unless committed, unlinked when the writer goes out of scope.
class TempFile {
 public:
  TempFile(std::string tmp_path, std::string final_path) : tmp_(std::move(tmp_path)), final_(std::move(final_path)) {
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw IoError("cannot write '" + tmp_ + "': " + std::strerror(errno));
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(const void* data, size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t n = ::write(fd_, bytes, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw IoError("cannot write '" + tmp_ + "': " + std::strerror(errno));
      bytes += n;
      size -= static_cast<size_t>(n);
    }
  }

  /// fsync, close, rename over the final path.
  void commit() {
    if (::fsync(fd_) != 0) throw IoError("cannot flush '" + tmp_ + "': " + std::strerror(errno));
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw IoError("cannot close '" + tmp_ + "': " + std::strerror(errno));
    if (::rename(tmp_.c_str(), final_.c_str()) != 0)
      throw IoError("cannot rename '" + tmp_ + "' to '" + final_ + "': " + std::strerror(errno));
    committed_ = true;
  }

 private:
  std::string tmp_, final_;
  int fd_ = -1;
  bool committed_ = false;
};

/// The JSON header, padded with spaces to a multiple of 8 bytes so that the data section is 8-byte aligned.
std::string make_header(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header;
  header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__" || header.contains(name)) throw Error("write_safetensors: duplicate tensor name '" + name + "'");
    const uint64_t bytes = static_cast<uint64_t>(tensor.numel()) * tensor.element_size();
    header[name] = {{"dtype", torch_to_safetensors_dtype(tensor.scalar_type())},
                    {"shape", tensor.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

}  // namespace

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       std::map<std::string, std::string> metadata) {
  namespace fs = std::filesystem;
  metadata["format"] = "pt";
  const std::string header = make_header(tensors, metadata);
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  TempFile file(path + ".tmp." + std::to_string(::getpid()), path);
  uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>(static_cast<uint64_t>(header.size()) >> (8 * i));
  file.write(length, 8);
  file.write(header.data(), header.size());
  for (const auto& item : tensors) {
    // One tensor at a time on the host, so that a GPU model needs no second full copy in host memory.
    const torch::Tensor host = item.second.detach().to(torch::kCPU).contiguous();
    file.write(host.data_ptr(), static_cast<size_t>(host.numel()) * host.element_size());
  }
  file.commit();
}

}  // namespace ttrl::model
