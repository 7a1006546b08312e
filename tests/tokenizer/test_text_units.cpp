// UTF-8 handling, the byte-level alphabet, the PCRE2 wrapper, Split behaviours and Unicode normalisation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/byte_level.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/pretokenizer.hpp"
#include "tokenizer/regex.hpp"
#include "tokenizer/utf8.hpp"

namespace ttrl {
namespace {

const std::string kFFFD = "\xEF\xBF\xBD";

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Utf8, ValidityFollowsTheWellFormedTable) {
  EXPECT_TRUE(utf8::is_valid("plain ASCII"));
  EXPECT_TRUE(utf8::is_valid("\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80"));  // é 中 😀
  EXPECT_FALSE(utf8::is_valid("\xC0\xAF"));                              // overlong '/'
  EXPECT_FALSE(utf8::is_valid("\xED\xA0\x80"));                          // surrogate U+D800
  EXPECT_FALSE(utf8::is_valid("\xF4\x90\x80\x80"));                      // above U+10FFFF
  EXPECT_FALSE(utf8::is_valid("\xE4\xB8"));                              // truncated
  EXPECT_EQ(utf8::first_invalid_offset("ab\xFF" "cd"), 2u);
}

TEST(Utf8, RequireValidNamesTheOffset) {
  try {
    utf8::require_valid("abc\x80", "text");
    FAIL() << "expected InvalidUtf8Error";
  } catch (const InvalidUtf8Error& e) {
    EXPECT_NE(std::string(e.what()).find("byte offset 3"), std::string::npos) << e.what();
  }
}

// The example of "U+FFFD substitution of maximal subparts" in the Unicode Standard, chapter 3 (Table 3-8).
TEST(Utf8, LossyReplacesEachMaximalSubpartOnce) {
  const std::string bytes = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
  const std::string expected = "a" + kFFFD + kFFFD + kFFFD + "b" + kFFFD + "c" + kFFFD + kFFFD + "d";
  EXPECT_EQ(utf8::lossy(bytes, InvalidUtf8Replacement::kPerMaximalSubpart), expected);
}

TEST(Utf8, LossyPerByteReplacesEveryInvalidByte) {
  EXPECT_EQ(utf8::lossy("\xF0\x9F\x98" "A", InvalidUtf8Replacement::kPerByte), kFFFD + kFFFD + kFFFD + "A");
  EXPECT_EQ(utf8::lossy("\xF0\x9F\x98" "A", InvalidUtf8Replacement::kPerMaximalSubpart), kFFFD + "A");
}

TEST(Utf8, NonFinalLossyKeepsAnIncompleteCharacterPending) {
  std::string out;
  const std::string bytes = "ok\xF0\x9F\x98";
  const size_t consumed = utf8::append_lossy(bytes, InvalidUtf8Replacement::kPerMaximalSubpart, false, out);
  EXPECT_EQ(out, "ok");
  EXPECT_EQ(consumed, 2u);
  out.clear();
  // A byte that cannot continue the character makes it invalid at once.
  utf8::append_lossy("\xF0\x9F" "x", InvalidUtf8Replacement::kPerMaximalSubpart, false, out);
  EXPECT_EQ(out, kFFFD + "x");
}

TEST(ByteLevel, AlphabetIsGpt2s) {
  EXPECT_EQ(byte_level::encode(" "), "\xC4\xA0");   // Ġ
  EXPECT_EQ(byte_level::encode("\n"), "\xC4\x8A");  // Ċ
  EXPECT_EQ(byte_level::encode("a!~"), "a!~");
  EXPECT_EQ(byte_level::code_point_of_byte(0xAD), 0x143u);  // soft hyphen is not printable: mapped past U+0100
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string back;
  ASSERT_TRUE(byte_level::decode(byte_level::encode(all), back));
  EXPECT_EQ(back, all);
  std::string ignored;
  EXPECT_FALSE(byte_level::decode("\xEF\xBD\x9C", ignored));  // "｜" is outside the alphabet
}

std::vector<std::string> matches(const Regex& regex, const std::string& text) {
  std::vector<Span> spans;
  regex.find_all(text, spans);
  std::vector<std::string> out;
  for (const Span& s : spans) out.push_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

TEST(Regex, WhiteSpaceIsUnicodeWhiteSpaceNotMongolianVowelSeparator) {
  const Regex regex("\\s+");
  EXPECT_EQ(matches(regex, "a\xE3\x80\x80" "b"), std::vector<std::string>({"\xE3\x80\x80"}));  // U+3000
  EXPECT_TRUE(matches(regex, "a\xE1\xA0\x8E" "b").empty());                                  // U+180E
  const Regex negated("\\S+");
  EXPECT_EQ(matches(negated, "a\xE1\xA0\x8E" "b"), std::vector<std::string>({"a\xE1\xA0\x8E" "b"}));
}

TEST(Regex, ShorthandsTakeOnigurumaMeanings) {
  // \s spliced in as Unicode White_Space; \p{L} followed by the letters assigned since Unicode 14 (CJK Ext. H...).
  const std::string translated = oniguruma_compatible("[^\\s\\p{L}]");
  EXPECT_EQ(translated.rfind("[^\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}"
                             "\\x{202F}\\x{205F}\\x{3000}\\p{L}", 0), 0u) << translated;
  EXPECT_NE(translated.find("\\x{31350}-\\x{323AF}"), std::string::npos) << translated;
  EXPECT_EQ(matches(Regex("\\h+"), "ff gz"), std::vector<std::string>({"ff"}));  // hex digit, not blank
  // \w: letters, marks, decimal digits, connector punctuation; not other numbers such as ① (U+2460).
  EXPECT_EQ(matches(Regex("\\w+"), "a_b\xE2\x91\xA0" "c"), std::vector<std::string>({"a_b", "c"}));
  EXPECT_EQ(matches(Regex("[\\w]+"), "x1 y"), std::vector<std::string>({"x1", "y"}));
}

TEST(Regex, CaselessContractionsFoldLikeUnicode) {
  const Regex regex("(?i:'s|'k)");
  // 'S, 'ſ (U+017F LONG S) and 'K (U+212A KELVIN SIGN) all match, as in Oniguruma.
  EXPECT_EQ(matches(regex, "'S '\xC5\xBF '\xE2\x84\xAA").size(), 3u);
}

TEST(Regex, DollarMatchesAtLineEnds) {
  EXPECT_EQ(matches(Regex("\\s+$"), "a  \nb  "), std::vector<std::string>({"  ", "  "}));
}

TEST(Regex, EmptyMatchRightAfterAMatchIsSkipped) {
  std::vector<Span> spans;
  Regex("x*").find_all("axxb", spans);
  ASSERT_EQ(spans.size(), 3u);  // empty at 0, "xx", empty at 4 (not at 3, where "xx" ended)
  EXPECT_EQ(spans[0].begin, 0u);
  EXPECT_EQ(spans[0].end, 0u);
  EXPECT_EQ(spans[1].begin, 1u);
  EXPECT_EQ(spans[1].end, 3u);
  EXPECT_EQ(spans[2].begin, 4u);
}

TEST(Regex, LiteralPatternsAreNotRegexes) {
  EXPECT_EQ(matches(Regex("a.b", true), "axb a.b"), std::vector<std::string>({"a.b"}));
}

TEST(Regex, HugeRunsDoNotExhaustTheJitStack) {
  const std::string text = "x" + std::string(2'000'000, ' ') + "y";
  EXPECT_EQ(matches(Regex("\\s+(?!\\S)|\\s+"), text).size(), 2u);
}

TEST(Regex, InvalidPatternThrows) { EXPECT_THROW(Regex("(unclosed"), std::invalid_argument); }

std::vector<std::string> split(const std::string& pattern, const std::string& text, SplitBehavior behavior,
                               bool invert = false) {
  Regex regex(pattern);
  std::vector<Span> scratch, out;
  split_by_regex(regex, text, behavior, invert, scratch, out);
  std::vector<std::string> pieces;
  for (const Span& s : out) pieces.push_back(text.substr(s.begin, s.end - s.begin));
  return pieces;
}

// Expected pieces as Hugging Face tokenizers 0.23 gives them (pre_tokenizers.Split(...).pre_tokenize_str).
TEST(Split, BehavioursGroupMatchesAsHuggingFace) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split("a", "banana", SplitBehavior::kRemoved), V({"b", "n", "n"}));
  EXPECT_EQ(split("a", "banana", SplitBehavior::kIsolated), V({"b", "a", "n", "a", "n", "a"}));
  EXPECT_EQ(split("a", "banana", SplitBehavior::kMergedWithPrevious), V({"ba", "na", "na"}));
  EXPECT_EQ(split("a", "banana", SplitBehavior::kMergedWithNext), V({"b", "an", "an", "a"}));
  EXPECT_EQ(split("a", "baanana", SplitBehavior::kContiguous), V({"b", "aa", "n", "a", "n", "a"}));
  EXPECT_EQ(split("a", "banana", SplitBehavior::kRemoved, true), V({"a", "a", "a"}));
  EXPECT_EQ(split("\\s+(?!\\S)", "a   b", SplitBehavior::kIsolated), V({"a", "  ", " b"}));
}

