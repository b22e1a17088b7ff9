#include "distance_matrix/memory/huge_page_allocator.hpp"

#include <sys/mman.h>

#include <cstdint>
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

}  // namespace

bool maps_large_blocks() noexcept { return own_mappings; }

void* allocate(std::size_t bytes) {
  if (!own_mappings || bytes < threshold_bytes) return ::operator new(bytes);
  const std::size_t length = round_up(bytes);
  if (length < bytes || length + huge_page_bytes < length) throw std::bad_alloc();
  // Over-map by one huge page, then unmap the ends: what stays starts on a
  // 2 MiB boundary, so every one of its huge pages can be a real one.
  void* const mapped =
      ::mmap(nullptr, length + huge_page_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(mapped);
  const std::uintptr_t aligned = (start + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
  const std::size_t head = aligned - start;
  const std::size_t tail = huge_page_bytes - head;
  if (head != 0) ::munmap(mapped, head);
  if (tail != 0) ::munmap(reinterpret_cast<void*>(aligned + length), tail);
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
  ::munmap(block, round_up(bytes));
}

}  // namespace dm::huge_pages
