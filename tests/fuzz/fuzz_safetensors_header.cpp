// libFuzzer target over the safetensors header parser: the input is a whole .safetensors file (8-byte length,
// JSON header, data). Property beyond "no crash": an accepted header's tensors tile the data section exactly, each
// with a known dtype whose size times the shape is its byte span.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/model/safetensors_header.hpp"

namespace {

void check_accepted(const ttrl::model::SafetensorsHeader& header, std::size_t size) {
  using ttrl::fuzz::check;
  check(header.data_offset >= 8 && header.data_offset <= size);
  std::uint64_t covered = 0;
  for (const auto& [name, entry] : header.entries) {
    check(name == entry.name && entry.begin <= entry.end && entry.end <= size - header.data_offset);
    std::uint64_t bytes = ttrl::model::safetensors_dtype_size(entry.dtype);
    check(bytes > 0);
    for (std::int64_t d : entry.shape) bytes *= static_cast<std::uint64_t>(d);  // no overflow: the parser checked
    check(bytes == entry.end - entry.begin);
    covered += bytes;
  }
  check(covered == size - header.data_offset);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    check_accepted(ttrl::model::parse_safetensors_header(data, size, "fuzz.safetensors"), size);
  });
  return 0;
}
