// The meter counts exactly what each allocation path asks for. Every test measures a
// tight stretch with nothing but the pattern in it, and only then asserts (gtest's
// macros allocate). Memory is always used, so a compiler may not remove a new/delete
// pair: if it did, the meter would read 0 and the test would fail, as it should.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "alloc/backend.h"
#include "alloc/meter.h"

namespace memh::harness::alloc {
namespace {

void Use(void* p, std::size_t n) {
  if (p != nullptr && n > 0) std::memset(p, 0x5A, n);
  asm volatile("" : : "r"(p) : "memory");  // the pointer escapes: no elision
}

TEST(Meter, MallocAndFree) {
  Counters before = ThisThread();
  void* a = std::malloc(100);
  Use(a, 100);
  void* b = std::malloc(5000);
  Use(b, 5000);
  std::free(a);
  std::free(b);
  std::free(nullptr);  // counts nothing
  Counters d = ThisThread() - before;
  EXPECT_EQ(d.bytes, 5100u);
  EXPECT_EQ(d.calls, 2u);
  EXPECT_EQ(d.frees, 2u);
  EXPECT_EQ(d.bytes_freed, 5100u);
  EXPECT_EQ(d.net_bytes(), 0);
}

TEST(Meter, CallocZeroesAndCounts) {
  Counters before = ThisThread();
  auto* p = static_cast<unsigned char*>(std::calloc(10, 30));
  bool zero = true;
  for (int i = 0; i < 300; ++i) zero = zero && p[i] == 0;
  Use(p, 300);
  std::free(p);
  Counters d = ThisThread() - before;
  EXPECT_TRUE(zero);
  EXPECT_EQ(d.bytes, 300u);
  EXPECT_EQ(d.calls, 1u);
  EXPECT_EQ(d.frees, 1u);
}

TEST(Meter, ReallocGrowShrinkAndEdges) {
  Counters before = ThisThread();
  void* p = std::realloc(nullptr, 64);  // = malloc(64)
  Use(p, 64);
  std::memset(p, 7, 64);
  p = std::realloc(p, 1000);  // grow: +1000, -64
  bool kept = static_cast<unsigned char*>(p)[63] == 7;
  Use(p, 1000);
  p = std::realloc(p, 10);  // shrink: +10, -1000
  Use(p, 10);
  void* gone = std::realloc(p, 0);  // frees, returns null
  Counters d = ThisThread() - before;
  EXPECT_TRUE(kept);
  EXPECT_EQ(gone, nullptr);
  EXPECT_EQ(d.bytes, 64u + 1000 + 10);
  EXPECT_EQ(d.calls, 3u);
  EXPECT_EQ(d.frees, 3u);
  EXPECT_EQ(d.bytes_freed, 64u + 1000 + 10);
}

TEST(Meter, AlignedCFamily) {
  Counters before = ThisThread();
  void* a = nullptr;
  int rc = posix_memalign(&a, 256, 100);
  Use(a, 100);
  void* b = aligned_alloc(64, 128);
  Use(b, 128);
  void* c = memalign(4096, 10);
  Use(c, 10);
  void* v = valloc(50);
  Use(v, 50);
  const bool aligned = reinterpret_cast<std::uintptr_t>(a) % 256 == 0 &&
                       reinterpret_cast<std::uintptr_t>(b) % 64 == 0 &&
                       reinterpret_cast<std::uintptr_t>(c) % 4096 == 0 &&
                       reinterpret_cast<std::uintptr_t>(v) % 4096 == 0;
  std::free(a);
  std::free(b);
  std::free(c);
  std::free(v);
  Counters d = ThisThread() - before;
  EXPECT_EQ(rc, 0);
  EXPECT_TRUE(aligned);
  EXPECT_EQ(d.bytes, 100u + 128 + 10 + 50);
  EXPECT_EQ(d.calls, 4u);
  EXPECT_EQ(d.frees, 4u);
  int bad = posix_memalign(&a, 24, 10);  // not a power of two
  EXPECT_EQ(bad, EINVAL);
}

struct alignas(128) Wide {
  char bytes[300];
};

TEST(Meter, EveryOperatorNewForm) {
  Counters before = ThisThread();
  int* one = new int(5);
  Use(one, sizeof(int));
  int* many = new int[10];
  Use(many, 40);
  int* nothrow_one = new (std::nothrow) int;
  Use(nothrow_one, 4);
  char* nothrow_many = new (std::nothrow) char[33];
  Use(nothrow_many, 33);
  Wide* wide = new Wide;
  Use(wide, sizeof(Wide));
  Wide* wides = new Wide[2];
  Use(wides, 2 * sizeof(Wide));
  Wide* nothrow_wide = new (std::nothrow) Wide;
  Use(nothrow_wide, sizeof(Wide));
  void* raw = ::operator new(77, std::align_val_t{64});
  Use(raw, 77);
  const bool aligned = reinterpret_cast<std::uintptr_t>(wide) % 128 == 0 &&
                       reinterpret_cast<std::uintptr_t>(wides) % 128 == 0 &&
                       reinterpret_cast<std::uintptr_t>(raw) % 64 == 0;
  delete one;
  delete[] many;
  delete nothrow_one;
  delete[] nothrow_many;
  delete wide;
  delete[] wides;
  delete nothrow_wide;
  ::operator delete(raw, 77, std::align_val_t{64});
  Counters d = ThisThread() - before;
  EXPECT_TRUE(aligned);
  // new Wide[2] may carry an array cookie only for types with destructors; Wide has none.
  EXPECT_EQ(d.bytes, 4u + 40 + 4 + 33 + 4 * sizeof(Wide) + 77);
  EXPECT_EQ(d.calls, 8u);
  EXPECT_EQ(d.frees, 8u);
  EXPECT_EQ(d.bytes_freed, d.bytes);
}

TEST(Meter, ZeroSizeRequestsAreCallsOfZeroBytes) {
  Counters before = ThisThread();
  void* m = std::malloc(0);
  Use(m, 0);
  char* n = new char[0];
  Use(n, 0);
  const bool got_pointer = m != nullptr;
  std::free(m);
  delete[] n;
  Counters d = ThisThread() - before;
  EXPECT_TRUE(got_pointer);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.calls, 2u);
  EXPECT_EQ(d.frees, 2u);
}

TEST(Meter, UsableSizeCoversTheRequest) {
  void* p = std::malloc(1000);
  Use(p, 1000);
  std::size_t usable = malloc_usable_size(p);
  std::free(p);
  EXPECT_GE(usable, 1000u);
  EXPECT_EQ(malloc_usable_size(nullptr), 0u);
}

TEST(Meter, FreeingOlderMemoryCountsOnlyTheFree) {
  void* old = std::malloc(4321);
  Use(old, 4321);
  Counters before = ThisThread();
  std::free(old);
  Counters d = ThisThread() - before;
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.calls, 0u);
  EXPECT_EQ(d.frees, 1u);
  EXPECT_EQ(d.bytes_freed, 4321u);
  EXPECT_EQ(d.net_bytes(), -4321);
}

