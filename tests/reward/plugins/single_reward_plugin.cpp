// A test plugin with one reward registered by TTRL_REGISTER_REWARD: `first_only` (1 for rollout 0, else 0).
#include <ttrl/reward/plugin.hpp>

namespace {

class FirstOnly : public ttrl::RewardFn {
 public:
  ttrl::reward::RewardResult score(const ttrl::reward::Group& group) override {
    ttrl::reward::RewardResult result;
    result.rewards.assign(group.rollouts.size(), 0.0);
    if (!result.rewards.empty()) result.rewards[0] = 1.0;
    return result;
  }
};

}  // namespace

TTRL_REGISTER_REWARD("first_only", FirstOnly)
