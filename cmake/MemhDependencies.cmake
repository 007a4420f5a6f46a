# Every third-party dependency comes from a Debian package and is found here, once.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
find_package(PkgConfig REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(nlohmann_json 3 CONFIG REQUIRED)
find_package(tomlplusplus 3 CONFIG REQUIRED)
find_package(benchmark CONFIG REQUIRED)
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
# The checksum of the store file's registry, deltas and map (engine/src/checksum).
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
# The SQLite target (harness/targets/sqlite_target.cc): Debian's libsqlite3-dev.
find_package(SQLite3 REQUIRED)
if(BUILD_TESTING)
  find_package(GTest CONFIG REQUIRED)
  include(GoogleTest)
  # The scripts' tests run under Debian's interpreter on purpose: the python3 first on
  # PATH may be another one that cannot see python3-matplotlib. Chromium renders the
  # report in its test.
  find_program(MEMH_SYSTEM_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
  find_program(MEMH_CHROMIUM chromium REQUIRED)
endif()
