// Frequency response of an impulse response: a Tukey-style window around the reference
// (REW's IR windows), a zero-padded FFT interpolated onto the caller's grid, a
// frequency-dependent window of a fixed number of cycles (REW's FDW), and group delay.
#pragma once

#include <vector>

#include "roomcal/core/frequency_response.hpp"
#include "roomcal/core/impulse_response.hpp"

namespace roomcal::measure {

// A rising half-Hann over `left_ms` before the reference, flat, then a falling half-Hann
// over the last quarter of `right_ms` after it (Tukey 0.25 on the right, REW's default).
struct IrWindow {
    double left_ms = 100;  // covers what a measurement keeps before t = 0 (AnalysisOptions::pre_reference)
    double right_ms = 500;
};

// Magnitude (dB) and phase (radians, the reference delay removed, unwrapped from DC) at
// each grid frequency. Throws roomcal::UsageError for a window or grid that cannot be
// used (negative lengths, frequencies not increasing, above Nyquist), roomcal::Error for
// an invalid IR.
FrequencyResponse frequency_response(const ImpulseResponse& ir, const std::vector<double>& grid_hz,
                                     const IrWindow& w = {});

// Each grid frequency f sees the IR through its own Hann window `cycles` / f long,
// centred on the reference: long windows resolve the bass, short ones leave the room's
// reflections out of the treble. The phase takes, at each point, the branch nearest the
// phase of the whole IR, which unwraps reliably from DC.
FrequencyResponse frequency_dependent_window(const ImpulseResponse& ir, const std::vector<double>& grid_hz,
                                             double cycles = 15);

// Group delay in seconds, -dφ/dω, by central differences of the phase (one-sided at the
// ends), which must be continuous as the functions above give it; relative to the
// reference when the phase is. Throws roomcal::Error if the response has no phase or
// fewer than two points.
std::vector<double> group_delay(const FrequencyResponse& r);

}  // namespace roomcal::measure
