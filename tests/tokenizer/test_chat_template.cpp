// Chat templates. The full comparison with the Jinja templates is in test_tokenizer_parity.py; these tests pin
// the rules each renderer states and the fixture prompts that need no Python.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ttrl/core/error.hpp"
#include "ttrl/tokenizer/chat_template.hpp"

namespace ttrl {
namespace {
namespace fs = std::filesystem;

const fs::path kTemplates = fs::path(TTRL_SHARED_DIR) / "fixtures" / "tokenizers" / "templates";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A tokenizer_config.json in a fresh directory; returns the directory.
fs::path config_dir(const std::string& name, const std::string& json) {
  const fs::path dir = fs::temp_directory_path() / ("ttrl_chat_" + name);
  fs::create_directories(dir);
  std::ofstream(dir / "tokenizer_config.json") << json;
  return dir;
}

TEST(ChatTemplate, QwenMathUsesTheTtrlSystemPrompt) {
  EXPECT_EQ(render_chat_prompt(chat_template_by_name("qwen2.5-math"), "What is 1+1?"),
            "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n"
            "<|im_start|>user\nWhat is 1+1?<|im_end|>\n<|im_start|>assistant\n");
}

TEST(ChatTemplate, SystemPromptNulloptEmptyAndGiven) {
  const ChatTemplate qwen = chat_template_by_name("qwen2.5");
  EXPECT_NE(render_chat_prompt(qwen, "q").find("You are Qwen, created by Alibaba Cloud."), std::string::npos);
  EXPECT_EQ(render_chat_prompt(qwen, "q", std::string()), "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(render_chat_prompt(qwen, "q", std::string("S")),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(system_prompt_from_config("auto"), std::nullopt);
  EXPECT_EQ(system_prompt_from_config(""), std::string());
}

TEST(ChatTemplate, Llama3TrimsContentsAsJinjaTrimDoes) {
  // Python's str.strip() removes \x1c-\x1f and U+3000 as well as ASCII white space.
  EXPECT_EQ(render_chat_prompt(chat_template_by_name("llama3"), " \x1c\t What? \xE3\x80\x80\n"),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(render_chat_prompt(chat_template_by_name("llama3.1"), "q", std::string("  S  ")),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
            "Today Date: 26 Jul 2024\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nq<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, DeepSeekFamilies) {
  EXPECT_EQ(render_chat_prompt(chat_template_by_name("deepseek-r1"), "q", std::string("S")),
            "<｜begin▁of▁sentence｜>S<｜User｜>q<｜Assistant｜><think>\n");
  EXPECT_EQ(render_chat_prompt(chat_template_by_name("deepseek-math"), "q"),
            "<｜begin▁of▁sentence｜>User: q\n\nAssistant:");
  // Earlier answers lose their reasoning in the R1 template.
  EXPECT_EQ(render_chat(chat_template_by_name("deepseek-r1"),
                        {{"user", "a"}, {"assistant", "<think>x</think>B"}, {"user", "c"}}),
            "<｜begin▁of▁sentence｜><｜User｜>a<｜Assistant｜>B<｜end▁of▁sentence｜><｜User｜>c<｜Assistant｜><think>\n");
}

TEST(ChatTemplate, PlainAndCustom) {
  EXPECT_EQ(render_chat_prompt(chat_template_by_name("plain"), "q"), "q");
  EXPECT_EQ(render_chat_prompt(chat_template_by_name("plain"), "q", std::string("S")), "S\n\nq");
  const ChatTemplate custom = chat_template_by_name("custom", "[{system}] Q: {question}\nA:");
  EXPECT_EQ(render_chat_prompt(custom, "2+2 {question}", std::string("sys")), "[sys] Q: 2+2 {question}\nA:");
}

TEST(ChatTemplate, UnknownNamesAndRolesAreErrors) {
  EXPECT_THROW(chat_template_by_name("vicuna"), ConfigError);
  EXPECT_THROW(render_chat(chat_template_by_name("qwen2.5"), {{"tool", "x"}}), ConfigError);
}

TEST(ChatTemplate, DetectsFamiliesFromTokenizerConfig) {
  const fs::path qwen = config_dir("qwen", R"({"chat_template": "{{- '<|im_start|>system\\nPlease reason step by step, and put your final answer within \\\\boxed{}.<|im_end|>\\n' }}"})");
  EXPECT_EQ(detect_chat_template(qwen.string()).name, "qwen2.5-math");
  const fs::path r1 = config_dir("r1", R"({"chat_template": "{{bos_token}}{{'<｜User｜>' + c}}{{'<｜Assistant｜><think>\\n'}}", "bos_token": {"content": "<BOS>"}})");
  const ChatTemplate detected = detect_chat_template((r1 / "tokenizer_config.json").string());
  EXPECT_EQ(detected.name, "deepseek-r1");
  EXPECT_EQ(detected.bos, "<BOS>");
  const fs::path none = config_dir("none", R"({"eos_token": "x"})");
  EXPECT_EQ(detect_chat_template(none.string()).name, "plain");
  const fs::path unknown = config_dir("unknown", R"({"chat_template": "{{ messages }}"})");
  EXPECT_THROW(detect_chat_template(unknown.string()), ConfigError);
  EXPECT_EQ(resolve_chat_template("auto", "byte").name, "plain");
  EXPECT_EQ(resolve_chat_template("llama3", qwen.string()).name, "llama3");
  for (const auto& dir : {qwen, r1, none, unknown}) fs::remove_all(dir);
}

TEST(ChatTemplate, MatchesOllamaExpectedPrompts) {
  if (!fs::exists(kTemplates)) GTEST_SKIP() << "shared fixtures not found at " << kTemplates.string();
  const std::vector<ChatMessage> conversation = {{"system", "You are a helpful assistant."},
                                                 {"user", "Hello, how are you?"},
                                                 {"assistant", "I'm doing great. How can I help you today?"},
                                                 {"user", "I'd like to show off how chat templating works!"}};
  EXPECT_EQ(render_chat(chat_template_by_name("chatml"), conversation),
            read(kTemplates / "ollama-expected/chatml.system-user-assistant-user.txt"));
  EXPECT_EQ(render_chat_prompt(chat_template_by_name("chatml"), "Hello, how are you?"),
            read(kTemplates / "ollama-expected/chatml.user.txt"));
  // Ollama's Llama 3 template writes no BOS text (it adds the BOS id itself).
  ChatTemplate llama3 = chat_template_by_name("llama3");
  llama3.bos.clear();
  EXPECT_EQ(render_chat(llama3, conversation),
            read(kTemplates / "ollama-expected/llama3-instruct.system-user-assistant-user.txt"));
}

TEST(ChatTemplate, DetectsTheFixtureJinjaTemplates) {
  if (!fs::exists(kTemplates)) GTEST_SKIP() << "shared fixtures not found at " << kTemplates.string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Qwen-Qwen2.5-7B-Instruct.jinja", "qwen2.5"},
      {"meta-llama-Llama-3.1-8B-Instruct.jinja", "llama3.1"},
      {"meta-llama-Llama-3.2-3B-Instruct.jinja", "llama3.1"},
      {"deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja", "deepseek-r1"},
      {"mistralai-Mistral-Nemo-Instruct-2407.jinja", "mistral-nemo"}};
  for (const auto& [file, name] : cases) {
    const auto recognized = recognize_chat_template(read(kTemplates / file));
    ASSERT_TRUE(recognized.has_value()) << file;
    EXPECT_EQ(recognized->name, name) << file;
  }
}

}  // namespace
}  // namespace ttrl
