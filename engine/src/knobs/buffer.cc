#include "knobs/buffer.h"

namespace memh::engine {
namespace {

class DeleteArrayReleaser final : public BufferReleaser {
 public:
  void Release(std::uint8_t* data, std::size_t /*capacity*/) noexcept override { delete[] data; }
};

}  // namespace

BufferReleaser& HeapReleaser() {
  static DeleteArrayReleaser releaser;  // trivially destructible state: safe at exit
  return releaser;
}

Buffer NewHeapBuffer(std::size_t size) {
  if (size == 0) return Buffer();
  // No value-initialisation: the caller overwrites every byte.
  return Buffer(new std::uint8_t[size], size, size, &HeapReleaser());
}

}  // namespace memh::engine
