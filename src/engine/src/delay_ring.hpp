// The engine's fixed delays (alignment, bypass paths): one ring per channel, written and
// read in the same pass so `in` and `out` may be the same array.
#pragma once

#include <cstddef>
#include <vector>

namespace roomcal::engine {

// Writes `in` into a delay ring at `pos` and reads it `delay` samples late into `out`.
inline void delayed(const float* in, float* out, std::vector<float>& ring, std::size_t pos, std::size_t delay,
                    std::size_t frames) noexcept {
    const std::size_t n = ring.size();
    for (std::size_t i = 0; i < frames; ++i) {
        const std::size_t w = (pos + i) % n;
        ring[w] = in[i];
        out[i] = ring[(w + n - delay % n) % n];
    }
}

}  // namespace roomcal::engine
