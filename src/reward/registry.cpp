// The reward registry: built-ins registered in the constructor, plugins add theirs; make_reward reads `reward:`.
#include "ttrl/reward/registry.hpp"

#include <fmt/format.h>

#include "ttrl/core/error.hpp"
#include "ttrl/reward/dare.hpp"
#include "ttrl/reward/ground_truth.hpp"
#include "ttrl/reward/majority_vote.hpp"
#include "ttrl/reward/plugin.hpp"
#include "ttrl/reward/soft_majority.hpp"

namespace ttrl::reward {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

}  // namespace

RewardRegistry::RewardRegistry() {
  add("majority_vote", [](const RewardSection&) { return std::make_unique<MajorityVoteReward>(); },
      "TTRL: 1 for answers equivalent to the majority answer, else 0");
  add("dare",
      [](const RewardSection& s) { return std::make_unique<DareReward>(DareOptions{s.alpha, s.tau, s.epsilon}); },
      "DARE: count- and entropy-weighted answer probability, pruned at tau, plus alpha * exploration bonus");
  add("soft_majority", [](const RewardSection&) { return std::make_unique<SoftMajorityReward>(); },
      "SRT (soft): the share of the group whose answer is equivalent to the rollout's, 0 without an answer");
  add("ground_truth", [](const RewardSection&) { return std::make_unique<GroundTruthReward>(); },
      "1 for answers equivalent to the gold answer, else 0 (needs labels)");
}

void RewardRegistry::add(const std::string& name, RewardFactory factory, const std::string& description) {
  if (name.empty()) throw ConfigError("a reward needs a non-empty name");
  if (!factory) throw ConfigError(fmt::format("reward '{}': the factory is empty", name));
  if (contains(name)) throw ConfigError(fmt::format("reward '{}' is already registered", name));
  entries_.emplace(name, Entry{std::move(factory), description});
}

bool RewardRegistry::contains(const std::string& name) const { return entries_.count(name) > 0; }

std::vector<std::string> RewardRegistry::names() const {
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries_) names.push_back(name);
  return names;
}

std::string RewardRegistry::description(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? "" : it->second.description;
}

std::unique_ptr<RewardFn> RewardRegistry::create(const RewardSection& section) const {
  auto it = entries_.find(section.name);
  if (it == entries_.end())
    throw ConfigError(fmt::format("reward.name: unknown reward '{}' (registered: {}; a plugin's reward also needs "
                                  "reward.plugin)", section.name, join(names())));
  std::unique_ptr<RewardFn> reward = it->second.factory(section);
  if (!reward) throw ConfigError(fmt::format("reward '{}': its factory returned no object", section.name));
  return reward;
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
