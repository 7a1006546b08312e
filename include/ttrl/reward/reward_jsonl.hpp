#pragma once
// `ttrl reward`: scores groups of saved rollouts read from JSONL, one group per line.
//   in:  {"rollouts": [{"text": "...", "entropy": <mean token entropy, nats>, "num_tokens": <int>,
//                       "completion_ids": [...], "logprobs": [...], "entropies": [...], "self_certainties": [...]}, ...],
//         "vocab_size": <int>, "gold": "<answer>", "task": "math" | "choice" | "last_number", "prompt": "...",
//         "partner_rollouts": [<rollouts as above>]}
//        (only "rollouts" and each rollout's "text" are required; the per-token lists are those `ttrl generate`
//         writes, one entry per token; dare needs "entropy" or "entropies", entropy "entropies" (or "logprobs" with
//         trajectory), self_certainty "self_certainties", co_reward "partner_rollouts" (the rollouts of the
//         question's other phrasing), ground_truth and the TTRL metrics "gold"; "task" defaults
//         to reward.task; other keys are ignored; blank lines are skipped)
//   out: {"rewards": [...], "label": "<answer>" | null, "answers": ["<answer>" | null, ...], "metrics": {...}}
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "ttrl/core/config.hpp"
#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

/// One input line's object as a group, answers extracted. Throws ttrl::IoError describing the problem (without the
/// file/line, which the JSONL reader adds).
Group parse_group(const nlohmann::json& object, answer::Task default_task);

/// A group as an input line (no trailing newline) that parse_group reads back to the same group, per-token values
/// bit-identical; with `result`, also its "rewards" and "label" (ignored on input). The trainer's
/// trainer.save_rollouts files are made of these lines.
std::string format_group_line(const Group& group, const RewardResult* result = nullptr);

/// The output line for a scored group (no trailing newline).
std::string format_result_line(const Group& group, const RewardResult& result);

/// Scores every line of `in` with `fn` (score_group) and writes one result line per group to `out`; returns the
/// number of groups. Errors (bad JSON, bad fields, a reward that throws) become ttrl::IoError
/// "<source_name>:<line>: <what went wrong>".
/// Called with each parsed group before it is scored (e.g. to give it a PolicyScorer).
using GroupHook = std::function<void(Group& group)>;

int64_t score_jsonl(std::istream& in, const std::string& source_name, std::ostream& out, RewardFn& fn,
                    answer::Task default_task, const GroupHook& prepare = {});

/// The whole command: the reward of `section` (make_reward) over the file `input_path` ("-": standard input).
int64_t score_jsonl_file(const std::string& input_path, std::ostream& out, const RewardSection& section,
                         const GroupHook& prepare = {});

}  // namespace ttrl::reward
