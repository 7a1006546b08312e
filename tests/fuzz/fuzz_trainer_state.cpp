// libFuzzer target over a training checkpoint's trainer_state.json (and the step-N directory names beside it),
// parsed against several resume limits. Property beyond "no crash": an accepted state lies within the limits.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/train/checkpoint_files.hpp"

namespace {

using ttrl::train::ResumeLimits;

void parse_within(const std::string& text, std::optional<std::int64_t> dir_step, const ResumeLimits& limits) {
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    const auto state = ttrl::train::parse_trainer_state(text, "step-5/trainer_state.json", dir_step, limits);
    ttrl::fuzz::check(state.step >= 0 && state.step <= limits.total_steps && (!dir_step || state.step == *dir_step));
    ttrl::fuzz::check(state.optimizer_steps >= 0 && state.optimizer_steps <= limits.max_optimizer_steps);
    ttrl::fuzz::check(state.consecutive_bad_steps >= 0 && state.total_steps >= 1);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = ttrl::fuzz::text_of(data, size);
  parse_within(text, std::nullopt, {100, 1000, 3});
  parse_within(text, 5, {10, 10, 1});
  parse_within(text, std::nullopt, {0, 0, 0});
  parse_within(text, INT64_MAX, {INT64_MAX, INT64_MAX, INT64_MAX});
  // The same bytes as a directory name: "step-N" or not, never an error.
  const auto step = ttrl::train::checkpoint_step(text.substr(0, text.find('\n')));
  ttrl::fuzz::check(!step || *step >= 0);
  return 0;
}
