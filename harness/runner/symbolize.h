// Names for return addresses of this process, after the measured steps (site_capture.h
// keeps only addresses): the module each is in, and from the module's debug
// information the function, file and line, inlined frames included. The lookup is
// binutils' addr2line, run once per module per batch of addresses (it reads DWARF,
// inlined subroutines included, and demangles); results are cached for the process.
//
// It never fails: an address whose module has no debug information, or when addr2line
// cannot be run, keeps its module and offset and no source frames, and callers name it
// by those (sites.h).
// Thread-safety: none; one Symbolizer per thread.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace memh::harness {

struct SourceFrame {
  std::string function;  // demangled, with its parameter list ("" when unknown)
  std::string file;      // as the debug information spells it ("" when unknown)
  unsigned line = 0;
};

struct CodeLocation {
  std::string module;        // the object's file name ("memharness-baseline", "libc.so.6")
  std::uintptr_t offset = 0; // of the return address, in that object
  // Innermost first: the frames inlined at the address, then the function they are in.
  std::vector<SourceFrame> frames;
  bool known() const { return !frames.empty(); }
};

class Symbolizer {
 public:
  // One location per address, in order. Pointers stay valid while the Symbolizer lives.
  std::vector<const CodeLocation*> Lookup(std::span<const std::uintptr_t> return_addresses);

 private:
  std::map<std::uintptr_t, CodeLocation> cache_;
};

// "memh::engine::Store::Put" from "void memh::engine::Store::Put<int>(int) const": the
// qualified name without return type, parameters, qualifiers or clone suffixes.
std::string ShortFunctionName(std::string_view demangled);

}  // namespace memh::harness