TEST(Split, PreTokenizerSequenceAppliesEachStepToEveryPiece) {
  std::vector<std::unique_ptr<PreTokenizer>> steps;
  steps.push_back(make_split_pretokenizer(" ", false, SplitBehavior::kRemoved, false));
  steps.push_back(make_digits_pretokenizer(true));
  const auto sequence = make_sequence_pretokenizer(std::move(steps));
  Pieces pieces;
  const std::string text = "ab12 c3";
  pieces.views.push_back(text);
  sequence->split(pieces);
  EXPECT_EQ(std::vector<std::string>(pieces.views.begin(), pieces.views.end()),
            std::vector<std::string>({"ab", "1", "2", "c", "3"}));
}

TEST(Split, ByteLevelAddsPrefixSpaceBeforeItsRegex) {
  const auto byte_level = make_byte_level_pretokenizer(true, true);
  Pieces pieces;
  const std::string text = "hello world";
  pieces.views.push_back(text);
  byte_level->split(pieces);
  EXPECT_EQ(std::vector<std::string>(pieces.views.begin(), pieces.views.end()),
            std::vector<std::string>({" hello", " world"}));
}

std::string normalized(UnicodeForm form, std::string text) {
  make_unicode_normalizer(form)->normalize(text);
  return text;
}

