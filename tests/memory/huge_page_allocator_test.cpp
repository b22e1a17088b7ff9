#include "distance_matrix/memory/huge_page_allocator.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
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

TEST(HugePageAllocator, KeptMappingsTooSmallEachAreMovedIntoALargerBlock) {
  if (!huge_pages::maps_large_blocks()) GTEST_SKIP() << "a sanitizer build: blocks come from operator new";
  huge_pages::release_kept();
  // Three blocks freed with a live one between each two: kept as separate
  // ranges (or merged, where the kernel placed them side by side).
  void* blocks[5];
  for (void*& block : blocks) block = huge_pages::allocate(2 * mib);
  for (int marked = 0; marked < 5; marked += 2) static_cast<unsigned char*>(blocks[marked])[0] = static_cast<unsigned char>(1 + marked);
  for (int freed = 0; freed < 5; freed += 2) huge_pages::deallocate(blocks[freed], 2 * mib);
  EXPECT_EQ(huge_pages::kept_bytes(), 6 * mib);
  // Larger than any one of them, as large as all three: made of them, as
  // they were (not zeroed: their pages moved, not fresh ones).
  auto* const joined = static_cast<unsigned char*>(huge_pages::allocate(6 * mib));
  EXPECT_EQ(huge_pages::kept_bytes(), 0u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(joined) % (2 * mib), 0u);
  std::multiset<int> markers;
  for (std::size_t piece = 0; piece < 3; ++piece) markers.insert(joined[piece * 2 * mib]);
  EXPECT_EQ(markers, (std::multiset<int>{1, 3, 5}));
  joined[6 * mib - 1] = 9;
  huge_pages::deallocate(joined, 6 * mib);
  EXPECT_EQ(huge_pages::kept_bytes(), 6 * mib);
  // Larger than all that is kept: the kept pages first (the joined block,
  // itself made of moved pieces), fresh (zeroed) ones after.
  auto* const larger = static_cast<unsigned char*>(huge_pages::allocate(10 * mib));
  EXPECT_EQ(huge_pages::kept_bytes(), 0u);
  markers.clear();
  for (std::size_t piece = 0; piece < 3; ++piece) markers.insert(larger[piece * 2 * mib]);
  EXPECT_EQ(markers, (std::multiset<int>{1, 3, 5}));
  EXPECT_EQ(larger[6 * mib - 1], 9);
  for (std::size_t at = 6 * mib; at < 10 * mib; at += 4096) ASSERT_EQ(larger[at], 0) << at;
  larger[10 * mib - 1] = 1;
  huge_pages::deallocate(larger, 10 * mib);
  huge_pages::deallocate(blocks[1], 2 * mib);
  huge_pages::deallocate(blocks[3], 2 * mib);
  EXPECT_EQ(huge_pages::kept_bytes(), 14 * mib);
  // Past the cap a freed block is unmapped, not kept.
  huge_pages::release_kept();
  void* const over = huge_pages::allocate(80 * mib);
  huge_pages::deallocate(over, 80 * mib);
  EXPECT_EQ(huge_pages::kept_bytes(), 0u);
  huge_pages::release_kept();
}

/// The process's address space in bytes (VmSize of /proc/self/status).
std::size_t address_space_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  }
  return 0;
}

TEST(HugePageAllocator, UnderAnAddressSpaceLimitTheKeptMappingsMakeRoom) {
  if (!huge_pages::maps_large_blocks()) GTEST_SKIP() << "a sanitizer build: blocks come from operator new";
  // In a child: the limit stays there. Kept mappings still hold address
  // space; a block that needs more than the limit leaves with them mapped
  // gets it once they are unmapped, as before they were ever moved.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    huge_pages::release_kept();
    void* blocks[3];
    for (void*& block : blocks) block = huge_pages::allocate(6 * mib);
    huge_pages::deallocate(blocks[0], 6 * mib);
    huge_pages::deallocate(blocks[2], 6 * mib);
    if (huge_pages::kept_bytes() != 12 * mib) ::_exit(2);
    // Room for 12 MiB more: a 14 MiB block (16 mapped, for the alignment)
    // fits only without the 12 kept.
    const rlimit limit{address_space_bytes() + 12 * mib, RLIM_INFINITY};
    if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(3);
    auto* const block = static_cast<unsigned char*>(huge_pages::allocate(14 * mib));
    block[14 * mib - 1] = 1;
    ::_exit(huge_pages::kept_bytes() == 0 ? 0 : 4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << status;  // a bad_alloc would abort: no exit at all
  EXPECT_EQ(WEXITSTATUS(status), 0);
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
