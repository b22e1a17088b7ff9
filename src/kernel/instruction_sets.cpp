#include "src/kernel/instruction_sets.hpp"

#include <hwy/detect_targets.h>

#if HWY_ARCH_X86
#include <cpuid.h>
#endif

namespace dm::simd {
namespace {

#if HWY_ARCH_X86

/// One CPUID leaf's registers; all zero when the CPU has no such leaf.
struct CpuidLeaf {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};

CpuidLeaf cpuid(unsigned leaf, unsigned subleaf) {
  CpuidLeaf registers;
  if (__get_cpuid_count(leaf, subleaf, &registers.eax, &registers.ebx, &registers.ecx, &registers.edx) == 0) {
    return {};
  }
  return registers;
}

constexpr bool has_bits(unsigned value, unsigned bits) { return (value & bits) == bits; }
constexpr unsigned bit(unsigned index) { return 1U << index; }

/// Which register states the OS saves on a context switch (XCR0). Only
/// readable when CPUID reports OSXSAVE.
unsigned long long enabled_register_states() {
  unsigned low = 0, high = 0;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0U));
  return (static_cast<unsigned long long>(high) << 32) | low;
}

// The CPUID flags of each target: what Highway 1.0's targets.cc requires
// (kGroupSSSE3, kGroupSSE4, kGroupAVX2, kGroupAVX3, kGroupAVX3_DL), plus the
// flags later Highway versions added (AVX512CD for AVX3; VBMI and GFNI for
// AVX3_DL), so that no Highway version's code for a target can meet a
// missing instruction. Leaf 1 ECX / EDX, leaf 7 EBX / ECX, leaf 0x80000001 ECX.
constexpr unsigned ssse3_leaf1_edx = bit(25) | bit(26);                  // SSE, SSE2
constexpr unsigned ssse3_leaf1_ecx = bit(0) | bit(9);                    // SSE3, SSSE3
constexpr unsigned sse4_leaf1_ecx = bit(1) | bit(19) | bit(20) | bit(25);  // PCLMULQDQ, SSE4.1, SSE4.2, AES
constexpr unsigned avx2_leaf1_ecx = bit(12) | bit(28) | bit(29);         // FMA, AVX, F16C
constexpr unsigned avx2_leaf7_ebx = bit(3) | bit(5) | bit(8);            // BMI1, AVX2, BMI2
constexpr unsigned avx2_extended_ecx = bit(5);                           // LZCNT
// AVX512F, AVX512DQ, AVX512CD, AVX512BW, AVX512VL
constexpr unsigned avx3_leaf7_ebx = bit(16) | bit(17) | bit(28) | bit(30) | bit(31);
// VBMI, VBMI2, GFNI, VAES, VPCLMULQDQ, VNNI, BITALG, VPOPCNTDQ
constexpr unsigned avx3_dl_leaf7_ecx = bit(1) | bit(6) | bit(8) | bit(9) | bit(10) | bit(11) | bit(12) | bit(14);
constexpr unsigned osxsave_leaf1_ecx = bit(27);

// XCR0 states: XMM (1), YMM (2), opmask (5), upper ZMM0-15 (6), ZMM16-31 (7).
constexpr unsigned long long xmm_state = 1ULL << 1;
constexpr unsigned long long ymm_state = xmm_state | (1ULL << 2);
constexpr unsigned long long zmm_state = ymm_state | (1ULL << 5) | (1ULL << 6) | (1ULL << 7);

std::int64_t detect() noexcept {
  std::int64_t targets = HWY_SCALAR | HWY_EMU128;
  const CpuidLeaf leaf1 = cpuid(1, 0);
  const CpuidLeaf leaf7 = cpuid(7, 0);
  const CpuidLeaf extended = cpuid(0x80000001U, 0);
  // Without OSXSAVE the OS enables no AVX state at all (Highway 1.0 would
  // trust CPUID alone there; refusing is the safe side).
  const unsigned long long states = has_bits(leaf1.ecx, osxsave_leaf1_ecx) ? enabled_register_states() : 0;

  const bool ssse3 = has_bits(leaf1.edx, ssse3_leaf1_edx) && has_bits(leaf1.ecx, ssse3_leaf1_ecx) &&
                     (states == 0 || (states & xmm_state) == xmm_state);
  const bool sse4 = ssse3 && has_bits(leaf1.ecx, sse4_leaf1_ecx);
  const bool avx2 = sse4 && has_bits(leaf1.ecx, avx2_leaf1_ecx) && has_bits(leaf7.ebx, avx2_leaf7_ebx) &&
                    has_bits(extended.ecx, avx2_extended_ecx) && (states & ymm_state) == ymm_state;
  const bool avx3 = avx2 && has_bits(leaf7.ebx, avx3_leaf7_ebx) && (states & zmm_state) == zmm_state;
  const bool avx3_dl = avx3 && has_bits(leaf7.ecx, avx3_dl_leaf7_ecx);

  if (ssse3) targets |= HWY_SSSE3;
  if (sse4) targets |= HWY_SSE4;
  if (avx2) targets |= HWY_AVX2;
  if (avx3) targets |= HWY_AVX3;
  if (avx3_dl) targets |= HWY_AVX3_DL;
  return targets;
}

#else  // not x86: only what the compiler's flags already require

std::int64_t detect() noexcept { return HWY_SCALAR | HWY_EMU128 | HWY_ENABLED_BASELINE; }

#endif

}  // namespace

std::int64_t runnable_highway_targets() noexcept {
  static const std::int64_t targets = detect();
  return targets;
}

}  // namespace dm::simd
