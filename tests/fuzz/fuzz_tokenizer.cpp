// libFuzzer target over loading a Hugging Face tokenizer directory from bytes, then using it
// (tokenizer_checks.hpp). The first byte picks the file set; the rest is cut at NUL bytes (JSON cannot hold one)
// into the files, written to a scratch directory (a missing part: that file is absent), and a text to encode:
//   even: tokenizer.json, tokenizer_config.json, generation_config.json, text
//   odd:  vocab.json, merges.txt, tokenizer_config.json, text
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.hpp"
#include "fuzz/tokenizer_checks.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace {

const std::vector<std::string> kJsonFiles = {"tokenizer.json", "tokenizer_config.json", "generation_config.json"};
const std::vector<std::string> kVocabFiles = {"vocab.json", "merges.txt", "tokenizer_config.json"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& files = data[0] % 2 == 0 ? kJsonFiles : kVocabFiles;
  const std::vector<std::string> parts = ttrl::fuzz::split(ttrl::fuzz::text_of(data + 1, size - 1), '\0', 4);
  const auto& dir = ttrl::fuzz::ScratchDir::get();
  for (const std::string& name : {"tokenizer.json", "tokenizer_config.json", "generation_config.json", "vocab.json",
                                  "merges.txt"})
    dir.remove(name);
  for (std::size_t i = 0; i < files.size() && i < parts.size(); ++i) dir.write(files[i], parts[i]);
  const std::string text = parts.size() > 3 ? parts[3] : std::string();
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    const auto tokenizer = ttrl::load_tokenizer(dir.path());
    ttrl::fuzz::exercise_tokenizer(*tokenizer, text);
  });
  return 0;
}
