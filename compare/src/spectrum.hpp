// Long-term average spectra shared by compare and translate: the Welch frame for a rate,
// the frames a level gate lets through, and each channel's summed frame powers.
#pragma once

#include <cstddef>
#include <vector>

#include "roomcal/core/audio_buffer.hpp"

namespace roomcal::compare::detail {

// A power-of-two frame of about 0.34 s (shorter for signals shorter than that).
std::size_t spectrum_frame(double fs, std::size_t frames);

// Starts of half-overlapped frames of `n` whose level (all channels) is above -70 dBFS
// and within 20 dB of the mean level of those; empty when nothing passes.
std::vector<std::size_t> gated_frames(AudioView<const float> x, std::size_t n);

// Per channel, the Hann-windowed power of every bin summed over `frames`.
std::vector<std::vector<double>> channel_spectra(AudioView<const float> x, const std::vector<std::size_t>& frames,
                                                 std::size_t n);

double db_power(double p);

// Σ x² over a few thousand samples, in eight float lanes the compiler can vectorise
// (relative error ~1e-6, far below what a level in dB shows).
inline double sum_squares(const float* x, std::size_t n) {
    float lane[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (std::size_t k = 0; k < 8; ++k) lane[k] += x[i + k] * x[i + k];
    double s = 0.0;
    for (float v : lane) s += v;
    for (; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
    return s;
}

}  // namespace roomcal::compare::detail
