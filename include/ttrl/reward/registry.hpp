#pragma once
// Reward functions by name. A RewardRegistry starts with the built-ins (majority_vote, dare, ground_truth); plugins
// add theirs (plugin.hpp); the YAML section `reward: {name: ..., plugin: ..., <options>}` picks one (make_reward).
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ttrl/core/config.hpp"
#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

/// Builds a reward function from the `reward:` section (its task, alpha/tau/epsilon, and `options`: the extra keys
/// a plugin's reward reads, see options.hpp). Throws ttrl::ConfigError on unusable options.
using RewardFactory = std::function<std::unique_ptr<RewardFn>(const RewardSection& section)>;

class RewardRegistry {
 public:
  /// A registry holding the built-in rewards.
  RewardRegistry();

  /// Registers `name`; throws ttrl::ConfigError when the name is empty or already registered.
  void add(const std::string& name, RewardFactory factory, const std::string& description = "");

  bool contains(const std::string& name) const;
  std::vector<std::string> names() const;  ///< sorted
  std::string description(const std::string& name) const;

  /// A new instance of the reward `section.name`; throws ttrl::ConfigError naming the known rewards when unknown.
  std::unique_ptr<RewardFn> create(const RewardSection& section) const;

  /// Loads a plugin shared library once per canonical path (a second call with the same file does nothing) and
  /// lets it register its rewards; returns the names it added. Throws PluginError (plugin.hpp).
  std::vector<std::string> load_plugin(const std::string& path);

 private:
  struct Entry {
    RewardFactory factory;
    std::string description;
  };
  std::map<std::string, Entry> entries_;
  std::set<std::string> loaded_plugins_;  ///< canonical paths
};

/// The reward the section describes: loads `section.plugin` when set (and checks that it registered
/// `section.name`), then creates `section.name`. Throws ttrl::ConfigError (PluginError for plugin problems).
std::unique_ptr<RewardFn> make_reward(const RewardSection& section);

}  // namespace ttrl::reward
