#include "ttrl/rollout/prompt_encoding.hpp"

#include "ttrl/tokenizer/chat_template.hpp"

namespace ttrl::rollout {

std::vector<int64_t> encode_prompt(const Tokenizer& tokenizer, const std::string& question, const std::string& template_name,
                                   const std::string& tokenizer_dir, const std::string& system_prompt,
                                   const std::string& custom_template) {
  const ChatTemplate chat = resolve_chat_template(template_name, tokenizer_dir, custom_template);
  // The templates write their BOS text themselves ("<|begin_of_text|>", "<s>"), which encode() maps to the BOS id.
  std::vector<int64_t> ids = tokenizer.encode(render_chat_prompt(chat, question, system_prompt_from_config(system_prompt)));
  const auto& special = tokenizer.special_tokens();
  if (special.add_bos && special.bos && (ids.empty() || ids.front() != *special.bos)) ids.insert(ids.begin(), *special.bos);
  return ids;
}

}  // namespace ttrl::rollout
