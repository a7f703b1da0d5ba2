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

}  // namespace roomcal::compare::detail
