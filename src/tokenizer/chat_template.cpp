// Chat template renderers, one per family, each following its Jinja template line by line (no tools).
#include "ttrl/tokenizer/chat_template.hpp"

#include <filesystem>
#include <regex>

#include "ttrl/core/json_cursor.hpp"
#include "tokenizer/utf8.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"

namespace ttrl {
namespace fs = std::filesystem;
namespace {

const char* const kQwenSystem = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
const char* const kQwenMathSystem = "Please reason step by step, and put your final answer within \\boxed{}.";
const char* const kDeepSeekBos = "<｜begin▁of▁sentence｜>";
const char* const kDeepSeekEos = "<｜end▁of▁sentence｜>";

/// Python's str.isspace(), which Jinja's |trim uses: Unicode White_Space plus the four information separators.
bool is_python_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

/// Jinja's |trim (Python's str.strip()).
std::string trim(const std::string& text) {
  size_t begin = 0;
  while (begin < text.size()) {
    size_t next = begin;
    if (!utf8::valid_char_length(text, begin) || !is_python_space(utf8::decode_at(text, next))) break;
    begin = next;
  }
  size_t end = text.size();
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t pos = start;
    if (!utf8::valid_char_length(text, start) || !is_python_space(utf8::decode_at(text, pos))) break;
    end = start;
  }
  return text.substr(begin, end - begin);
}

void check_roles(const std::vector<ChatMessage>& messages) {
  for (const ChatMessage& m : messages)
    if (m.role != "system" && m.role != "user" && m.role != "assistant")
      throw ConfigError("chat message role '" + m.role + "' is not supported (system, user, assistant)");
}

bool starts_with_system(const std::vector<ChatMessage>& messages) {
  return !messages.empty() && messages.front().role == "system";
}

// Qwen2.5-Instruct's template: the system block (given or default), then every message, then the header.
std::string render_chatml(const ChatTemplate& t, const std::vector<ChatMessage>& messages, bool generation) {
  std::string out;
  if (starts_with_system(messages)) out += "<|im_start|>system\n" + messages.front().content + "<|im_end|>\n";
  else if (t.default_system) out += "<|im_start|>system\n" + *t.default_system + "<|im_end|>\n";
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i == 0 && messages[i].role == "system") continue;
    out += "<|im_start|>" + messages[i].role + "\n" + messages[i].content + "<|im_end|>\n";
  }
  if (generation) out += "<|im_start|>assistant\n";
  return out;
}

std::string llama3_turn(const ChatMessage& m) {
  return "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + trim(m.content) + "<|eot_id|>";
}

