// Peak and energy of a run of float samples, in eight float lanes the compiler can
// vectorise (a float max or sum in one accumulator cannot be reordered, so it is not).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace roomcal::dsp {

// max |x[i]| over n samples (exact: a maximum does not depend on the order).
inline float max_abs(const float* x, std::size_t n) noexcept {
    float lane[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (std::size_t k = 0; k < 8; ++k) lane[k] = std::max(lane[k], std::abs(x[i + k]));
    for (; i < n; ++i) lane[0] = std::max(lane[0], std::abs(x[i]));
    return *std::max_element(lane, lane + 8);
}

// Σ x[i]² over a few thousand samples (relative error ~1e-6, far below what a level in
// dB shows).
inline double sum_squares(const float* x, std::size_t n) noexcept {
    float lane[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (std::size_t k = 0; k < 8; ++k) lane[k] += x[i + k] * x[i + k];
    double s = 0.0;
    for (float v : lane) s += v;
    for (; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
    return s;
}

}  // namespace roomcal::dsp
