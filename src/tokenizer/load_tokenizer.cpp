// load_tokenizer(): path -> the right Tokenizer implementation, with its special tokens resolved.
#include <filesystem>
#include <fstream>

#include "tokenizer/loaders.hpp"
#include "ttrl/tokenizer/byte_tokenizer.hpp"

namespace ttrl {
namespace fs = std::filesystem;
namespace {

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

/// Whether the file starts (after white space) with '{': a JSON document rather than a protobuf model.
bool looks_like_json(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  char c = 0;
  while (in.get(c))
    if (!std::isspace(static_cast<unsigned char>(c))) return c == '{';
  return false;
}

std::unique_ptr<Tokenizer> load_file(const fs::path& file) {
  const std::string name = file.filename().string();
  if (name == "vocab.json") {
    const fs::path merges = file.parent_path() / "merges.txt";
    if (!is_file(merges)) throw IoError("'" + file.string() + "' needs '" + merges.string() + "' next to it");
    return load_vocab_and_merges(file.string(), merges.string(), file.parent_path().string());
  }
  if (file.extension() == ".model") return load_sentencepiece(file.string());
  if (looks_like_json(file)) return load_tokenizer_json(file.string());
  return load_sentencepiece(file.string());
}

std::unique_ptr<Tokenizer> load_directory(const fs::path& dir) {
  if (is_file(dir / "tokenizer.model")) return load_sentencepiece((dir / "tokenizer.model").string());
  if (is_file(dir / "tokenizer.json")) return load_tokenizer_json((dir / "tokenizer.json").string());
  if (is_file(dir / "vocab.json") && is_file(dir / "merges.txt"))
    return load_vocab_and_merges((dir / "vocab.json").string(), (dir / "merges.txt").string(), dir.string());
  throw IoError("no tokenizer in directory '" + dir.string() +
                "': expected tokenizer.json, tokenizer.model, or vocab.json with merges.txt");
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  if (path == "byte") return make_byte_tokenizer();
  if (path.empty()) throw IoError("no tokenizer path given");
  const fs::path p(path);
  std::error_code ec;
  if (!fs::exists(p, ec)) throw IoError("tokenizer path '" + path + "' does not exist");
  const bool directory = fs::is_directory(p, ec);
  std::unique_ptr<Tokenizer> tokenizer = directory ? load_directory(p) : load_file(p);
  const fs::path config_dir = directory ? p : p.parent_path();
  tokenizer->set_special_tokens(resolve_special_tokens(*tokenizer, config_dir.empty() ? "." : config_dir.string()));
  return tokenizer;
}

}  // namespace ttrl
