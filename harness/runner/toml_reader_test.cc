// TomlReader against its contract (toml_reader.h): every getter's value, fallback and
// errors, each error exactly one line "<file>:<line>: <key path>: <what is wrong>" with
// the line of the key (or of its table when the key is absent), unknown keys, Forbid.
#include "runner/toml_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "runner/input_file.h"

namespace memh::harness {
namespace {

const std::string kPath = "scenarios/sample.toml";

// Line numbers matter: each key's line is in its comment.
const char* kText = R"(name = "sample"
count = 5
ratio = 0.25
flag = true
list = [1, 2]
when = 1979-05-27
negative = -3
big = 9_000_000_000
whole = 4
table = { a = 1 }

[sub]
inner = "v"
number = 12
)";

class TomlReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parsed = ParseTomlText(kText, kPath);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    root_ = std::move(parsed).value();
  }
  const toml::table& Sub() { return *root_["sub"].as_table(); }

  toml::table root_;
};

// The message of a failed result, or a note that it did not fail.
template <typename T>
std::string ErrorOf(const engine::Result<T>& r) {
  if (r.ok()) return "(no error)";
  EXPECT_EQ(r.status().code(), engine::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message().find('\n'), std::string::npos);  // one line
  return r.status().message();
}
std::string ErrorOf(const engine::Status& s) {
  if (s.ok()) return "(no error)";
  EXPECT_EQ(s.code(), engine::Code::kInvalidArgument);
  return s.message();
}

