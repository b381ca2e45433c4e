// Reading a whole file descriptor (the exec spec pipe).
// See: man 2 read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cordon {

/** Reads `fd` to EOF into `out`; returns 0, -EFBIG when more than `max_bytes` arrive, or -errno. */
int ReadAll(int fd, size_t max_bytes, std::vector<uint8_t>* out);

}  // namespace cordon
