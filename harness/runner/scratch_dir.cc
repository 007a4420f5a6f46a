#include "runner/scratch_dir.h"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace memh::harness {

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

engine::Status ScratchDir::Make(const std::string& base) {
  std::string pattern = base + "/memharness-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return engine::Status::FromErrno(base, "mkdtemp", errno);
  path_ = pattern;
  return engine::Status::Ok();
}

}  // namespace memh::harness