TEST_F(TomlReaderTest, IntegerValueFallbackAndBounds) {
  TomlReader r(root_, "", kPath);
  EXPECT_EQ(r.Integer("count", std::nullopt, 0, 10).value(), 5u);
  EXPECT_EQ(r.Integer("count", 99, 5, 5).value(), 5u);  // present: the fallback is not used; bounds inclusive
  EXPECT_EQ(r.Integer("big", std::nullopt, 0, INT64_MAX).value(), 9'000'000'000u);
  EXPECT_EQ(r.Integer("absent", 77, 0, 10).value(), 77u);  // the fallback is not range-checked
}

TEST_F(TomlReaderTest, IntegerErrors) {
  TomlReader r(root_, "", kPath);
  EXPECT_EQ(ErrorOf(r.Integer("count", std::nullopt, 6, 10)), "scenarios/sample.toml:2: count: 5 is out of range [6, 10]");
  EXPECT_EQ(ErrorOf(r.Integer("count", std::nullopt, 0, 4)), "scenarios/sample.toml:2: count: 5 is out of range [0, 4]");
  EXPECT_EQ(ErrorOf(r.Integer("negative", std::nullopt, 0, 100)),
            "scenarios/sample.toml:7: negative: -3 is out of range [0, 100]");
  EXPECT_EQ(ErrorOf(r.Integer("ratio", std::nullopt, 0, 10)), "scenarios/sample.toml:3: ratio: expected an integer, got a float");
  EXPECT_EQ(ErrorOf(r.Integer("name", std::nullopt, 0, 10)), "scenarios/sample.toml:1: name: expected an integer, got a string");
  EXPECT_EQ(ErrorOf(r.Integer("flag", std::nullopt, 0, 10)), "scenarios/sample.toml:4: flag: expected an integer, got a boolean");
  EXPECT_EQ(ErrorOf(r.Integer("list", std::nullopt, 0, 10)), "scenarios/sample.toml:5: list: expected an integer, got an array");
  EXPECT_EQ(ErrorOf(r.Integer("when", std::nullopt, 0, 10)),
            "scenarios/sample.toml:6: when: expected an integer, got a date or time");
  EXPECT_EQ(ErrorOf(r.Integer("table", std::nullopt, 0, 10)), "scenarios/sample.toml:10: table: expected an integer, got a table");
  EXPECT_EQ(ErrorOf(r.Integer("sub", std::nullopt, 0, 10)), "scenarios/sample.toml:12: sub: expected an integer, got a table");
  // Absent and required: the line of the table it belongs in (the top: line 1).
  EXPECT_EQ(ErrorOf(r.Integer("seed", std::nullopt, 0, 10)), "scenarios/sample.toml:1: seed: missing (required)");
}

TEST_F(TomlReaderTest, StringValueFallbackAndErrors) {
  TomlReader r(root_, "", kPath);
  EXPECT_EQ(r.String("name", std::nullopt).value(), "sample");
  EXPECT_EQ(r.String("absent", std::string("dflt")).value(), "dflt");
  EXPECT_EQ(ErrorOf(r.String("count", std::nullopt)), "scenarios/sample.toml:2: count: expected a string, got an integer");
  EXPECT_EQ(ErrorOf(r.String("ratio", "x")), "scenarios/sample.toml:3: ratio: expected a string, got a float");
  EXPECT_EQ(ErrorOf(r.String("description", std::nullopt)), "scenarios/sample.toml:1: description: missing (required)");
}

TEST_F(TomlReaderTest, NumberTakesFloatsAndIntegers) {
  TomlReader r(root_, "", kPath);
  EXPECT_EQ(r.Number("ratio", std::nullopt).value(), 0.25);
  EXPECT_EQ(r.Number("whole", std::nullopt).value(), 4.0);
  EXPECT_EQ(r.Number("negative", std::nullopt).value(), -3.0);  // Number has no range: the caller checks
  EXPECT_EQ(r.Number("absent", 0.99).value(), 0.99);
  EXPECT_EQ(ErrorOf(r.Number("name", std::nullopt)), "scenarios/sample.toml:1: name: expected a number, got a string");
  EXPECT_EQ(ErrorOf(r.Number("flag", 1.0)), "scenarios/sample.toml:4: flag: expected a number, got a boolean");
  EXPECT_EQ(ErrorOf(r.Number("theta", std::nullopt)), "scenarios/sample.toml:1: theta: missing (required)");
}

TEST_F(TomlReaderTest, ASubTablesKeysCarryItsPrefixAndItsLines) {
  TomlReader r(Sub(), "sub.", kPath);
  EXPECT_EQ(r.String("inner", std::nullopt).value(), "v");
  EXPECT_EQ(ErrorOf(r.Integer("number", std::nullopt, 0, 10)), "scenarios/sample.toml:14: sub.number: 12 is out of range [0, 10]");
  EXPECT_EQ(ErrorOf(r.Integer("inner", std::nullopt, 0, 10)),
            "scenarios/sample.toml:13: sub.inner: expected an integer, got a string");
  // Absent: the line of the [sub] header.
  EXPECT_EQ(ErrorOf(r.Integer("missing", std::nullopt, 0, 10)), "scenarios/sample.toml:12: sub.missing: missing (required)");
  EXPECT_EQ(r.KeyPath("x"), "sub.x");
  EXPECT_EQ(r.LineOf("number"), 14);
  EXPECT_EQ(r.LineOf("nothing"), 12);
  EXPECT_EQ(&r.path(), &kPath);
}

TEST_F(TomlReaderTest, AnInlineTablesMissingKeyIsReportedAtItsLine) {
  TomlReader r(*root_["table"].as_table(), "table.", kPath);
  EXPECT_EQ(r.Integer("a", std::nullopt, 0, 10).value(), 1u);
  EXPECT_EQ(ErrorOf(r.Integer("b", std::nullopt, 0, 10)), "scenarios/sample.toml:10: table.b: missing (required)");
}

TEST_F(TomlReaderTest, ErrorAndErrorAtFormatTheOneLine) {
  TomlReader r(Sub(), "sub.", kPath);
  EXPECT_EQ(ErrorOf(r.Error("inner", "is wrong")), "scenarios/sample.toml:13: sub.inner: is wrong");
  EXPECT_EQ(ErrorOf(r.ErrorAt(99, "anything", "what")), "scenarios/sample.toml:99: sub.anything: what");
  EXPECT_EQ(r.Error("inner", "is wrong").ToString(), "invalid argument: scenarios/sample.toml:13: sub.inner: is wrong");
}

TEST_F(TomlReaderTest, UnknownKeysAreTheOnesNobodyAskedFor) {
  TomlReader r(Sub(), "sub.", kPath);
  EXPECT_TRUE(r.Has("inner"));  // Has() is not asking for it
  EXPECT_EQ(ErrorOf(r.CheckNoUnknownKeys("inner, number")),
            "scenarios/sample.toml:13: sub.inner: unknown key (allowed: inner, number)");
  (void)r.String("inner", std::nullopt);
  EXPECT_EQ(ErrorOf(r.CheckNoUnknownKeys("inner, number")),
            "scenarios/sample.toml:14: sub.number: unknown key (allowed: inner, number)");
  // A failed getter still asked for its key; so did one for a key that is absent.
  (void)r.String("number", std::nullopt);
  (void)r.Integer("optional", 1, 0, 10);
  EXPECT_TRUE(r.CheckNoUnknownKeys("inner, number").ok());
  EXPECT_NE(r.Get("inner"), nullptr);  // Get is a getter too
  EXPECT_EQ(r.Get("nothing"), nullptr);
}

TEST_F(TomlReaderTest, GetAloneMarksAKeyKnown) {
  TomlReader r(Sub(), "sub.", kPath);
  (void)r.Get("inner");
  (void)r.Get("number");
  EXPECT_TRUE(r.CheckNoUnknownKeys("").ok());
}

TEST_F(TomlReaderTest, ForbidNamesAKeyThatDoesNotApply) {
  TomlReader r(root_, "", kPath);
  EXPECT_TRUE(r.Forbid("payload", "flush").ok());
  EXPECT_EQ(ErrorOf(r.Forbid("flag", "flush")), "scenarios/sample.toml:4: flag: does not apply to flush");
  EXPECT_FALSE(r.Has("payload"));
  EXPECT_TRUE(r.Has("flag"));
}

}  // namespace
}  // namespace memh::harness
