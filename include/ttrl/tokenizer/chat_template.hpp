#pragma once
// Chat templates: the prompt formats of the seed models, rendered exactly as their Jinja chat templates render
// them (checked against the templates themselves in tests/tokenizer), without a Jinja engine. One renderer per
// template family; the family is chosen by name (config key tokenizer.chat_template) or detected from the
// chat_template of tokenizer_config.json.
//
//   name          format (one user message, generation prompt)                 default system prompt
//   qwen2.5       <|im_start|>system\n{S}<|im_end|>\n<|im_start|>user\n{Q}<|im_end|>\n<|im_start|>assistant\n
//                                                                               "You are Qwen, created by ..."
//   qwen2.5-math  same                                                          "Please reason step by step, and
//                                                                               put your final answer within
//                                                                               \boxed{}."
//   chatml        same, no system block unless one is given (Qwen3)            none
//   llama3        <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n{Q}<|eot_id|>
//                 <|start_header_id|>assistant<|end_header_id|>\n\n            none
//   llama3.1      llama3 with the system block "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
//   deepseek-r1   <｜begin▁of▁sentence｜>{S}<｜User｜>{Q}<｜Assistant｜><think>\n
//   deepseek-math <｜begin▁of▁sentence｜>{S}\n\nUser: {Q}\n\nAssistant:
//   mistral       <s>[INST] {S}\n\n{Q} [/INST]                                  (Mistral 7B Instruct v0.x)
//   mistral-nemo  <s>[INST]{S}\n\n{Q}[/INST]
//   plain         {S}\n\n{Q}                                                    none
//   custom        the user's text with {question} (and {system}) replaced
//
// Llama 3 templates trim message contents (Jinja's |trim); the others keep them as given.
#include <optional>
#include <string>
#include <vector>

namespace ttrl {

enum class ChatFormat { kChatML, kLlama3, kLlama31, kDeepSeekR1, kDeepSeekMath, kMistral, kMistralNemo, kPlain, kCustom };

struct ChatTemplate {
  std::string name;  ///< one of chat_template_names()
  ChatFormat format = ChatFormat::kPlain;
  /// System prompt the template inserts when the conversation has none.
  std::optional<std::string> default_system;
  /// Text of the BOS token written at the start ("" for templates without one).
  std::string bos;
  /// Text of the EOS token written after assistant turns (DeepSeek-Math, Mistral).
  std::string eos;
  /// deepseek-r1: text after "<｜Assistant｜>" in the generation prompt ("<think>\n" in current templates).
  std::string generation_suffix;
  /// llama3.1: the "Today Date" the template writes.
  std::string date_string = "26 Jul 2024";
  /// custom: the template text, with {question} and optionally {system}.
  std::string custom_text;
};

struct ChatMessage {
  std::string role;  ///< "system", "user" or "assistant"
  std::string content;
};

/// The names accepted by chat_template_by_name() (besides "auto").
std::vector<std::string> chat_template_names();

/// The template called `name`; `custom_text` is used for "custom". Throws ConfigError for an unknown name.
ChatTemplate chat_template_by_name(const std::string& name, const std::string& custom_text = "{question}");

/// The template of the tokenizer in `tokenizer_path` (a directory, or a file whose directory holds
/// tokenizer_config.json): recognised from its chat_template, with its bos/eos texts. No tokenizer_config.json
/// or no chat_template there: "plain". Throws ConfigError when the chat_template is not one of the families.
ChatTemplate detect_chat_template(const std::string& tokenizer_path);

/// The family of a Jinja chat template text; nullopt when it is none of them.
std::optional<ChatTemplate> recognize_chat_template(const std::string& jinja);

/// `name` from the configuration: "auto" detects from `tokenizer_path`; anything else is by name.
ChatTemplate resolve_chat_template(const std::string& name, const std::string& tokenizer_path,
                                   const std::string& custom_text = "{question}");

/// Renders a conversation as the template's Jinja does; with add_generation_prompt the assistant header follows.
/// Roles other than system/user/assistant are an error (ConfigError).
std::string render_chat(const ChatTemplate& chat_template, const std::vector<ChatMessage>& messages,
                        bool add_generation_prompt = true);

/// The prompt for one question: system = nullopt uses the template's default system prompt; "" means no system
/// prompt at all (no system block, even where the template would insert its default); any other text is given
/// as the system message.
std::string render_chat_prompt(const ChatTemplate& chat_template, const std::string& question,
                               const std::optional<std::string>& system = std::nullopt);

/// tokenizer.system_prompt from the configuration: "auto" -> nullopt (the template's default), else the text.
std::optional<std::string> system_prompt_from_config(const std::string& value);

}  // namespace ttrl
