// ReadAll: loop over read(2), retrying EINTR, bounded by a size limit.
#include "fd_io.h"

#include <unistd.h>

#include <cerrno>

namespace cordon {

int ReadAll(int fd, size_t max_bytes, std::vector<uint8_t>* out) {
  out->clear();
  uint8_t chunk[16384];
  for (;;) {
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) return 0;
    if (out->size() + static_cast<size_t>(n) > max_bytes) return -EFBIG;
    out->insert(out->end(), chunk, chunk + n);
  }
}

}  // namespace cordon
