// Which scored rollouts enter the policy update: first / random / stratified (include/ttrl/reward/selection.hpp).
#include "ttrl/reward/selection.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <random>

#include "ttrl/core/error.hpp"

namespace ttrl::reward {
namespace {

/// Uniform integer in [0, bound) by rejection: std::mt19937_64's stream is fixed by the standard, the standard
/// distributions are not, and the same seed must select the same rollouts everywhere.
uint64_t uniform_below(std::mt19937_64& rng, uint64_t bound) {
  const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % bound;
  uint64_t draw;
  do draw = rng(); while (draw >= limit);
  return draw % bound;
}

/// `count` items of `pool` drawn without replacement (a partial Fisher-Yates shuffle).
std::vector<int> draw_without_replacement(std::vector<int> pool, size_t count, std::mt19937_64& rng) {
  count = std::min(count, pool.size());
  for (size_t i = 0; i < count; ++i) {
    const size_t j = i + uniform_below(rng, pool.size() - i);
    std::swap(pool[i], pool[j]);
  }
  pool.resize(count);
  return pool;
}

/// Rollout indices grouped by reward value, groups in order of their first rollout.
std::vector<std::vector<int>> strata_by_reward(const std::vector<double>& rewards) {
  std::vector<std::vector<int>> strata;
  std::map<double, size_t> stratum_of;
  for (int i = 0; i < static_cast<int>(rewards.size()); ++i) {
    auto [it, inserted] = stratum_of.emplace(rewards[i], strata.size());
    if (inserted) strata.emplace_back();
    strata[it->second].push_back(i);
  }
  return strata;
}

/// Hamilton's largest-remainder apportionment of `seats` over the strata, proportional to their sizes.
std::vector<size_t> proportional_quotas(const std::vector<std::vector<int>>& strata, size_t seats, size_t total) {
  std::vector<size_t> quota(strata.size());
  std::vector<size_t> remainder(strata.size());
  size_t assigned = 0;
  for (size_t k = 0; k < strata.size(); ++k) {
    quota[k] = seats * strata[k].size() / total;  // exact integer arithmetic: floor(seats * s_k / M)
    remainder[k] = seats * strata[k].size() % total;
    assigned += quota[k];
  }
  std::vector<size_t> order(strata.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (remainder[a] != remainder[b]) return remainder[a] > remainder[b];
    return strata[a].size() > strata[b].size();  // stable: then the stratum met first
  });
  for (size_t i = 0; assigned < seats; ++i, ++assigned) ++quota[order[i]];
  return quota;
}

std::vector<int> stratified(const std::vector<double>& rewards, size_t n_train, std::mt19937_64& rng) {
  const auto strata = strata_by_reward(rewards);
  const auto quota = proportional_quotas(strata, n_train, rewards.size());
  std::vector<int> chosen;
  for (size_t k = 0; k < strata.size(); ++k) {
    const auto picked = draw_without_replacement(strata[k], quota[k], rng);
    chosen.insert(chosen.end(), picked.begin(), picked.end());
  }
  return chosen;
}

}  // namespace

SelectionMode parse_selection_mode(const std::string& name) {
  if (name == "first") return SelectionMode::kFirst;
  if (name == "random") return SelectionMode::kRandom;
  if (name == "stratified") return SelectionMode::kStratified;
  throw ConfigError("rollout.train_selection: unknown mode '" + name + "' (expected first, random or stratified)");
}

std::string to_string(SelectionMode mode) {
  switch (mode) {
    case SelectionMode::kFirst: return "first";
    case SelectionMode::kRandom: return "random";
    case SelectionMode::kStratified: return "stratified";
  }
  return "?";
}

std::vector<int> select_for_training(const std::vector<double>& rewards, int n_train, SelectionMode mode,
                                     uint64_t seed) {
  if (n_train < 0) throw ConfigError("rollout.n_train = " + std::to_string(n_train) + " must be >= 0");
  const size_t total = rewards.size();
  std::vector<int> all(total);
  std::iota(all.begin(), all.end(), 0);
  if (static_cast<size_t>(n_train) >= total) return all;
  std::mt19937_64 rng(seed);
  std::vector<int> chosen;
  switch (mode) {
    case SelectionMode::kFirst: chosen.assign(all.begin(), all.begin() + n_train); break;
    case SelectionMode::kRandom: chosen = draw_without_replacement(all, n_train, rng); break;
    case SelectionMode::kStratified: chosen = stratified(rewards, n_train, rng); break;
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace ttrl::reward
