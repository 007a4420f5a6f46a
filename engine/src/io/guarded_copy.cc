#include "io/guarded_copy.h"

#include <atomic>
#include <csetjmp>
#include <csignal>
#include <cstring>
#include <mutex>

namespace memh::engine {
namespace {

// Where the guarded copy on this thread resumes after a SIGBUS; null outside a copy.
thread_local sigjmp_buf* t_resume = nullptr;
struct sigaction g_previous;

void OnSigbus(int signal, siginfo_t* info, void* context) {
  if (t_resume != nullptr) siglongjmp(*t_resume, 1);
  // Not a guarded copy: hand the signal back to whoever had it before us. A fault
  // re-executes the faulting instruction, so restoring the previous action and
  // returning delivers the signal again, to that action.
  if (info != nullptr && info->si_code <= 0) {
    // Sent by kill()/raise(), not a fault: deliver it again ourselves.
    ::sigaction(SIGBUS, &g_previous, nullptr);
    ::raise(signal);
    return;
  }
  (void)context;
  ::sigaction(SIGBUS, &g_previous, nullptr);
}

void InstallOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action = {};
    action.sa_sigaction = OnSigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGBUS, &action, &g_previous);
  });
}

// Out of line, so nothing of it is hoisted across the sigsetjmp.
[[gnu::noinline]] void CopyPieces(std::uint8_t* to, std::span<const std::span<const std::uint8_t>> pieces) {
  for (std::span<const std::uint8_t> piece : pieces) {
    if (piece.empty()) continue;
    std::memcpy(to, piece.data(), piece.size());
    to += piece.size();
  }
}

}  // namespace

bool CopyPiecesGuarded(std::uint8_t* to, std::span<const std::span<const std::uint8_t>> pieces) {
  InstallOnce();
  sigjmp_buf resume;
  // The mask is not saved (that is a system call per copy): the handler runs with
  // SA_NODEFER, so SIGBUS is never blocked and the jump out leaves the mask as it was.
  if (sigsetjmp(resume, 0) != 0) {
    t_resume = nullptr;
    return false;
  }
  t_resume = &resume;
  std::atomic_signal_fence(std::memory_order_seq_cst);  // the handler sees it set before any store
  CopyPieces(to, pieces);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  t_resume = nullptr;
  return true;
}

}  // namespace memh::engine
