// A plugin built for another reward plugin ABI: ttrl must refuse it before calling its registration.
#include <ttrl/reward/registry.hpp>

extern "C" int ttrl_reward_plugin_abi_version() { return 999; }
extern "C" void ttrl_register_rewards(ttrl::reward::RewardRegistry&) {}
