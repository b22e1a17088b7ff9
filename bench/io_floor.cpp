// The I/O floor of an output: the time to write the same number of bytes
// with one large write() and one fsync() into the same folder. No program
// that produces a file of that size there, durably, can finish faster, so
// the pipeline's file-to-file time is measured against it.
//
//   distance_matrix_io_floor BYTES FOLDER   → prints the seconds taken
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s BYTES FOLDER\n", argv[0]);
    return 2;
  }
  const std::size_t bytes = std::strtoull(argv[1], nullptr, 10);
  const std::string path = std::string(argv[2]) + "/.io_floor." + std::to_string(::getpid());
  // Filled with non-zero bytes and touched before the clock starts: the
  // floor is the cost of writing, not of producing the data.
  void* buffer = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buffer == MAP_FAILED) return 1;
  std::memset(buffer, 'x', bytes);

  const auto start = std::chrono::steady_clock::now();
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (descriptor < 0) return 1;
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t written = ::write(descriptor, static_cast<char*>(buffer) + done, bytes - done);
    if (written <= 0) return 1;
    done += static_cast<std::size_t>(written);
  }
  if (::fsync(descriptor) != 0 || ::close(descriptor) != 0) return 1;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::unlink(path.c_str());
  std::printf("%.3f\n", seconds);
  return 0;
}
