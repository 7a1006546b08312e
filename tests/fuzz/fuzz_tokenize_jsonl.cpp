// libFuzzer target over `ttrl tokenize`'s input: JSONL of {"text": ...} (encode) or {"ids": [...]} (decode), run
// through the built-in byte tokenizer and, when TTRL_FUZZ_TOKENIZERS names them (':'-separated paths, set by
// scripts/fuzz.sh from ../shared/fixtures), real ones loaded once. Property beyond "no crash": one output line per
// input object.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/tokenizer/byte_tokenizer.hpp"
#include "ttrl/tokenizer/tokenize_jsonl.hpp"

namespace {

std::vector<std::unique_ptr<ttrl::Tokenizer>> load_tokenizers() {
  std::vector<std::unique_ptr<ttrl::Tokenizer>> tokenizers;
  tokenizers.push_back(ttrl::make_byte_tokenizer());
  const char* paths = std::getenv("TTRL_FUZZ_TOKENIZERS");
  for (const std::string& path : ttrl::fuzz::split(paths ? paths : "", ':', 16))
    if (!path.empty()) tokenizers.push_back(ttrl::load_tokenizer(path));  // a bad path is the caller's error
  return tokenizers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto tokenizers = load_tokenizers();
  const std::string text = ttrl::fuzz::text_of(data, size);
  for (const auto& tokenizer : tokenizers) {
    for (const ttrl::TokenizeJsonlOptions options : {ttrl::TokenizeJsonlOptions{false, false},
                                                     ttrl::TokenizeJsonlOptions{true, false},
                                                     ttrl::TokenizeJsonlOptions{true, true}}) {
      std::istringstream in(text);
      std::ostringstream out;
      ttrl::fuzz::expect_only_ttrl_errors([&] {
        const std::size_t lines = ttrl::tokenize_jsonl(*tokenizer, in, "fuzz.jsonl", out, options);
        const std::string written = out.str();
        ttrl::fuzz::check(static_cast<std::size_t>(std::count(written.begin(), written.end(), '\n')) == lines);
      });
    }
  }
  return 0;
}
