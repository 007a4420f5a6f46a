#include "memh/engine/clock.h"

#include <chrono>

namespace memh::engine {
namespace {

class WallClock final : public Clock {
 public:
  std::uint64_t NowMillis() override {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
  }
};

}  // namespace

Clock& SystemClock() {
  static WallClock* clock = new WallClock();  // never destroyed, like DefaultEnv()
  return *clock;
}

}  // namespace memh::engine
