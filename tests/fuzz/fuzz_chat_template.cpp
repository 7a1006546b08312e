// libFuzzer target over chat templates: recognising a Jinja chat template, detecting it from a
// tokenizer_config.json, and rendering fuzzed messages with every template (the recognised one, a custom one made of
// the fuzzed text, and each named family). The input is cut at NUL bytes: the template text, the text of a
// tokenizer_config.json, then one part per message whose first byte picks the role (system, user, assistant, or the
// part's first line as an arbitrary role) and whose rest is the content.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/tokenizer/chat_template.hpp"

namespace {

std::vector<ttrl::ChatMessage> messages_of(const std::vector<std::string>& parts) {
  std::vector<ttrl::ChatMessage> messages;
  for (std::size_t i = 2; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (part.empty()) continue;
    std::string content = part.substr(1);
    std::string role;
    switch (static_cast<unsigned char>(part[0]) % 4) {
      case 0: role = "system"; break;
      case 1: role = "user"; break;
      case 2: role = "assistant"; break;
      default: {
        const std::size_t newline = content.find('\n');
        role = content.substr(0, newline);
        content = newline == std::string::npos ? std::string() : content.substr(newline + 1);
      }
    }
    messages.push_back({role, content});
  }
  return messages;
}

void render_all(const ttrl::ChatTemplate& chat_template, const std::vector<ttrl::ChatMessage>& messages) {
  ttrl::fuzz::expect_only_ttrl_errors([&] {  // ConfigError for a role no template knows
    for (bool generation : {true, false}) (void)ttrl::render_chat(chat_template, messages, generation);
  });
  const std::string question = messages.empty() ? std::string() : messages.back().content;
  const std::string system = messages.empty() ? std::string() : messages.front().content;
  for (const auto& system_prompt : {std::optional<std::string>(), std::optional<std::string>(""),
                                    std::optional<std::string>(system)})
    (void)ttrl::render_chat_prompt(chat_template, question, system_prompt);
}

/// The template text as tokenizer_config.json's chat_template, next to the fuzzed configuration's tokens.
void detect_from_config(const std::string& jinja, const std::string& config_text) {
  const auto& dir = ttrl::fuzz::ScratchDir::get();
  dir.write("tokenizer_config.json", config_text);
  ttrl::fuzz::expect_only_ttrl_errors([&] { (void)ttrl::detect_chat_template(dir.path()); });
  const nlohmann::json config = {{"chat_template", jinja}, {"bos_token", "<s>"}, {"eos_token", {{"content", "</s>"}}}};
  dir.write("tokenizer_config.json", config.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  ttrl::fuzz::expect_only_ttrl_errors([&] { (void)ttrl::detect_chat_template(dir.path()); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = ttrl::fuzz::split(ttrl::fuzz::text_of(data, size), '\0', 16);
  const std::string& jinja = parts[0];
  const std::string config_text = parts.size() > 1 ? parts[1] : std::string();
  const std::vector<ttrl::ChatMessage> messages = messages_of(parts);
  detect_from_config(jinja, config_text);
  if (const auto recognized = ttrl::recognize_chat_template(jinja)) render_all(*recognized, messages);
  render_all(ttrl::chat_template_by_name("custom", jinja), messages);
  for (const std::string& name : ttrl::chat_template_names()) render_all(ttrl::chat_template_by_name(name), messages);
  (void)ttrl::system_prompt_from_config(jinja);
  return 0;
}
