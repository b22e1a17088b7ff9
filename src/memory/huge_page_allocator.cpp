#include "distance_matrix/memory/huge_page_allocator.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DM_HUGE_PAGES_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define DM_HUGE_PAGES_SANITIZED 1
#endif
#endif

namespace dm::huge_pages {
namespace {

#ifdef DM_HUGE_PAGES_SANITIZED
constexpr bool own_mappings = false;
#else
constexpr bool own_mappings = true;
#endif

constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;

constexpr std::size_t round_up(std::size_t bytes) noexcept {
  return (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
}

/// Freed mappings, kept for the blocks allocated after them (why: the
/// header). A run allocates and frees its per-location arrays in stages
/// (the tree's build arrays go when the search's come), so most of its
/// blocks can come from those kept. At most `kept_bytes_cap`, so a
/// long-lived process (the Python module) holds little it does not use.
class KeptRanges {
 public:
  static constexpr std::size_t kept_bytes_cap = std::size_t{64} << 20;

  /// A kept range, or a piece of one, handed to a new block.
  struct Range {
    std::uintptr_t begin;
    std::size_t length;
  };
  static constexpr std::size_t capacity = 32;
  /// What take() hands over: one range that holds the whole block, or
  /// pieces (every kept range, the last one cut) that hold part of it and
  /// are moved into a fresh mapping, whose rest is new memory.
  struct Taken {
    std::array<Range, capacity> pieces{};
    std::size_t count = 0;
    std::size_t bytes = 0;
  };

  /// `length` bytes (a multiple of 2 MiB) from the smallest kept range that
  /// holds them (one piece of `length`), or else from as many kept ranges as
  /// there are, up to `length` in all (the rest of the block is fresh).
  /// Every kept byte is used before a fresh one, so keeping never adds to a
  /// process's peak, and memory already touched is never unmapped while a
  /// block still needs pages.
  Taken take(std::size_t length) noexcept {
    Taken taken;
    const std::lock_guard lock(mutex_);
    std::size_t best = count_;
    for (std::size_t index = 0; index < count_; ++index) {
      if (ranges_[index].length >= length && (best == count_ || ranges_[index].length < ranges_[best].length)) {
        best = index;
      }
    }
    if (best != count_) {
      taken.pieces[taken.count++] = take_from(best, length);
      taken.bytes = length;
      return taken;
    }
    while (count_ > 0 && taken.bytes < length) {
      // Largest first: the fewest moves.
      std::size_t largest = 0;
      for (std::size_t index = 1; index < count_; ++index) {
        if (ranges_[index].length > ranges_[largest].length) largest = index;
      }
      const Range piece = take_from(largest, std::min(ranges_[largest].length, length - taken.bytes));
      taken.pieces[taken.count++] = piece;
      taken.bytes += piece.length;
    }
    return taken;
  }

  void release() noexcept {
    std::array<Range, capacity> released{};
    std::size_t released_count = 0;
    {
      const std::lock_guard lock(mutex_);
      released = ranges_;
      released_count = count_;
      count_ = 0;
      kept_bytes_ = 0;
    }
    for (std::size_t index = 0; index < released_count; ++index) {
      ::munmap(reinterpret_cast<void*>(released[index].begin), released[index].length);
    }
  }

  [[nodiscard]] std::size_t bytes() noexcept {
    const std::lock_guard lock(mutex_);
    return kept_bytes_;
  }

  /// keep(), or munmap when it is not kept.
  void keep_or_unmap(void* block, std::size_t length) noexcept {
    if (!keep(block, length)) ::munmap(block, length);
  }

  /// Keeps [block, block + length) for a later take; false (the caller
  /// unmaps it) past the cap.
  bool keep(void* block, std::size_t length) noexcept {
    const std::lock_guard lock(mutex_);
    if (kept_bytes_ + length > kept_bytes_cap) return false;
    const auto begin = reinterpret_cast<std::uintptr_t>(block);
    std::size_t at = 0;  // ranges_ stay sorted by address, neighbours merged
    while (at < count_ && ranges_[at].begin < begin) ++at;
    const bool joins_previous = at > 0 && ranges_[at - 1].begin + ranges_[at - 1].length == begin;
    const bool joins_next = at < count_ && begin + length == ranges_[at].begin;
    if (joins_previous) {
      ranges_[at - 1].length += length;
      if (joins_next) {
        ranges_[at - 1].length += ranges_[at].length;
        erase(at);
      }
    } else if (joins_next) {
      ranges_[at].begin = begin;
      ranges_[at].length += length;
    } else {
      if (count_ == ranges_.size()) return false;
      for (std::size_t index = count_; index > at; --index) ranges_[index] = ranges_[index - 1];
      ranges_[at] = {begin, length};
      ++count_;
    }
    kept_bytes_ += length;
    return true;
  }

 private:
  Range take_from(std::size_t at, std::size_t length) noexcept {
    Range& range = ranges_[at];
    const Range piece{range.begin, length};
    range.begin += length;
    range.length -= length;
    kept_bytes_ -= length;
    if (range.length == 0) erase(at);
    return piece;
  }

  void erase(std::size_t at) noexcept {
    for (std::size_t index = at + 1; index < count_; ++index) ranges_[index - 1] = ranges_[index];
    --count_;
  }

  std::mutex mutex_;
  std::array<Range, capacity> ranges_{};
  std::size_t count_ = 0;
  std::size_t kept_bytes_ = 0;
};

constinit KeptRanges kept_ranges;

/// Moves the pages of [from, from + length) to [to, to + length), both
/// mapped, a huge page at a time: mremap moves within one mapping only, and
/// a kept range may span several (a block made of moved pieces). Where a
/// move fails, the source's pages not moved yet are unmapped and the
/// target's rest gets fresh pages instead; false when even that fails (the
/// target may then be a hole). Either way no source page is left mapped.
bool move_pages(std::uintptr_t from, std::uintptr_t to, std::size_t length) noexcept {
  for (std::size_t done = 0; done < length; done += huge_page_bytes) {
    void* const source = reinterpret_cast<void*>(from + done);
    void* const target = reinterpret_cast<void*>(to + done);
    if (::mremap(source, huge_page_bytes, huge_page_bytes, MREMAP_MAYMOVE | MREMAP_FIXED, target) != MAP_FAILED) {
      continue;
    }
    ::munmap(source, length - done);
    return ::mmap(target, length - done, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
           MAP_FAILED;
  }
  return true;
}

}  // namespace

bool maps_large_blocks() noexcept { return own_mappings; }

std::size_t kept_bytes() noexcept { return kept_ranges.bytes(); }

void release_kept() noexcept { kept_ranges.release(); }

void* allocate(std::size_t bytes) {
  if (!own_mappings || bytes < threshold_bytes) return ::operator new(bytes);
  const std::size_t length = round_up(bytes);
  if (length < bytes || length + huge_page_bytes < length) throw std::bad_alloc();
  KeptRanges::Taken taken = kept_ranges.take(length);
  if (taken.bytes == length && taken.count == 1) return reinterpret_cast<void*>(taken.pieces[0].begin);
  // Over-map by one huge page, then unmap the ends: what stays starts on a
  // 2 MiB boundary, so every one of its huge pages can be a real one.
  const auto map_fresh = [&] {
    return ::mmap(nullptr, length + huge_page_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  };
  void* mapped = map_fresh();
  if (mapped == MAP_FAILED && taken.count > 0) {
    // The kept pieces still count against a limit on the address space or
    // on committed memory: unmapped, as every kept range, the block may fit.
    for (std::size_t piece = 0; piece < taken.count; ++piece) {
      ::munmap(reinterpret_cast<void*>(taken.pieces[piece].begin), taken.pieces[piece].length);
    }
    taken.count = 0;
    kept_ranges.release();
    mapped = map_fresh();
  }
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(mapped);
  const std::uintptr_t aligned = (start + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
  const std::size_t head = aligned - start;
  const std::size_t tail = huge_page_bytes - head;
  if (head != 0) ::munmap(mapped, head);
  if (tail != 0) ::munmap(reinterpret_cast<void*>(aligned + length), tail);
  // The kept pieces' pages moved to the front of the block (page tables
  // only: nothing copied, nothing zeroed again); the rest is fresh.
  std::uintptr_t at = aligned;
  for (std::size_t piece = 0; piece < taken.count; ++piece) {
    const KeptRanges::Range& moved = taken.pieces[piece];
    if (!move_pages(moved.begin, at, moved.length)) {
      for (std::size_t left = piece + 1; left < taken.count; ++left) {
        kept_ranges.keep_or_unmap(reinterpret_cast<void*>(taken.pieces[left].begin), taken.pieces[left].length);
      }
      ::munmap(reinterpret_cast<void*>(aligned), length);
      throw std::bad_alloc();
    }
    at += moved.length;
  }
  void* const block = reinterpret_cast<void*>(aligned);
  // Advice only: where huge pages are off, the block still works with small pages.
  [[maybe_unused]] const int ignored = ::madvise(block, length, MADV_HUGEPAGE);
  return block;
}

void deallocate(void* block, std::size_t bytes) noexcept {
  if (block == nullptr) return;
  if (!own_mappings || bytes < threshold_bytes) {
    ::operator delete(block);
    return;
  }
  kept_ranges.keep_or_unmap(block, round_up(bytes));
}

}  // namespace dm::huge_pages