// Meta-Llama-3-Instruct: BOS before the first message, contents trimmed.
std::string render_llama3(const ChatTemplate& t, const std::vector<ChatMessage>& messages, bool generation) {
  std::string out;
  for (size_t i = 0; i < messages.size(); ++i) out += (i == 0 ? t.bos : "") + llama3_turn(messages[i]);
  if (generation) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

// Llama 3.1/3.2-Instruct without tools: a system block with the knowledge cutoff and date always comes first.
std::string render_llama31(const ChatTemplate& t, const std::vector<ChatMessage>& messages, bool generation) {
  std::string out = t.bos + "<|start_header_id|>system<|end_header_id|>\n\n";
  out += "Cutting Knowledge Date: December 2023\nToday Date: " + t.date_string + "\n\n";
  const bool has_system = starts_with_system(messages);
  out += (has_system ? trim(messages.front().content) : std::string()) + "<|eot_id|>";
  for (size_t i = has_system ? 1 : 0; i < messages.size(); ++i) out += llama3_turn(messages[i]);
  if (generation) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

// DeepSeek-R1(-Distill): the last system message right after BOS, no markers; assistant turns lose their
// reasoning (text up to the last </think>).
std::string render_deepseek_r1(const ChatTemplate& t, const std::vector<ChatMessage>& messages, bool generation) {
  std::string system;
  for (const ChatMessage& m : messages)
    if (m.role == "system") system = m.content;
  std::string out = t.bos + system;
  for (const ChatMessage& m : messages) {
    if (m.role == "user") out += "<｜User｜>" + m.content;
    if (m.role != "assistant") continue;
    const size_t think_end = m.content.rfind("</think>");
    const std::string answer = think_end == std::string::npos ? m.content : m.content.substr(think_end + 8);
    out += "<｜Assistant｜>" + answer + kDeepSeekEos;
  }
  if (generation) out += "<｜Assistant｜>" + t.generation_suffix;
  return out;
}

// DeepSeek-LLM/Math chat: "User: ...\n\nAssistant: ...<eos>", system text as is.
std::string render_deepseek_math(const ChatTemplate& t, const std::vector<ChatMessage>& messages, bool generation) {
  std::string out = t.bos;
  for (const ChatMessage& m : messages) {
    if (m.role == "user") out += "User: " + m.content + "\n\n";
    else if (m.role == "assistant") out += "Assistant: " + m.content + t.eos;
    else out += m.content + "\n\n";
  }
  if (generation) out += "Assistant:";
  return out;
}

// Mistral 7B Instruct v0.x as mistral-common's v1 tokenizer lays it out: "[INST] q [/INST] a</s>"; a system
// prompt goes before the first question.
std::string render_mistral(const ChatTemplate& t, const std::vector<ChatMessage>& messages, bool /*generation*/) {
  std::string out = t.bos;
  std::string system = starts_with_system(messages) ? messages.front().content : std::string();
  for (size_t i = starts_with_system(messages) ? 1 : 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role == "user") {
      out += "[INST] " + (system.empty() ? std::string() : system + "\n\n") + m.content + " [/INST]";
      system.clear();
    } else if (m.role == "assistant") {
      out += " " + m.content + t.eos;
    }
  }
  return out;
}

// Mistral-Nemo-Instruct-2407: "[INST]q[/INST]a</s>"; the system prompt joins the last message when it is a
// question.
std::string render_mistral_nemo(const ChatTemplate& t, const std::vector<ChatMessage>& messages, bool /*generation*/) {
  const bool has_system = starts_with_system(messages);
  std::string out = t.bos;
  for (size_t i = has_system ? 1 : 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    const bool last = i + 1 == messages.size();
    if (m.role == "user") {
      out += "[INST]" + (last && has_system ? messages.front().content + "\n\n" : std::string()) + m.content +
             "[/INST]";
    } else if (m.role == "assistant") {
      out += m.content + t.eos;
    }
  }
  return out;
}

// No markup: the contents separated by blank lines.
std::string render_plain(const std::vector<ChatMessage>& messages) {
  std::string out;
  for (const ChatMessage& m : messages) {
    if (m.content.empty()) continue;
    if (!out.empty()) out += "\n\n";
    out += m.content;
  }
  return out;
}

std::string render_custom(const ChatTemplate& t, const std::vector<ChatMessage>& messages) {
  std::string question, system;
  for (const ChatMessage& m : messages) {
    if (m.role == "user") question = m.content;
    if (m.role == "system") system = m.content;
  }
  // Placeholders are found in the template text only, never in the substituted question.
  std::string out;
  const std::string& text = t.custom_text;
  size_t pos = 0;
  while (pos < text.size()) {
    if (text.compare(pos, 10, "{question}") == 0) {
      out += question;
      pos += 10;
    } else if (text.compare(pos, 8, "{system}") == 0) {
      out += system;
      pos += 8;
    } else {
      out += text[pos++];
    }
  }
  return out;
}

/// Undoes the escapes of a Jinja (Python) string literal: \n, \t, \\, \', \".
std::string unescape_literal(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char e = text[++i];
    out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
  }
  return out;
}

