// libFuzzer target over `ttrl generate`'s input: JSONL of {"prompt_ids": [...]} or {"prompt": "text"}. Property
// beyond "no crash": an accepted line holds either ids or a text, never neither.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "fuzz/fuzz_util.hpp"
#include "rollout/prompt_lines.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(ttrl::fuzz::text_of(data, size));
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    for (const auto& line : ttrl::rollout::parse_prompt_lines(in, "fuzz.jsonl"))
      ttrl::fuzz::check(line.text.has_value() != !line.ids.empty());
  });
  return 0;
}
