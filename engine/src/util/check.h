// MEMH_CHECK: for broken invariants (bugs), not for bad input. Prints file:line and
// the condition, then aborts. Bad input is a Status, never a MEMH_CHECK.
#pragma once

#include <cstdio>
#include <cstdlib>

#define MEMH_CHECK(cond)                                                        \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "%s:%d: MEMH_CHECK failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                      \
      std::abort();                                                             \
    }                                                                           \
  } while (0)
