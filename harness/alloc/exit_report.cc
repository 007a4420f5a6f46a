// The meter's process-wide totals at the very end of the process, written to the file
// named by MEMH_METER_EXIT_REPORT (if set) as one JSON object. scripts/heaptrack.sh
// puts them beside heaptrack's totals for the same run: both then cover the whole
// process, so their call counts can be held to each other exactly.
//
// "nested_calls", "foreign_calls": profiler_support.h.
//
// It runs as a destructor of the lowest priority number, i.e. after every C++ static
// destructor and every other destructor function of the executable, so nothing the
// program itself allocates is missed. It must not allocate: snprintf into a stack
// buffer, then open/write/close.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "alloc/backend.h"
#include "alloc/meter.h"
#include "alloc/profiler_support.h"

namespace memh::harness::alloc {
namespace {

// The executable's own initialisation begins: shared libraries (and a preloaded
// profiler) have run their constructors by then; the program's have not.
__attribute__((constructor(101))) void MarkProgramStart() { MarkProgramStarted(); }

__attribute__((destructor(101))) void WriteExitReport() {
  const char* path = std::getenv("MEMH_METER_EXIT_REPORT");
  if (path == nullptr || *path == '\0') return;
  const Counters c = Process();
  char text[512];
  const int n = std::snprintf(
      text, sizeof text,
      "{\"allocator\": \"%s\", \"calls\": %llu, \"bytes\": %llu, \"frees\": %llu, \"bytes_freed\": %llu, "
      "\"bootstrap_calls\": %llu, \"nested_calls\": %llu, \"foreign_calls\": %llu}\n",
      BackendName(), static_cast<unsigned long long>(c.calls), static_cast<unsigned long long>(c.bytes),
      static_cast<unsigned long long>(c.frees), static_cast<unsigned long long>(c.bytes_freed),
      BackendBootstrapCalls(),
      static_cast<unsigned long long>(NestedCalls()), static_cast<unsigned long long>(ForeignCalls()));
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || n <= 0) return;
  (void)!write(fd, text, static_cast<std::size_t>(n));
  close(fd);
}

}  // namespace
}  // namespace memh::harness::alloc
