// libFuzzer target over `ttrl reward`'s input: JSONL groups {"rollouts": [{"text", "entropy", "num_tokens",
// "completion_ids", "logprobs", "entropies", "self_certainties"}, ...], "vocab_size", "gold", "task", "prompt"},
// scored by one built-in reward (or the trajectory-level entropy reward), picked by a hash of the whole input so that
// every mutation may move it to another one: each input parses and extracts once per reward it is scored by, and
// scoring every input with all 16 made this the slowest target (about 100 inputs/s under ASan). Property beyond
// "no crash": one output line per group scored.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/reward/registry.hpp"
#include "ttrl/reward/reward_jsonl.hpp"

namespace {

std::vector<std::unique_ptr<ttrl::RewardFn>> make_rewards() {
  std::vector<std::unique_ptr<ttrl::RewardFn>> rewards;
  for (const std::string& name : ttrl::reward::RewardRegistry().names()) {
    ttrl::RewardSection section;
    section.name = name;
    rewards.push_back(ttrl::reward::make_reward(section));
  }
  ttrl::RewardSection trajectory;
  trajectory.name = "entropy";
  trajectory.trajectory = true;
  rewards.push_back(ttrl::reward::make_reward(trajectory));
  return rewards;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto rewards = make_rewards();
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (std::size_t i = 0; i < size; ++i) hash = (hash ^ data[i]) * 1099511628211ull;
  const auto& fn = rewards[hash % rewards.size()];
  std::istringstream in(ttrl::fuzz::text_of(data, size));
  std::ostringstream out;
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    const std::int64_t groups = ttrl::reward::score_jsonl(in, "fuzz.jsonl", out, *fn, ttrl::answer::Task::kMath);
    const std::string written = out.str();
    ttrl::fuzz::check(static_cast<std::int64_t>(std::count(written.begin(), written.end(), '\n')) == groups);
  });
  return 0;
}
