// distance_matrix/distributed/communicator.hpp
//
// Communicator and SharedFile: the few collective operations a distributed
// run needs, as an interface, so that the library never links MPI (the tool
// loads its MPI module only for -e mpi). SingleProcessCommunicator is a job of
// one, for callers without MPI and for tests.
//
// Thread safety: a communicator is used by one thread of its rank; every rank
// calls the collectives in the same order.
//
// Example:
//   dm::SingleProcessCommunicator one;
//   std::string bytes = "locations";
//   one.broadcast(bytes, 0);                              // a job of one: unchanged
//   const std::uint64_t before = one.exclusive_prefix_sum(42);  // 0 on rank 0

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dm {

/// One file that every rank of a job writes at once, each at its own
/// offsets (MPI-IO). Errors are thrown as std::runtime_error naming the
/// reason; the caller adds the file name.
class SharedFile {
 public:
  virtual ~SharedFile() = default;

  /// Writes all of `bytes` at byte `offset`, independently of other ranks.
  virtual void write_at(std::uint64_t offset, std::string_view bytes) = 0;
  /// Collective: makes what every rank wrote reach the file and closes it.
  virtual void close() = 0;
};

/// The few collective operations a distributed matrix run needs, as an
/// interface so that the library never links MPI: the tool loads its MPI
/// implementation (a module, see apps/mpi/mpi_module.hpp) only when `-e mpi` is
/// asked for, and tests can run the logic over a single process.
///
/// Every collective must be called by every rank in the same order; a
/// failure of the transport itself (a rank that died) ends the whole job,
/// as MPI does by default, so no rank ever waits forever.
class Communicator {
 public:
  virtual ~Communicator() = default;

  [[nodiscard]] virtual unsigned rank() const noexcept = 0;
  [[nodiscard]] virtual unsigned size() const noexcept = 0;
  /// How many ranks of the job share this rank's machine (and its cores):
  /// 1 unless the transport knows better.
  [[nodiscard]] virtual unsigned ranks_on_this_machine() const noexcept { return 1; }

  /// After the call every rank holds root's `bytes`.
  virtual void broadcast(std::string& bytes, unsigned root) = 0;
  /// The sum of `value` over the ranks before this one (0 on rank 0).
  [[nodiscard]] virtual std::uint64_t exclusive_prefix_sum(std::uint64_t value) = 0;
  /// Every rank's `value` in rank order, on `root` (empty elsewhere).
  [[nodiscard]] virtual std::vector<std::uint64_t> gather(std::uint64_t value, unsigned root) = 0;
  /// The smallest `value` over all ranks, on every rank.
  [[nodiscard]] virtual std::uint64_t all_min(std::uint64_t value) = 0;
  /// The smallest and the largest `value` over all ranks, on every rank.
  [[nodiscard]] virtual double all_min(double value) = 0;
  [[nodiscard]] virtual double all_max(double value) = 0;
  /// Collective: opens the existing file `path` for writing on every rank.
  [[nodiscard]] virtual std::unique_ptr<SharedFile> open_shared_file(const std::string& path) = 0;
  /// Ends every rank of the job with `exit_code` (MPI_Abort): for a failure
  /// one rank cannot share with the others, which would otherwise wait for
  /// it forever.
  [[noreturn]] virtual void abort(int exit_code) noexcept = 0;
};

/// The communicator of a job of one: every collective is the identity. For
/// library callers without MPI and for tests of the distributed logic.
class SingleProcessCommunicator final : public Communicator {
 public:
  [[nodiscard]] unsigned rank() const noexcept override { return 0; }
  [[nodiscard]] unsigned size() const noexcept override { return 1; }
  void broadcast(std::string&, unsigned) override {}
  [[nodiscard]] std::uint64_t exclusive_prefix_sum(std::uint64_t) override { return 0; }
  [[nodiscard]] std::vector<std::uint64_t> gather(std::uint64_t value, unsigned) override { return {value}; }
  [[nodiscard]] std::uint64_t all_min(std::uint64_t value) override { return value; }
  [[nodiscard]] double all_min(double value) override { return value; }
  [[nodiscard]] double all_max(double value) override { return value; }
  /// A POSIX file written with pwrite.
  [[nodiscard]] std::unique_ptr<SharedFile> open_shared_file(const std::string& path) override;
  /// Ends the process at once (std::_Exit), as MPI_Abort would.
  [[noreturn]] void abort(int exit_code) noexcept override;
};

}  // namespace dm
