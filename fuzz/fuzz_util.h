// What the fuzz targets share: a scratch directory of this process's own, and a
// check that stops the fuzzer with a message when a property fails (a crash is what
// libFuzzer records and minimizes).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace memh::fuzz {

// A directory under $TMPDIR (or /tmp) for this process, created once.
inline const std::string& ScratchDir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string path = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/memh-fuzz-" +
                       std::to_string(getpid());
    std::filesystem::create_directories(path);
    return path;
  }();
  return dir;
}

[[noreturn]] inline void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz property failed: %s: %s\n", what, detail.c_str());
  std::abort();
}

#define MEMH_FUZZ_CHECK(cond, detail) \
  do {                                \
    if (!(cond)) ::memh::fuzz::Fail(#cond, (detail)); \
  } while (0)

}  // namespace memh::fuzz
