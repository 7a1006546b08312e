// Characters assigned or recategorised after Unicode 14 (PCRE2 10.42's tables, utf8proc 2.8's Unicode 15) are
// classified as Hugging Face `tokenizers` 0.23 does: Unicode 16 in its regexes (Oniguruma, regex crate), Unicode 17
// in its Rust std (Digits), Unicode 9 in its normaliser. Expected values checked with tokenizers 0.23.3.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/added_tokens.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/pretokenizer.hpp"
#include "tokenizer/regex.hpp"
#include "tokenizer/unicode_delta.hpp"
#include "tokenizer/utf8.hpp"

namespace ttrl {
namespace {

using Strings = std::vector<std::string>;

std::string cp(uint32_t c) {
  std::string out;
  utf8::append_code_point(c, out);
  return out;
}

Strings matches(const std::string& pattern, const std::string& text) {
  std::vector<Span> spans;
  Regex(pattern).find_all(text, spans);
  Strings out;
  for (const Span& s : spans) out.push_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

// Letters of Unicode 15.0 (Kawi, CJK Ext. H), 15.1 (CJK Ext. I) and 16.0 (Garay, Tulu-Tigalari, Egyptian
// Hieroglyphs Ext. A); all unassigned in PCRE2 10.42.
constexpr uint32_t kNewLetters[] = {0x11F04, 0x31350, 0x2EBF0, 0x10D50, 0x11380, 0x13460};

TEST(UnicodeDelta, LettersOfUnicode16AreLetters) {
  for (uint32_t c : kNewLetters) {
    const std::string letter = cp(c);
    SCOPED_TRACE(testing::Message() << "U+" << std::hex << c);
    EXPECT_EQ(matches("\\p{L}+", "1" + letter + letter + "!"), Strings({letter + letter}));
    EXPECT_EQ(matches("[\\p{L}\\p{M}]+", letter), Strings({letter}));
    EXPECT_EQ(matches("\\w+", letter), Strings({letter}));
    EXPECT_TRUE(matches("\\P{L}", letter).empty());
    EXPECT_TRUE(matches("[^\\r\\n\\p{L}\\p{N}]", letter).empty());
    EXPECT_TRUE(matches("\\p{Cn}", letter).empty());
  }
}

TEST(UnicodeDelta, Qwen2SplitKeepsNewWordsWhole) {
  const std::string qwen2 =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
      "\\s+(?!\\S)|\\s+";
  const std::string garay = cp(0x10D50) + cp(0x10D71) + cp(0x10D52);  // capital, small letter, capital
  const std::string garay_digit = cp(0x10D40);
  EXPECT_EQ(matches(qwen2, "a " + garay + garay_digit + "."), Strings({"a", " " + garay, garay_digit, "."}));
}

TEST(UnicodeDelta, DigitsOfUnicode16AreDecimalNumbers) {
  for (uint32_t c : {0x10D40u, 0x11F50u, 0x1E4F0u, 0x1CCF0u}) {  // Garay, Kawi, Nag Mundari, outlined digits
    SCOPED_TRACE(testing::Message() << "U+" << std::hex << c);
    EXPECT_EQ(matches("\\d", cp(c)), Strings({cp(c)}));
    EXPECT_EQ(matches("\\p{N}", cp(c)), Strings({cp(c)}));
    EXPECT_TRUE(matches("[^\\p{Nd}]", cp(c)).empty());
  }
}

TEST(UnicodeDelta, RecategorisedCodePointsLeaveTheirOldCategory) {
  // U+1171E AHOM CONSONANT SIGN MEDIAL RA: Mn in Unicode 14, Mc since.
  const std::string ra = cp(0x1171E);
  EXPECT_TRUE(matches("\\p{Mn}", ra).empty());
  EXPECT_TRUE(matches("[x\\p{Nonspacing_Mark}]", ra).empty());
  EXPECT_EQ(matches("\\p{Mc}", ra), Strings({ra}));
  EXPECT_EQ(matches("\\p{M}", ra), Strings({ra}));
  EXPECT_EQ(matches("\\P{Mn}", ra), Strings({ra}));
  EXPECT_EQ(matches("[^x\\p{Mn}]", ra), Strings({ra}));
  // U+323B0 is assigned by Unicode 17 only: still unassigned for Oniguruma.
  EXPECT_EQ(matches("\\p{Cn}", cp(0x323B0)), Strings({cp(0x323B0)}));
}

TEST(UnicodeDelta, OnigurumaShorthandsOutsideAndInsideClasses) {
  // Oniguruma's \w outside a class takes the Latin-1 superscripts and fractions; inside a class it does not.
  EXPECT_EQ(matches("\\w+", "x\xC2\xB2 y"), Strings({"x\xC2\xB2", "y"}));
  EXPECT_EQ(matches("[\\w]+", "x\xC2\xB2 y"), Strings({"x", "y"}));
  EXPECT_EQ(matches("\\bx", "x " + cp(0x10D50) + "x"), Strings({"x"}));  // a Garay letter is a word character
  EXPECT_EQ(matches("\\pL", "pL L"), Strings({"pL"}));                    // \p without braces is the letter
}

TEST(UnicodeDelta, TableIsSortedDisjointAndOnlyChanges) {
  uint32_t next = 0;
  for (const unicode::CategoryChange& c : unicode::category_changes()) {
    EXPECT_GE(c.first, next);
    EXPECT_LE(c.first, c.last);
    EXPECT_FALSE(c.unicode14 == c.unicode16 && c.unicode16 == c.unicode17);
    next = c.last + 1;
  }
  EXPECT_EQ(unicode::category_unicode16('A'), unicode::kLu);
  EXPECT_EQ(unicode::category_unicode16(0x10D50), unicode::kLu);
  EXPECT_EQ(unicode::category_unicode16(0x11DE0), unicode::kCn);
  EXPECT_EQ(unicode::category_unicode17(0x11DE0), unicode::kNd);
}

TEST(UnicodeDelta, TextWithoutChangedCodePointsMayUseUnicode14Patterns) {
  // Regex runs PCRE2's own (faster) categories on such text: the two translations differ only on those points.
  EXPECT_FALSE(unicode::has_changes_since_unicode14(""));
  EXPECT_FALSE(unicode::has_changes_since_unicode14("plain ASCII text, long enough for whole words"));
  EXPECT_FALSE(unicode::has_changes_since_unicode14("\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80" + cp(0x323B0)));
  EXPECT_TRUE(unicode::has_changes_since_unicode14("0123456789abcdef" + cp(0x1171E)));
  EXPECT_TRUE(unicode::has_changes_since_unicode14("x" + cp(0x0897)));  // the first change, in the BMP
  EXPECT_EQ(oniguruma_compatible("[^\\r\\n\\p{L}\\p{N}]?\\p{L}+", false), "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+");
  EXPECT_NE(oniguruma_compatible("\\p{L}+", true).find("\\x{10D4A}-\\x{10D65}"), std::string::npos);
}

TEST(UnicodeDelta, DigitsPreTokenizerFollowsRustUnicode17) {
  // U+11DE0 TOLONG SIKI DIGIT ZERO (Unicode 17): char::is_numeric in the Rust std of tokenizers 0.23.
  const auto digits = make_digits_pretokenizer(true);
  const std::string text = "a" + cp(0x11DE0) + cp(0x10D41) + "b";
  Pieces pieces;
  pieces.views.push_back(text);
  digits->split(pieces);
  EXPECT_EQ(Strings(pieces.views.begin(), pieces.views.end()), Strings({"a", cp(0x11DE0), cp(0x10D41), "b"}));
}

TEST(UnicodeDelta, SingleWordTokensSeeUnicode16Letters) {
  AddedToken word;
  word.id = 7;
  word.content = "word";
  word.single_word = true;
  const AddedTokenMatcher matcher({word}, {"word"});
  std::vector<TextSegment> segments;
  matcher.split(cp(0x10D50) + "word", segments);  // touches a Garay letter: not a single word
  for (const TextSegment& s : segments) EXPECT_EQ(s.token, -1);
}

std::string normalized(UnicodeForm form, std::string text) {
  make_unicode_normalizer(form)->normalize(text);
  return text;
}

TEST(UnicodeDelta, NormaliserLeavesMarksOfUnicode15AsHuggingFace) {
  // U+11F42 KAWI CONJOINER (ccc 9) before U+0334 (ccc 1): utf8proc 2.8 reorders them, Unicode 9 data does not.
  const std::string kawi = "a" + cp(0x11F42) + "\xCC\xB4";
  EXPECT_EQ(normalized(UnicodeForm::kNFC, kawi), kawi);
  EXPECT_EQ(normalized(UnicodeForm::kNFD, kawi), kawi);
  // U+1E030 MODIFIER LETTER CYRILLIC SMALL A: a compatibility character since Unicode 15.
  EXPECT_EQ(normalized(UnicodeForm::kNFKC, cp(0x1E030)), cp(0x1E030));
}

}  // namespace
}  // namespace ttrl
