// libFuzzer target over loading a SentencePiece tokenizer directory from bytes, then using it
// (tokenizer_checks.hpp). The input is cut at its first two NUL bytes: tokenizer_config.json, a text to encode, and
// the rest, which is tokenizer.model (a protobuf, NUL bytes included). Files go to a scratch directory; an empty
// tokenizer_config.json part means that file is absent.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.hpp"
#include "fuzz/tokenizer_checks.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = ttrl::fuzz::split(ttrl::fuzz::text_of(data, size), '\0', 3);
  if (parts.size() < 3) return 0;
  const auto& dir = ttrl::fuzz::ScratchDir::get();
  if (parts[0].empty()) dir.remove("tokenizer_config.json");
  else dir.write("tokenizer_config.json", parts[0]);
  dir.write("tokenizer.model", parts[2]);
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    const auto tokenizer = ttrl::load_tokenizer(dir.path());
    ttrl::fuzz::exercise_tokenizer(*tokenizer, parts[1]);
  });
  return 0;
}
