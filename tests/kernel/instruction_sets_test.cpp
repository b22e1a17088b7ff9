// The library picks the simd kernel's instruction set itself (no libhwy.so).
// Its CPU detection is checked against an independent one: the compiler
// runtime's __builtin_cpu_supports (libgcc or compiler-rt), which also asks
// the OS (XGETBV) whether it saves the AVX and AVX-512 registers. Running an
// instruction set the CPU lacks would kill the process (SIGILL).
#include <gtest/gtest.h>

#include <hwy/detect_targets.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "src/kernel/instruction_sets.hpp"
#include "src/kernel/simd_distance.hpp"

namespace dm {
namespace {

// The features Highway's targets require that the compiler runtime can name
// (it has no names for F16C and LZCNT, which every AVX2 CPU has).
bool runtime_sees_ssse3() {
  return __builtin_cpu_supports("sse3") && __builtin_cpu_supports("ssse3");
}
bool runtime_sees_sse4() {
  return runtime_sees_ssse3() && __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("sse4.2") &&
         __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("aes");
}
bool runtime_sees_avx2() {
  return runtime_sees_sse4() && __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
         __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
}
bool runtime_sees_avx512() {
  return runtime_sees_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512cd");
}

bool detected(std::int64_t target) { return (simd::runnable_highway_targets() & target) != 0; }

TEST(InstructionSets, NeverClaimsAnInstructionSetTheCompilerRuntimeDoesNotSee) {
  __builtin_cpu_init();
  EXPECT_TRUE(!detected(HWY_SSSE3) || runtime_sees_ssse3());
  EXPECT_TRUE(!detected(HWY_SSE4) || runtime_sees_sse4());
  EXPECT_TRUE(!detected(HWY_AVX2) || runtime_sees_avx2());
  EXPECT_TRUE(!detected(HWY_AVX3) || runtime_sees_avx512());
  EXPECT_TRUE(detected(HWY_SCALAR));
  EXPECT_TRUE(detected(HWY_EMU128));
}

TEST(InstructionSets, FindsWhatTheCompilerRuntimeSees) {
  __builtin_cpu_init();
  EXPECT_EQ(detected(HWY_SSSE3), runtime_sees_ssse3());
  EXPECT_EQ(detected(HWY_SSE4), runtime_sees_sse4());
  // AVX2 also needs F16C and LZCNT, which the runtime cannot name.
  EXPECT_TRUE(!detected(HWY_AVX2) || detected(HWY_AVX3) == runtime_sees_avx512());
}

TEST(InstructionSets, DispatchesToTheBestRunnableOneUnlessTold) {
  const std::vector<std::string_view> targets = simd::runnable_targets();
  ASSERT_FALSE(targets.empty());
  // Best first; Highway's portable code last, always runnable.
  EXPECT_TRUE(targets.back() == "SCALAR" || targets.back() == "EMU128") << targets.back();
  EXPECT_TRUE(!detected(HWY_AVX3) || targets.front() == "AVX3") << targets.front();
  const std::string_view best = simd::target_name();
  for (const std::string_view target : targets) {
    ASSERT_TRUE(simd::use_target(target)) << target;
    EXPECT_EQ(simd::target_name() == best, target == targets.front()) << target;
  }
  EXPECT_FALSE(simd::use_target("AVX9"));
  EXPECT_TRUE(simd::use_target(""));
  EXPECT_EQ(simd::target_name(), best);
}

TEST(InstructionSets, RefusesAnInstructionSetThatIsNotRunnable) {
  const std::vector<std::string_view> targets = simd::runnable_targets();
  for (const std::string_view name : {"AVX3_DL", "AVX3", "AVX2", "SSE4", "SSSE3", "NEON", ""}) {
    if (name.empty() || std::find(targets.begin(), targets.end(), name) != targets.end()) continue;
    EXPECT_FALSE(simd::use_target(name)) << name;
  }
  EXPECT_TRUE(simd::use_target(""));
}

}  // namespace
}  // namespace dm