TEST(Meter, ChargedBytesAreWhatTheBackendChargedForTheBlocks) {
  (void)BackendThreadAllocatedBytes();  // jemalloc initialises its mallctl tree once
  Counters before = ThisThread();
  unsigned long long jemalloc_before = BackendThreadAllocatedBytes();
  void* p = std::malloc(17);
  Use(p, 17);
  void* q = std::malloc(4097);
  Use(q, 4097);
  unsigned long long jemalloc_after = BackendThreadAllocatedBytes();
  std::free(p);
  std::free(q);
  Counters d = ThisThread() - before;
  EXPECT_GE(d.charged_bytes, d.bytes + 2 * kHeaderBytes);  // each block holds its header too
  if (std::strcmp(AllocatorName(), "jemalloc") == 0) {
    // jemalloc's size classes for 17 + 16 and 4097 + 16 bytes (48 and 5,120).
    EXPECT_EQ(d.charged_bytes, 48u + 5120u);
    EXPECT_EQ(jemalloc_after - jemalloc_before, d.charged_bytes);  // jemalloc's own count agrees
  }
}

TEST(Meter, FailureInjectionOnceAndPersistent) {
  FailAllocation(2, /*persistent=*/false);
  void* a = std::malloc(10);
  void* b = std::malloc(10);  // fails
  void* c = std::malloc(10);
  StopFailing();
  EXPECT_NE(a, nullptr);
  EXPECT_EQ(b, nullptr);
  EXPECT_NE(c, nullptr);
  std::free(a);
  std::free(c);

  Counters before = ThisThread();
  FailAllocation(1, /*persistent=*/true);
  bool threw = false;
  try {
    int* never = new int[4];
    Use(never, 16);
  } catch (const std::bad_alloc&) {
    threw = true;
  }
  int* null_new = new (std::nothrow) int;
  void* null_malloc = std::malloc(1);
  std::uint64_t attempts = AttemptsSinceArmed();
  StopFailing();
  Counters d = ThisThread() - before;
  EXPECT_TRUE(threw);
  EXPECT_EQ(null_new, nullptr);
  EXPECT_EQ(null_malloc, nullptr);
  // Four, not three: throwing std::bad_alloc asks malloc for the exception object
  // (__cxa_allocate_exception), which fails too and falls back to libstdc++'s
  // emergency pool. The meter sees, and counts, that attempt as well.
  EXPECT_EQ(attempts, 4u);
  EXPECT_EQ(d.failed, 4u);
  EXPECT_EQ(d.calls, 0u);
  void* after = std::malloc(8);  // disarmed
  EXPECT_NE(after, nullptr);
  std::free(after);
}

