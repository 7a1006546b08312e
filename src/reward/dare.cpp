// dare: the distribution-aware reward. Formulas, pruning and edge-case rules: include/ttrl/reward/dare.hpp.
#include "ttrl/reward/dare.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "ttrl/core/error.hpp"

namespace ttrl::reward {
namespace {

/// p(y) is compared with tau after a division; a class whose p equals tau in exact arithmetic must not be pruned
/// because of the last bit (e.g. four equal classes with tau = 0.25).
constexpr double kPruneSlack = 1e-12;

/// Mean token entropies a hair below 0 come from rounding in the entropy computation; more than this is a bug.
constexpr double kNegativeEntropyTolerance = 1e-4;

void check_classes(const std::vector<DareClass>& classes, int total_rollouts) {
  long long answered = 0;
  for (size_t c = 0; c < classes.size(); ++c) {
    if (classes[c].count < 1) throw Error(fmt::format("dare: class {} has count {} (expected >= 1)", c, classes[c].count));
    if (!(classes[c].uncertainty >= 0.0 && classes[c].uncertainty <= 1.0))
      throw Error(fmt::format("dare: class {} has uncertainty {} (expected [0, 1])", c, classes[c].uncertainty));
    answered += classes[c].count;
  }
  if (answered > total_rollouts)
    throw Error(fmt::format("dare: classes hold {} rollouts but the group has only {}", answered, total_rollouts));
}

/// u of one rollout: its mean token entropy over ln(V), the entropy of the uniform distribution, so u is in [0, 1].
double rollout_uncertainty(const Rollout& rollout, size_t index, double log_vocab) {
  const std::optional<double> entropy = mean_token_entropy(rollout);
  if (!entropy)
    throw Error(fmt::format("dare: rollout {} has an answer but no token entropy (dare needs entropies)", index));
  if (!std::isfinite(*entropy) || *entropy < -kNegativeEntropyTolerance)
    throw Error(fmt::format("dare: rollout {} has mean token entropy {} (expected a finite value >= 0)", index, *entropy));
  return std::clamp(*entropy / log_vocab, 0.0, 1.0);  // above ln V only by rounding
}

}  // namespace

void validate(const DareOptions& options) {
  if (!(options.alpha >= 0.0 && options.alpha <= 1.0))
    throw ConfigError(fmt::format("reward.alpha = {} is out of range: expected [0, 1]", options.alpha));
  if (!(options.tau >= 0.0 && options.tau <= 1.0))
    throw ConfigError(fmt::format("reward.tau = {} is out of range: expected [0, 1]", options.tau));
  if (!(options.epsilon > 0.0 && std::isfinite(options.epsilon)))
    throw ConfigError(fmt::format("reward.epsilon = {} is out of range: expected a finite number > 0", options.epsilon));
}

DareScores dare_class_scores(const std::vector<DareClass>& classes, int total_rollouts, const DareOptions& options) {
  validate(options);
  check_classes(classes, total_rollouts);
  const size_t num_classes = classes.size();
  DareScores scores;
  scores.probability.assign(num_classes, 0.0);
  scores.kept.assign(num_classes, false);
  scores.reward.assign(num_classes, 0.0);

  // Unnormalised p(y) = n(y) / (u(y) + epsilon).
  std::vector<double> weight(num_classes);
  double total_weight = 0.0;
  for (size_t c = 0; c < num_classes; ++c) {
    weight[c] = classes[c].count / (classes[c].uncertainty + options.epsilon);
    total_weight += weight[c];
  }
  // Pruning: drop classes with p(y) = weight / total_weight < tau.
  double kept_weight = 0.0;
  for (size_t c = 0; c < num_classes; ++c) {
    scores.kept[c] = weight[c] / total_weight >= options.tau - kPruneSlack;
    if (scores.kept[c]) kept_weight += weight[c];
  }
  if (kept_weight <= 0.0) return scores;  // every class pruned (or none): no answer is trusted
  // Renormalised p over the survivors, plus the bonus alpha * (1 - n/M) * (1 - u).
  for (size_t c = 0; c < num_classes; ++c) {
    if (!scores.kept[c]) continue;
    scores.probability[c] = weight[c] / kept_weight;
    const double bonus = (1.0 - static_cast<double>(classes[c].count) / total_rollouts) * (1.0 - classes[c].uncertainty);
    scores.reward[c] = scores.probability[c] + options.alpha * bonus;
  }
  return scores;
}

DareReward::DareReward(DareOptions options) : options_(options) { validate(options_); }

RewardResult DareReward::score(const Group& group) {
  const size_t total = group.rollouts.size();
  RewardResult result;
  result.rewards.assign(total, 0.0);
  if (total == 0) return result;
  if (group.vocab_size < 2)
    throw Error(fmt::format("dare: the group's vocab_size is {}; dare normalises entropies by ln(V) and needs V >= 2",
                            group.vocab_size));
  const double log_vocab = std::log(static_cast<double>(group.vocab_size));
  const answer::Clustering clustering = answer::cluster_answers(answers_of(group), group.task);

  std::vector<DareClass> classes(clustering.members.size());
  double uncertainty_sum = 0.0;
  size_t answered = 0;
  for (size_t c = 0; c < classes.size(); ++c) {
    double class_sum = 0.0;
    for (int i : clustering.members[c]) class_sum += rollout_uncertainty(group.rollouts[i], i, log_vocab);
    classes[c].count = static_cast<int>(clustering.members[c].size());
    classes[c].uncertainty = class_sum / classes[c].count;
    uncertainty_sum += class_sum;
    answered += clustering.members[c].size();
  }
  const DareScores scores = dare_class_scores(classes, static_cast<int>(total), options_);

  int label_class = -1;
  int pruned = 0;
  for (size_t c = 0; c < classes.size(); ++c) {
    if (!scores.kept[c]) {
      ++pruned;
      continue;
    }
    for (int i : clustering.members[c]) result.rewards[i] = scores.reward[c];
    // Strictly larger only: on ties the class whose first member came first keeps the label.
    if (label_class < 0 || scores.probability[c] > scores.probability[label_class]) label_class = static_cast<int>(c);
  }
  if (label_class >= 0) result.label = clustering.representative[label_class];
  result.metrics["num_clusters"] = static_cast<double>(classes.size());
  result.metrics["num_pruned"] = static_cast<double>(pruned);
  result.metrics["mean_uncertainty"] = answered > 0 ? uncertainty_sum / static_cast<double>(answered) : 0.0;
  return result;
}

}  // namespace ttrl::reward
