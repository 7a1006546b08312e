#pragma once
// The reward interface: a group of rollouts for one prompt goes in, one reward per rollout comes out, with the
// pseudo-label the reward was built from (if any) and metrics. Built-ins: majority_vote (TTRL), dare (DARE),
// ground_truth (GRPO with labels); user rewards come from plugins (see plugin.hpp).
//
// Public header of the installed package: standard library only (no LibTorch, spdlog or yaml-cpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ttrl/answer/answer.hpp"

namespace ttrl::reward {

/// One sampled response to the group's prompt, as the reward sees it.
/// The per-token vectors are empty when unknown (a saved rollout without them); when set, they have num_tokens entries,
/// all of the sampling distribution softmax(logits / temperature) over the full vocabulary.
struct Rollout {
  std::string text;                    ///< the decoded response
  std::optional<std::string> answer;   ///< its extracted final answer; std::nullopt = none (see extract_answers)
  int64_t num_tokens = 0;              ///< generated tokens; 0 when unknown
  std::vector<int64_t> token_ids;      ///< the generated ids (a final stop token included)
  std::vector<float> token_logprobs;   ///< log-prob (nats) of each generated id
  std::vector<float> token_entropies;  ///< full-vocabulary entropy (nats) at each generated position
  std::vector<float> token_self_certainties;  ///< KL(uniform || p) (nats) at each generated position (INTUITOR)
  std::optional<double> mean_entropy;  ///< mean token entropy (nats) when only the mean is known
};

/// Probabilities under the policy, for rewards that score text with the model (rlpr). The trainer gives every group
/// one (the policy that sampled it); `ttrl reward --model DIR` too; elsewhere Group::scorer is null.
class PolicyScorer {
 public:
  virtual ~PolicyScorer() = default;
  struct Continuation {
    std::string prefix;  ///< read after the group's prompt (e.g. a response up to its final answer)
    std::string target;  ///< the text whose tokens are scored (tokenized on its own, after the prefix's tokens)
  };
  /// For each continuation, p(target token t | prompt, prefix, target tokens before t) for every token of target,
  /// under the sampling distribution softmax(logits / temperature).
  virtual std::vector<std::vector<double>> target_probabilities(const std::vector<Continuation>& continuations) = 0;
};

/// All rollouts of one prompt.
struct Group {
  std::string prompt;
  std::vector<Rollout> rollouts;
  std::optional<std::string> gold;     ///< the reference answer, when known (ground_truth, metrics; never TTRL training)
  int64_t vocab_size = 0;              ///< V of the policy's vocabulary (dare normalises entropies by ln V); 0: unknown
  /// co_reward: the rollouts of the same question in its other phrasing (the paraphrase's for the question's group,
  /// the question's for the paraphrase's); empty otherwise.
  std::vector<Rollout> partner_rollouts;
  PolicyScorer* scorer = nullptr;      ///< rlpr: scores text under the policy (not owned); null when unavailable
  answer::Task task = answer::Task::kMath;  ///< how answers are extracted and compared
};

/// Named scalar metrics of one scored group ("majority_ratio" -> 0.75, ...).
using Metrics = std::map<std::string, double>;

struct RewardResult {
  std::vector<double> rewards;         ///< one per rollout, in the group's order
  std::optional<std::string> label;    ///< the pseudo-label (majority answer, ...); std::nullopt when there is none
  Metrics metrics;
};

/// A reward function. Implementations must return exactly one finite reward per rollout (score_group checks it).
class RewardFn {
 public:
  virtual ~RewardFn() = default;
  virtual RewardResult score(const Group& group) = 0;
};

/// Sets every rollout's `answer` (partner rollouts' too) from its `text` with the group's task (overwriting what was
/// there).
void extract_answers(Group& group);

/// The rollouts' answers, in order (input of answer::cluster_answers); blank answers count as none.
std::vector<std::optional<std::string>> answers_of(const Group& group);

/// A rollout's mean token entropy in nats: the mean of token_entropies when there are any, else mean_entropy,
/// else std::nullopt.
std::optional<double> mean_token_entropy(const Rollout& rollout);

/// The mean of per-token values, accumulated in double (3k floats summed in float lose about 3 digits);
/// std::nullopt for an empty vector.
std::optional<double> mean_of(const std::vector<float>& values);

/// Runs `fn` on `group`, checks its result (one finite reward per rollout; else ttrl::Error naming the problem) and
/// adds the TTRL analysis metrics (ttrl_metrics.hpp) to the function's own.
RewardResult score_group(RewardFn& fn, const Group& group);

}  // namespace ttrl::reward

namespace ttrl {
using reward::RewardFn;
}  // namespace ttrl
