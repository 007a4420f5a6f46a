#include "runner/symbolize.h"

#include <link.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace memh::harness {
namespace {

struct ModuleHit {
  std::uintptr_t pc = 0;
  std::string path;  // "" when not found
  std::uintptr_t bias = 0;
};

std::string SelfExe() {
  std::array<char, 4096> buffer;
  const ssize_t n = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  return n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : std::string();
}

int FindModule(dl_phdr_info* info, std::size_t, void* arg) {
  ModuleHit* hit = static_cast<ModuleHit*>(arg);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    const std::uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (hit->pc >= start && hit->pc < start + ph.p_memsz) {
      hit->path = info->dlpi_name != nullptr && info->dlpi_name[0] != '\0' ? info->dlpi_name : SelfExe();
      hit->bias = info->dlpi_addr;
      return 1;
    }
  }
  return 0;
}

std::string BaseName(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string StripLine(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

// addr2line -a -f -i -C: per address a line "0x<hex>", then pairs of lines, function and
// "file:line", innermost inlined frame first. Unknown parts are "??" and "??:0".
void RunAddr2line(const std::string& module, const std::vector<std::uintptr_t>& offsets,
                  std::vector<std::vector<SourceFrame>>& out) {
  out.assign(offsets.size(), {});
  std::string command = "addr2line -a -f -i -C -e " + Quote(module);
  char hex[32];
  for (std::uintptr_t offset : offsets) {
    std::snprintf(hex, sizeof hex, " 0x%llx", static_cast<unsigned long long>(offset));
    command += hex;
  }
  command += " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return;
  std::vector<std::string> lines;
  std::array<char, 8192> chunk;
  while (std::fgets(chunk.data(), chunk.size(), pipe) != nullptr) lines.push_back(StripLine(chunk.data()));
  if (pclose(pipe) != 0) return;  // whatever it printed is not to be trusted
  std::size_t index = 0;
  bool started = false;
  for (std::size_t i = 0; i < lines.size();) {
    if (lines[i].rfind("0x", 0) == 0) {
      if (started) ++index;
      started = true;
      ++i;
      continue;
    }
    if (!started || index >= out.size() || i + 1 >= lines.size()) break;
    SourceFrame frame;
    if (lines[i] != "??") frame.function = lines[i];
    std::string where = lines[i + 1];
    const std::size_t discriminator = where.find(" (discriminator");
    if (discriminator != std::string::npos) where.resize(discriminator);
    const std::size_t colon = where.rfind(':');
    if (colon != std::string::npos) {
      if (where.compare(0, colon, "??") != 0) frame.file = where.substr(0, colon);
      frame.line = static_cast<unsigned>(std::strtoul(where.c_str() + colon + 1, nullptr, 10));
    }
    if (!frame.function.empty() || !frame.file.empty()) out[index].push_back(std::move(frame));
    i += 2;
  }
}

}  // namespace

std::vector<const CodeLocation*> Symbolizer::Lookup(std::span<const std::uintptr_t> pcs) {
  // Per module, the addresses not seen yet.
  std::map<std::string, std::vector<std::uintptr_t>> missing;
  for (std::uintptr_t pc : pcs) {
    if (cache_.count(pc) != 0) continue;
    ModuleHit hit;
    hit.pc = pc;
    dl_iterate_phdr(FindModule, &hit);
    CodeLocation& location = cache_[pc];
    location.module = hit.path.empty() ? "?" : BaseName(hit.path);
    // A return address: the call is the instruction before it.
    location.offset = pc - hit.bias - 1;
    if (!hit.path.empty() && hit.path.find("linux-vdso") == std::string::npos) missing[hit.path].push_back(pc);
  }
  for (auto& [path, module_pcs] : missing) {
    constexpr std::size_t kBatch = 400;  // addresses per command line
    for (std::size_t begin = 0; begin < module_pcs.size(); begin += kBatch) {
      std::vector<std::uintptr_t> offsets;
      for (std::size_t i = begin; i < module_pcs.size() && i < begin + kBatch; ++i) {
        offsets.push_back(cache_[module_pcs[i]].offset);
      }
      std::vector<std::vector<SourceFrame>> frames;
      RunAddr2line(path, offsets, frames);
      for (std::size_t i = 0; i < offsets.size(); ++i) cache_[module_pcs[begin + i]].frames = std::move(frames[i]);
    }
  }
  std::vector<const CodeLocation*> out;
  out.reserve(pcs.size());
  for (std::uintptr_t pc : pcs) out.push_back(&cache_.at(pc));
  return out;
}

std::string ShortFunctionName(std::string_view name) {
  std::string s(name);
  // Clone suffixes (" [clone .cold]") and trailing qualifiers.
  for (std::size_t clone; (clone = s.find(" [clone")) != std::string::npos;) s.resize(clone);
  for (const char* suffix : {" const", " volatile", " &&", " &", " noexcept"}) {
    const std::string_view sv(suffix);
    while (s.size() > sv.size() && s.compare(s.size() - sv.size(), sv.size(), sv) == 0) s.resize(s.size() - sv.size());
  }
  // The parameter list: the parenthesised group that ends the name.
  if (!s.empty() && s.back() == ')') {
    int depth = 0;
    for (std::size_t i = s.size(); i-- > 0;) {
      if (s[i] == ')') ++depth;
      if (s[i] == '(' && --depth == 0) {
        // "operator()(...)": the group found is the parameters; keep "operator()".
        s.resize(i);
        break;
      }
    }
  }
  // A return type (templates' demangled names have one): what precedes the last space
  // outside template brackets and parentheses, unless that space belongs to "operator".
  int angle = 0, paren = 0;
  std::size_t cut = std::string::npos;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (s.compare(i, 8, "operator") == 0) break;  // "operator<", "operator new": stop here
    if (c == '<') ++angle;
    if (c == '>') --angle;
    if (c == '(') ++paren;
    if (c == ')') --paren;
    if (c == ' ' && angle == 0 && paren == 0) cut = i;
  }
  if (cut != std::string::npos) s = s.substr(cut + 1);
  return s;
}

}  // namespace memh::harness
