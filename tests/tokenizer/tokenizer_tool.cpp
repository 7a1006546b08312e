// The C++ side of the parity tests (test_tokenizer_parity.py): runs the jobs listed in a JSONL file, one per
// line, loading each tokenizer once.
//   {"cmd": "encode", "tokenizer": PATH, "input": IN, "output": OUT}  {"text"} lines -> {"ids"} (tokenize_jsonl)
//   {"cmd": "decode", "tokenizer": PATH, "input": IN, "output": OUT}  {"ids"} lines -> {"text", "stream"}:
//        decode() and the concatenated output of a StreamDecoder fed one id at a time
//   {"cmd": "info", "tokenizer": PATH, "output": OUT}                 special tokens and vocabulary size
//   {"cmd": "render", "input": IN, "output": OUT}                      chat templates: lines {"template": name or
//        "auto:PATH", "messages": [...], "add_generation_prompt": bool} or {"template", "question", "system"}
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <map>

#include "ttrl/tokenizer/chat_template.hpp"
#include "ttrl/tokenizer/stream_decoder.hpp"
#include "ttrl/tokenizer/tokenize_jsonl.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace {

using nlohmann::json;

std::ifstream open_input(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return in;
}

void decode_job(const ttrl::Tokenizer& tokenizer, const std::string& input, std::ostream& out) {
  std::ifstream in = open_input(input);
  std::string line;
  while (std::getline(in, line)) {
    const json record = json::parse(line);
    const std::vector<int64_t> ids = record.at("ids").get<std::vector<int64_t>>();
    const bool skip = record.value("skip_special_tokens", false);
    ttrl::StreamDecoder stream(tokenizer, skip);
    std::string streamed;
    for (int64_t id : ids) streamed += stream.push(id);
    streamed += stream.flush();
    out << json{{"text", tokenizer.decode(ids, skip)}, {"stream", streamed}}.dump() << '\n';
  }
}

void info_job(const ttrl::Tokenizer& tokenizer, std::ostream& out) {
  const auto& s = tokenizer.special_tokens();
  auto opt = [](const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); };
  out << json{{"vocab_size", tokenizer.vocab_size()}, {"kind", tokenizer.kind()}, {"bos", opt(s.bos)},
              {"eos", opt(s.eos)}, {"pad", opt(s.pad)}, {"unk", opt(s.unk)}, {"eos_ids", s.eos_ids},
              {"add_bos", s.add_bos}}
             .dump()
      << '\n';
}

ttrl::ChatTemplate template_of(const std::string& spec) {
  if (spec.rfind("auto:", 0) == 0) return ttrl::detect_chat_template(spec.substr(5));
  return ttrl::chat_template_by_name(spec);
}

void render_job(const std::string& input, std::ostream& out) {
  std::ifstream in = open_input(input);
  std::string line;
  while (std::getline(in, line)) {
    const json record = json::parse(line);
    ttrl::ChatTemplate chat_template = template_of(record.at("template").get<std::string>());
    if (record.contains("custom_text")) chat_template.custom_text = record["custom_text"].get<std::string>();
    std::string text;
    if (record.contains("messages")) {
      std::vector<ttrl::ChatMessage> messages;
      for (const auto& m : record["messages"])
        messages.push_back({m.at("role").get<std::string>(), m.at("content").get<std::string>()});
      text = ttrl::render_chat(chat_template, messages, record.value("add_generation_prompt", true));
    } else {
      std::optional<std::string> system;
      if (record.contains("system") && !record["system"].is_null()) system = record["system"].get<std::string>();
      text = ttrl::render_chat_prompt(chat_template, record.at("question").get<std::string>(), system);
    }
    out << json{{"text", text}}.dump() << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: tokenizer_tool JOBS.jsonl\n";
    return 2;
  }
  try {
    std::map<std::string, std::unique_ptr<ttrl::Tokenizer>> tokenizers;
    auto tokenizer = [&](const std::string& path) -> const ttrl::Tokenizer& {
      auto& slot = tokenizers[path];
      if (!slot) slot = ttrl::load_tokenizer(path);
      return *slot;
    };
    std::ifstream jobs = open_input(argv[1]);
    std::string line;
    while (std::getline(jobs, line)) {
      const json job = json::parse(line);
      const std::string cmd = job.at("cmd").get<std::string>();
      std::ofstream out(job.at("output").get<std::string>(), std::ios::binary);
      if (cmd == "encode") {
        std::ifstream in = open_input(job.at("input").get<std::string>());
        ttrl::tokenize_jsonl(tokenizer(job.at("tokenizer").get<std::string>()), in, job["input"], out);
      } else if (cmd == "decode") {
        decode_job(tokenizer(job.at("tokenizer").get<std::string>()), job.at("input").get<std::string>(), out);
      } else if (cmd == "info") {
        info_job(tokenizer(job.at("tokenizer").get<std::string>()), out);
      } else if (cmd == "render") {
        render_job(job.at("input").get<std::string>(), out);
      } else {
        throw std::runtime_error("unknown job " + cmd);
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "tokenizer_tool: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
