# Every dependency comes from a Debian package (see scripts/setup); nothing is downloaded.
find_package(Threads REQUIRED)
find_package(TBB REQUIRED)
find_package(CLI11 REQUIRED)
find_package(hwy REQUIRED)  # Highway: the SIMD kernel's vectors, compiled per instruction set
# Only Highway's headers: the library picks the instruction set itself
# (src/kernel/instruction_sets.hpp), because linking hwy::hwy loads libhwy.so, whose
# static initializer costs every process start some 4 ms (Highway 1.0.3).
add_library(hwy_headers INTERFACE)
target_include_directories(hwy_headers SYSTEM INTERFACE $<TARGET_PROPERTY:hwy::hwy,INTERFACE_INCLUDE_DIRECTORIES>)
find_package(dragonbox REQUIRED)  # the shortest decimal digits of a double, for the CSV encoders
# Compressed input, recognized by content (zlib1g-dev, libzstd-dev, liblzma-dev).
find_package(ZLIB REQUIRED)
find_package(zstd CONFIG REQUIRED)
find_package(LibLZMA REQUIRED)
# GeoJSON input (libsimdjson-dev).
find_package(simdjson CONFIG REQUIRED)
# GeographicLib (libgeographiclib-dev): Karney's geodesics, the --metric geodesic
# kernel. Debian ships its pkg-config module; its CMake find module lies outside
# CMake's search path and defines no target.
find_package(PkgConfig REQUIRED)
pkg_check_modules(GeographicLib REQUIRED IMPORTED_TARGET geographiclib)
# libdeflate (libdeflate-dev): the CRC-32 of the .npz members, with carry-less
# multiplication where the CPU has it (zlib 1.2.13's is table-driven, 4-6x slower).
# Linked the way GeographicLib is: its pkg-config target, no CMake package.
pkg_check_modules(libdeflate REQUIRED IMPORTED_TARGET libdeflate)

# Open MPI for `-e mpi` (libopenmpi-dev): on by default when it is found.
# Only MPI's C API is used: the deprecated C++ bindings are left out.
set(MPI_CXX_SKIP_MPICXX ON)
find_package(MPI COMPONENTS CXX QUIET)
option(DM_WITH_MPI "Build the MPI module of the tool (-e mpi)" ${MPI_CXX_FOUND})
if(DM_WITH_MPI)
  find_package(MPI COMPONENTS CXX REQUIRED)
endif()

# Standalone Asio is header-only and ships no CMake package on Debian.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(asio_standalone INTERFACE)
target_include_directories(asio_standalone SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(asio_standalone INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(asio_standalone INTERFACE Threads::Threads)

if(DM_BUILD_TESTS)
  find_package(GTest REQUIRED)
  # MPFR: the tests' high-precision reference for the kernel's accuracy contract.
  find_path(MPFR_INCLUDE_DIR mpfr.h REQUIRED)
  find_library(MPFR_LIBRARY mpfr REQUIRED)
  add_library(mpfr::mpfr INTERFACE IMPORTED)
  target_include_directories(mpfr::mpfr SYSTEM INTERFACE ${MPFR_INCLUDE_DIR})
  target_link_libraries(mpfr::mpfr INTERFACE ${MPFR_LIBRARY})
endif()
if(DM_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
