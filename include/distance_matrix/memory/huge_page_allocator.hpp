// Large blocks backed by transparent huge pages where the kernel allows it.
//
// A process that fills tens of megabytes touches thousands of fresh 4 KiB
// pages, and each first touch is a page fault. On a virtual machine a fault
// can cost 10 µs (measured on this project's machine: 16,900 faults were
// 0.18 s of a 0.33 s `--nearest` run, and two threads faulting at once
// also queue on the address space's lock). A block of 512 KiB or more (one
// double per location from 65,536 locations on) is therefore mapped on
// its own, 2 MiB aligned and rounded up to 2 MiB, with MADV_HUGEPAGE: one
// fault per 2 MiB instead of 128 to 512, for at most 1.5 MiB of waste
// while the block lives (zeroing a huge page, 0.13 ms, costs less than the
// 128 faults of a 512 KiB block). NumPy advises its arrays of 4 MiB or
// more the same way.
// Where huge pages are off ("never"), the advice changes nothing and the
// block works with small pages. A freed block's mapping is kept (up to
// 64 MiB) for the next blocks: even a huge page's first touch costs 0.13
// to 1.5 ms a MiB there (zeroing, and the host backing it again), memory
// already touched nothing. A block that fits none of the kept mappings is
// made of as many of them as it takes (their pages moved into its mapping
// with mremap: page tables only, nothing copied or zeroed), fresh pages
// only for the rest, so keeping never adds to a process's peak, and
// touched memory is never unmapped while a block needs pages. Smaller
// blocks, and every block under AddressSanitizer or ThreadSanitizer (so
// that the sanitizer sees it), come from operator new.
//
// Thread safety: allocate and deallocate may be called from any thread.
//
//   dm::LargeVector<double> latitudes;        // a std::vector with this allocator
//   latitudes.reserve(location_count);
//   dm::LargeArray<std::int64_t> indices(n * k);  // fixed size, not zeroed
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace dm {

namespace huge_pages {

/// Blocks at least this large get their own huge-page mapping, rounded up to 2 MiB.
inline constexpr std::size_t threshold_bytes = std::size_t{512} << 10;

/// `bytes` of uninitialised memory (not zeroed: a block may be one freed
/// before, kept, up to 64 MiB of them, because touching fresh memory costs
/// more than reusing it); throws std::bad_alloc.
[[nodiscard]] void* allocate(std::size_t bytes);
/// Frees what allocate(bytes) returned, with the same `bytes`.
void deallocate(void* block, std::size_t bytes) noexcept;
/// Whether blocks of threshold_bytes or more get their own mapping (false
/// in sanitizer builds).
[[nodiscard]] bool maps_large_blocks() noexcept;
/// Freed mappings kept for reuse, in bytes (at most 64 MiB; a block that
/// fits none of them takes as many as it needs).
[[nodiscard]] std::size_t kept_bytes() noexcept;
/// Unmaps every kept mapping: a long-lived process returning memory.
void release_kept() noexcept;

}  // namespace huge_pages

/// A standard allocator over huge_pages: a drop-in for std::allocator in
/// the vectors that hold per-location or per-result arrays.
template <typename T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() noexcept = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>& /*other*/) noexcept {}  // NOLINT: rebinding converts implicitly

  [[nodiscard]] T* allocate(std::size_t count) {
    if (count > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(huge_pages::allocate(count * sizeof(T)));
  }
  void deallocate(T* block, std::size_t count) noexcept { huge_pages::deallocate(block, count * sizeof(T)); }

  template <typename U>
  bool operator==(const HugePageAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

/// A growable array whose large buffers are huge-page backed.
template <typename T>
using LargeVector = std::vector<T, HugePageAllocator<T>>;

/// HugePageAllocator whose vectors default-initialise new elements: a
/// resize of numbers leaves them unwritten instead of zeroing them on the
/// calling thread, for arrays that are filled (in parallel) right after,
/// so that each page's first touch falls on the thread that fills it.
template <typename T>
struct UnzeroedHugePageAllocator : HugePageAllocator<T> {
  UnzeroedHugePageAllocator() noexcept = default;
  template <typename U>
  UnzeroedHugePageAllocator(const UnzeroedHugePageAllocator<U>& /*other*/) noexcept {}  // NOLINT: as above

  template <typename U>
  void construct(U* place) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(place)) U;
  }
  template <typename U, typename... Arguments>
  void construct(U* place, Arguments&&... arguments) {
    ::new (static_cast<void*>(place)) U(std::forward<Arguments>(arguments)...);
  }
};

/// A LargeVector whose resize leaves numbers unwritten (not zeroed).
template <typename T>
using UnzeroedLargeVector = std::vector<T, UnzeroedHugePageAllocator<T>>;

/// A growable byte buffer whose large blocks are huge-page backed.
using LargeString = std::basic_string<char, std::char_traits<char>, HugePageAllocator<char>>;

/// A fixed-size array of `count` default-initialised (not zeroed) values.
template <typename T>
class LargeArray {
 public:
  explicit LargeArray(std::size_t count)
      : values_(HugePageAllocator<T>().allocate(count)), count_(count) {
    std::uninitialized_default_construct_n(values_, count_);
  }
  ~LargeArray() {
    std::destroy_n(values_, count_);
    HugePageAllocator<T>().deallocate(values_, count_);
  }
  LargeArray(const LargeArray&) = delete;
  LargeArray& operator=(const LargeArray&) = delete;

  [[nodiscard]] T* data() noexcept { return values_; }
  [[nodiscard]] const T* data() const noexcept { return values_; }
  [[nodiscard]] std::size_t size() const noexcept { return count_; }

 private:
  T* values_;
  std::size_t count_;
};

}  // namespace dm
