#pragma once

// DM_UNDER_SANITIZER is defined when this file is compiled with
// AddressSanitizer or ThreadSanitizer (GCC says so with __SANITIZE_*__,
// Clang with __has_feature). Tests that take resources away from the process
// (address space, threads) skip themselves then: the sanitizer runtimes need
// those resources too.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DM_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define DM_UNDER_SANITIZER 1
#endif
#endif
