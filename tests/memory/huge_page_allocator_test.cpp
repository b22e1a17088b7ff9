#include "distance_matrix/memory/huge_page_allocator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>

namespace dm {
namespace {

constexpr std::size_t mib = std::size_t{1} << 20;

/// The VmFlags line of the mapping of /proc/self/smaps that holds `address`.
std::string vm_flags_of(const void* address) {
  const auto target = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= target && target < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return {};
}

TEST(HugePageAllocator, SmallBlocksHoldTheirValues) {
  LargeVector<int> values(1000);
  std::iota(values.begin(), values.end(), 0);
  values.push_back(1000);
  for (int index = 0; index <= 1000; ++index) EXPECT_EQ(values[static_cast<std::size_t>(index)], index);
}

TEST(HugePageAllocator, LargeBlocksStartOnAHugePageAndAreAdvised) {
  LargeVector<double> values(3 * mib / sizeof(double), 0.0);
  EXPECT_EQ(values[0], 0.0);
  EXPECT_EQ(values.back(), 0.0);
  if (!huge_pages::maps_large_blocks()) GTEST_SKIP() << "a sanitizer build: blocks come from operator new";
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(values.data()) % (2 * mib), 0u);
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage")) {
    GTEST_SKIP() << "this kernel has no transparent huge pages to advise";
  }
  // "hg": the mapping carries MADV_HUGEPAGE, whatever the system-wide mode.
  EXPECT_NE(vm_flags_of(values.data()).find(" hg"), std::string::npos) << vm_flags_of(values.data());
}

TEST(HugePageAllocator, GrowingAcrossTheThresholdKeepsEveryValue) {
  LargeVector<std::uint64_t> values;
  const std::size_t count = 5 * mib / sizeof(std::uint64_t);  // from operator new into mappings, reallocated
  for (std::uint64_t value = 0; value < count; ++value) values.push_back(value * 7);
  for (std::size_t index = 0; index < count; index += 4099) EXPECT_EQ(values[index], index * 7);
  EXPECT_EQ(values.back(), (count - 1) * 7);
  values.clear();
  values.shrink_to_fit();
  EXPECT_EQ(values.capacity(), 0u);
}

TEST(HugePageAllocator, LargeArrayIsWritableEndToEnd) {
  LargeArray<std::int64_t> cells(3 * mib / sizeof(std::int64_t) + 5);
  ASSERT_EQ(cells.size(), 3 * mib / sizeof(std::int64_t) + 5);
  for (std::size_t index = 0; index < cells.size(); ++index) cells.data()[index] = -static_cast<std::int64_t>(index);
  EXPECT_EQ(cells.data()[0], 0);
  EXPECT_EQ(cells.data()[cells.size() - 1], -static_cast<std::int64_t>(cells.size() - 1));
}

TEST(HugePageAllocator, AFreedBlockIsReusedByTheNextThatFitsIt) {
  if (!huge_pages::maps_large_blocks()) GTEST_SKIP() << "a sanitizer build: blocks come from operator new";
  huge_pages::release_kept();
  void* const first = huge_pages::allocate(3 * mib);
  static_cast<unsigned char*>(first)[3 * mib - 1] = 7;
  huge_pages::deallocate(first, 3 * mib);
  EXPECT_EQ(huge_pages::kept_bytes(), 4 * mib);  // rounded up to whole huge pages
  // A smaller block takes the front of the kept mapping; the rest stays kept.
  void* const second = huge_pages::allocate(mib + 1);
  EXPECT_EQ(second, first);
  EXPECT_EQ(huge_pages::kept_bytes(), 2 * mib);
  void* const third = huge_pages::allocate(2 * mib);
  EXPECT_EQ(static_cast<unsigned char*>(third), static_cast<unsigned char*>(first) + 2 * mib);
  EXPECT_EQ(static_cast<unsigned char*>(third)[mib - 1], 7);  // reused as it was: not zeroed
  EXPECT_EQ(huge_pages::kept_bytes(), 0u);
  huge_pages::deallocate(second, mib + 1);
  huge_pages::deallocate(third, 2 * mib);
  EXPECT_EQ(huge_pages::kept_bytes(), 4 * mib);  // neighbours again: one range
  void* const whole = huge_pages::allocate(4 * mib);
  EXPECT_EQ(whole, first);
  huge_pages::deallocate(whole, 4 * mib);
  huge_pages::release_kept();
  EXPECT_EQ(huge_pages::kept_bytes(), 0u);
}

TEST(HugePageAllocator, ABlockThatFitsNoKeptMappingUnmapsThemAll) {
  if (!huge_pages::maps_large_blocks()) GTEST_SKIP() << "a sanitizer build: blocks come from operator new";
  huge_pages::release_kept();
  huge_pages::deallocate(huge_pages::allocate(2 * mib), 2 * mib);
  EXPECT_EQ(huge_pages::kept_bytes(), 2 * mib);
  void* const large = huge_pages::allocate(6 * mib);  // fits no kept range: they go, a fresh mapping comes
  EXPECT_EQ(huge_pages::kept_bytes(), 0u);
  huge_pages::deallocate(large, 6 * mib);
  EXPECT_EQ(huge_pages::kept_bytes(), 6 * mib);
  // Past the cap a freed block is unmapped, not kept.
  void* const over = huge_pages::allocate(80 * mib);
  huge_pages::deallocate(over, 80 * mib);
  EXPECT_EQ(huge_pages::kept_bytes(), 0u);
  huge_pages::release_kept();
}

TEST(HugePageAllocator, AnImpossibleSizeThrowsBadAlloc) {
  HugePageAllocator<double> allocator;
  EXPECT_THROW(static_cast<void>(allocator.allocate(static_cast<std::size_t>(-1) / 4)), std::bad_alloc);
  // Under a sanitizer operator new is the sanitizer's, which aborts on a
  // size past its limit (allocator_may_return_null=0) instead of throwing.
  if (huge_pages::maps_large_blocks()) {
    EXPECT_THROW(static_cast<void>(allocator.allocate(std::size_t{1} << 58)), std::bad_alloc);
  }
}

}  // namespace
}  // namespace dm
