// `ttrl generate`'s input lines (rollout/prompt_lines.hpp): no LibTorch, so that they can be fuzzed without it.
#include "rollout/prompt_lines.hpp"

#include <nlohmann/json.hpp>

#include <istream>

#include "ttrl/core/error.hpp"
#include "ttrl/core/jsonl.hpp"

namespace ttrl::rollout {

std::vector<PromptLine> parse_prompt_lines(std::istream& in, const std::string& path) {
  using nlohmann::json;
  std::vector<PromptLine> lines;
  read_jsonl(in, path, [&](const json& record, const JsonlLine&) {
    PromptLine prompt;
    if (record.contains("prompt_ids")) {
      const auto& ids = record["prompt_ids"];
      if (!ids.is_array() || ids.empty()) throw IoError("\"prompt_ids\" must be a non-empty list of token ids");
      for (const auto& id : ids) {
        if (!id.is_number_integer()) throw IoError("\"prompt_ids\" must hold integers");
        prompt.ids.push_back(id.get<int64_t>());
      }
    } else if (record.contains("prompt")) {
      if (!record["prompt"].is_string()) throw IoError("\"prompt\" must be a string");
      prompt.text = record["prompt"].get<std::string>();
    } else {
      throw IoError("missing \"prompt_ids\" or \"prompt\"");
    }
    lines.push_back(std::move(prompt));
  });
  if (lines.empty()) throw IoError("'" + path + "' holds no prompts");
  return lines;
}

}  // namespace ttrl::rollout
