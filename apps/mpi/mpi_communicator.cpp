// The MPI implementation of dm::Communicator, built as a module of its own
// (distance_matrix_mpi.so) that the tool loads only for `-e mpi`: linking
// libmpi into the tool would cost every other run its start-up time.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/distributed/communicator.hpp"
#include "mpi_module.hpp"

namespace {

/// The largest count one MPI call takes is an int: bigger buffers go in pieces.
constexpr std::size_t max_piece = std::size_t{1} << 30;

std::string describe(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return {text, static_cast<std::size_t>(length)};
}

void check(int code) {
  if (code != MPI_SUCCESS) throw std::runtime_error(describe(code));
}

/// Waits for every rank to arrive, sleeping instead of spinning. Open MPI's
/// blocking collectives poll at full speed: a rank that finished its share
/// would burn a core (often one its slower neighbour needs) until the others
/// catch up. Each collective first passes this barrier, so it then finds
/// every rank ready; the cost is at most about a millisecond per collective.
void wait_for_every_rank() {
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Ibarrier(MPI_COMM_WORLD, &request));
  int done = 0;
  for (check(MPI_Test(&request, &done, MPI_STATUS_IGNORE)); done == 0;
       check(MPI_Test(&request, &done, MPI_STATUS_IGNORE))) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

class MpiSharedFile final : public dm::SharedFile {
 public:
  explicit MpiSharedFile(const std::string& path) {
    wait_for_every_rank();
    check(MPI_File_open(MPI_COMM_WORLD, path.c_str(), MPI_MODE_WRONLY, MPI_INFO_NULL, &file_));
  }
  ~MpiSharedFile() override {
    if (file_ != MPI_FILE_NULL) MPI_File_close(&file_);
  }
  MpiSharedFile(const MpiSharedFile&) = delete;
  MpiSharedFile& operator=(const MpiSharedFile&) = delete;

  void write_at(std::uint64_t offset, std::string_view bytes) override {
    while (!bytes.empty()) {
      const std::size_t piece = std::min(bytes.size(), max_piece);
      MPI_Status status;
      check(MPI_File_write_at(file_, static_cast<MPI_Offset>(offset), bytes.data(), static_cast<int>(piece),
                              MPI_BYTE, &status));
      int written = 0;
      check(MPI_Get_count(&status, MPI_BYTE, &written));
      if (written <= 0) throw std::runtime_error("MPI_File_write_at wrote nothing");
      bytes.remove_prefix(static_cast<std::size_t>(written));
      offset += static_cast<std::uint64_t>(written);
    }
  }
  void close() override {
    wait_for_every_rank();
    check(MPI_File_close(&file_));
  }

 private:
  MPI_File file_ = MPI_FILE_NULL;
};

class MpiCommunicator final : public dm::Communicator {
 public:
  MpiCommunicator(int* argc, char*** argv) {
    // Only the main thread calls MPI; the local workers never do.
    int provided = 0;
    check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
    int rank = 0;
    int size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    rank_ = static_cast<unsigned>(rank);
    size_ = static_cast<unsigned>(size);
    // The ranks that can share memory are those of this machine.
    MPI_Comm machine = MPI_COMM_NULL;
    check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &machine));
    int on_machine = 1;
    MPI_Comm_size(machine, &on_machine);
    MPI_Comm_free(&machine);
    ranks_on_this_machine_ = static_cast<unsigned>(on_machine);
  }
  ~MpiCommunicator() override { MPI_Finalize(); }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  [[nodiscard]] unsigned rank() const noexcept override { return rank_; }
  [[nodiscard]] unsigned size() const noexcept override { return size_; }
  [[nodiscard]] unsigned ranks_on_this_machine() const noexcept override { return ranks_on_this_machine_; }

  void broadcast(std::string& bytes, unsigned root) override {
    wait_for_every_rank();
    std::uint64_t length = bytes.size();
    check(MPI_Bcast(&length, 1, MPI_UINT64_T, static_cast<int>(root), MPI_COMM_WORLD));
    bytes.resize(static_cast<std::size_t>(length));
    for (std::size_t done = 0; done < bytes.size(); done += max_piece) {
      const std::size_t piece = std::min(bytes.size() - done, max_piece);
      check(MPI_Bcast(bytes.data() + done, static_cast<int>(piece), MPI_BYTE, static_cast<int>(root),
                      MPI_COMM_WORLD));
    }
  }
  [[nodiscard]] std::uint64_t exclusive_prefix_sum(std::uint64_t value) override {
    wait_for_every_rank();
    std::uint64_t sum = 0;
    check(MPI_Exscan(&value, &sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD));
    return rank_ == 0 ? 0 : sum;  // MPI leaves rank 0's result undefined
  }
  [[nodiscard]] std::vector<std::uint64_t> gather(std::uint64_t value, unsigned root) override {
    wait_for_every_rank();
    std::vector<std::uint64_t> values(rank_ == root ? size_ : 0);
    check(MPI_Gather(&value, 1, MPI_UINT64_T, values.data(), 1, MPI_UINT64_T, static_cast<int>(root),
                     MPI_COMM_WORLD));
    return values;
  }
  [[nodiscard]] std::uint64_t all_min(std::uint64_t value) override {
    return all_reduce(value, MPI_UINT64_T, MPI_MIN);
  }
  [[nodiscard]] double all_min(double value) override { return all_reduce(value, MPI_DOUBLE, MPI_MIN); }
  [[nodiscard]] double all_max(double value) override { return all_reduce(value, MPI_DOUBLE, MPI_MAX); }
  [[nodiscard]] std::unique_ptr<dm::SharedFile> open_shared_file(const std::string& path) override {
    return std::make_unique<MpiSharedFile>(path);
  }
  [[noreturn]] void abort(int exit_code) noexcept override {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);  // MPI_Abort does not return; this is for the compiler
  }

 private:
  template <typename Value>
  static Value all_reduce(Value value, MPI_Datatype type, MPI_Op operation) {
    wait_for_every_rank();
    Value result{};
    check(MPI_Allreduce(&value, &result, 1, type, operation, MPI_COMM_WORLD));
    return result;
  }

  unsigned rank_ = 0;
  unsigned size_ = 1;
  unsigned ranks_on_this_machine_ = 1;
};

}  // namespace

extern "C" dm::Communicator* dm_open_mpi_communicator(int* argc, char*** argv, char* error, std::size_t error_size) {
  try {
    return new MpiCommunicator(argc, argv);
  } catch (const std::exception& failure) {
    if (error_size > 0) {
      const std::string text = failure.what();
      const std::size_t length = std::min(text.size(), error_size - 1);
      text.copy(error, length);
      error[length] = '\0';
    }
    return nullptr;
  }
}
