// libFuzzer target over `ttrl grade`'s input: JSONL of {"pred", "gold", "input_form", "task"} (the answer target
// covers extraction and equivalence themselves). Property beyond "no crash": the summary counts no more equal
// verdicts or missing answers than lines graded.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/answer/grade_jsonl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(ttrl::fuzz::text_of(data, size));
  std::ostringstream out;
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    const auto summary = ttrl::answer::run_grade_jsonl(in, out, "fuzz.jsonl");
    ttrl::fuzz::check(summary.equal <= summary.pairs && summary.pred_missing <= summary.pairs &&
                      summary.gold_missing <= summary.pairs);
  });
  return 0;
}
