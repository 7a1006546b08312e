// concise_vote: TTRL's majority vote, with long correct-looking answers rewarded less.
//   r = 1 - length_penalty * min(1, num_tokens / max_tokens)   for rollouts in the majority class
//   r = 0                                                        otherwise
// Options (declared keys under `reward:` in the YAML): length_penalty in [0, 1] (default 0.5), max_tokens >= 1
// (default 1024).
#include <ttrl/reward/majority_vote.hpp>
#include <ttrl/reward/plugin.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace {

class ConciseVote : public ttrl::RewardFn {
 public:
  explicit ConciseVote(const ttrl::RewardSection& section)
      : length_penalty_(ttrl::reward::option_double(section.options, "length_penalty", 0.5)),
        max_tokens_(ttrl::reward::option_int(section.options, "max_tokens", 1024)) {
    if (length_penalty_ < 0.0 || length_penalty_ > 1.0)
      throw ttrl::ConfigError("reward.length_penalty = " + std::to_string(length_penalty_) + ": expected [0, 1]");
    if (max_tokens_ < 1) throw ttrl::ConfigError("reward.max_tokens = " + std::to_string(max_tokens_) + ": expected >= 1");
  }

  /// The option keys it reads; any other key under `reward:` is an error naming it.
  static std::vector<ttrl::reward::OptionSpec> declared_options() {
    return {{"length_penalty", "reward taken off a majority answer of max_tokens or more, in [0, 1]"},
            {"max_tokens", "length at which the full penalty applies"}};
  }

  ttrl::reward::RewardResult score(const ttrl::reward::Group& group) override {
    ttrl::reward::RewardResult result = majority_vote_.score(group);  // label, 0/1 rewards, vote metrics
    double penalty_sum = 0.0;
    for (size_t i = 0; i < result.rewards.size(); ++i) {
      if (result.rewards[i] == 0.0) continue;
      const double length = std::min(1.0, static_cast<double>(group.rollouts[i].num_tokens) / max_tokens_);
      result.rewards[i] -= length_penalty_ * length;
      penalty_sum += length_penalty_ * length;
    }
    result.metrics["length_penalty_total"] = penalty_sum;
    return result;
  }

 private:
  ttrl::reward::MajorityVoteReward majority_vote_;
  double length_penalty_;
  int64_t max_tokens_;
};

}  // namespace

// Exports the registration function ttrl looks for when it loads this library.
TTRL_REGISTER_REWARD("concise_vote", ConciseVote)
