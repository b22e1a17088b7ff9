#pragma once

// An output that fails on its n-th append, as a full disk would: for the
// tests that an error in a write stops a pipeline and reaches the caller.
#include <cstdint>
#include <string_view>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/output/matrix_output.hpp"

namespace dm::testing {

class FailingOutput final : public MatrixOutput {
 public:
  /// Fails on append number `fail_at` (from 1); 0 never fails, and counts.
  explicit FailingOutput(int fail_at) : fail_at_(fail_at) {}
  void append(std::string_view) override {
    if (++appends_ == fail_at_) throw IoError("cannot write 'x': No space left on device");
  }
  void write_at(std::uint64_t, std::string_view) override {}
  void commit() override {}
  /// The appends tried, the failing one included.
  [[nodiscard]] int appends() const { return appends_; }

 private:
  int fail_at_;
  int appends_ = 0;
};

}  // namespace dm::testing
