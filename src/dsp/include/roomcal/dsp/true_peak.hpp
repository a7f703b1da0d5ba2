// True peak of a whole signal (ITU-R BS.1770-4 Annex 2): oversampled 4× below 96 kHz,
// 2× below 192 kHz, by a polyphase Kaiser-windowed sinc. Only stretches that could rise
// above the highest value found so far are interpolated — a block is skipped when its
// largest sample times the largest absolute sum of any phase's taps (a strict bound on
// every interpolated value near it) stays below — so the answer equals interpolating
// everything, at about the cost of a sample-peak scan.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "roomcal/core/units.hpp"

namespace roomcal::dsp {

// Largest absolute interpolated value of `x` (linear, not dB); 0 for an empty signal.
double true_peak(std::span<const float> x, Hz rate);

// The same interpolating every sample (the reference the fast path is tested against).
double true_peak_exhaustive(std::span<const float> x, Hz rate);

namespace detail {
struct TruePeakInterpolator;
}

// The true peak of a stream, chunk by chunk, as a meter reads it: the interpolation of
// true_peak(), with the last samples of one chunk carried into the next, and the same bound
// skipping stretches that cannot reach the chunk's own sample peak. An interpolated point
// needs eight samples after it, so the points near a chunk's end are read with the next
// chunk; the chunk's samples themselves always count.
class TruePeakStream {
public:
    TruePeakStream();
    ~TruePeakStream();
    TruePeakStream(TruePeakStream&&) noexcept;
    TruePeakStream& operator=(TruePeakStream&&) noexcept;

    // Designs the interpolator for `rate` and starts from silence.
    void prepare(Hz rate);
    // Silence before the next chunk.
    void reset();
    // Largest absolute value of the chunk's samples and of the interpolated points read with
    // it (linear). Allocates only when a chunk is longer than any before it.
    double push(std::span<const float> chunk);

private:
    std::unique_ptr<detail::TruePeakInterpolator> ip_;
    std::vector<float> work_;  // the carried samples, then the chunk
    std::size_t carried_ = 0;
};

}  // namespace roomcal::dsp
