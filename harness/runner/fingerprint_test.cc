#include "runner/fingerprint.h"

#include <gtest/gtest.h>

#include <string>

namespace memh::harness {
namespace {

nlohmann::json Doc(const std::string& variant, const nlohmann::json& fingerprint) {
  nlohmann::json doc;
  doc["run"] = {{"variant", variant}, {"fingerprint", fingerprint}};
  return doc;
}

nlohmann::json Printed(const std::string& compiler, const std::string& knobs, const std::string& kernel) {
  return {{"compiler", compiler}, {"allocator_version", "5.3.0"}, {"knobs", knobs}, {"kernel", kernel}};
}

TEST(Fingerprint, ThisProcessStatesEveryItem) {
  const Fingerprint fingerprint = CollectFingerprint({{"buffers", "pooled"}}, "g++ 12", "Release", "some cpu");
  std::vector<std::string> items;
  for (const auto& [item, value] : fingerprint) {
    items.push_back(item);
    EXPECT_FALSE(value.empty()) << item;
  }
  EXPECT_EQ(items, (std::vector<std::string>{"compiler", "cxx_stdlib", "libc", "allocator", "allocator_version",
                                             "build_type", "knobs", "cpu", "kernel"}));
  EXPECT_EQ(FingerprintJson(fingerprint)["knobs"], "buffers=pooled");
}

TEST(Fingerprint, TheSameRunsGiveNoWarning) {
  const auto doc = Doc("optimized", Printed("g++ 12", "a=1", "Linux 6.1"));
  EXPECT_TRUE(FingerprintDifferences(doc, doc).empty());
  EXPECT_EQ(FingerprintWarning(doc, doc), "");
}

TEST(Fingerprint, AWarningNamesEveryItemThatDiffers) {
  const auto base = Doc("optimized", Printed("g++ 12", "a=1", "Linux 6.1"));
  const auto head = Doc("optimized", Printed("g++ 13", "a=2", "Linux 6.1"));
  EXPECT_EQ(FingerprintDifferences(base, head),
            (std::vector<std::string>{"compiler (g++ 12 vs g++ 13)", "knobs (a=1 vs a=2)"}));
  const std::string warning = FingerprintWarning(base, head);
  EXPECT_EQ(warning.find('\n'), std::string::npos);
  EXPECT_NE(warning.find("compiler (g++ 12 vs g++ 13); knobs (a=1 vs a=2)"), std::string::npos);
}

TEST(Fingerprint, KnobsAreComparedOnlyBetweenRunsOfOneVariant) {
  const auto base = Doc("baseline", Printed("g++ 12", "a=1", "Linux 6.1"));
  const auto head = Doc("optimized", Printed("g++ 12", "a=2", "Linux 6.2"));
  EXPECT_EQ(FingerprintDifferences(base, head), (std::vector<std::string>{"kernel (Linux 6.1 vs Linux 6.2)"}));
}

// Results without a fingerprint are compared on what every run's metadata states, and
// an item only one side records is not compared.
TEST(Fingerprint, RunsWithoutOneAreComparedOnTheirMetadata) {
  nlohmann::json old_doc;
  old_doc["run"] = {{"variant", "optimized"}, {"compiler", "g++ 11"}, {"cpu", "x"}, {"knobs", {{"a", "1"}}}};
  const auto head = Doc("optimized", Printed("g++ 12", "a=1", "Linux 6.1"));
  EXPECT_EQ(FingerprintDifferences(old_doc, head), (std::vector<std::string>{"compiler (g++ 11 vs g++ 12)"}));
}

}  // namespace
}  // namespace memh::harness
