// Smoothing of a frequency response's magnitude over fractional-octave, variable (REW's
// "var") or ERB-wide bands (Glasberg & Moore 1990), averaged in the power domain with
// prefix sums, so a dense grid costs O(n log n).
#pragma once

#include <string>

#include "roomcal/core/frequency_response.hpp"

namespace roomcal::measure {

enum class SmoothingKind { none, fractional_octave, variable, erb };

struct Smoothing {
    SmoothingKind kind = SmoothingKind::none;
    double fraction = 6;  // N of a 1/N-octave band, for fractional_octave
};

// The band a smoothed point at `centre_hz` averages over.
//   fractional_octave: 1/N octave, geometrically centred.
//   variable: 1/48 octave up to 100 Hz and 1/3 octave from 10 kHz (REW's "var"); between,
//     log2 of the width is the parabola in log10(f) through 1/48 at 100 Hz, 1/6 at 1 kHz
//     and 1/3 at 10 kHz, which meets the 1/3-octave plateau without a kink.
//   erb: centre ± ERB/2 with ERB = 24.7 · (4.37 · f/1000 + 1) Hz.
//   none: the point itself.
struct SmoothingBand {
    double low_hz = 0.0;
    double high_hz = 0.0;
};
SmoothingBand smoothing_band(const Smoothing& s, double centre_hz);

// Each magnitude becomes the mean power over its band, weighted evenly per octave (the
// grid may be log or linear). Bands are cut at the ends of the grid, so the first and
// last points average one-sided. The phase is carried over unsmoothed: use
// minimum_phase() for a phase that matches the smoothed magnitude. Throws
// roomcal::UsageError for a non-positive fraction, roomcal::Error for an invalid response.
FrequencyResponse smooth(const FrequencyResponse& r, const Smoothing& s);

// "1/N" (N from 1 to 96, e.g. 1/3, 1/6, 1/12, 1/24, 1/48), "var", "erb" or "none", any
// case. Throws roomcal::UsageError naming the accepted forms.
Smoothing parse_smoothing(const std::string& text);

}  // namespace roomcal::measure