TEST(Normalizer, NfcComposesAndReorders) {
  EXPECT_EQ(normalized(UnicodeForm::kNFC, "e\xCC\x81"), "\xC3\xA9");                    // e + U+0301 -> é
  EXPECT_EQ(normalized(UnicodeForm::kNFC, "\xE2\x84\xA6"), "\xCE\xA9");                  // Ω U+2126 -> U+03A9
  EXPECT_EQ(normalized(UnicodeForm::kNFC, "a\xCC\x81\xCC\x96"), "\xC3\xA1\xCC\x96");    // á + below mark
  EXPECT_EQ(normalized(UnicodeForm::kNFC, "\xE1\x84\x80\xE1\x85\xA1"), "\xEA\xB0\x80");  // Hangul jamo -> 가
  EXPECT_EQ(normalized(UnicodeForm::kNFKC, "\xC2\xBD x\xC2\xB2"), "1\xE2\x81\x84" "2 x2");
}

TEST(Normalizer, MarksNewerThanUnicode9StayWhereHuggingFacePutsThem) {
  // U+0D3B (Unicode 10, ccc 9) between 'a' and U+0301: Unicode 10+ composes a + U+0301 across it ("á" U+0D3B);
  // Hugging Face's Unicode 9 normaliser sees U+0D3B as a starter and leaves the text as it is.
  const std::string text = "a\xE0\xB4\xBB\xCC\x81";
  EXPECT_EQ(normalized(UnicodeForm::kNFC, text), text);
  // U+11935 U+11930 compose to U+11938 since Unicode 13; not in Hugging Face.
  const std::string dives_akuru = "\xF0\x91\xA4\xB5\xF0\x91\xA4\xB0";
  EXPECT_EQ(normalized(UnicodeForm::kNFC, dives_akuru), dives_akuru);
  // Around such a mark the rest is still normalised.
  EXPECT_EQ(normalized(UnicodeForm::kNFC, "e\xCC\x81\xE0\xB4\xBB" "e\xCC\x81"), "\xC3\xA9\xE0\xB4\xBB\xC3\xA9");
}

TEST(Normalizer, SequencePrependAndReplace) {
  std::vector<std::unique_ptr<Normalizer>> steps;
  steps.push_back(make_replace_normalizer(" ", false, "\xE2\x96\x81"));
  steps.push_back(make_prepend_normalizer("\xE2\x96\x81"));
  const auto sequence = make_sequence_normalizer(std::move(steps));
  std::string text = "a b";
  sequence->normalize(text);
  EXPECT_EQ(text, "\xE2\x96\x81" "a\xE2\x96\x81" "b");
  std::string empty;
  sequence->normalize(empty);
  EXPECT_EQ(empty, "");  // Prepend leaves empty text empty
}

}  // namespace
}  // namespace ttrl
