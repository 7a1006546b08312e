#pragma once
// Which of the n_vote scored rollouts of a group enter the policy update (rollout.n_train of them).
//   first       the first n_train, as TTRL's reference code does
//   random      n_train drawn uniformly without replacement (seeded)
//   stratified  rollouts grouped by reward value; each group keeps a share of n_train proportional to its size
//               (largest remainders, ties to the larger group, then to the group met first), drawn at random
//               inside it: the update sees the same mix of rewarded and unrewarded rollouts as the vote did.
#include <cstdint>
#include <string>
#include <vector>

namespace ttrl::reward {

enum class SelectionMode { kFirst, kRandom, kStratified };

/// "first" | "random" | "stratified"; throws ttrl::ConfigError otherwise.
SelectionMode parse_selection_mode(const std::string& name);
std::string to_string(SelectionMode mode);

/// Indices of the rollouts to train on, ascending. All of them when n_train >= rewards.size(); the same seed gives
/// the same choice on every platform. Throws ttrl::ConfigError when n_train < 0.
std::vector<int> select_for_training(const std::vector<double>& rewards, int n_train, SelectionMode mode,
                                     uint64_t seed);

}  // namespace ttrl::reward