/// The default system prompt a ChatML template writes when the conversation has none, if any.
std::optional<std::string> chatml_default_system(const std::string& jinja) {
  static const std::regex literal_block(R"(<\|im_start\|>system\\n([^'"+]*?)<\|im_end\|>)");
  static const std::regex set_statement(R"(set\s+system_message\s*=\s*'((?:[^'\\]|\\.)*)')");
  std::smatch m;
  if (std::regex_search(jinja, m, literal_block)) return unescape_literal(m[1].str());
  if (std::regex_search(jinja, m, set_statement)) return unescape_literal(m[1].str());
  return std::nullopt;
}

ChatTemplate make(const std::string& name, ChatFormat format) {
  ChatTemplate t;
  t.name = name;
  t.format = format;
  return t;
}

/// A token text from tokenizer_config.json: "text" or {"content": "text"}; empty when absent or null.
std::string config_token(const JsonCursor& config, const std::string& key) {
  const auto node = config.find(key);
  if (!node) return "";
  return node->json().is_object() ? node->at("content").as_string() : node->as_string();
}

/// tokenizer_config.json's chat_template: a string, or a list of {"name", "template"} (the "default" one).
std::optional<std::string> config_chat_template(const JsonCursor& config) {
  const auto node = config.find("chat_template");
  if (!node) return std::nullopt;
  if (node->json().is_string()) return node->as_string();
  for (size_t i = 0; i < node->array_size(); ++i)
    if (node->at(i).string_or("name", "") == "default") return node->at(i).at("template").as_string();
  node->fail("no template named \"default\"");
}

}  // namespace

std::vector<std::string> chat_template_names() {
  return {"qwen2.5", "qwen2.5-math", "chatml", "llama3", "llama3.1", "deepseek-r1", "deepseek-math",
          "mistral", "mistral-nemo", "plain", "custom"};
}

ChatTemplate chat_template_by_name(const std::string& name, const std::string& custom_text) {
  if (name == "qwen2.5" || name == "qwen2.5-math" || name == "chatml") {
    ChatTemplate t = make(name, ChatFormat::kChatML);
    if (name == "qwen2.5") t.default_system = kQwenSystem;
    if (name == "qwen2.5-math") t.default_system = kQwenMathSystem;
    return t;
  }
  if (name == "llama3" || name == "llama3.1") {
    ChatTemplate t = make(name, name == "llama3" ? ChatFormat::kLlama3 : ChatFormat::kLlama31);
    t.bos = "<|begin_of_text|>";
    return t;
  }
  if (name == "deepseek-r1" || name == "deepseek-math") {
    ChatTemplate t = make(name, name == "deepseek-r1" ? ChatFormat::kDeepSeekR1 : ChatFormat::kDeepSeekMath);
    t.bos = kDeepSeekBos;
    t.eos = kDeepSeekEos;
    if (name == "deepseek-r1") t.generation_suffix = "<think>\n";
    return t;
  }
  if (name == "mistral" || name == "mistral-nemo") {
    ChatTemplate t = make(name, name == "mistral" ? ChatFormat::kMistral : ChatFormat::kMistralNemo);
    t.bos = "<s>";
    t.eos = "</s>";
    return t;
  }
  if (name == "plain") return make(name, ChatFormat::kPlain);
  if (name == "custom") {
    ChatTemplate t = make(name, ChatFormat::kCustom);
    t.custom_text = custom_text;
    return t;
  }
  std::string known;
  for (const std::string& n : chat_template_names()) known += (known.empty() ? "" : ", ") + n;
  throw ConfigError("unknown chat template '" + name + "' (known: auto, " + known + ")");
}

std::optional<ChatTemplate> recognize_chat_template(const std::string& jinja) {
  auto contains = [&](const char* s) { return jinja.find(s) != std::string::npos; };
  if (contains("<|im_start|>")) {
    const auto system = chatml_default_system(jinja);
    if (system == kQwenMathSystem) return chat_template_by_name("qwen2.5-math");
    if (system == kQwenSystem) return chat_template_by_name("qwen2.5");
    ChatTemplate t = chat_template_by_name("chatml");
    t.default_system = system;
    return t;
  }
  if (contains("<|start_header_id|>"))
    return chat_template_by_name(contains("Cutting Knowledge Date") ? "llama3.1" : "llama3");
  if (contains("<｜User｜>") && contains("<｜Assistant｜>")) {
    ChatTemplate t = chat_template_by_name("deepseek-r1");
    if (!contains("<｜Assistant｜><think>\\n")) t.generation_suffix.clear();  // templates before the <think> fix
    return t;
  }
  if (contains("'User: '") && contains("'Assistant:'")) return chat_template_by_name("deepseek-math");
  if (contains("<<SYS>>")) return std::nullopt;  // Llama 2 chat: not one of the supported families
  if (contains("[INST]")) return chat_template_by_name(contains("'[INST] '") ? "mistral" : "mistral-nemo");
  return std::nullopt;
}

