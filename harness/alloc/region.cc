#include "alloc/region.h"

#include <time.h>

namespace memh::harness::alloc {
namespace {

// Per client thread: where its counters stood when it joined and when its current
// operation started. Trivially constructible: static TLS, no allocation.
struct ClientState {
  Counters at_join;
  Counters at_op_start;
  std::uint64_t op_start_ns;
  std::uint32_t index;
  bool joined;
};
__attribute__((tls_model("initial-exec"))) thread_local ClientState client;

std::uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

Counters& Counters::operator+=(const Counters& o) {
  bytes += o.bytes;
  calls += o.calls;
  frees += o.frees;
  bytes_freed += o.bytes_freed;
  charged_bytes += o.charged_bytes;
  failed += o.failed;
  return *this;
}

Counters& Counters::operator-=(const Counters& o) {
  bytes -= o.bytes;
  calls -= o.calls;
  frees -= o.frees;
  bytes_freed -= o.bytes_freed;
  charged_bytes -= o.charged_bytes;
  failed -= o.failed;
  return *this;
}

void Region::AtomicCounters::Add(const Counters& c) {
  bytes.fetch_add(c.bytes, std::memory_order_relaxed);
  calls.fetch_add(c.calls, std::memory_order_relaxed);
  frees.fetch_add(c.frees, std::memory_order_relaxed);
  bytes_freed.fetch_add(c.bytes_freed, std::memory_order_relaxed);
  charged.fetch_add(c.charged_bytes, std::memory_order_relaxed);
  failed.fetch_add(c.failed, std::memory_order_relaxed);
}

Counters Region::AtomicCounters::Load() const {
  Counters c;
  c.bytes = bytes.load(std::memory_order_relaxed);
  c.calls = calls.load(std::memory_order_relaxed);
  c.frees = frees.load(std::memory_order_relaxed);
  c.bytes_freed = bytes_freed.load(std::memory_order_relaxed);
  c.charged_bytes = charged.load(std::memory_order_relaxed);
  c.failed = failed.load(std::memory_order_relaxed);
  return c;
}

Region::Region(std::size_t sample_capacity, SiteTable* sites) : samples_(sample_capacity), sites_(sites) {}

void Region::Begin() {
  // Armed before the figures start, disarmed after they end: the sites see every call.
  if (sites_ != nullptr) sites_->Arm();
  live_at_begin_ = LiveBytes();
  ResetPeak();
  process_at_begin_ = Process();
  Join();
}

void Region::Join() {
  client.index = next_client_.fetch_add(1, std::memory_order_relaxed);
  client.joined = true;
  SetThreadRole(ThreadRole::kClient);
  client.at_join = ThisThread();
}

void Region::Leave() {
  if (!client.joined) return;
  clients_.Add(ThisThread() - client.at_join);
  client.joined = false;
  SetThreadRole(ThreadRole::kBackground);
}

void Region::OpStart() {
  client.op_start_ns = NowNs();
  client.at_op_start = ThisThread();
}

void Region::OpEnd(std::uint32_t tag) {
  const Counters delta = ThisThread() - client.at_op_start;
  const std::uint64_t elapsed = NowNs() - client.op_start_ns;
  const std::uint64_t slot = next_sample_.fetch_add(1, std::memory_order_relaxed);
  if (slot >= samples_.size()) return;  // counted as dropped in End()
  OpSample& sample = samples_[slot];
  sample.bytes = delta.bytes;
  sample.calls = delta.calls;
  sample.frees = delta.frees;
  sample.bytes_freed = delta.bytes_freed;
  sample.charged_bytes = delta.charged_bytes;
  sample.elapsed_ns = elapsed;
  sample.client = client.index;
  sample.tag = tag;
  sample.process_bytes = Process().bytes - process_at_begin_.bytes;
}

RegionResult Region::End() {
  Leave();
  RegionResult result;
  result.all = Process() - process_at_begin_;
  result.clients = clients_.Load();
  result.background = result.all - result.clients;
  const std::uint64_t peak = PeakLiveBytes();
  result.peak_live_bytes = peak > live_at_begin_ ? peak - live_at_begin_ : 0;
  result.client_threads = next_client_.load(std::memory_order_relaxed);
  const std::uint64_t taken = next_sample_.load(std::memory_order_relaxed);
  result.samples_dropped = taken > samples_.size() ? taken - samples_.size() : 0;
  result.samples = std::span<const OpSample>(samples_.data(), taken < samples_.size() ? taken : samples_.size());
  if (sites_ != nullptr) sites_->Disarm();
  return result;
}

}  // namespace memh::harness::alloc
