// A test plugin with two rewards (TTRL_REWARD_PLUGIN): `constant` (option `value`, default 0.25) and `answered`
// (1 for rollouts with an answer). Built as a MODULE library by tests/reward/CMakeLists.txt.
#include <ttrl/reward/plugin.hpp>

namespace {

class ConstantReward : public ttrl::RewardFn {
 public:
  explicit ConstantReward(const ttrl::RewardSection& section)
      : value_(ttrl::reward::option_double(section.options, "value", 0.25)) {}
  ttrl::reward::RewardResult score(const ttrl::reward::Group& group) override {
    ttrl::reward::RewardResult result;
    result.rewards.assign(group.rollouts.size(), value_);
    result.metrics["constant_value"] = value_;
    return result;
  }

 private:
  double value_;
};

class AnsweredReward : public ttrl::RewardFn {
 public:
  ttrl::reward::RewardResult score(const ttrl::reward::Group& group) override {
    ttrl::reward::RewardResult result;
    for (const auto& answer : ttrl::reward::answers_of(group)) result.rewards.push_back(answer ? 1.0 : 0.0);
    return result;
  }
};

}  // namespace

TTRL_REWARD_PLUGIN(registry) {
  registry.add("constant", ttrl::reward::factory_of<ConstantReward>(),
               {"the same reward for every rollout", {{"value", "the reward (default 0.25)"}}});
  registry.add("answered", ttrl::reward::factory_of<AnsweredReward>());
}
