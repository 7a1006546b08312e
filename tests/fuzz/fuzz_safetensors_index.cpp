// libFuzzer target over model.safetensors.index.json parsing. Property beyond "no crash": every shard of an
// accepted index is a plain file name, so that a checkpoint never reads outside its directory.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/model/safetensors_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    const auto weight_map =
        ttrl::model::parse_safetensors_index(ttrl::fuzz::text_of(data, size), "model.safetensors.index.json");
    for (const auto& [name, file] : weight_map)
      ttrl::fuzz::check(!file.empty() && file.find('/') == std::string::npos && file != "." && file != "..");
  });
  return 0;
}
