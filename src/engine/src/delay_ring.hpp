// The engine's fixed delays (alignment, bypass paths): one ring per channel, written and
// read in the same pass so `in` and `out` may be the same array.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

namespace roomcal::engine {

// Writes `in` into a delay ring at `pos` and reads it `delay` samples late into `out`
// (delay + frames < ring size), in runs where neither position wraps. Each run is written
// before it is read, so a delay shorter than the run reads this run's own samples, and
// `out` may be `in`.
inline void delayed(const float* in, float* out, std::vector<float>& ring, std::size_t pos, std::size_t delay,
                    std::size_t frames) noexcept {
    const std::size_t n = ring.size();
    float* r = ring.data();
    std::size_t w = pos % n, rd = (w + n - delay % n) % n;
    while (frames > 0) {
        const std::size_t m = std::min({frames, n - w, n - rd});
        std::memcpy(r + w, in, m * sizeof(float));
        std::memcpy(out, r + rd, m * sizeof(float));
        in += m;
        out += m;
        frames -= m;
        w = w + m == n ? 0 : w + m;
        rd = rd + m == n ? 0 : rd + m;
    }
}

}  // namespace roomcal::engine
