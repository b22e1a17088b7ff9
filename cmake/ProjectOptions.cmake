# Warnings and sanitizers, applied to the project's own targets through dm_project_options.
add_library(dm_project_options INTERFACE)
target_compile_options(dm_project_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion)
if(DM_WARNINGS_AS_ERRORS)
  target_compile_options(dm_project_options INTERFACE -Werror)
endif()

if(DM_SANITIZER STREQUAL "address")
  set(dm_sanitizer_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 optimizing ASan's instrumentation reports moved-from
    # std::vectors inside Asio's channels as maybe-uninitialized, a known
    # false positive of that combination; the ci-gcc build checks this
    # warning on the same code without the instrumentation.
    list(APPEND dm_sanitizer_flags -Wno-maybe-uninitialized)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # Clang 14's function sanitizer cannot compile Asio's coroutines
    # (async_runner.cpp: "Cannot represent a difference across sections").
    list(APPEND dm_sanitizer_flags -fno-sanitize=function)
  endif()
elseif(DM_SANITIZER STREQUAL "thread")
  set(dm_sanitizer_flags -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT DM_SANITIZER STREQUAL "")
  message(FATAL_ERROR "DM_SANITIZER must be '', 'address' or 'thread', not '${DM_SANITIZER}'")
endif()
if(dm_sanitizer_flags)
  # Applied globally so that GoogleTest and every test binary are instrumented alike.
  add_compile_options(${dm_sanitizer_flags})
  add_link_options(${dm_sanitizer_flags})
endif()

if(DM_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DM_BUILD_FUZZERS needs Clang (libFuzzer): use the 'fuzz' preset")
  endif()
endif()
