// `ttrl tokenize`: tokenize text (or --decode ids) with a Hugging Face or SentencePiece tokenizer.
#include <fstream>
#include <sstream>
#include <iostream>

#include "cli/command.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/tokenizer/tokenize_jsonl.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl::cli {
namespace {

struct TokenizeOptions {
  std::string tokenizer_path;
  std::string input_path;
  std::string output_path = "-";
  TokenizeJsonlOptions jsonl;
};

int run_tokenize(const TokenizeOptions& options) {
  const auto tokenizer = load_tokenizer(options.tokenizer_path);
  std::ifstream input_file;
  std::istream* in = &std::cin;
  if (options.input_path != "-") {
    input_file.open(options.input_path, std::ios::binary);
    if (!input_file) throw IoError("cannot read '" + options.input_path + "'");
    in = &input_file;
  }
  const std::string input_name = options.input_path == "-" ? "<stdin>" : options.input_path;
  if (options.output_path == "-") {
    tokenize_jsonl(*tokenizer, *in, input_name, std::cout, options.jsonl);
    std::cout.flush();
    if (!std::cout) throw IoError("error while writing to standard output");
  } else {  // all or nothing: an error on line N leaves no half-written file
    std::ostringstream out;
    tokenize_jsonl(*tokenizer, *in, input_name, out, options.jsonl);
    write_file_atomic(options.output_path, out.str());
  }
  return kExitOk;
}

}  // namespace

void add_tokenize_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("tokenize", "Tokenize text (or --decode ids) with a Hugging Face or SentencePiece tokenizer");
  cmd->footer(
      "Input lines {\"text\": \"...\"} give output lines {\"ids\": [...]}: the ids of Hugging Face\n"
      "Tokenizer.encode(text, add_special_tokens=False); special tokens written in the text are recognised.\n"
      "With --decode, input lines {\"ids\": [...]} give {\"text\": \"...\"}.\n"
      "TOKENIZER: tokenizer.json, tokenizer.model, vocab.json (merges.txt beside it), a directory holding one,\n"
      "or \"byte\" (built-in byte tokenizer).\n\n"
      "Examples:\n"
      "  ttrl tokenize --tokenizer models/Qwen2.5-Math-1.5B --input texts.jsonl\n"
      "  ttrl tokenize --tokenizer llama2/tokenizer.model --input texts.jsonl --output ids.jsonl\n"
      "  ttrl tokenize --tokenizer byte --input ids.jsonl --decode\n"
      "  echo '{\"text\": \"<|im_start|>user\"}' | ttrl tokenize --tokenizer qwen/tokenizer.json --input -");
  auto options = std::make_shared<TokenizeOptions>();
  cmd->add_option("--tokenizer", options->tokenizer_path, "tokenizer file, directory, or \"byte\"")->required();
  cmd->add_option("--input", options->input_path, "JSON lines to read (\"-\" = standard input)")->required();
  cmd->add_option("--output", options->output_path, "JSON lines to write (\"-\" = standard output)")->capture_default_str();
  cmd->add_flag("--decode", options->jsonl.decode, "read {\"ids\"} lines and write {\"text\"} lines");
  cmd->add_flag("--skip-special-tokens", options->jsonl.skip_special_tokens, "with --decode: leave special tokens out");
  cmd->callback([&slot, options] { slot.run = [options] { return run_tokenize(*options); }; });
}

}  // namespace ttrl::cli
