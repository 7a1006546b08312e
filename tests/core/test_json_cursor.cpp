// JSON fields with path-named errors (include/ttrl/core/json_cursor.hpp).
#include <gtest/gtest.h>

#include <string>

#include "ttrl/core/error.hpp"
#include "ttrl/core/json_cursor.hpp"

namespace {

using nlohmann::json;
using ttrl::JsonCursor;

template <typename F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const ttrl::Error& e) {
    return e.what();
  }
  return "";
}

const json kDoc = json::parse(R"({"model": {"merges": ["a b", 7], "size": 2.0, "half": 2.5, "big": 1e300},
                                   "eos": [1, 2], "one": 3, "none": null, "flag": true})");

TEST(JsonCursor, ErrorsNameTheFileAndThePathOfTheValue) {
  const JsonCursor root(kDoc, "tokenizer.json");
  EXPECT_EQ(message_of([&] { root.at("model").at("merges").at(1).as_string(); }),
            "tokenizer.json: $.model.merges[1]: expected a string, got 7");
  EXPECT_EQ(message_of([&] { root.at("model").at("vocab"); }), "tokenizer.json: $.model: missing key \"vocab\"");
  EXPECT_EQ(message_of([&] { root.at("model").at("merges").at(5); }),
            "tokenizer.json: $.model.merges: index 5 out of range");
  EXPECT_EQ(message_of([&] { root.at("one").array_size(); }), "tokenizer.json: $.one: expected an array, got 3");
}

TEST(JsonCursor, IntegersAcceptIntegralNumbersOnly) {
  const JsonCursor model = JsonCursor(kDoc, "c.json").at("model");
  EXPECT_EQ(model.at("size").as_int(), 2);  // JSON has one number type: 2.0 is the integer 2
  EXPECT_NE(message_of([&] { model.at("half").as_int(); }).find("expected an integer, got 2.5"), std::string::npos);
  EXPECT_NE(message_of([&] { model.at("big").as_int(); }).find("expected an integer"), std::string::npos);
  const json huge = json::parse("18446744073709551615");
  EXPECT_NE(message_of([&] { JsonCursor(huge, "c.json").as_int(); }).find("out of range"), std::string::npos);
}

TEST(JsonCursor, OptionalMembersAndIntLists) {
  const JsonCursor root(kDoc, "c.json");
  EXPECT_TRUE(root.has("one"));
  EXPECT_FALSE(root.has("none"));  // null counts as absent
  EXPECT_FALSE(root.find("none").has_value());
  EXPECT_EQ(root.int_or("missing", 9), 9);
  EXPECT_EQ(root.int_or("one", 9), 3);
  EXPECT_DOUBLE_EQ(root.at("model").number_or("half", 0), 2.5);
  EXPECT_TRUE(root.bool_or("flag", false));
  EXPECT_EQ(root.at("eos").as_int_list(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(root.at("one").as_int_list(), (std::vector<int64_t>{3}));
}

TEST(JsonCursor, ErrorKindChoosesTheExceptionType) {
  EXPECT_THROW(JsonCursor(kDoc, "c.json").at("flag").as_int(), ttrl::IoError);
  EXPECT_THROW(JsonCursor(kDoc, "c.json", "$", JsonCursor::ErrorKind::kConfig).at("model").at("flag"),
               ttrl::ConfigError);  // children inherit the kind
  EXPECT_THROW(JsonCursor::parse("{oops", "c.json"), ttrl::IoError);
}

// Found by fuzzing (scripts/fuzz.sh trainer_state): a number beyond the range of double (1e999) made nlohmann::json throw
// out_of_range, which escaped JsonCursor::parse instead of becoming an IoError naming the file.
TEST(JsonCursor, NumberBeyondDoubleIsMalformedJson) {
  const std::string message = message_of([] { JsonCursor::parse(R"({"vocab": {"a": 1e999}})", "tokenizer.json"); });
  EXPECT_EQ(message.rfind("tokenizer.json: malformed JSON", 0), 0u) << message;
  EXPECT_NE(message.find("number overflow"), std::string::npos) << message;
}

}  // namespace
