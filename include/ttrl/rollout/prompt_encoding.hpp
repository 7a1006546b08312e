#pragma once
// From a question to prompt token ids: chat template (by name, or detected from the tokenizer's directory), then
// the tokenizer, with BOS prepended when the tokenizer asks for it and the template does not already write it.
#include <cstdint>
#include <string>
#include <vector>

#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl::rollout {

/// template_name: a tokenizer.chat_template value ("auto" detects from tokenizer_dir). Throws ttrl::Error.
std::vector<int64_t> encode_prompt(const Tokenizer& tokenizer, const std::string& question, const std::string& template_name,
                                   const std::string& tokenizer_dir, const std::string& system_prompt = "auto",
                                   const std::string& custom_template = "{question}");

}  // namespace ttrl::rollout
