#pragma once
// Reward functions by name. A RewardRegistry starts with the built-ins (majority_vote, dare, soft_majority, empo,
// self_certainty, entropy, ground_truth), then the rewards the program registered in-process (register_reward);
// plugins add theirs (plugin.hpp); the YAML section `reward: {name: ..., plugin: ..., <options>}` picks one
// (make_reward).
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

/// An option key a registered reward reads from `reward:` (RewardSection::options).
struct OptionSpec {
  std::string name;
  std::string description;
};

/// What a registration declares besides the factory. Keys under `reward:` that are not ttrl's own reach the reward
/// as `options`; one not among `options` here is an error naming it and the declared ones.
struct RewardInfo {
  std::string description;
  std::vector<OptionSpec> options;
};

class RewardRegistry {
 public:
  /// A registry holding the built-in rewards.
  RewardRegistry();

  /// Registers `name`; throws ttrl::ConfigError when the name is empty or already registered.
  void add(const std::string& name, RewardFactory factory, RewardInfo info = {});
  void add(const std::string& name, RewardFactory factory, const std::string& description);

  bool contains(const std::string& name) const;
  std::vector<std::string> names() const;  ///< sorted
  std::string description(const std::string& name) const;
  std::vector<OptionSpec> options(const std::string& name) const;  ///< the declared options; empty when unknown

  /// A new instance of the reward `section.name`. Throws ttrl::ConfigError naming the known rewards when the name is
  /// unknown, and naming the key and the declared options when section.options holds a key the reward did not
  /// declare.
  std::unique_ptr<RewardFn> create(const RewardSection& section) const;

  /// Loads a plugin shared library once per canonical path (a second call with the same file does nothing) and
  /// lets it register its rewards; returns the names it added. Throws PluginError (plugin.hpp).
  std::vector<std::string> load_plugin(const std::string& path);

 private:
  struct Entry {
    RewardFactory factory;
    RewardInfo info;
  };
  std::map<std::string, Entry> entries_;
  std::set<std::string> loaded_plugins_;  ///< canonical paths
};

/// Registers a reward for every RewardRegistry this process creates from now on (and so for make_reward, the
/// trainer and `ttrl reward` run from a program that links libttrl): the in-process alternative to a plugin.
/// Throws ttrl::ConfigError when the name is empty, already registered in-process, or a built-in's. Thread-safe.
/// This is the one process-wide table of the library, as the name-based lookup of a reward in a YAML file requires.
void register_reward(const std::string& name, RewardFactory factory, RewardInfo info = {});

/// The reward the section describes: loads `section.plugin` when set (and checks that it registered
/// `section.name`), then creates `section.name`. Throws ttrl::ConfigError (PluginError for plugin problems).
std::unique_ptr<RewardFn> make_reward(const RewardSection& section);

}  // namespace ttrl::reward
