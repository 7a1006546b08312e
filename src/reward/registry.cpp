// The reward registry: built-ins registered in the constructor, then in-process registrations (register_reward);
// plugins add theirs; make_reward reads `reward:`.
#include "ttrl/reward/registry.hpp"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "ttrl/core/error.hpp"
#include "ttrl/core/nearest_name.hpp"
#include "ttrl/reward/co_reward.hpp"
#include "ttrl/reward/dare.hpp"
#include "ttrl/reward/empo.hpp"
#include "ttrl/reward/entropy.hpp"
#include "ttrl/reward/ground_truth.hpp"
#include "ttrl/reward/majority_vote.hpp"
#include "ttrl/reward/plugin.hpp"
#include "ttrl/reward/rlpr.hpp"
#include "ttrl/reward/self_certainty.hpp"
#include "ttrl/reward/soft_majority.hpp"

namespace ttrl::reward {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

struct InProcessReward {
  std::string name;
  RewardFactory factory;
  RewardInfo info;
};

/// The rewards register_reward added, in registration order, behind their lock.
struct InProcessRewards {
  std::mutex mutex;
  std::vector<InProcessReward> rewards;
};

InProcessRewards& in_process_rewards() {
  static InProcessRewards table;
  return table;
}

void add_built_ins(RewardRegistry& registry) {
  registry.add("majority_vote", [](const RewardSection&) { return std::make_unique<MajorityVoteReward>(); },
               "TTRL: 1 for answers equivalent to the majority answer, else 0");
  registry.add("dare",
               [](const RewardSection& s) { return std::make_unique<DareReward>(DareOptions{s.alpha, s.tau, s.epsilon}); },
               "DARE: count- and entropy-weighted answer probability, pruned at tau, plus alpha * exploration bonus");
  registry.add("soft_majority", [](const RewardSection&) { return std::make_unique<SoftMajorityReward>(); },
               "SRT (soft): the share of the group whose answer is equivalent to the rollout's, 0 without an answer");
  registry.add("empo",
               [](const RewardSection& s) { return std::make_unique<EmpoReward>(parse_empo_gate(s.gate)); },
               "EMPO: the share of the group in the rollout's answer class, gated by reward.gate");
  registry.add("self_certainty", [](const RewardSection&) { return std::make_unique<SelfCertaintyReward>(); },
               "INTUITOR: mean per-token KL(uniform || p) of the response");
  registry.add("entropy",
               [](const RewardSection& s) { return std::make_unique<EntropyReward>(EntropyRewardOptions{s.trajectory}); },
               "RENT / EM-RL: minus the mean token entropy (reward.trajectory: the mean token log-prob)");
  registry.add("co_reward", [](const RewardSection&) { return std::make_unique<CoReward>(); },
               "Co-rewarding-I: 1 for answers equivalent to the majority answer of the paraphrased question's rollouts");
  registry.add("rlpr",
               [](const RewardSection& s) { return std::make_unique<RlprReward>(parse_rlpr_label(s.label)); },
               "RLPR: the policy's probability of the reference answer after the reasoning, minus without it");
  registry.add("ground_truth", [](const RewardSection&) { return std::make_unique<GroundTruthReward>(); },
               "1 for answers equivalent to the gold answer, else 0 (needs labels)");
}

std::vector<std::string> option_names(const RewardInfo& info) {
  std::vector<std::string> names;
  for (const auto& option : info.options) names.push_back(option.name);
  return names;
}

/// Throws ttrl::ConfigError for an option key the reward did not declare.
void check_options(const std::string& reward, const RewardInfo& info, const RewardSection& section) {
  const std::vector<std::string> known = option_names(info);
  for (const auto& [key, value] : section.options) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    if (known.empty())
      throw ConfigError(fmt::format("reward.{}: unknown key: reward '{}' declares no options", key, reward));
    throw ConfigError(fmt::format("reward.{}: unknown option of reward '{}' (did you mean '{}'? it declares: {})", key,
                                  reward, nearest_name(key, known), join(known)));
  }
}

}  // namespace

RewardRegistry::RewardRegistry() {
  add_built_ins(*this);
  InProcessRewards& table = in_process_rewards();
  const std::lock_guard<std::mutex> lock(table.mutex);
  for (const auto& reward : table.rewards) add(reward.name, reward.factory, reward.info);
}

void RewardRegistry::add(const std::string& name, RewardFactory factory, RewardInfo info) {
  if (name.empty()) throw ConfigError("a reward needs a non-empty name");
  if (!factory) throw ConfigError(fmt::format("reward '{}': the factory is empty", name));
  if (contains(name)) throw ConfigError(fmt::format("reward '{}' is already registered", name));
  entries_.emplace(name, Entry{std::move(factory), std::move(info)});
}

void RewardRegistry::add(const std::string& name, RewardFactory factory, const std::string& description) {
  add(name, std::move(factory), RewardInfo{description, {}});
}

bool RewardRegistry::contains(const std::string& name) const { return entries_.count(name) > 0; }

std::vector<std::string> RewardRegistry::names() const {
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries_) names.push_back(name);
  return names;
}

std::string RewardRegistry::description(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? "" : it->second.info.description;
}

std::vector<OptionSpec> RewardRegistry::options(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? std::vector<OptionSpec>{} : it->second.info.options;
}

std::unique_ptr<RewardFn> RewardRegistry::create(const RewardSection& section) const {
  auto it = entries_.find(section.name);
  if (it == entries_.end())
    throw ConfigError(fmt::format("reward.name: unknown reward '{}' (did you mean '{}'? registered: {}; a plugin's "
                                  "reward also needs reward.plugin)", section.name, nearest_name(section.name, names()),
                                  join(names())));
  check_options(section.name, it->second.info, section);
  std::unique_ptr<RewardFn> reward = it->second.factory(section);
  if (!reward) throw ConfigError(fmt::format("reward '{}': its factory returned no object", section.name));
  return reward;
}

void register_reward(const std::string& name, RewardFactory factory, RewardInfo info) {
  if (name.empty()) throw ConfigError("register_reward: a reward needs a non-empty name");
  if (!factory) throw ConfigError(fmt::format("register_reward('{}'): the factory is empty", name));
  const bool taken = RewardRegistry().contains(name);  // a built-in or an earlier registration (before the lock:
                                                       // the constructor takes it)
  InProcessRewards& table = in_process_rewards();
  const std::lock_guard<std::mutex> lock(table.mutex);
  for (const auto& reward : table.rewards)
    if (reward.name == name) throw ConfigError(fmt::format("register_reward('{}'): already registered", name));
  if (taken) throw ConfigError(fmt::format("register_reward('{}'): a built-in reward has that name", name));
  table.rewards.push_back({name, std::move(factory), std::move(info)});
}

std::unique_ptr<RewardFn> make_reward(const RewardSection& section) {
  RewardRegistry registry;
  if (!section.plugin.empty()) {
    const std::vector<std::string> added = registry.load_plugin(section.plugin);
    if (!registry.contains(section.name))
      throw PluginError(fmt::format("reward.name: plugin '{}' registers {}, not '{}'", section.plugin, join(added),
                                    section.name));
  }
  return registry.create(section);
}

}  // namespace ttrl::reward