TEST(Meter, PeakIsTheHighestLiveBytes) {
  ResetPeak();
  std::uint64_t base = LiveBytes();
  void* a = std::malloc(1000);
  Use(a, 1000);
  void* b = std::malloc(2000);
  Use(b, 2000);
  std::free(a);
  void* c = std::malloc(500);
  Use(c, 500);
  std::free(b);
  std::free(c);
  std::uint64_t peak = PeakLiveBytes() - base;
  EXPECT_EQ(peak, 3000u);
}

TEST(Meter, ProcessTotalsIncludeThisThread) {
  Counters process_before = Process();
  Counters before = ThisThread();
  void* p = std::malloc(999);
  Use(p, 999);
  std::free(p);
  Counters d = ThisThread() - before;
  Counters pd = Process() - process_before;
  EXPECT_EQ(d.bytes, 999u);
  EXPECT_GE(pd.bytes, 999u);  // other threads (none here) could only add
  EXPECT_EQ(pd.bytes, d.bytes);
}

}  // namespace
}  // namespace memh::harness::alloc

// ---- reallocarray, pvalloc, the C library's own allocations, a second thread ----

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

namespace memh::harness::alloc {
namespace {

// Through a volatile, so that the compiler neither folds nor warns about the figures.
std::size_t Opaque(std::size_t n) {
  volatile std::size_t v = n;
  return v;
}
// The same pointer, which the compiler can no longer follow (a failed reallocarray
// leaves its block valid; GCC's use-after-free warning cannot know it failed).
void* Launder(void* p) {
  asm volatile("" : "+r"(p));
  return p;
}

TEST(Meter, ReallocarrayIsOneCallAndOneFree) {
  void* p = std::malloc(40);
  Use(p, 40);
  Counters before = ThisThread();
  void* q = reallocarray(p, Opaque(25), Opaque(8));  // 200 bytes; the 40 released
  Use(q, 200);
  Counters d = ThisThread() - before;
  std::free(q);
  EXPECT_NE(q, nullptr);
  EXPECT_EQ(d.calls, 1u);
  EXPECT_EQ(d.bytes, 200u);
  EXPECT_EQ(d.frees, 1u);
  EXPECT_EQ(d.bytes_freed, 40u);

  before = ThisThread();
  void* fresh = reallocarray(nullptr, Opaque(3), Opaque(7));  // from null: a malloc of 21
  Use(fresh, 21);
  std::free(fresh);
  d = ThisThread() - before;
  EXPECT_EQ(d.calls, 1u);
  EXPECT_EQ(d.bytes, 21u);
  EXPECT_EQ(d.frees, 1u);
  EXPECT_EQ(d.bytes_freed, 21u);
}

TEST(Meter, ReallocarrayOverflowIsEnomemAndCountsNothing) {
  void* p = std::malloc(16);
  Use(p, 16);
  static_cast<unsigned char*>(p)[15] = 0x3C;
  Counters before = ThisThread();
  errno = 0;
  void* q = reallocarray(Launder(p), Opaque(SIZE_MAX / 2 + 1), Opaque(2));  // count * size overflows
  const int err = errno;
  errno = 0;
  void* r = reallocarray(nullptr, Opaque(SIZE_MAX), Opaque(SIZE_MAX));
  const int err_null = errno;
  Counters d = ThisThread() - before;
  const bool kept = static_cast<unsigned char*>(p)[15] == 0x3C;  // the old block is untouched
  std::free(p);
  EXPECT_EQ(q, nullptr);
  EXPECT_EQ(err, ENOMEM);
  EXPECT_EQ(r, nullptr);
  EXPECT_EQ(err_null, ENOMEM);
  EXPECT_TRUE(kept);
  EXPECT_EQ(d, Counters{});  // no call, no free, nothing failed by injection
}

TEST(Meter, PvallocCountsTheRequestRoundedUpToWholePages) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  Counters before = ThisThread();
  void* one = pvalloc(Opaque(1));
  Use(one, page);  // the whole page is the caller's
  void* exact = pvalloc(Opaque(page));
  Use(exact, page);
  void* over = pvalloc(Opaque(page + 1));
  Use(over, 2 * page);
  void* zero = pvalloc(Opaque(0));
  Use(zero, 0);
  const bool aligned = reinterpret_cast<std::uintptr_t>(one) % page == 0 &&
                       reinterpret_cast<std::uintptr_t>(exact) % page == 0 &&
                       reinterpret_cast<std::uintptr_t>(over) % page == 0;
  std::free(one);
  std::free(exact);
  std::free(over);
  std::free(zero);
  Counters d = ThisThread() - before;
  EXPECT_TRUE(aligned);
  EXPECT_NE(zero, nullptr);
  // The meter counts what pvalloc asks its aligned allocation for: whole pages (0 stays 0).
  EXPECT_EQ(d.bytes, page + page + 2 * page + 0);
  EXPECT_EQ(d.calls, 4u);
  EXPECT_EQ(d.frees, 4u);
  EXPECT_EQ(d.bytes_freed, d.bytes);
}

TEST(Meter, PvallocOfMoreThanMemoryIsEnomemNotAZeroByteBlock) {
  // Rounding SIZE_MAX - 10 up to a page overflows; that request cannot be met (glibc:
  // null and ENOMEM), and a small block in its place would be a buffer overrun waiting.
  Counters before = ThisThread();
  errno = 0;
  void* huge = pvalloc(Opaque(SIZE_MAX - 10));
  const int err = errno;
  Counters d = ThisThread() - before;
  std::free(huge);
  EXPECT_EQ(huge, nullptr);
  EXPECT_EQ(err, ENOMEM);
  EXPECT_EQ(d.calls, 0u);
  EXPECT_EQ(d.bytes, 0u);
}

TEST(Meter, StrdupInsideTheCLibraryIsOneCallOfItsLengthPlusOne) {
  const std::string text = "the meter sees libc's own malloc calls";  // 38 characters
  Counters before = ThisThread();
  char* copy = strdup(text.c_str());
  Use(copy, text.size() + 1);
  char* part = strndup(text.c_str(), Opaque(9));
  Use(part, 10);
  std::free(copy);
  std::free(part);
  Counters d = ThisThread() - before;
  EXPECT_EQ(d.calls, 2u);
  EXPECT_EQ(d.bytes, 39u + 10u);
  EXPECT_EQ(d.frees, 2u);
  EXPECT_EQ(d.bytes_freed, 39u + 10u);
}

TEST(Meter, StdioAllocatesInsideTheCLibraryAndFreesItAll) {
  char path[] = "/tmp/memh-meter-stdio-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  char line[64] = {};
  Counters before = ThisThread();
  std::FILE* out = std::fopen(path, "w");
  const bool wrote = out != nullptr && std::fputs("a line\n", out) >= 0;
  const bool closed_out = out != nullptr && std::fclose(out) == 0;
  Counters after_write = ThisThread();
  std::FILE* in = std::fopen(path, "r");
  const bool read = in != nullptr && std::fgets(line, sizeof line, in) != nullptr;
  const bool closed_in = in != nullptr && std::fclose(in) == 0;
  Counters d = ThisThread() - before;
  Counters d_write = after_write - before;
  unlink(path);
  EXPECT_TRUE(wrote && closed_out && read && closed_in);
  EXPECT_STREQ(line, "a line\n");
  // The FILE and its buffer, each freed by fclose: calls counted, all of them freed.
  EXPECT_GT(d_write.calls, 0u);
  EXPECT_EQ(d_write.frees, d_write.calls);
  EXPECT_EQ(d_write.net_bytes(), 0);
  EXPECT_GT(d.calls, d_write.calls);
  EXPECT_EQ(d.frees, d.calls);
  EXPECT_EQ(d.bytes_freed, d.bytes);
  EXPECT_EQ(d.net_bytes(), 0);
}

TEST(Meter, AnotherThreadsCountsAreItsOwnAndAddUpInTheProcess) {
  // A first thread out of the way: glibc keeps its stack (and TLS vector) for the next.
  std::thread warm([] {});
  warm.join();

  std::atomic<bool> go{false};
  Counters at_start, in_thread;
  void* handed_over = nullptr;
  auto body = [&] {
    at_start = ThisThread();
    while (!go.load()) {
    }
    Counters t0 = ThisThread();
    void* a = std::malloc(1000);
    Use(a, 1000);
    char* b = new char[2345];
    Use(b, 2345);
    void* c = std::calloc(3, 100);
    Use(c, 300);
    std::free(a);
    delete[] b;
    in_thread = ThisThread() - t0;
    handed_over = c;  // freed by the main thread: that free is the main thread's
  };
  Counters p0 = Process();
  Counters m0 = ThisThread();
  std::thread worker(body);
  Counters m_start = ThisThread() - m0;  // libstdc++'s state for the thread, freed by the thread
  go.store(true);
  worker.join();
  Counters m_all = ThisThread() - m0;
  Counters p = Process() - p0;
  Counters whole_thread = p - m_all;  // everything the thread did, from start to exit
  Counters m1 = ThisThread();
  std::free(handed_over);
  Counters main_free = ThisThread() - m1;

  EXPECT_EQ(at_start, Counters{});  // a thread's counters start at zero
  EXPECT_EQ(in_thread.calls, 3u);
  EXPECT_EQ(in_thread.bytes, 1000u + 2345 + 300);
  EXPECT_EQ(in_thread.frees, 2u);
  EXPECT_EQ(in_thread.bytes_freed, 1000u + 2345);
  EXPECT_EQ(m_start.calls, 1u);
  EXPECT_EQ(m_start.frees, 0u);
  EXPECT_EQ(m_all, m_start);  // join allocates nothing
  // What the process gained beyond the main thread is exactly the thread's figures,
  // plus its freeing the state the main thread made for it.
  EXPECT_EQ(whole_thread.calls, in_thread.calls);
  EXPECT_EQ(whole_thread.bytes, in_thread.bytes);
  EXPECT_EQ(whole_thread.charged_bytes, in_thread.charged_bytes);
  EXPECT_EQ(whole_thread.frees, in_thread.frees + 1);
  EXPECT_EQ(whole_thread.bytes_freed, in_thread.bytes_freed + m_start.bytes);
  EXPECT_EQ(main_free.frees, 1u);
  EXPECT_EQ(main_free.bytes_freed, 300u);
}

}  // namespace
}  // namespace memh::harness::alloc