ChatTemplate detect_chat_template(const std::string& tokenizer_path) {
  if (tokenizer_path == "byte" || tokenizer_path.empty()) return chat_template_by_name("plain");
  std::error_code ec;
  const fs::path dir = fs::is_directory(tokenizer_path, ec) ? fs::path(tokenizer_path)
                                                           : fs::path(tokenizer_path).parent_path();
  const fs::path config_path = dir / "tokenizer_config.json";
  if (!fs::exists(config_path, ec)) return chat_template_by_name("plain");
  const nlohmann::json document = JsonCursor::parse(read_text_file(config_path.string()), config_path.string());
  const JsonCursor config(document, config_path.string());
  config.require_object();
  const auto jinja = config_chat_template(config);
  if (!jinja) return chat_template_by_name("plain");
  auto recognized = recognize_chat_template(*jinja);
  if (!recognized)
    throw ConfigError(config_path.string() + ": $.chat_template: not a known template family; set "
                      "tokenizer.chat_template to one of qwen2.5, llama3, deepseek-r1, ... or custom");
  const std::string bos = config_token(config, "bos_token");
  const std::string eos = config_token(config, "eos_token");
  // Templates that write {{ bos_token }} / {{ eos_token }} take the tokenizer's own texts.
  if (!bos.empty() && jinja->find("bos_token") != std::string::npos) recognized->bos = bos;
  if (!eos.empty() && jinja->find("eos_token") != std::string::npos) recognized->eos = eos;
  return *recognized;
}

ChatTemplate resolve_chat_template(const std::string& name, const std::string& tokenizer_path,
                                   const std::string& custom_text) {
  if (name == "auto") return detect_chat_template(tokenizer_path);
  return chat_template_by_name(name, custom_text);
}

std::string render_chat(const ChatTemplate& t, const std::vector<ChatMessage>& messages, bool add_generation_prompt) {
  check_roles(messages);
  switch (t.format) {
    case ChatFormat::kChatML: return render_chatml(t, messages, add_generation_prompt);
    case ChatFormat::kLlama3: return render_llama3(t, messages, add_generation_prompt);
    case ChatFormat::kLlama31: return render_llama31(t, messages, add_generation_prompt);
    case ChatFormat::kDeepSeekR1: return render_deepseek_r1(t, messages, add_generation_prompt);
    case ChatFormat::kDeepSeekMath: return render_deepseek_math(t, messages, add_generation_prompt);
    case ChatFormat::kMistral: return render_mistral(t, messages, add_generation_prompt);
    case ChatFormat::kMistralNemo: return render_mistral_nemo(t, messages, add_generation_prompt);
    case ChatFormat::kPlain: return render_plain(messages);
    case ChatFormat::kCustom: return render_custom(t, messages);
  }
  return "";
}

std::string render_chat_prompt(const ChatTemplate& t, const std::string& question,
                               const std::optional<std::string>& system) {
  if (!system) return render_chat(t, {{"user", question}});
  if (system->empty()) {
    ChatTemplate without_default = t;
    without_default.default_system.reset();
    return render_chat(without_default, {{"user", question}});
  }
  return render_chat(t, {{"system", *system}, {"user", question}});
}

std::optional<std::string> system_prompt_from_config(const std::string& value) {
  if (value == "auto") return std::nullopt;
  return value;
}

}  // namespace ttrl
