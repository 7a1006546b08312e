// StreamDecoder (complete characters only; its output equals decode()) and tokenize_jsonl (the `ttrl tokenize`
// work).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <sstream>

#include "ttrl/core/error.hpp"
#include "ttrl/tokenizer/stream_decoder.hpp"
#include "ttrl/tokenizer/tokenize_jsonl.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl {
namespace {
namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(TTRL_SHARED_DIR) / "fixtures" / "tokenizers";

TEST(StreamDecoder, EmitsOnlyCompleteCharacters) {
  const auto tokenizer = load_tokenizer("byte");
  StreamDecoder stream(*tokenizer);
  EXPECT_EQ(stream.push('a'), "a");
  EXPECT_EQ(stream.push(0xF0), "");  // 😀 = F0 9F 98 80
  EXPECT_EQ(stream.push(0x9F), "");
  EXPECT_EQ(stream.push(0x98), "");
  EXPECT_TRUE(stream.has_pending_bytes());
  EXPECT_EQ(stream.push(0x80), "\xF0\x9F\x98\x80");
  EXPECT_EQ(stream.push(0xE4), "");
  EXPECT_EQ(stream.flush(), "\xEF\xBF\xBD");  // the stream ended inside a character
  EXPECT_EQ(stream.text(), "a\xF0\x9F\x98\x80\xEF\xBF\xBD");
  stream.reset();
  EXPECT_EQ(stream.text(), "");
  EXPECT_EQ(stream.push(0xE4), "");
  EXPECT_EQ(stream.push('x'), "\xEF\xBF\xBDx");  // a byte that cannot continue the character ends it at once
}

TEST(StreamDecoder, ConcatenationEqualsDecodeForRandomIds) {
  const auto tokenizer = load_tokenizer("byte");
  std::mt19937 rng(7);
  std::uniform_int_distribution<int64_t> id(0, tokenizer->vocab_size() - 1);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<int64_t> ids(1 + trial % 30);
    for (auto& x : ids) x = id(rng);
    for (bool skip : {false, true}) {
      StreamDecoder stream(*tokenizer, skip);
      std::string streamed;
      for (int64_t x : ids) streamed += stream.push(x);
      streamed += stream.flush();
      ASSERT_EQ(streamed, tokenizer->decode(ids, skip));
    }
  }
}

TEST(StreamDecoder, SentencePieceDropsTheDummyPrefixOnce) {
  const fs::path model = kFixtures / "llama2-spm/tokenizer.model";
  if (!fs::exists(model)) GTEST_SKIP() << "shared fixtures not found at " << kFixtures.string();
  const auto llama2 = load_tokenizer(model.string());
  const std::vector<int64_t> ids = llama2->encode(" Hello world \xF0\x9F\x98\x80");
  StreamDecoder stream(*llama2);
  std::string streamed;
  for (int64_t x : ids) streamed += stream.push(x);
  EXPECT_FALSE(stream.has_pending_bytes());
  EXPECT_EQ(streamed, " Hello world \xF0\x9F\x98\x80");
}

TEST(TokenizeJsonl, EncodesAndDecodesLines) {
  const auto tokenizer = load_tokenizer("byte");
  std::istringstream in("{\"text\": \"hi\"}\n\n{\"text\": \"<|eos|>\\u00e9\"}\n");
  std::ostringstream out;
  EXPECT_EQ(tokenize_jsonl(*tokenizer, in, "in.jsonl", out), 2u);
  EXPECT_EQ(out.str(), "{\"ids\":[104,105]}\n{\"ids\":[257,195,169]}\n");
  std::istringstream ids(out.str());
  std::ostringstream text;
  tokenize_jsonl(*tokenizer, ids, "ids.jsonl", text, {true, false});
  EXPECT_EQ(text.str(), "{\"text\":\"hi\"}\n{\"text\":\"<|eos|>\xC3\xA9\"}\n");
  std::istringstream ids_again(out.str());
  std::ostringstream skipped;
  tokenize_jsonl(*tokenizer, ids_again, "ids.jsonl", skipped, {true, true});
  EXPECT_EQ(skipped.str(), "{\"text\":\"hi\"}\n{\"text\":\"\xC3\xA9\"}\n");
}

/// The error message for one bad input (the line is the third).
std::string jsonl_error(const std::string& bad_line, bool decode) {
  const auto tokenizer = load_tokenizer("byte");
  std::istringstream in(std::string(decode ? "{\"ids\": [1]}" : "{\"text\": \"a\"}") + "\n\n" + bad_line + "\n");
  std::ostringstream out;
  try {
    tokenize_jsonl(*tokenizer, in, "data.jsonl", out, {decode, false});
  } catch (const IoError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TokenizeJsonl, BadLinesNameFileAndLine) {
  EXPECT_EQ(jsonl_error("{\"txt\": \"a\"}", false).rfind("data.jsonl:3: expected {\"text\"", 0), 0u);
  EXPECT_EQ(jsonl_error("not json", false).rfind("data.jsonl:3: ", 0), 0u);
  EXPECT_EQ(jsonl_error("[1, 2]", false).rfind("data.jsonl:3: expected a JSON object", 0), 0u);
  EXPECT_EQ(jsonl_error("{\"text\": \"\xFF\"}", false).rfind("data.jsonl:3: ", 0), 0u);  // not UTF-8
  EXPECT_EQ(jsonl_error("{\"ids\": [1, -2]}", true).rfind("data.jsonl:3: ids must be non-negative", 0), 0u);
  EXPECT_EQ(jsonl_error("{\"ids\": \"1 2\"}", true).rfind("data.jsonl:3: expected {\"ids\"", 0), 0u);
}

}  // namespace
}  // namespace ttrl
