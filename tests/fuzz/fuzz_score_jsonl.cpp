// libFuzzer target over `ttrl score`'s input: JSONL of {"prompt_ids": [...], "completion_ids": [...]}. Property
// beyond "no crash": accepted requests have a non-empty prompt and no negative id, and lines numbered from 1 upwards.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/model/score_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(ttrl::fuzz::text_of(data, size));
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    std::int64_t previous_line = 0;
    for (const auto& request : ttrl::model::parse_score_requests(in, "fuzz.jsonl")) {
      ttrl::fuzz::check(!request.prompt_ids.empty() && request.line > previous_line);
      for (const auto* ids : {&request.prompt_ids, &request.completion_ids})
        for (std::int64_t id : *ids) ttrl::fuzz::check(id >= 0);
      previous_line = request.line;
    }
  });
  return 0;
}
