// Copying into a shared file mapping without letting a bad page kill the process.
//
// A store on a file mapped MAP_SHARED turns what would have been a failed pwrite (the
// device failed to read a page back in, a block could not be allocated, another
// process truncated the file under us) into SIGBUS at the faulting store. Copies made
// through CopyPiecesGuarded catch that signal on the calling thread and report it as a
// failed copy, so the engine returns an error instead of dying. A SIGBUS raised
// anywhere else goes to the handler installed before ours (or the default: a core).
#pragma once

#include <cstdint>
#include <span>

namespace memh::engine {

// Copies `pieces` back to back to `to`. False when the copy faulted (SIGBUS); the
// bytes before the faulting page may have been copied.
bool CopyPiecesGuarded(std::uint8_t* to, std::span<const std::span<const std::uint8_t>> pieces);

}  // namespace memh::engine
