// ScratchDir: a fresh directory under a base directory, removed with everything in it
// when the object goes away (a run's store, the setup cache's filler stores).
#pragma once

#include <string>

#include "memh/engine/status.h"

namespace memh::harness {

class ScratchDir {
 public:
  ScratchDir() = default;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();

  // Makes <base>/memharness-XXXXXX.
  engine::Status Make(const std::string& base);
  bool made() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace memh::harness
