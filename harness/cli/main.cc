// memharness-<variant>: the CLI over the engine variant this executable links.
#include "cli/cli_app.h"

#ifndef MEMH_VARIANT_NAME
#error "the build defines MEMH_VARIANT_NAME for each memharness executable"
#endif

int main(int argc, char** argv) { return memh::harness::RunCli(argc, argv, MEMH_VARIANT_NAME); }
