#pragma once
// `ttrl generate`'s input lines (include/ttrl/rollout/generate_jsonl.hpp): {"prompt_ids": [...]} or
// {"prompt": "text"}. Internal to the rollout module; needs no LibTorch, so that it can be fuzzed (tests/fuzz).
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace ttrl::rollout {

/// One input line: token ids, or a text to template and tokenize.
struct PromptLine {
  std::vector<int64_t> ids;
  std::optional<std::string> text;
};

/// Every prompt line of `in` (read from `path`, named in errors). Throws ttrl::IoError "<path>:<line>: ..." for a
/// bad line and "'<path>' holds no prompts" when there is none.
std::vector<PromptLine> parse_prompt_lines(std::istream& in, const std::string& path);

}  // namespace ttrl::rollout
