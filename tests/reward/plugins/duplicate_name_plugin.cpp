// A plugin whose registration fails: it registers a name the built-ins already use.
#include <ttrl/reward/plugin.hpp>

namespace {
class Zero : public ttrl::RewardFn {
 public:
  ttrl::reward::RewardResult score(const ttrl::reward::Group& group) override {
    return {std::vector<double>(group.rollouts.size(), 0.0), std::nullopt, {}};
  }
};
}  // namespace

TTRL_REGISTER_REWARD("majority_vote", Zero)
